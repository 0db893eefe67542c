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
    parentPort?.postMessage({ ok: true, batch: { ...batch, byMessage: new Map() } });
  } catch (err) {
    parentPort?.postMessage({ ok: false, error: (err as Error).stack ?? String(err) });
  }
});
