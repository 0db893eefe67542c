// The shared ledger's bench: one machine pushes 100,000 requests to a local PostgreSQL (started here, as in the
// tests), another pulls them; then what sync adds to the refresh of one appended turn on the main thread.
//   node --import tsx bench/sync.ts [--requests 100000]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Meter } from '../src/core/meter/meter';
import { userPaths } from '../src/core/state/paths';
import { sharedLedgerSetup, syncMeter } from '../src/core/sync/meterSync';
import { describeFile } from '../src/core/transcripts/discovery';
import { startPgServer } from '../test/unit/pgServer';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 100_000);
const PER_SESSION = 500;
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'];

function line(session: string, i: number, at: number): string {
  const id = `msg_${session}_${i}`;
  return JSON.stringify({
    type: 'assistant', sessionId: session, cwd: '/work/app', version: '2.1.250', entrypoint: i % 3 ? 'cli' : 'sdk-cli', uuid: `u-${id}`, timestamp: new Date(at).toISOString(), requestId: `req_${id}`,
    message: { id, model: MODELS[i % 3], role: 'assistant', type: 'message', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 10 + (i % 50), output_tokens: 200 + (i % 700), cache_creation_input_tokens: 1000 + i, cache_read_input_tokens: 20_000 + 7 * i } },
  });
}

function machine(name: string): { root: string; paths: ReturnType<typeof userPaths>; settings: Record<string, unknown> } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `cl-bench-sync-${name}-`));
  const root = path.join(home, 'claude');
  fs.mkdirSync(path.join(root, 'projects'), { recursive: true });
  return { root, paths: userPaths({ CREDIT_LEDGER_HOME: path.join(home, 'data') }), settings: { plan: 'api', amount: 1000, scope: 'all', timezone: 'UTC', configDirs: [root], machineLabel: name } };
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function main(): Promise<void> {
  const server = await startPgServer();
  try {
    server.createDatabase('bench');
    const url = server.url('bench');
    const a = machine('a');
    const start = Date.now() - Math.ceil((REQUESTS * 10_000) / 86_400_000 + 1) * 86_400_000;
    for (let s = 0; s * PER_SESSION < REQUESTS; s++) {
      const session = `s${s}`;
      const lines: string[] = [];
      for (let i = 0; i < PER_SESSION && s * PER_SESSION + i < REQUESTS; i++) lines.push(line(session, i, start + (s * PER_SESSION + i) * 10_000));
      fs.mkdirSync(path.join(a.root, 'projects', `p${s % 20}`), { recursive: true });
      fs.writeFileSync(path.join(a.root, 'projects', `p${s % 20}`, `${session}.jsonl`), lines.join('\n') + '\n');
    }
    const meterA = await Meter.open({ paths: a.paths, settings: a.settings, ledgerFile: a.paths.userLedger, writesSnapshot: false, shared: true });
    let t = Date.now();
    meterA.refresh();
    console.log(`machine A: ingest of ${REQUESTS} requests: ${Date.now() - t} ms`);
    const setupA = sharedLedgerSetup(a.paths, a.settings, {}, url)!;
    t = Date.now();
    let c = process.cpuUsage();
    const pushed = await syncMeter(meterA, setupA);
    const pushMs = Date.now() - t;
    const pushCpu = cpuMs(c);
    console.log(`push: ${pushed.result.pushed.requests} requests in ${pushMs} ms (${pushCpu.toFixed(0)} ms CPU in this process)`);
    meterA.save();

    const b = machine('b');
    const meterB = await Meter.open({ paths: b.paths, settings: b.settings, ledgerFile: b.paths.userLedger, writesSnapshot: false, shared: true });
    meterB.refresh();
    t = Date.now();
    c = process.cpuUsage();
    const pulled = await syncMeter(meterB, sharedLedgerSetup(b.paths, b.settings, {}, url)!);
    const spentB = pulled.update.balance.spentNanos;
    const pullMs = Date.now() - t;
    const pullCpu = cpuMs(c);
    console.log(`pull on another machine: ${pulled.result.pulled.requests} requests in ${pullMs} ms (${pullCpu.toFixed(0)} ms CPU), balance included`);
    const total = (m: Meter): string => String(m.ledger.db.exec('SELECT count(*), sum(cost_nanos) FROM requests')[0].values[0]);
    if (total(meterA) !== total(meterB) || meterA.computeBalance().spentNanos !== spentB) throw new Error(`merged figures differ: ${total(meterA)} vs ${total(meterB)}`);
    console.log(`same requests and cost on both machines (count, nanodollars): ${total(meterA)}`);

    // One appended turn: the refresh with the outbox vs without, and the sync's own CPU for that turn.
    const file = path.join(a.root, 'projects', 'p0', 's0.jsonl');
    const plain = await Meter.open({ paths: machine('c').paths, settings: a.settings, ledgerFile: undefined, writesSnapshot: false, shared: false });
    plain.refresh();
    const samples: { shared: number; plain: number; sync: number; syncWall: number }[] = [];
    for (let i = 0; i < 7; i++) {
      fs.appendFileSync(file, line('s0', PER_SESSION + i, Date.now()) + '\n');
      const f = describeFile(file, meterA.configDirs)!;
      c = process.cpuUsage();
      meterA.refreshFiles([f]).balance;
      const shared = cpuMs(c);
      c = process.cpuUsage();
      plain.refreshFiles([f]).balance;
      const plainCpu = cpuMs(c);
      c = process.cpuUsage();
      t = Date.now();
      await syncMeter(meterA, setupA);
      samples.push({ shared, plain: plainCpu, sync: cpuMs(c), syncWall: Date.now() - t });
    }
    const med = (k: keyof (typeof samples)[0]): number => samples.map((s) => s[k]).sort((x, y) => x - y)[Math.floor(samples.length / 2)];
    console.log(`one appended turn: refresh ${med('plain').toFixed(1)} ms CPU without sync, ${med('shared').toFixed(1)} ms with the outbox (+${(med('shared') - med('plain')).toFixed(1)} ms); the sync of that turn: ${med('sync').toFixed(1)} ms CPU in this process (its network wait, ${med('syncWall')} ms wall, off the main thread's critical path)`);
    console.log(JSON.stringify({ requests: REQUESTS, pushMs, pushCpuMs: Math.round(pushCpu), pullMs, pullCpuMs: Math.round(pullCpu), appendedTurn: { plainCpuMs: med('plain'), outboxCpuMs: med('shared'), syncCpuMs: med('sync'), syncWallMs: med('syncWall') } }));
    meterA.close();
    meterB.close();
    plain.close();
  } finally {
    server.destroy();
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
