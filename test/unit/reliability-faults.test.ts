// Issue #14, "done means": fault injection on the real CLI and files. Runs are killed (SIGKILL) at
// seeded random points among their file-system calls: reading transcripts (ingest), writing,
// syncing, linking and renaming the ledger and its previous copy (save), appending to the journal
// (some writes torn partway). Then each state file is corrupted in turn. After each fault a plain
// run must give a clean run's totals, and no journal fact the CLI acknowledged may be lost.
// Bounded: kills stop after FAULT_BUDGET_MS (60 s by default); the seed and every kill point are
// printed. FAULT_SEED picks another seed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '../../src/core/state/journal';
import { tempDir } from './builders';
import { cli, machine, noCorpus, overwritePages, seeded, type Machine } from './reliabilityHarness';

const preload = path.join(__dirname, 'faultPreload.cjs');
const SEED = Number(process.env.FAULT_SEED ?? 20261206);
const BUDGET_MS = Number(process.env.FAULT_BUDGET_MS ?? 60_000);
const DAILY = ['daily', '--json', '--timezone', 'UTC'];
const GROWING = path.join('projects', 'spotter', 'tool_heavy.jsonl');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(m: Machine, args: string[], fault: { killAt?: number; torn?: number; trace?: string } = {}): Run {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: m.home, FAULT_KILL_AT: String(fault.killAt ?? 0), FAULT_TORN: String(fault.torn ?? 0) };
  if (fault.trace) env.FAULT_TRACE = fault.trace;
  const r = spawnSync(process.execPath, ['--require', preload, cli, ...args], { encoding: 'utf8', env });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** The calls a run makes, and the 1-based positions of those matching each category. */
function traceOf(m: Machine, args: string[]): { calls: string[]; at(match: (call: string) => boolean): number[] } {
  const file = path.join(tempDir('cl-fault-trace-'), 'trace');
  const r = run(m, args, { trace: file });
  assert.equal(r.code, 0, r.stderr);
  const calls = fs.readFileSync(file, 'utf8').trim().split('\n');
  return { calls, at: (match) => calls.flatMap((c, i) => (match(c) ? [i + 1] : [])) };
}

/** A copy of a machine (its HOME: transcripts and state), so each round starts from the same state. */
function copyOf(m: Machine): Machine {
  const home = tempDir('cl-rel-home-');
  fs.cpSync(m.home, home, { recursive: true });
  const rel = (p: string): string => path.join(home, path.relative(m.home, p));
  return { home, claude: rel(m.claude), data: rel(m.data), ledger: rel(m.ledger), journal: rel(m.journal) };
}

interface Figures {
  requests: number;
  recorded: number;
  corrected: number;
}

function figures(r: Run, context: string): Figures {
  assert.equal(r.code, 0, `${context}: the run failed (seed ${SEED}): ${r.stderr}`);
  const t = JSON.parse(r.stdout).totals;
  return { requests: t.requests, recorded: t.totalCost, corrected: t.corrected.totalCost };
}

const isTranscriptRead = (c: string): boolean => /^(readSync|readFileSync|openSync|statSync) .*\.jsonl$/.test(c) && !c.includes('journal.jsonl');
const isLedgerWrite = (c: string): boolean => /^(writeSync|writeFileSync|fsyncSync|closeSync|linkSync|renameSync|rmSync|unlinkSync|copyFileSync) .*ledgers\/user\.sqlite/.test(c) || /^openSync .*ledgers\/.*\.(tmp|new)$/.test(c);
const isJournalWrite = (c: string): boolean => /journal\.jsonl$/.test(c) && !/^(readFileSync|statSync)/.test(c);
const isWrite = (c: string): boolean => /^(writeSync|writeFileSync|appendFileSync) /.test(c);

