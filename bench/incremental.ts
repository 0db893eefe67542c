// Inside a long-running process (as in the extension host): main-thread CPU to pick up one
// appended turn, driven by a file event (only that file is looked at), with the ledger warm:
// ingest, corrections, balance and snapshot, as Meter.refreshFiles does them for the extension.
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
  const samples: { ingest: number; corrections: number; total: number }[] = [];
  for (let i = 0; i < 7; i++) {
    const { file } = appendOneTurn(dir) as { file: string };
    const c0 = process.cpuUsage();
    const f = describeFile(file, meter.configDirs);
    if (!f) throw new Error(`not a transcript: ${file}`);
    // What the extension does on a file event: ingest that file, correct its session, balance, snapshot.
    const update = meter.refreshFiles([f]);
    const total = process.cpuUsage(c0);
    if (update.ingest.requestsAdded + update.ingest.requestsUpdated < 1) throw new Error('the appended turn was not picked up');
    samples.push({ ingest: update.ingest.durationMs, corrections: update.corrections?.durationMs ?? 0, total: (total.user + total.system) / 1000 });
  }
  samples.sort((a, b) => a.total - b.total);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`one appended turn: ${median.total.toFixed(1)} ms main-thread CPU (median of ${samples.length}: ingest ${median.ingest} ms and corrections ${median.corrections} ms wall, the rest the balance and the snapshot), ${tracked} files tracked`);
  console.log(JSON.stringify({ trackedFiles: tracked, appendedTurnCpuMs: median.total, samples }));
  meter.close();
}

void main();
