// Worker-thread entry: parses the files it is given and posts the batch back.
import { parentPort } from 'node:worker_threads';
import { parseFiles, type ParseJob } from './parseFiles';

interface WorkerRequest {
  jobs: ParseJob[];
  allowLabels: boolean;
}

parentPort?.on('message', (req: WorkerRequest) => {
  try {
    const batch = parseFiles(req.jobs, req.allowLabels, undefined, (bytes) => parentPort?.postMessage({ progress: bytes }));
    // One JSON string crosses the thread boundary far cheaper than a structured clone of thousands of objects.
    const payload = JSON.stringify({ turns: [...batch.turns.values()], events: batch.events, sessions: [...batch.sessions.values()], files: batch.files, malformedSamples: batch.malformedSamples });
    parentPort?.postMessage({ ok: true, payload });
  } catch (err) {
    parentPort?.postMessage({ ok: false, error: (err as Error).stack ?? String(err) });
  }
});
