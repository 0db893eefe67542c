// The audit: requests, events, sessions and journal facts in; an AuditReport out. Pure (the
// pricer is a pure function of the rate card). Loops are found per thread and per session, the
// overlapping ones folded together, recurring jobs taken from the pool's finder, then each loop
// is measured, priced, put into words and ranked by the money at stake this cycle.
import { classifySessions, findRecurringJobs, readPoolFacts } from '../pool';
import type { CostPoint } from '../pool/forecast';
import type { Balance, PoolSettings, RecurringJob, SessionClassification, SessionFacts, SpendRow } from '../pool/types';
import type { Pricer } from '../pricing/pricer';
import type { Fact } from '../state/journal';
import { shortHash } from '../transcripts/hash';
import { buildThreads, failuresBySessionAgent, findReflexiveLoops, findRereadLoops, findScheduledLoop, mergeOverlapping, threadKey, type Candidate, type Thread } from './detect';
import { ignoredLoopIds, runCommands } from './facts';
import type { AuditEvent, AuditRequest, AuditWindow } from './input';
import { CostSplitter, indexThreads, loopMetrics } from './metrics';
import { loopMoves, type MoveContext } from './moves';
import { AUDIT_REPORT_VERSION } from './types';
import type { AuditCredit, AuditLoop, AuditReport, AuditThresholds, LoopKind, LoopLocation, LoopMetrics, LoopSchedule } from './types';
import { every, formatPercent, formatTokens, formatUsd, plural, projectName } from './words';
import { NANOS_PER_USD } from '../pricing/money';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export interface AuditInput {
  requests: readonly AuditRequest[];
  events: readonly AuditEvent[];
  sessions: readonly SessionFacts[];
  /** The journal: pool overrides, captured runs (`run`), ignored loops (`ignore-loop`). */
  facts: readonly Fact[];
  settings: PoolSettings;
  /** The balance at `now` (cycle, allotment, what is left). */
  balance: Balance;
  pricer: Pricer;
  thresholds: AuditThresholds;
  now: number;
  window?: AuditWindow;
  /** Keep ignored loops in `loops` (flagged `ignored`). */
  includeIgnored?: boolean;
}

const TITLES: Record<LoopKind, string> = { reread: 'Re-read loop', reflexive: 'Reflexive loop', scheduled: 'Scheduled loop', recurring: 'Recurring job' };

export function loopId(kind: LoopKind, stableKey: string): string {
  return `${kind}-${shortHash(stableKey, 10)}`;
}

function creditOf(b: Balance): AuditCredit {
  return {
    planSet: b.planSet,
    planLabel: b.planLabel,
    scope: b.scope,
    overagePolicy: b.overage,
    allotmentNanos: b.allotmentNanos,
    remainingNanos: b.remainingNanos,
    overageNanos: b.overageNanos,
    cycle: { start: b.cycle.start, end: b.cycle.end, label: b.cycle.label, lengthDays: b.cycle.lengthDays, daysLeft: b.cycle.daysLeft },
  };
}

/** Occurrences of a period in (now, end): the first at max(last + period, now). */
function remainingOccurrences(lastStart: number, periodMs: number, now: number, end: number): { count: number; next: number } {
  const next = Math.max(lastStart + periodMs, now);
  return { count: next < end ? Math.floor((end - 1 - next) / periodMs) + 1 : 0, next };
}

function scheduleOf(periodMs: number, lastStart: number, active: boolean, m: LoopMetrics, credit: AuditCredit, now: number, iterationsPerCycle?: number): LoopSchedule {
  const cycleMs = credit.cycle.end - credit.cycle.start;
  const perCycle = iterationsPerCycle ?? Math.round((cycleMs / periodMs) * 100) / 100;
  const rest = active ? remainingOccurrences(lastStart, periodMs, now, credit.cycle.end) : { count: 0, next: 0 };
  return {
    active,
    periodSeconds: Math.round(periodMs / 1000),
    iterationsPerWeek: Math.round((WEEK_MS / periodMs) * 100) / 100,
    iterationsPerCycle: perCycle,
    cycleCostAtPaceNanos: Math.round(m.costPerIterationNanos * perCycle),
    remainingIterationsThisCycle: rest.count,
    projectedCycleCostNanos: active ? m.cycleCostNanos + rest.count * m.costPerIterationNanos : null,
    nextAt: active ? rest.next : null,
  };
}

