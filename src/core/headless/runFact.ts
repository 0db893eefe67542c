// The journal fact of one `claude -p` run (DESIGN.md "Where state lives": runs are journal facts, so every window
// and the CLI see them and a rebuild keeps them). Written once, when the run ends, by whatever captured it (a VS Code
// terminal, `credit-ledger exec`, `credit-ledger record`). The meter reads `sessionId` to count the session as headless
// even on versions that write no `entrypoint`; runs that leave no transcript (`--no-session-persistence`) are priced
// from their result here and add spend rows of their own.
import type { Fact } from '../state/journal';
import type { SessionFacts, SpendRow } from '../pool/types';
import type { Pricer } from '../pricing/pricer';
import type { OutputFormat } from './commandLine';
import type { ModelUsageEntry, RunResult, TokenUsage } from './output';
import { priceRun } from './price';

export const RUN_FACT = 'run';
export const RUN_FACT_VERSION = 1;

/** What captured the run. */
export type RunVia = 'terminal' | 'exec' | 'record';
/** Where it ran: a person's terminal, an unattended job (cron, a timer, a script without a terminal), CI. */
export type RunWhere = 'terminal' | 'cron' | 'script' | 'ci' | 'github-actions';

/** The cost-relevant flags of the command line (none of them free text). */
export type RunFlags = {
  outputFormat?: OutputFormat;
  model?: string;
  resume?: string | true;
  continue?: boolean;
  sessionId?: string;
  forkSession?: boolean;
  maxTurns?: number;
  maxBudgetUsd?: number;
  noSessionPersistence?: boolean;
  promptFromStdin?: boolean;
};

/** The result as stored: numbers only (never Claude's answer text or tool inputs). */
export type StoredResult = {
  subtype: string;
  isError: boolean;
  numTurns: number | null;
  durationMs: number | null;
  durationApiMs: number | null;
  costBasis: string | null;
  usage: TokenUsage | null;
  modelUsage: ModelUsageEntry[] | null;
};

// A type alias, not an interface, so it passes where the journal expects a Record.
export type RunFact = {
  kind: typeof RUN_FACT;
  v: typeof RUN_FACT_VERSION;
  /** The result's own `uuid` when there is one: two capturers of one run (a terminal and a pipe) write the same id. */
  runId: string;
  via: RunVia;
  where: RunWhere;
  /** The command with the prompt, env values and free-text option values removed; null when not seen (`record`). */
  command: string | null;
  /** First 80 characters of the prompt, only when the user allowed labels (settings `allowLabels`). */
  label?: string;
  cwd: string;
  /** ISO instants. */
  startedAt: string;
  endedAt: string;
  exitCode: number | null;
  /** The session the run wrote (the meter counts it as a captured, headless run); null when not known. */
  sessionId: string | null;
  /** How the session id is known. */
  sessionFrom: 'result' | 'stream' | 'flag' | 'transcript' | null;
  flags: RunFlags;
  /** The run leaves no transcript: its spend comes from this fact. */
  noSessionPersistence: boolean;
  claudeCodeVersion: string | null;
  /** Main model (stream init, else the largest in modelUsage, else --model). */
  model: string | null;
  result: StoredResult | null;
  /** The output ended without a result though JSON events were seen (cut short, killed). */
  truncated: boolean;
  /** Claude Code's own figure (`total_cost_usd`), as it printed it: its estimate, not a bill. */
  totalCostUsd: number | null;
  /** Our list price of the same usage, nanodollars, at the time of writing (the meter reprices from `result`). */
  listCostNanos: number | null;
  listCostPriced: boolean;
  listCostFrom: 'modelUsage' | 'usage' | 'stream' | null;
  /** reported − list, nanodollars. */
  differenceNanos: number | null;
  differenceKind: string | null;
  differenceReason: string | null;
};

