// Inside a long-running process (as in the extension host): main-thread CPU to pick up one
// appended turn, driven by a file event (only that file is looked at), with the ledger warm.
//   node --import tsx bench/incremental.ts <config dir> [--ledger FILE]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Meter } from '../src/core/meter/meter';
import { userPaths } from '../src/core/state/paths';
import { describeFile } from '../src/core/transcripts/discovery';
import { appendOneTurn } from './generate.mjs';

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2]);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-bench-home-'));
  const paths = userPaths({ CREDIT_LEDGER_HOME: home });
  const ledgerFile = path.join(home, 'ledger.sqlite');
  const meter = await Meter.open({ paths, settings: { plan: 'max5x', timezone: 'UTC' }, configDirs: [dir], ledgerFile, writesSnapshot: true });
  const t0 = Date.now();
  meter.refresh();
  const tracked = Number(meter.ledger.db.exec('SELECT count(*) FROM files')[0].values[0][0]);
  console.log(`cold ingest in-process: ${Date.now() - t0} ms, ${tracked} files tracked`);
  const samples: { ingest: number; total: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const { file } = appendOneTurn(dir) as { file: string };
    const c0 = process.cpuUsage();
    const f = describeFile(file, meter.configDirs);
    if (!f) throw new Error(`not a transcript: ${file}`);
    const ingestStart = process.cpuUsage();
    const report = meter.ledger.ingestFiles([f]);
    const ingestCpu = process.cpuUsage(ingestStart);
    const update = { ingest: report, balance: meter.computeBalance() };
    meter.writeSnapshot(update.balance);
    const total = process.cpuUsage(c0);
    if (update.ingest.requestsAdded + update.ingest.requestsUpdated < 1) throw new Error('the appended turn was not picked up');
    samples.push({ ingest: (ingestCpu.user + ingestCpu.system) / 1000, total: (total.user + total.system) / 1000 });
  }
  samples.sort((a, b) => a.total - b.total);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`one appended turn: ${median.total.toFixed(1)} ms main-thread CPU (median of ${samples.length}; of which ingest ${median.ingest.toFixed(1)} ms, the rest balance + snapshot), ${tracked} files tracked`);
  console.log(JSON.stringify({ trackedFiles: tracked, appendedTurnCpuMs: median.total }));
  meter.close();
}

void main();