function cacheNote(m: LoopMetrics): string {
  if (m.expiredCacheRewrites >= 2) return `; the 5-minute cache expired between iterations, so ${plural(m.expiredCacheRewrites, 'iteration')} re-wrote the context`;
  if (m.cacheHitRatio < 0.5) return `; only ${formatPercent(m.cacheHitRatio)} of it came from the cache`;
  return `; ${formatPercent(m.cacheHitRatio)} of it from the cache`;
}

function verdictOf(kind: LoopKind, c: Candidate, m: LoopMetrics, schedule: LoopSchedule | null, job: RecurringJob | null): string {
  const cost = formatUsd(m.costNanos);
  const ctx = m.context;
  if (kind === 'reread') {
    return `Re-reads ${formatTokens(ctx.avgTokens)} tokens of context ${m.iterations} times for ${formatTokens(m.tokens.output)} tokens of output (${cost}, ${formatUsd(m.costPerIterationNanos)} each)${cacheNote(m)}.`;
  }
  if (kind === 'reflexive') {
    const r = c.repeated!;
    const growth = `while the context went from ${formatTokens(ctx.firstTokens)} to ${formatTokens(ctx.lastTokens)} tokens (${cost})`;
    if (c.priority === 3) return `Ran the same failing ${r.tool} call ${r.repeats} times (${r.failures} failures) ${growth}.`;
    const failed = r.failures ? ` (${r.failures} failed)` : '';
    if (!r.tool) return `Wrote the same reply ${r.repeats} times with nothing new in between, ${growth}.`;
    return `Repeated the same ${r.tool} call ${r.repeats} times${failed} with nothing new in between, ${growth}.`;
  }
  if (kind === 'scheduled') {
    const what = c.markers?.ScheduleWakeup ? 'ScheduleWakeup loop (self-paced /loop)' : c.markers?.CronCreate ? 'CronCreate loop' : '/loop';
    const pace = schedule ? ` ${every(schedule.periodSeconds * 1000)}` : '';
    return `A ${what}: ${m.iterations} iterations${pace}, ${formatUsd(m.costPerIterationNanos)} each (${cost}); each re-reads about ${formatTokens(ctx.avgTokens)} tokens for ${formatTokens(m.tokens.output / Math.max(1, m.iterations))} tokens of output${cacheNote(m)}.`;
  }
  const perWeek = job?.runsPerWeek ?? 0;
  const pace = perWeek >= 1 ? `${perWeek} times a week` : perWeek > 0 ? every(WEEK_MS / perWeek) : 'repeatedly';
  const cycle = schedule?.active ? `; at this pace ${formatUsd(schedule.cycleCostAtPaceNanos)} a cycle` : schedule ? '; it has not run lately' : '';
  return `Runs ${pace} at ${formatUsd(m.costPerIterationNanos)} a run (${plural(m.iterations, 'run')} so far, ${cost})${cycle}.`;
}

interface Built {
  loop: AuditLoop;
  keys: Set<string>;
  subagentRows: boolean;
}

