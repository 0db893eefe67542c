// Simulated machines for the shared-ledger tests: each has its own HOME (per-user data folder,
// journal, machine id) and its own transcript folder; transcripts are authored here, not copied.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Meter } from '../../src/core/meter/meter';
import { userPaths, type UserPaths } from '../../src/core/state/paths';
import type { UserSettings } from '../../src/core/state/settings';
import { sharedLedgerSetup, syncMeter, type MeterSync, type SharedLedgerSetup } from '../../src/core/sync/meterSync';
import { assistant, jsonl, queueOperation, tempDir, user } from './builders';
import { subagentRequest, taskCall, taskResult } from './correctionBuilders';

export const NOW = Date.parse('2026-11-25T12:00:00Z');

export const SETTINGS: UserSettings = { plan: 'api', amount: 50, scope: 'all', overage: 'bill', cycleDay: 1, timezone: 'UTC', basis: 'corrected' };

export interface SimMachine {
  name: string;
  home: string;
  root: string;
  paths: UserPaths;
  settings: UserSettings;
  env: Record<string, string | undefined>;
}

/** A machine with its own HOME and transcript folder holding `files` (relative to projects/). */
export function simMachine(name: string, files: Record<string, string>, settings: UserSettings = SETTINGS): SimMachine {
  const home = tempDir(`cl-home-${name}-`);
  const root = path.join(home, '.claude');
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, 'projects', rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  fs.mkdirSync(path.join(root, 'projects'), { recursive: true });
  const env = { CREDIT_LEDGER_HOME: path.join(home, 'data'), HOME: home };
  return { name, home, root, paths: userPaths(env), settings: { ...settings, configDirs: [root], machineLabel: name }, env };
}

export async function openMeter(m: SimMachine, shared: boolean, now = NOW): Promise<Meter> {
  const meter = await Meter.open({ paths: m.paths, settings: m.settings, ledgerFile: m.paths.userLedger, writesSnapshot: true, clock: () => now, shared, env: m.env });
  meter.refresh();
  return meter;
}

export function setupFor(m: SimMachine, url: string): SharedLedgerSetup {
  return sharedLedgerSetup(m.paths, m.settings, {}, url, { connectTimeoutMs: 30_000 })!;
}

/** Opens the machine's meter, syncs once, saves and closes (a CLI run). */
export async function syncMachine(m: SimMachine, url: string, opts: Parameters<typeof syncMeter>[2] = {}): Promise<MeterSync> {
  const meter = await openMeter(m, true);
  try {
    return await syncMeter(meter, setupFor(m, url), opts);
  } finally {
    meter.save(); // a failed sync still keeps what the server acknowledged
    meter.close();
  }
}

/** What two ledgers must agree on to the nanodollar. */
export interface Figures {
  spentNanos: number;
  remainingNanos: number | null;
  covered: [string, number, number][];
  requests: number;
  recordedNanos: number;
  correctionNanos: number;
}

export async function figures(m: SimMachine, shared: boolean): Promise<Figures> {
  const meter = await openMeter(m, shared);
  try {
    const b = meter.computeBalance();
    const db = meter.ledger.db;
    const one = (sql: string): number => Number(db.exec(sql)[0].values[0][0] ?? 0);
    return {
      spentNanos: b.spentNanos,
      remainingNanos: b.remainingNanos,
      covered: b.covered.map((s) => [s.sessionId, s.spentNanos, s.requests] as [string, number, number]).sort((a, b) => a[0].localeCompare(b[0])),
      requests: one('SELECT count(*) FROM requests'),
      recordedNanos: one('SELECT sum(cost_nanos) FROM requests'),
      correctionNanos: one('SELECT coalesce(sum(cost_nanos), 0) FROM corrections'),
    };
  } finally {
    meter.close();
  }
}

const T = (minute: number, day = 20): string => `2026-11-${String(day).padStart(2, '0')}T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** An interactive session: a few requests on one model. */
export function interactiveSession(id: string, day: number, model = 'claude-sonnet-4-5-20250929', n = 3): string {
  const lines: unknown[] = [user('hello', { sessionId: id, timestamp: T(0, day) })];
  for (let i = 0; i < n; i++) lines.push(assistant({ sessionId: id, messageId: `${id}-m${i}`, model, entrypoint: 'cli', input: 100 + i, output: 300 + 7 * i, cacheWrite: 2000, cacheRead: 15_000 * ((i % 10) + 1), timestamp: T(i % 60, day) }));
  return jsonl(lines);
}

/** A `claude -p` run (headless), on Opus. */
export function headlessRun(id: string, day: number): string {
  return jsonl([
    queueOperation(id),
    user('run the nightly job', { sessionId: id, timestamp: T(0, day) }),
    assistant({ sessionId: id, messageId: `${id}-h1`, model: 'claude-opus-4-1-20250805', entrypoint: 'sdk-cli', input: 12, output: 2048, cacheWrite: 30_000, timestamp: T(1, day) }),
    assistant({ sessionId: id, messageId: `${id}-h2`, model: 'claude-opus-4-1-20250805', entrypoint: 'sdk-cli', input: 9, output: 512, cacheRead: 30_000, webSearches: 2, timestamp: T(2, day) }),
  ]);
}

/** A session whose subagent's lines undercount output (its Task result gives the real figure): a correction. */
export function subagentSession(id: string, day: number): Record<string, string> {
  const parent = [
    user('find the config loader', { sessionId: id, timestamp: T(0, day) }),
    taskCall({ sessionId: id, messageId: `${id}-p1`, toolUseId: `toolu_${id}`, input: 20, output: 60, cacheRead: 4000, timestamp: T(0, day) }),
    taskResult({ sessionId: id, agentId: `a${id}`, toolUseId: `toolu_${id}`, usage: { input: 2, output: 997, cacheWrite: 500, cacheRead: 8000 }, timestamp: T(5, day) }),
    assistant({ sessionId: id, messageId: `${id}-p2`, input: 30, output: 120, cacheRead: 9000, timestamp: T(6, day) }),
  ];
  const sub = [
    subagentRequest({ sessionId: id, agentId: `a${id}`, messageId: `${id}-s1`, input: 3, output: 2, cacheRead: 5000, cacheWrite: 3000, content: [{ type: 'tool_use', id: `toolu_r${id}`, name: 'Read', input: { f: 'a' } }], timestamp: T(1, day) }),
    subagentRequest({ sessionId: id, agentId: `a${id}`, messageId: `${id}-s2`, input: 2, output: 3, cacheRead: 8000, cacheWrite: 500, content: [{ type: 'text', text: 'Found it.' }], timestamp: T(4, day) }),
  ];
  return { [`proj-sub/${id}.jsonl`]: jsonl(parent), [`proj-sub/${id}/subagents/agent-a${id}.jsonl`]: jsonl(sub) };
}

/** A streamed request written in two copies (a partial, then the full usage): the dedup keeps the larger. */
export function streamedSession(id: string, day: number, partial: boolean): string {
  const full = assistant({ sessionId: id, messageId: `${id}-x`, entrypoint: 'sdk-cli', input: 5, output: partial ? 1 : 640, cacheWrite: 1000, timestamp: T(3, day) });
  return jsonl([queueOperation(id), user('go', { sessionId: id, timestamp: T(2, day) }), full]);
}