describe('fault injection', { skip: noCorpus }, () => {
  test('kills during ingest, save and journal append, and corruption of each state file: the next run has a clean run\'s totals and every acknowledged fact', () => {
    const started = Date.now();
    const rnd = seeded(SEED);
    const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)]!;
    const acknowledged = new Map<string, string[]>();

    const fresh = machine();
    const cold = traceOf(copyOf(fresh), DAILY);
    const clean = figures(run(copyOf(fresh), DAILY), 'a clean run');
    // A warm machine whose growing transcript was read up to half: the next run ingests its second half and saves.
    const warm = copyOf(fresh);
    const whole = fs.readFileSync(path.join(warm.claude, GROWING));
    fs.writeFileSync(path.join(warm.claude, GROWING), whole.subarray(0, whole.lastIndexOf(10, whole.length >> 1) + 1));
    figures(run(warm, DAILY), 'the warm machine');
    fs.writeFileSync(path.join(warm.claude, GROWING), whole);
    const grown = traceOf(copyOf(warm), DAILY);
    // A machine with a fact already acknowledged: the killed append comes after it.
    const journaled = copyOf(warm);
    const reconcileArgs = ['reconcile', '12.34', '--yes'];
    const first = run(journaled, reconcileArgs);
    const firstFact = /fact ([\w-]+)[;)]/.exec(first.stdout)?.[1];
    assert.ok(first.code === 0 && firstFact, first.stderr);
    const journalTrace = traceOf(copyOf(journaled), reconcileArgs);
    const points = {
      ingest: cold.at(isTranscriptRead),
      'cold save': cold.at(isLedgerWrite),
      'warm ingest': grown.at(isTranscriptRead),
      'warm save': grown.at(isLedgerWrite),
      journal: journalTrace.at(isJournalWrite),
    };
    for (const [kind, at] of Object.entries(points)) assert.ok(at.length > 0, `no ${kind} calls in the trace`);
    const traces: Record<string, string[]> = { ingest: cold.calls, 'cold save': cold.calls, 'warm ingest': grown.calls, 'warm save': grown.calls, journal: journalTrace.calls };

    const reconcile = (m: Machine, fault: { killAt?: number; torn?: number } = {}): Run => {
      const r = run(m, reconcileArgs, fault);
      const id = /fact ([\w-]+)[;)]/.exec(r.stdout)?.[1];
      if (r.code === 0 && id) acknowledged.set(m.home, [...(acknowledged.get(m.home) ?? []), id]);
      else assert.equal(r.signal, 'SIGKILL', `reconcile neither acknowledged nor killed: ${r.stdout}${r.stderr}`);
      return r;
    };
    const recover = (m: Machine, context: string): void => {
      const after = run(m, DAILY);
      assert.deepEqual(figures(after, context), clean, `${context}: totals after the fault (seed ${SEED})`);
      assert.doesNotMatch(after.stderr, /Another Credit Ledger process is writing/, `${context}: a dead process's lock held the run read-only`);
      const ids = new Set(readJournal(m.journal).facts.map((f) => f.id));
      for (const id of acknowledged.get(m.home) ?? []) assert.ok(ids.has(id), `${context}: acknowledged fact ${id} lost (seed ${SEED})`);
    };

    const log: string[] = [];
    const kinds = Object.keys(points) as (keyof typeof points)[];
    let rounds = 0;
    while (rounds < 10 || (Date.now() - started < BUDGET_MS && rounds < 40)) {
      const kind = kinds[rounds % kinds.length]!;
      const killAt = pick(points[kind]);
      const m = copyOf(kind === 'ingest' || kind === 'cold save' ? fresh : kind === 'journal' ? journaled : warm);
      if (kind === 'journal') acknowledged.set(m.home, [firstFact]);
      const torn = isWrite(traces[kind]![killAt - 1]!) && rnd() < 0.5 ? 0.1 + 0.8 * rnd() : 0;
      const outcome = kind === 'journal' ? reconcile(m, { killAt, torn }) : run(m, DAILY, { killAt, torn });
      const what = `${kind}: killed at call ${killAt} (${traces[kind]![killAt - 1]!.replace(/\/\S*cl-rel-home-\w+/, '~')})${torn ? `, torn at ${Math.round(torn * 100)}%` : ''}`;
      assert.equal(outcome.signal, 'SIGKILL', `${what}: the run was not killed`);
      if (kind === 'journal') reconcile(m); // a fact acknowledged after the cut one
      log.push(what);
      recover(m, `round ${rounds}, ${what}`);
      rounds++;
    }

    // Corruption of each state file, one at a time, on a machine with a saved ledger, its previous copy and journal facts.
    const saved = copyOf(warm);
    reconcile(saved);
    figures(run(saved, DAILY), 'the saved machine');
    const savedFacts = acknowledged.get(saved.home) ?? [];
    const ledgers = (x: Machine): string => path.dirname(x.ledger);
    const corruptions: [string, (x: Machine) => void][] = [
      ['ledger: 4 pages of garbage', (x) => overwritePages(x.ledger, 20, 4, SEED)],
      ['ledger: zero length', (x) => fs.truncateSync(x.ledger, 0)],
      ['ledger: cut short', (x) => fs.truncateSync(x.ledger, Math.floor(fs.statSync(x.ledger).size * (0.1 + 0.8 * rnd())))],
      ['ledger: not a database', (x) => fs.writeFileSync(x.ledger, 'not a database')],
      ['ledger and its previous copy: garbage', (x) => {
        overwritePages(x.ledger, 10, 2, SEED + 1);
        overwritePages(`${x.ledger}.prev`, 10, 2, SEED + 2);
      }],
      ['ledger: missing, its previous copy there', (x) => fs.rmSync(x.ledger)],
      ['previous copy: garbage', (x) => overwritePages(`${x.ledger}.prev`, 5, 3, SEED + 3)],
      ['journal: torn last line', (x) => fs.appendFileSync(x.journal, '{"id":"torn","at":"2026-')],
      ['journal: zeros at the end (a power cut on some file systems)', (x) => fs.appendFileSync(x.journal, Buffer.alloc(512))],
      ['journal: a garbage line', (x) => fs.appendFileSync(x.journal, '\u0000garbage}{\n')],
      ['balance snapshot: garbage', (x) => fs.writeFileSync(path.join(x.data, 'balance.json'), '{"spent')],
      ['ledger index: garbage', (x) => fs.writeFileSync(path.join(ledgers(x), 'index.json'), '\u0000\u0000')],
      ['lock: garbage from long ago', (x) => {
        fs.writeFileSync(`${x.ledger}.lock`, '\u0000\u0001');
        fs.utimesSync(`${x.ledger}.lock`, new Date(0), new Date(0));
      }],
      ['every leftover a kill can leave', (x) => {
        for (const f of ['user.sqlite.999999.zz.tmp', 'user.sqlite.prev.999999.tmp', 'user.sqlite.lock.999999.ab12.new', 'user.sqlite.lock.break']) fs.writeFileSync(path.join(ledgers(x), f), 'x');
        fs.utimesSync(path.join(ledgers(x), 'user.sqlite.lock.break'), new Date(0), new Date(0));
      }],
    ];
    for (const [what, corrupt] of corruptions) {
      const x = copyOf(saved);
      acknowledged.set(x.home, savedFacts);
      corrupt(x);
      recover(x, `corruption: ${what}`);
      if (what.startsWith('ledger')) recover(x, `corruption: ${what}, the run after`);
    }
    console.log(`fault injection (seed ${SEED}): ${rounds} killed runs, ${corruptions.length} corruptions, ${((Date.now() - started) / 1000).toFixed(0)} s\n  ${log.join('\n  ')}`);
  });
});
