// Builders for the loop audit: requests as the ledger stores them (priced by the real pricer),
// sessions, events and journal facts, and one call that runs the audit as the meter would.
import { auditLoops } from '../../src/core/audit/report';
import type { AuditEvent, AuditRequest } from '../../src/core/audit/input';
import { DEFAULT_AUDIT_THRESHOLDS } from '../../src/core/audit/settings';
import type { AuditReport, AuditThresholds } from '../../src/core/audit/types';
import { computeBalance } from '../../src/core/pool/balance';
import type { PoolSettings, SessionFacts } from '../../src/core/pool/types';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import type { Fact } from '../../src/core/state/journal';

export const pricer = createPricer(loadRateCard());
export const USD = 1_000_000_000;
export const MINUTE = 60_000;
export const DAY = 86_400_000;
export const T = (iso: string): number => Date.parse(iso);

export const SONNET = 'claude-sonnet-4-5-20250929';
export const OPUS = 'claude-opus-4-6';

export interface RequestSpec {
  session: string;
  at: number;
  agent?: string;
  sidechain?: boolean;
  project?: string;
  cwd?: string;
  entrypoint?: string;
  model?: string;
  input?: number;
  output?: number;
  cw?: number;
  cw1h?: number;
  cr?: number;
  tools?: string[];
  texts?: string[];
  turnOrigin?: string;
  promptSource?: string;
  file?: string;
  offset?: number;
  fileId?: number;
  key?: string;
}

let seq = 0;

/** One request, priced at list prices like the ledger prices it. */
export function req(s: RequestSpec): AuditRequest {
  seq++;
  const base = {
    model: s.model ?? SONNET,
    timestamp: s.at,
    input: s.input ?? 0,
    output: s.output ?? 0,
    cacheWrite5m: s.cw ?? 0,
    cacheWrite1h: s.cw1h ?? 0,
    cacheRead: s.cr ?? 0,
    webSearches: 0,
    speed: '',
    inferenceGeo: '',
  };
  const p = pricer.price(base);
  const file = s.file ?? `/home/dev/.claude/projects/-home-dev-${s.project ?? 'app'}/${s.session}.jsonl`;
  return {
    ...base,
    key: s.key ?? `msg_${seq}:req_${seq}`,
    sessionId: s.session,
    agentId: s.agent ?? '',
    sidechain: s.sidechain ?? !!s.agent,
    projectKey: `-home-dev-${s.project ?? 'app'}`,
    cwd: s.cwd ?? `/home/dev/${s.project ?? 'app'}`,
    entrypoint: s.entrypoint ?? 'sdk-cli',
    promptSource: s.promptSource ?? '',
    turnOrigin: s.turnOrigin ?? '',
    stopReason: 'tool_use',
    tools: s.tools ?? [],
    texts: s.texts ?? [],
    fileId: s.fileId ?? fileIdOf(file),
    offset: s.offset ?? seq * 1000,
    file,
    costNanos: p.costNanos,
    priced: p.priced,
  };
}

const fileIds = new Map<string, number>();
function fileIdOf(file: string): number {
  if (!fileIds.has(file)) fileIds.set(file, fileIds.size + 1);
  return fileIds.get(file)!;
}

export function session(sessionId: string, over: Partial<SessionFacts> = {}): SessionFacts {
  return { sessionId, projectKey: '-home-dev-app', entrypoint: 'sdk-cli', queueOperationStart: true, firstPromptHash: `prompt-${sessionId}`, ...over };
}

/** Sessions for every session id the requests mention (headless by default). */
export function sessionsOf(requests: readonly AuditRequest[], over: (id: string) => Partial<SessionFacts> = () => ({})): SessionFacts[] {
  const seen = new Map<string, SessionFacts>();
  for (const r of requests) if (!seen.has(r.sessionId)) seen.set(r.sessionId, session(r.sessionId, { projectKey: r.projectKey, entrypoint: r.entrypoint, ...over(r.sessionId) }));
  return [...seen.values()];
}

export function toolError(r: AuditRequest, tool: string, inputHash: string, afterMs = 2_000): AuditEvent {
  return { id: `err:${r.key}:${tool}`, kind: 'tool-error', sessionId: r.sessionId, agentId: r.agentId, timestamp: r.timestamp + afterMs, data: { toolUseId: `toolu_${r.key}`, tool, inputHash } };
}

export function loopMarker(r: AuditRequest, marker: string, inputHash = 'm1'): AuditEvent {
  return { id: `loop:${r.key}:${marker}`, kind: 'loop-marker', sessionId: r.sessionId, agentId: r.agentId, timestamp: r.timestamp, data: { marker, inputHash, requestKey: r.key } };
}

