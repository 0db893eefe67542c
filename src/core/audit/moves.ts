// The honest moves for a loop, every figure priced from the rate card by the pricer:
// (a) run it less often, (b) a cheaper model, (c) keep it and pay, (d) fix it (cache, context).
// Periodic loops are weighed per cycle at their pace; one-off loops as they ran.
import type { Pricer } from '../pricing/pricer';
import type { PriceableUsage } from '../model';
import type { AuditRequest } from './input';
import { promptTokens } from './input';
import type { AuditCredit, CheaperModelMove, FixMove, KeepAndPayMove, LessOftenMove, LoopKind, LoopMetrics, LoopMoves, LoopSchedule } from './types';
import { every, formatDuration, formatHours, formatPercent, formatTokens, formatUsd, plural, roundUpInterval } from './words';
import { NANOS_PER_USD } from '../pricing/money';

/** A saving under this share of the loop's cost is not worth a line. */
const MIN_SAVING_SHARE = 0.01;

export interface MoveContext {
  pricer: Pricer;
  credit: AuditCredit;
  drawsOnCredit: boolean;
  creditReason: string;
  hourlyRateUsd: number;
  targetCacheHitRatio: number;
  now: number;
}

export interface LoopShape {
  kind: LoopKind;
  rows: readonly AuditRequest[];
  /** Thread key per row (for the shorter-context baseline). */
  threadOf: (r: AuditRequest) => string;
  metrics: LoopMetrics;
  /** The pace while the loop still repeats on its own; null for one-off loops and loops that stopped. */
  schedule: LoopSchedule | null;
}

function unitOf(kind: LoopKind): string {
  return kind === 'recurring' ? 'run' : 'iteration';
}

/** "a run", "an iteration". */
function aUnit(unit: string): string {
  return `${/^[aeiou]/.test(unit) ? 'an' : 'a'} ${unit}`;
}

function usage(r: AuditRequest, over: Partial<PriceableUsage> = {}): PriceableUsage {
  return {
    model: r.model, timestamp: r.timestamp, input: r.input, output: r.output, cacheWrite5m: r.cacheWrite5m, cacheWrite1h: r.cacheWrite1h,
    cacheRead: r.cacheRead, webSearches: r.webSearches, speed: r.speed, inferenceGeo: r.inferenceGeo, ...over,
  };
}

/** Scales per-loop figures to a whole cycle for periodic loops. */
function perCycleFactor(s: LoopShape): number {
  return s.schedule && s.metrics.iterations > 0 ? s.schedule.iterationsPerCycle / s.metrics.iterations : 1;
}

function savingPhrase(s: LoopShape, perCycle: number): string {
  return s.schedule ? `${formatUsd(perCycle)} a cycle at this pace` : `${formatUsd(perCycle)} on this loop`;
}

export function lessOften(s: LoopShape, ctx: MoveContext): LessOftenMove | null {
  const { credit } = ctx;
  const cpi = s.metrics.costPerIterationNanos;
  if (!ctx.drawsOnCredit || !credit.planSet || credit.allotmentNanos === null || credit.remainingNanos === null || cpi <= 0) return null;
  const unit = unitOf(s.kind);
  const covered = Math.floor(credit.remainingNanos / cpi);
  const perAllotment = Math.floor(credit.allotmentNanos / cpi);
  const cycleMs = credit.cycle.end - credit.cycle.start;
  const leftMs = Math.max(0, credit.cycle.end - ctx.now);
  let fit: number | null = null;
  let fitPerCycle: number | null = null;
  let summary: string;
  const perAllotText = `a whole ${formatUsd(credit.allotmentNanos)} credit covers ${plural(perAllotment, unit)}`;
  if (s.schedule) {
    const sched = s.schedule;
    fit = covered > 0 && leftMs > 0 ? roundUpInterval(leftMs / covered) : null;
    fitPerCycle = perAllotment > 0 ? roundUpInterval(cycleMs / perAllotment) : null;
    const pace = every(sched.periodSeconds * 1000);
    const due = sched.remainingIterationsThisCycle;
    if (covered >= due) {
      summary = `At this pace (${pace}) it fits: the ${plural(due, unit)} still due this cycle cost ${formatUsd(due * cpi)} of the ${formatUsd(credit.remainingNanos)} left (this loop alone).`;
    } else if (covered > 0) {
      summary = `The ${formatUsd(credit.remainingNanos)} left covers ${covered} of the ${plural(due, unit)} due this cycle at ${formatUsd(cpi)} each (this loop alone): one ${every(fit ?? leftMs)} fits the rest of it (now ${pace}).`;
    } else {
      summary = `The ${formatUsd(credit.remainingNanos)} left covers no full ${unit} at ${formatUsd(cpi)}.`;
    }
    if (sched.iterationsPerCycle <= perAllotment) summary += ` A whole ${formatUsd(credit.allotmentNanos)} credit covers this pace for a cycle (${plural(perAllotment, unit)}).`;
    else summary += fitPerCycle ? ` Next cycle, ${perAllotText}: one ${every(fitPerCycle)}.` : ` Even ${perAllotText}.`;
  } else {
    summary = `The ${formatUsd(credit.remainingNanos)} left covers ${plural(covered, `more ${unit}`)} at ${formatUsd(cpi)} each (this loop alone); ${perAllotText}.`;
  }
  return {
    summary,
    remainingNanos: credit.remainingNanos,
    allotmentNanos: credit.allotmentNanos,
    iterationsCovered: covered,
    iterationsPerAllotment: perAllotment,
    fitIntervalSeconds: fit === null ? null : Math.round(fit / 1000),
    fitIntervalPerCycleSeconds: fitPerCycle === null ? null : Math.round(fitPerCycle / 1000),
  };
}