export function auditLoops(input: AuditInput): AuditReport {
  const t = input.thresholds;
  const { now, pricer } = input;
  const credit = creditOf(input.balance);
  const requests = input.requests.filter((r) => r.timestamp <= now);
  const threads = buildThreads(requests, t);
  const index = indexThreads(threads.values());
  const failures = failuresBySessionAgent(input.events);

  // Per thread: re-read and reflexive loops; per session: the scheduled loop.
  const bySession = new Map<string, Thread[]>();
  for (const th of threads.values()) {
    const list = bySession.get(th.sessionId) ?? [];
    list.push(th);
    bySession.set(th.sessionId, list);
  }
  const markersBySession = new Map<string, AuditEvent[]>();
  for (const e of input.events) {
    if (e.kind !== 'loop-marker') continue;
    const list = markersBySession.get(e.sessionId) ?? [];
    list.push(e);
    markersBySession.set(e.sessionId, list);
  }
  const candidates: Candidate[] = [];
  for (const [sessionId, list] of bySession) {
    for (const th of list) {
      candidates.push(...findRereadLoops(th, t));
      candidates.push(...findReflexiveLoops(th, failures.get(`${th.sessionId}\u0000${th.agentId}`) ?? [], t));
    }
    const markers = markersBySession.get(sessionId);
    if (markers) {
      const s = findScheduledLoop(list, markers, t);
      if (s) candidates.push(s);
    }
  }
  const { kept, signals } = mergeOverlapping(candidates);

  // Recurring jobs: the pool's finder over the sessions, captured runs grouped by command line.
  const commands = runCommands(input.facts);
  const sessionFacts: SessionFacts[] = input.sessions.map((s) => {
    const cmd = commands.get(s.sessionId);
    return cmd ? { ...s, capturedRun: true, firstPromptHash: `cmd:${shortHash(cmd, 16)}` } : s;
  });
  const oneRowPerSession = new Map<string, SpendRow>();
  const points: CostPoint[] = [];
  const rowsBySession = new Map<string, AuditRequest[]>();
  for (const r of requests) {
    points.push({ sessionId: r.sessionId, timestamp: r.timestamp, nanos: r.costNanos });
    if (!oneRowPerSession.has(r.sessionId)) oneRowPerSession.set(r.sessionId, { sessionId: r.sessionId, projectKey: r.projectKey, timestamp: r.timestamp, costNanos: 0, priced: true, model: r.model });
    const list = rowsBySession.get(r.sessionId) ?? [];
    list.push(r);
    rowsBySession.set(r.sessionId, list);
  }
  const classes = classifySessions(sessionFacts, [...oneRowPerSession.values()], input.settings, readPoolFacts(input.facts));
  const jobs = findRecurringJobs(sessionFacts, classes, points, { cycle: input.balance.cycle, allotmentNanos: input.balance.allotmentNanos, balanceNanos: input.balance.balanceNanos });
  const jobOf = new Map<Candidate, RecurringJob>();
  for (const job of jobs) {
    const iterations = job.sessionIds.map((id) => [...(rowsBySession.get(id) ?? [])].sort((a, b) => a.timestamp - b.timestamp)).filter((it) => it.length);
    if (iterations.length < 2) continue;
    const c: Candidate = {
      kind: 'recurring',
      priority: 0,
      stableKey: `recurring\u0000${job.projectKey}\u0000${job.firstPromptHash}`,
      rows: iterations.flat(),
      iterations,
      sessionIds: job.sessionIds,
      agentId: '',
      sidechain: false,
      describe: `a recurring job of ${job.runs} runs`,
    };
    jobOf.set(c, job);
    kept.push(c);
    signals.set(c, []);
  }

  // Measure, price and word every loop.
  const splitter = new CostSplitter(pricer);
  const sessionById = new Map(input.sessions.map((s) => [s.sessionId, s]));
  const ignored = ignoredLoopIds(input.facts);
  const built: Built[] = [];
  let belowMinCost = 0;
  for (const c of kept) {
    const metrics = loopMetrics(c, { splitter, threads: index, cycle: credit.cycle, now });
    if (metrics.costNanos < t.minCostUsd * NANOS_PER_USD) {
      belowMinCost++;
      continue;
    }
    const job = jobOf.get(c) ?? null;
    let schedule: LoopSchedule | null = null;
    if (c.kind === 'scheduled' && c.pace && c.pace.periodMs > 0) {
      const active = c.pace.wantsMore && now - lastAt(c) <= 2 * c.pace.periodMs + 5 * 60_000;
      schedule = scheduleOf(c.pace.periodMs, c.pace.lastStart, active, metrics, credit, now);
    } else if (job && job.runsPerWeek) {
      const period = WEEK_MS / job.runsPerWeek;
      const active = now - job.lastRunAt <= 2 * period + 3_600_000;
      schedule = scheduleOf(period, job.lastRunAt, active, metrics, credit, now, job.projectedCycleRuns ?? undefined);
    }
    const first = c.rows.reduce((a, b) => (b.timestamp < a.timestamp ? b : a));
    const firstByOrder = c.iterations[0]![0]!;
    const cls: SessionClassification | undefined = classes.get(firstByOrder.sessionId);
    const facts = sessionById.get(firstByOrder.sessionId);
    const where: LoopLocation = {
      projectKey: firstByOrder.projectKey,
      cwd: sessionCwd(rowsBySession.get(firstByOrder.sessionId)) || firstByOrder.cwd,
      sessionId: firstByOrder.sessionId,
      sessionIds: c.sessionIds,
      agentId: c.agentId,
      sidechain: c.sidechain,
      entrypoint: facts?.entrypoint || firstByOrder.entrypoint,
      surface: cls?.surface ?? 'unclassified',
      drawsOnCredit: cls?.counted ?? false,
      creditReason: cls?.reason ?? 'no session facts',
      firstAt: first.timestamp,
      lastAt: lastAt(c),
      firstRequestKey: firstByOrder.key,
      file: firstByOrder.file || null,
      offset: firstByOrder.offset,
    };
    const moveCtx: MoveContext = {
      pricer,
      credit,
      drawsOnCredit: where.drawsOnCredit,
      creditReason: shortCreditReason(cls),
      hourlyRateUsd: t.hourlyRateUsd,
      targetCacheHitRatio: t.targetCacheHitRatio,
      now,
    };
    // Weighed per cycle at its pace only while it still runs; a loop that stopped, as it ran.
    const moves = loopMoves({ kind: c.kind, rows: c.rows, threadOf: threadKey, metrics, schedule: schedule?.active ? schedule : null }, moveCtx);
    const projected = schedule?.projectedCycleCostNanos ?? null;
    const id = loopId(c.kind, c.stableKey);
    built.push({
      keys: new Set(c.rows.map((r) => r.key)),
      subagentRows: c.rows.some((r) => r.sidechain),
      loop: {
        id,
        kind: c.kind,
        title: TITLES[c.kind],
        verdict: verdictOf(c.kind, c, metrics, schedule, job),
        signals: signals.get(c) ?? [],
        ignored: ignored.has(id),
        where,
        metrics,
        schedule,
        atStakeNanos: projected ?? metrics.cycleCostNanos,
        atStakeBasis: projected === null ? 'cycle' : 'projected',
        moves,
        repeated: c.repeated ?? null,
        markers: c.markers ?? null,
        job: job
          ? {
              firstPromptHash: job.firstPromptHash,
              command: job.firstPromptHash.startsWith('cmd:') ? (commandOf(commands, job.sessionIds) ?? null) : null,
              runs: job.runs,
              costPerRunNanos: job.costPerRunNanos,
              runsPerWeek: job.runsPerWeek,
            }
          : null,
        relatedLoopIds: [],
      },
    });
  }

  // Loops over shared requests point at each other (a recurring job and a loop inside one run).
  for (const a of built) {
    for (const b of built) {
      if (a === b || a.loop.where.sessionIds.every((s) => !b.loop.where.sessionIds.includes(s))) continue;
      for (const k of a.keys) {
        if (b.keys.has(k)) {
          a.loop.relatedLoopIds.push(b.loop.id);
          break;
        }
      }
    }
  }

  built.sort((a, b) => b.loop.atStakeNanos - a.loop.atStakeNanos || b.loop.metrics.costNanos - a.loop.metrics.costNanos || a.loop.id.localeCompare(b.loop.id));
  const visible = built.filter((b) => !b.loop.ignored);
  const shown = input.includeIgnored ? built : visible;

  const seen = new Set<string>();
  let cycleCost = 0;
  let projectedExtra = 0;
  const byKey = new Map(requests.map((r) => [r.key, r]));
  for (const b of visible) {
    for (const k of b.keys) {
      if (seen.has(k)) continue;
      seen.add(k);
      const r = byKey.get(k)!;
      if (r.timestamp >= credit.cycle.start && r.timestamp < credit.cycle.end) cycleCost += r.costNanos;
    }
    if (b.loop.atStakeBasis === 'projected') projectedExtra += b.loop.atStakeNanos - b.loop.metrics.cycleCostNanos;
  }
  const byKind: Record<LoopKind, number> = { reread: 0, reflexive: 0, scheduled: 0, recurring: 0 };
  for (const b of visible) byKind[b.loop.kind]++;

  const notes: string[] = [];
  if (visible.some((b) => b.subagentRows)) {
    notes.push('Subagent requests in 2.1.x transcripts record only a few output tokens each (an upstream undercount): output per dollar of subagent loops is a lower bound.');
  }
  if (visible.some((b) => b.loop.metrics.unpricedRequests > 0)) notes.push('Some loops use models with no list price: their cost counts those requests as $0 (a lower bound); add rates under "rateOverrides".');
  if (!credit.planSet) notes.push('No plan is set: loops are priced at list prices, but "run it less often" and the overage cannot be weighed against a credit. Set a plan (or pass --plan).');

  return {
    version: AUDIT_REPORT_VERSION,
    now,
    window: { since: input.window?.since ?? null, until: input.window?.until ?? null },
    thresholds: { ...t },
    credit,
    loops: shown.map((b) => b.loop),
    summary: {
      loops: visible.length,
      ignored: built.length - visible.length,
      byKind,
      atStakeNanos: cycleCost + projectedExtra,
      cycleCostNanos: cycleCost,
      belowMinCost,
      examined: { requests: requests.length, sessions: bySession.size, threads: threads.size },
    },
    notes,
  };
}