export function fact(kind: string, fields: Record<string, unknown>, at = '2026-11-01T00:00:00.000Z'): Fact {
  return { id: `f-${++seq}`, at, kind, ...fields } as Fact;
}

export function poolSettings(over: Partial<PoolSettings> = {}): PoolSettings {
  return { plan: 'max5x', scope: 'headless', overage: 'bill', cycleDay: 1, timezone: 'UTC', countUnclassified: false, basis: 'corrected', ...over };
}

export interface AuditSpec {
  requests: AuditRequest[];
  events?: AuditEvent[];
  sessions?: SessionFacts[];
  facts?: Fact[];
  settings?: Partial<PoolSettings>;
  thresholds?: Partial<AuditThresholds>;
  now: number;
  includeIgnored?: boolean;
}

/** Runs the audit as the meter does: the balance from the same rows, then the detector. */
export function runAudit(spec: AuditSpec): AuditReport {
  const settings = poolSettings(spec.settings);
  const sessions = spec.sessions ?? sessionsOf(spec.requests);
  const facts = spec.facts ?? [];
  const rows = spec.requests.map((r) => ({ sessionId: r.sessionId, projectKey: r.projectKey, timestamp: r.timestamp, costNanos: r.costNanos, priced: r.priced, model: r.model }));
  const balance = computeBalance({ settings, rows, sessions, facts }, spec.now);
  return auditLoops({
    requests: spec.requests,
    events: spec.events ?? [],
    sessions,
    facts,
    settings,
    balance,
    pricer,
    thresholds: { ...DEFAULT_AUDIT_THRESHOLDS, ...spec.thresholds },
    now: spec.now,
    includeIgnored: spec.includeIgnored,
  });
}

// ---------------------------------------------------------------- the fixtures of the issue

/**
 * A polling loop in a headless session: 40 iterations a minute apart, each re-reading a context
 * that grows from 170K by 500 tokens (cached), calling the same Bash check, writing 75 tokens.
 */
export function rereadLoop(start = T('2026-11-20T10:00:00Z'), iterations = 40, sessionId = 'poll'): AuditRequest[] {
  const out: AuditRequest[] = [];
  for (let i = 0; i < iterations; i++) {
    const p = 170_000 + 500 * i;
    out.push(req({ session: sessionId, project: 'deploy', at: start + i * MINUTE, output: 75, cr: i === 0 ? 0 : p - 500, cw: i === 0 ? p : 500, tools: ['Bash#c0ffee000001'], offset: 5000 + i * 4000 }));
  }
  return out;
}

/**
 * A fix-test loop: the same failing `npm test` six times, an edit (different each time) in
 * between, the context growing by 3K per request from 60K.
 */
export function failingCommandLoop(start = T('2026-11-20T12:00:00Z')): { requests: AuditRequest[]; events: AuditEvent[] } {
  const requests: AuditRequest[] = [];
  const events: AuditEvent[] = [];
  let p = 60_000;
  for (let i = 0; i < 6; i++) {
    const run = req({ session: 'fixer', project: 'api', at: start + i * 2 * MINUTE, output: 120, cr: p - 3_000, cw: 3_000, tools: ['Bash#7e57000000aa'] });
    requests.push(run);
    events.push(toolError(run, 'Bash', '7e57000000aa'));
    p += 3_000;
    requests.push(req({ session: 'fixer', project: 'api', at: start + i * 2 * MINUTE + MINUTE, output: 400, cr: p - 3_000, cw: 3_000, tools: [`Edit#ed17000000${String(i).padStart(2, '0')}`] }));
    p += 3_000;
  }
  return { requests, events };
}

/**
 * A self-paced `/loop` in an interactive session: 12 wake-ups 10 minutes apart (past the 5-minute
 * cache, so each re-writes the ~80K context), each checking the same status and calling ScheduleWakeup.
 */
export function scheduleWakeupLoop(start = T('2026-11-25T08:00:00Z'), iterations = 12): { requests: AuditRequest[]; events: AuditEvent[] } {
  const requests: AuditRequest[] = [];
  const events: AuditEvent[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = start + i * 10 * MINUTE;
    const p = 80_000 + 1_000 * i;
    const check = req({ session: 'watch', project: 'ci', entrypoint: 'cli', model: OPUS, at: t0, output: 60, input: 200, cw: p - 200, cr: 0, tools: ['Bash#57a7u5000001'] });
    const wake = req({ session: 'watch', project: 'ci', entrypoint: 'cli', model: OPUS, at: t0 + 20_000, output: 90, cw: 500, cr: p, tools: ['ScheduleWakeup#3a4e00000001'] });
    requests.push(check, wake);
    events.push(loopMarker(wake, 'ScheduleWakeup'));
  }
  return { requests, events };
}