export function cheaperModels(s: LoopShape, ctx: MoveContext): CheaperModelMove[] {
  const priced = s.rows.filter((r) => r.priced);
  const actual = priced.reduce((sum, r) => sum + r.costNanos, 0);
  if (actual <= 0) return [];
  const groups = new Map<number, { models: string[]; verified: boolean }>();
  // Only models one can still move to; each request priced on the candidate's row dated at the request.
  for (const m of ctx.pricer.models.filter((x) => x.status !== 'retired')) {
    let cost = 0;
    for (const r of priced) cost += ctx.pricer.price(usage(r, { model: m.id })).costNanos;
    if (cost >= actual * (1 - MIN_SAVING_SHARE)) continue;
    const g = groups.get(cost) ?? { models: [], verified: true };
    g.models.push(m.id);
    g.verified &&= m.verified;
    groups.set(cost, g);
  }
  const factor = perCycleFactor(s);
  const iterations = Math.max(1, s.metrics.iterations);
  const unit = unitOf(s.kind);
  // Verified prices first, each list from the closest price down.
  return [...groups]
    .sort((a, b) => Number(b[1].verified) - Number(a[1].verified) || b[0] - a[0])
    .map(([cost, g]) => {
      const saving = actual - cost;
      const perCycle = Math.round(saving * factor);
      const more = g.models.length > 2 ? ` (or ${plural(g.models.length - 2, 'other model')} at the same price)` : '';
      const names = `${g.models.slice(0, 2).join(' / ')}${more}${g.verified ? '' : ' (unverified rates)'}`;
      const summary = s.schedule
        ? `On ${names}: ${formatUsd(Math.round(cost / iterations))} ${aUnit(unit)} instead of ${formatUsd(Math.round(actual / iterations))}, saving ${savingPhrase(s, perCycle)}, if it does the job as well.`
        : `On ${names} the same tokens would have cost ${formatUsd(cost)} instead of ${formatUsd(actual)}, saving ${formatUsd(saving)}, if it does the job as well.`;
      return { summary, models: g.models, verified: g.verified, costNanos: cost, costPerIterationNanos: Math.round(cost / iterations), savingNanos: saving, savingPerCycleNanos: perCycle };
    });
}

export function keepAndPay(s: LoopShape, ctx: MoveContext): KeepAndPayMove {
  const { credit } = ctx;
  const rate = ctx.hourlyRateUsd;
  const cycleCost = s.schedule ? s.schedule.cycleCostAtPaceNanos : s.metrics.costNanos;
  const costHours = cycleCost / NANOS_PER_USD / rate;
  const rateText = `$${rate}/h`;
  let overage: number | null = null;
  let summary: string;
  if (!ctx.drawsOnCredit) {
    summary = `It does not draw on the credit (${ctx.creditReason}). At list prices it ${s.schedule ? `costs ${formatUsd(cycleCost)} a cycle at this pace` : `cost ${formatUsd(cycleCost)}`}: ${formatHours(costHours)} of your time at ${rateText}.`;
  } else if (!credit.planSet || credit.allotmentNanos === null) {
    summary = `No plan is set, so there is no credit to weigh it against. It ${s.schedule ? `costs ${formatUsd(cycleCost)} a cycle at this pace` : `cost ${formatUsd(cycleCost)}`}: ${formatHours(costHours)} of your time at ${rateText}.`;
  } else if (s.schedule) {
    overage = Math.max(0, cycleCost - credit.allotmentNanos);
    const past =
      credit.overagePolicy === 'bill'
        ? `${formatUsd(overage)} past the ${formatUsd(credit.allotmentNanos)} credit, billed at API rates`
        : `${formatUsd(overage)} past the ${formatUsd(credit.allotmentNanos)} credit, where requests stop unless extra usage is on`;
    summary =
      overage > 0
        ? `Keeping it costs ${formatUsd(cycleCost)} a cycle at this pace, ${past}. It pays for itself if it saves you more than ${formatHours(overage / NANOS_PER_USD / rate)} a cycle at ${rateText}.`
        : `Keeping it costs ${formatUsd(cycleCost)} a cycle at this pace, within the ${formatUsd(credit.allotmentNanos)} credit (this loop alone): ${formatHours(costHours)} of your time at ${rateText}.`;
  } else {
    overage = Math.min(s.metrics.cycleCostNanos, credit.overageNanos ?? 0);
    summary = `It cost ${formatUsd(s.metrics.costNanos)}: ${formatHours(costHours)} of your time at ${rateText}${overage > 0 ? `; ${formatUsd(overage)} of it is past the credit this cycle` : ''}.`;
  }
  return {
    summary,
    cycleCostNanos: cycleCost,
    overagePerCycleNanos: overage,
    overagePolicy: credit.overagePolicy,
    hourlyRateUsd: rate,
    costHours: Math.round(costHours * 100) / 100,
    breakEvenHours: overage === null ? null : Math.round((overage / NANOS_PER_USD / rate) * 100) / 100,
  };
}