export function storedResult(r: RunResult): StoredResult {
  return {
    subtype: r.subtype,
    isError: r.isError,
    numTurns: r.numTurns,
    durationMs: r.durationMs,
    durationApiMs: r.durationApiMs,
    costBasis: r.costBasis,
    usage: r.usage,
    modelUsage: r.modelUsage,
  };
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A run as readers use it: the fact's fields, checked, plus the journal's id and write time. */
export interface RunRecord extends RunFact {
  id: string;
  at: string;
  startedMs: number;
  endedMs: number;
}

/** The run facts of a journal, checked field by field (the journal is shared: skip what is not a run); one per runId. */
export function readRunFacts(facts: readonly Fact[]): RunRecord[] {
  const out: RunRecord[] = [];
  const seen = new Set<string>();
  for (const f of facts) {
    if (f.kind !== RUN_FACT) continue;
    const runId = typeof f.runId === 'string' && f.runId ? f.runId : f.id;
    if (seen.has(runId)) continue;
    seen.add(runId);
    const startedMs = Date.parse(String(f.startedAt ?? ''));
    const endedMs = Date.parse(String(f.endedAt ?? ''));
    if (Number.isNaN(startedMs)) continue;
    const result = isObj(f.result) ? (f.result as unknown as StoredResult) : null;
    out.push({
      id: f.id,
      at: f.at,
      kind: RUN_FACT,
      v: RUN_FACT_VERSION,
      runId: typeof f.runId === 'string' && f.runId ? f.runId : f.id,
      via: (['terminal', 'exec', 'record'] as const).find((x) => x === f.via) ?? 'terminal',
      where: (['terminal', 'cron', 'script', 'ci', 'github-actions'] as const).find((x) => x === f.where) ?? 'terminal',
      command: strOrNull(f.command),
      ...(typeof f.label === 'string' ? { label: f.label } : {}),
      cwd: typeof f.cwd === 'string' ? f.cwd : '',
      startedAt: new Date(startedMs).toISOString(),
      endedAt: new Date(Number.isNaN(endedMs) ? startedMs : endedMs).toISOString(),
      startedMs,
      endedMs: Number.isNaN(endedMs) ? startedMs : endedMs,
      exitCode: numOrNull(f.exitCode),
      sessionId: strOrNull(f.sessionId),
      sessionFrom: (['result', 'stream', 'flag', 'transcript'] as const).find((x) => x === f.sessionFrom) ?? null,
      flags: isObj(f.flags) ? (f.flags as RunFlags) : {},
      noSessionPersistence: f.noSessionPersistence === true,
      claudeCodeVersion: strOrNull(f.claudeCodeVersion),
      model: strOrNull(f.model),
      result,
      truncated: f.truncated === true,
      totalCostUsd: numOrNull(f.totalCostUsd),
      listCostNanos: numOrNull(f.listCostNanos),
      listCostPriced: f.listCostPriced === true,
      listCostFrom: (['modelUsage', 'usage', 'stream'] as const).find((x) => x === f.listCostFrom) ?? null,
      differenceNanos: numOrNull(f.differenceNanos),
      differenceKind: strOrNull(f.differenceKind),
      differenceReason: strOrNull(f.differenceReason),
    });
  }
  return out;
}

/** Claude Code's project folder name for a cwd: every character outside [A-Za-z0-9] becomes `-`. */
export function projectKeyOf(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, '-');
}

export interface RunSpend {
  rows: SpendRow[];
  sessions: SessionFacts[];
}

/**
 * Spend of runs that left no transcript (`--no-session-persistence`): one row per session, priced from the result's
 * usage with the meter's pricer (so rate overrides apply), unless the ledger has rows for that session after all.
 */
export function unpersistedRunSpend(facts: readonly Fact[], pricer: Pricer, ledgerSessions: ReadonlySet<string>): RunSpend {
  const bySession = new Map<string, RunRecord>();
  // Called on every balance: look closely only at the few runs that left no transcript.
  for (const r of readRunFacts(facts.filter((f) => f.kind === RUN_FACT && f.noSessionPersistence === true))) {
    if (!r.noSessionPersistence || !r.sessionId || !r.result || ledgerSessions.has(r.sessionId)) continue;
    bySession.set(r.sessionId, r); // the same run recorded twice counts once
  }
  const rows: SpendRow[] = [];
  const sessions: SessionFacts[] = [];
  for (const [sessionId, r] of bySession) {
    const price = priceRun({ result: { ...r.result!, uuid: r.runId, sessionId, totalCostUsd: r.totalCostUsd, seenAt: r.endedMs }, model: r.model ?? undefined, at: r.endedMs }, pricer);
    if (!price) continue;
    const projectKey = projectKeyOf(r.cwd);
    rows.push({ sessionId, projectKey, timestamp: r.endedMs, costNanos: price.costNanos, priced: price.priced, model: r.model ?? '' });
    sessions.push({ sessionId, projectKey, entrypoint: 'sdk-cli', queueOperationStart: false, firstPromptHash: '', capturedRun: true });
  }
  return { rows, sessions };
}