/** Why a session does not draw on the credit, short enough for a sentence. */
function shortCreditReason(c: SessionClassification | undefined): string {
  if (!c) return 'no session facts';
  if (c.override) return `${c.override.target} override: ${c.override.mode}`;
  if (c.surface === 'interactive') return 'an interactive session; the credit covers headless use';
  if (c.surface === 'unclassified') return 'a session of unknown surface, not counted';
  return c.reason;
}

/** The directory a session started in (its earliest request's cwd; subagents may cd elsewhere). */
function sessionCwd(rows: readonly AuditRequest[] | undefined): string {
  if (!rows?.length) return '';
  return rows.reduce((a, b) => (b.timestamp < a.timestamp || (b.timestamp === a.timestamp && !b.sidechain && a.sidechain) ? b : a)).cwd;
}

function lastAt(c: Candidate): number {
  return c.rows.reduce((m, r) => Math.max(m, r.timestamp), 0);
}

function commandOf(commands: Map<string, string>, sessionIds: string[]): string | undefined {
  for (const id of sessionIds) {
    const c = commands.get(id);
    if (c) return c;
  }
  return undefined;
}

/**
 * One line for the status bar tooltip when a loop is running right now (its last request within
 * `liveWindowMinutes`, costing at least `liveMinCostUsd`); null when none is.
 */
export function liveLoopLine(report: AuditReport, now: number = report.now): string | null {
  const t = report.thresholds;
  const live = report.loops.filter((l) => !l.ignored && now - l.where.lastAt <= t.liveWindowMinutes * 60_000 && now >= l.where.lastAt && l.metrics.costNanos >= t.liveMinCostUsd * NANOS_PER_USD);
  if (!live.length) return null;
  const l = live.reduce((a, b) => (b.atStakeNanos > a.atStakeNanos ? b : a));
  const m = l.metrics;
  const unit = l.kind === 'recurring' ? 'run' : 'iteration';
  const ahead = l.atStakeBasis === 'projected' ? `; ${formatUsd(l.atStakeNanos)} by the cycle end at this pace` : '';
  const more = live.length > 1 ? ` (+${live.length - 1} more)` : '';
  return `Loop running: ${l.title.toLowerCase()} in ${projectName(l.where.cwd, l.where.projectKey)}, ${plural(m.iterations, unit)}, ${formatUsd(m.costNanos)} so far at ${formatUsd(m.costPerIterationNanos)} each${ahead}${more}.`;
}