function repriced(s: LoopShape, ctx: MoveContext, change: (r: AuditRequest) => PriceableUsage | null): { cost: number; saving: number } {
  let cost = 0;
  let saving = 0;
  for (const r of s.rows) {
    if (!r.priced) continue;
    const u = change(r);
    const c = u ? Math.min(r.costNanos, ctx.pricer.price(u).costNanos) : r.costNanos;
    cost += c;
    saving += r.costNanos - c;
  }
  return { cost, saving };
}

export function fixes(s: LoopShape, ctx: MoveContext): FixMove[] {
  const out: FixMove[] = [];
  const m = s.metrics;
  const factor = perCycleFactor(s);
  const worth = (saving: number): boolean => saving > 0 && saving >= m.costNanos * MIN_SAVING_SHARE;
  const target = ctx.targetCacheHitRatio;

  if (m.cacheHitRatio < target) {
    // The target share of each prompt read from cache; the rest written to it (new content).
    const r = repriced(s, ctx, (row) => {
      const p = promptTokens(row);
      if (p === 0 || row.cacheRead / p >= target) return null;
      const read = Math.round(p * target);
      return usage(row, { input: 0, cacheRead: read, cacheWrite5m: p - read, cacheWrite1h: 0 });
    });
    if (worth(r.saving)) {
      const perCycle = Math.round(r.saving * factor);
      out.push({
        kind: 'cache',
        summary: `With ${formatPercent(target)} of the context read from cache (now ${formatPercent(m.cacheHitRatio)}), it would ${s.schedule ? 'save' : 'have saved'} ${savingPhrase(s, perCycle)}.`,
        costNanos: r.cost,
        savingNanos: r.saving,
        savingPerCycleNanos: perCycle,
      });
    }
  }

  if (m.expiredCacheRewrites >= 2 && worth(m.expiredCacheRewriteExtraNanos)) {
    const perCycle = Math.round(m.expiredCacheRewriteExtraNanos * factor);
    const gap = m.medianIntervalSeconds ? `${formatDuration(m.medianIntervalSeconds * 1000)} apart, ` : '';
    out.push({
      kind: 'cache-expiry',
      summary: `${plural(m.expiredCacheRewrites, 'iteration')} came ${gap}after the 5-minute cache had expired, and re-wrote the whole context to it. Iterations under 5 minutes apart (or a 1-hour cache) would read it back instead: up to ${savingPhrase(s, perCycle)}.`,
      costNanos: m.costNanos - m.expiredCacheRewriteExtraNanos,
      savingNanos: m.expiredCacheRewriteExtraNanos,
      savingPerCycleNanos: perCycle,
    });
  }

  if (m.context.growthPerIterationTokens > 0) {
    // Every request at most as large as its thread's first request in the loop.
    const base = new Map<string, number>();
    for (const row of s.rows) if (!base.has(s.threadOf(row))) base.set(s.threadOf(row), promptTokens(row));
    const r = repriced(s, ctx, (row) => {
      const p = promptTokens(row);
      const b = base.get(s.threadOf(row)) ?? p;
      if (p <= b || p === 0) return null;
      const k = b / p;
      return usage(row, { input: Math.round(row.input * k), cacheWrite5m: Math.round(row.cacheWrite5m * k), cacheWrite1h: Math.round(row.cacheWrite1h * k), cacheRead: Math.round(row.cacheRead * k) });
    });
    if (worth(r.saving)) {
      const perCycle = Math.round(r.saving * factor);
      out.push({
        kind: 'shorter-context',
        summary: `Starting every ${unitOf(s.kind)} from the first one's ${formatTokens(m.context.firstTokens)} tokens of context (a fresh session or /clear each time) instead of letting it grow to ${formatTokens(m.context.maxTokens)} would save ${savingPhrase(s, perCycle)}.`,
        costNanos: r.cost,
        savingNanos: r.saving,
        savingPerCycleNanos: perCycle,
      });
    }
  }
  return out;
}

export function loopMoves(s: LoopShape, ctx: MoveContext): LoopMoves {
  return { lessOften: lessOften(s, ctx), cheaperModels: cheaperModels(s, ctx), keepAndPay: keepAndPay(s, ctx), fixes: fixes(s, ctx) };
}