/**
 * A healthy long session: 60 requests, context growing 3K a request from 20K to 197K, output
 * 1.5K–4K each, a different tool call every time (a `git status` three times, far apart; one
 * command retried once after a failure).
 */
export function healthySession(start = T('2026-11-21T09:00:00Z')): { requests: AuditRequest[]; events: AuditEvent[] } {
  const names = ['Read', 'Grep', 'Edit', 'Bash', 'Write', 'Glob'];
  const requests: AuditRequest[] = [];
  const events: AuditEvent[] = [];
  for (let i = 0; i < 60; i++) {
    const p = 20_000 + 3_000 * i;
    let tools = [`${names[i % names.length]}#${(0xa00000000000 + i).toString(16)}`];
    if (i === 10 || i === 30 || i === 50) tools = ['Bash#617574a7u500'];
    if (i === 20 || i === 22) tools = ['Bash#b01d00000001'];
    const r = req({ session: 'feature', project: 'shop', model: OPUS, at: start + i * 40_000, output: 1_500 + ((i * 577) % 2_500), cr: i === 0 ? 0 : p - 3_000, cw: i === 0 ? p : 3_000, tools });
    requests.push(r);
    if (i === 20) events.push(toolError(r, 'Bash', 'b01d00000001'));
  }
  return { requests, events };
}

/**
 * The mission's nightly job: 7 nights (Oct 25–31, 02:00 UTC) of 20 requests, each 200K uncached
 * input and 10K output on Sonnet 4.5: $0.75 a request, $15.00 a run.
 */
export function nightlyJob(nights = 7, firstNight = T('2026-10-25T02:00:00Z')): { requests: AuditRequest[]; sessions: SessionFacts[] } {
  const requests: AuditRequest[] = [];
  const sessions: SessionFacts[] = [];
  for (let d = 0; d < nights; d++) {
    const id = `night-${d + 1}`;
    sessions.push(session(id, { projectKey: '-home-dev-reports', firstPromptHash: 'nightly-report' }));
    for (let i = 0; i < 20; i++) {
      requests.push(req({ session: id, project: 'reports', at: firstNight + d * DAY + i * MINUTE, input: 200_000, output: 10_000, tools: [`Read#${(0xb00000000000 + d * 100 + i).toString(16)}`] }));
    }
  }
  return { requests, sessions };
}

/**
 * A subagent-heavy session: the main thread hands work to six subagents that run in parallel at
 * ~60K context with varied tools, and one more subagent that polls the same BashOutput 15 times.
 */
export function subagentHeavySession(start = T('2026-11-22T14:00:00Z')): AuditRequest[] {
  const out: AuditRequest[] = [];
  const dir = '/home/dev/.claude/projects/-home-dev-mono/big';
  for (let i = 0; i < 8; i++) {
    out.push(req({ session: 'big', project: 'mono', model: OPUS, at: start + i * 5 * MINUTE, output: 800, cr: 30_000 + i * 2_000, cw: 2_000, tools: [`Task#7a5c000000${String(i).padStart(2, '0')}`], file: `${dir}.jsonl`, offset: 1000 + i * 9000 }));
  }
  for (let a = 0; a < 6; a++) {
    for (let i = 0; i < 8; i++) {
      out.push(req({ session: 'big', project: 'mono', agent: `a${a}`, at: start + MINUTE + i * 20_000 + a * 3_000, output: 3, cr: 55_000 + i * 1_500, cw: 1_500, tools: [`Read#${(0xc00000000000 + a * 100 + i).toString(16)}`], file: `${dir}/subagents/agent-a${a}.jsonl`, offset: 500 + i * 3000 }));
    }
  }
  for (let i = 0; i < 15; i++) {
    out.push(req({ session: 'big', project: 'mono', agent: 'apoll', at: start + 2 * MINUTE + i * 30_000, output: 4, cr: i === 0 ? 0 : 70_000 + (i - 1) * 300, cw: i === 0 ? 70_000 : 300, tools: ['BashOutput#b0b0b0b0b0b0'], file: `${dir}/subagents/agent-apoll.jsonl`, offset: 700 + i * 2500 }));
  }
  return out;
}
