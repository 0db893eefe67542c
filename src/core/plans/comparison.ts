// "Which plan fits my work?": the trailing month's spend at list price against every plan's credit, each plan at
// its own default scope (headless for the credit plans, all usage for an API key), and the three honest moves for
// the month's biggest loop as the audit priced them. Pure: pool input, window, audit report in; plain JSON out.
import { DateTime } from 'luxon';
import type { AuditCredit, AuditLoop, AuditReport } from '../audit/types';
import { lessOften, type LoopShape, type MoveContext } from '../audit/moves';
import { formatHours, formatPercent, plural } from '../audit/words';
import { classifySessions, readPoolFacts, rowCost } from '../pool';
import { PLANS, type Plan } from '../pool/plans';
import { allotmentNanos } from '../pool/settings';
import type { Basis, PlanId, PoolInput, PoolSettings, Scope } from '../pool/types';
import type { Pricer } from '../pricing/pricer';
import { formatUsd, NANOS_PER_USD } from '../pricing/money';

export { TRAILING_DAYS, trailingWindow, windowOfDays } from './window';
export { groupPlans, type PlanGroup } from './groups';

export const PLAN_COMPARISON_VERSION = 1;
/** A month, for scaling the trailing rate: the default window's length, so a full window needs no scaling. */
export const MONTH_DAYS = 30;
/** Under this many days of history the comparison says how many days it rests on. */
export const THIN_HISTORY_DAYS = 7;

/** One plan against the trailing month. Money in integer nanodollars. */
export interface PlanFit {
  plan: PlanId;
  label: string;
  kind: Plan['kind'];
  /** The scope this plan counts by default: `headless` for the credit plans, `all` for an API key. */
  scope: Scope;
  /** The plan the user has set. */
  current: boolean;
  /** The monthly credit; 0 for an API key (no credit: every call is paid). */
  creditNanos: number;
  /** Spend at this plan's scope over the days the comparison rests on, scaled to a month of MONTH_DAYS. */
  monthSpendNanos: number;
  /** Requests at this scope on models with no list price (counted as $0: the spend is a lower bound). */
  unpricedRequests: number;
  /** Share of the month the credit covers at the trailing rate, 0..1. */
  coveredShare: number;
  /** Whole days of the month the credit covers (MONTH_DAYS when it lasts the month). */
  coveredDays: number;
  /** Day of the month (1-based) the credit runs out at the trailing rate; null when it lasts the month. */
  runOutDay: number | null;
  /** The month's spend past the credit. */
  overageNanos: number;
  /** The overage in hours of the user's time at the audit's hourly rate. */
  overageHours: number;
  /** Runs (or iterations) of the month's biggest loop a whole credit covers, as the audit counts them; null when there is no loop, no credit, or the loop does not draw on it. */
  loopRunsCovered: number | null;
  /** One line in plain words. */
  summary: string;
}

/** The month's biggest loop and the three honest moves, one line each, as the audit priced them. */
export interface BiggestLoop {
  id: string;
  kind: AuditLoop['kind'];
  title: string;
  verdict: string;
  costNanos: number;
  costPerIterationNanos: number;
  iterations: number;
  drawsOnCredit: boolean;
  moves: { lessOften: string; cheaperModel: string; keepAndPay: string };
}

export interface PlanComparison {
  version: typeof PLAN_COMPARISON_VERSION;
  /** The window compared: [since, until) epoch ms, and its local days ("2026-11-06 – 2026-12-05"). */
  window: { since: number; until: number; days: number; label: string };
  timezone: string;
  basis: Basis;
  /** Days of history the rates rest on: the window's days from the first request the ledger holds. */
  basedOnDays: number;
  /** Fewer than THIN_HISTORY_DAYS days of history. */
  thin: boolean;
  /** Spend over the window at each scope (not scaled). */
  headlessSpendNanos: number;
  allSpendNanos: number;
  hourlyRateUsd: number;
  /** The plan the user has set (null: none). */
  currentPlan: PlanId | null;
  plans: PlanFit[];
  biggestLoop: BiggestLoop | null;
  /** Plain-words caveats: thin history, nothing headless, unpriced models. */
  notes: string[];
}

export interface PlanComparisonInput {
  /** The pool's input as the meter hands it (rows may reach past the window: they are filtered here). */
  pool: PoolInput;
  /** [since, until) epoch ms. */
  window: { since: number; until: number };
  /** The earliest request the ledger holds (any surface), or null: how many days of history there are. */
  firstRequestAt: number | null;
  hourlyRateUsd: number;
  /** The loop audit over the same window (its biggest loop's moves); null when not computed. */
  audit: AuditReport | null;
  /** The audit's pricer (the moves' context; the run-less-often move does not price anything itself). */
  pricer: Pricer;
}

function localDays(from: number, to: number, zone: string): number {
  if (to <= from) return 0;
  return Math.round(DateTime.fromMillis(to, { zone }).diff(DateTime.fromMillis(from, { zone }), 'days').days);
}

/** The plans to compare: every fixed credit, an API key, and a custom amount only when it is the user's. */
function plansToCompare(settings: PoolSettings): Plan[] {
  return PLANS.filter((p) => p.amountUsd !== null || p.id === 'api' || (p.id === 'custom' && settings.plan === 'custom'));
}

function creditOf(p: Plan, settings: PoolSettings): number {
  if (p.kind === 'budget') return 0;
  if (p.amountUsd !== null) return Math.round(p.amountUsd * NANOS_PER_USD);
  return allotmentNanos({ ...settings, plan: p.id }) ?? 0;
}

/** The loop of the window that cost the most, ignored loops aside. */
function biggestLoopOf(audit: AuditReport | null): AuditLoop | null {
  let best: AuditLoop | null = null;
  for (const l of audit?.loops ?? []) if (!l.ignored && (!best || l.metrics.costNanos > best.metrics.costNanos)) best = l;
  return best;
}

/** The run-less-often move of the audit, priced against a whole credit of this plan (the loop alone, as it ran). */
function runsPerCredit(loop: AuditLoop, creditNanos: number, audit: AuditReport, pricer: Pricer, hourlyRateUsd: number): number | null {
  const shape: LoopShape = { kind: loop.kind, rows: [], threadOf: () => '', metrics: loop.metrics, schedule: null };
  const credit: AuditCredit = { ...audit.credit, planSet: true, allotmentNanos: creditNanos, remainingNanos: creditNanos, overageNanos: 0 };
  const ctx: MoveContext = { pricer, credit, drawsOnCredit: true, creditReason: '', hourlyRateUsd, targetCacheHitRatio: audit.thresholds.targetCacheHitRatio, now: audit.now };
  return lessOften(shape, ctx)?.iterationsPerAllotment ?? null;
}

function fitSummary(f: Omit<PlanFit, 'summary'>, hourlyRateUsd: number): string {
  const spend = formatUsd(f.monthSpendNanos, { decimals: 2 });
  const scope = f.scope === 'headless' ? 'headless usage' : 'all usage';
  if (f.kind === 'budget') {
    return f.monthSpendNanos > 0
      ? `No credit: ${scope} at list price is ${spend} a month, ${formatHours(f.overageHours)} of your time at $${hourlyRateUsd}/h.`
      : 'No credit, and nothing spent: $0.00 a month.';
  }
  const credit = formatUsd(f.creditNanos, { decimals: 2 });
  if (f.monthSpendNanos === 0) return `Your covered usage is $0: the ${credit} credit would not be touched.`;
  if (f.runOutDay === null) return `${credit} covers the whole month of ${scope} (${spend}, ${formatPercent(f.monthSpendNanos / f.creditNanos)} of it).`;
  return (
    `${credit} covers ${plural(f.coveredDays, 'day')} of ${MONTH_DAYS} (${formatPercent(f.coveredShare)}) and runs out on day ${f.runOutDay}; ` +
    `${formatUsd(f.overageNanos, { decimals: 2 })} over, ${formatHours(f.overageHours)} of your time at $${hourlyRateUsd}/h.`
  );
}

export function comparePlans(input: PlanComparisonInput): PlanComparison {
  const { pool, window: w } = input;
  const settings = pool.settings;
  const zone = settings.timezone;
  const facts = readPoolFacts(pool.facts);
  const days = localDays(w.since, w.until, zone);
  const historyStart = input.firstRequestAt === null ? w.until : Math.max(w.since, DateTime.fromMillis(input.firstRequestAt, { zone }).startOf('day').toMillis());
  const basedOnDays = localDays(historyStart, w.until, zone);
  const inWindow = pool.rows.filter((r) => r.timestamp >= w.since && r.timestamp < w.until);

  interface ScopeSpend {
    nanos: number;
    unpriced: number;
    /** Priced at an estimate (a model newer than the card, at its family's newest row). */
    estimatedNanos: number;
    /** Priced as a lower bound (e.g. fast mode with no fast rate). */
    lowerBound: number;
  }
  const spendAt = (scope: Scope): ScopeSpend => {
    const classes = classifySessions(pool.sessions, inWindow, { ...settings, scope }, facts);
    const out: ScopeSpend = { nanos: 0, unpriced: 0, estimatedNanos: 0, lowerBound: 0 };
    for (const r of inWindow) {
      if (!classes.get(r.sessionId)!.counted) continue;
      const nanos = rowCost(r, settings.basis);
      out.nanos += nanos;
      if (!r.priced) out.unpriced++;
      if (r.estimated) out.estimatedNanos += nanos;
      if (r.lowerBound) out.lowerBound++;
    }
    return out;
  };
  const spend: Record<Scope, ScopeSpend> = { headless: spendAt('headless'), all: spendAt('all') };

  const audit = input.audit;
  const loop = biggestLoopOf(audit);
  const loopOnCredit = loop !== null && (loop.where.surface === 'headless' || (loop.where.drawsOnCredit && audit!.credit.scope === 'headless'));
  const rate = input.hourlyRateUsd;

  const plans: PlanFit[] = plansToCompare(settings).map((p) => {
    const scope = p.defaultScope;
    const s = spend[scope];
    const month = basedOnDays > 0 ? Math.round((s.nanos * MONTH_DAYS) / basedOnDays) : 0;
    const credit = creditOf(p, settings);
    const exactDays = month > 0 ? (credit * MONTH_DAYS) / month : Infinity;
    const lasts = exactDays >= MONTH_DAYS;
    const overage = Math.max(0, month - credit);
    const fit: Omit<PlanFit, 'summary'> = {
      plan: p.id,
      label: p.id === 'custom' ? `${p.label} (${formatUsd(credit, { decimals: 2 })})` : p.label,
      kind: p.kind,
      scope,
      current: settings.plan === p.id,
      creditNanos: credit,
      monthSpendNanos: month,
      unpricedRequests: s.unpriced,
      coveredShare: lasts ? 1 : Math.round((exactDays / MONTH_DAYS) * 1000) / 1000,
      coveredDays: lasts ? MONTH_DAYS : Math.floor(exactDays),
      // Runs out during the day after the last whole day covered (on that day itself when it lands exactly).
      runOutDay: lasts ? null : Number.isInteger(exactDays) ? Math.max(1, exactDays) : Math.floor(exactDays) + 1,
      overageNanos: overage,
      overageHours: Math.round((overage / NANOS_PER_USD / rate) * 100) / 100,
      loopRunsCovered: loop && loopOnCredit && credit > 0 && scope === 'headless' ? runsPerCredit(loop, credit, audit!, input.pricer, rate) : null,
    };
    return { ...fit, summary: fitSummary(fit, rate) };
  });

  const notes: string[] = [];
  if (basedOnDays === 0) notes.push('No history in this window: nothing to compare yet.');
  else if (basedOnDays < THIN_HISTORY_DAYS) notes.push(`Based on ${plural(basedOnDays, 'day')} of history only: the month is that ${basedOnDays === 1 ? 'day' : 'many days'} scaled up, so take it as a rough guide.`);
  if (basedOnDays > 0 && spend.headless.nanos === 0) notes.push('Nothing headless in this window: your covered usage is $0: the credit would not be touched.');
  const unpriced = spend.all.unpriced;
  if (unpriced) notes.push(`${plural(unpriced, 'request')} on models with no list price ${unpriced === 1 ? 'counts' : 'count'} as $0: the spend is a lower bound (add rates under "rateOverrides").`);
  if (spend.all.estimatedNanos) notes.push(`${formatUsd(spend.all.estimatedNanos, { decimals: 2 })} of it is estimated: models newer than the rate card, priced at their family's newest rates.`);
  if (spend.all.lowerBound) notes.push(`${plural(spend.all.lowerBound, 'request')} priced as a lower bound (a rate the card does not have, such as fast mode): the spend is at least this.`);

  return {
    version: PLAN_COMPARISON_VERSION,
    window: { since: w.since, until: w.until, days, label: windowLabel(w, zone) },
    timezone: zone,
    basis: settings.basis,
    basedOnDays,
    thin: basedOnDays < THIN_HISTORY_DAYS,
    headlessSpendNanos: spend.headless.nanos,
    allSpendNanos: spend.all.nanos,
    hourlyRateUsd: rate,
    currentPlan: settings.plan,
    plans,
    biggestLoop: loop && biggestLoopMoves(loop, plans, loopOnCredit),
    notes,
  };
}

function windowLabel(w: { since: number; until: number }, zone: string): string {
  const d = (ms: number): string => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd');
  return `${d(w.since)} – ${d(w.until - 1)}`;
}

/** The three moves in one line each: the audit's own sentences, or per plan when the audit had no credit to weigh. */
function biggestLoopMoves(loop: AuditLoop, plans: PlanFit[], onCredit: boolean): BiggestLoop {
  const mv = loop.moves;
  const unit = loop.kind === 'recurring' ? 'run' : 'iteration';
  let less: string;
  if (mv.lessOften) less = mv.lessOften.summary;
  else if (!onCredit) less = `It does not draw on the credit (${loop.where.creditReason}): running it less often saves list-price money, not credit.`;
  else {
    const covered = plans.filter((p) => p.loopRunsCovered !== null).map((p) => `${p.label} ${plural(p.loopRunsCovered!, unit)}`);
    less = `At ${formatUsd(loop.metrics.costPerIterationNanos, { decimals: 2 })} ${unit === 'run' ? 'a run' : 'an iteration'}, a whole credit covers: ${covered.join(', ')}.`;
  }
  const cheaper = mv.cheaperModels[0]?.summary ?? 'No current model on the rate card is cheaper for these tokens.';
  return {
    id: loop.id,
    kind: loop.kind,
    title: loop.title,
    verdict: loop.verdict,
    costNanos: loop.metrics.costNanos,
    costPerIterationNanos: loop.metrics.costPerIterationNanos,
    iterations: loop.metrics.iterations,
    drawsOnCredit: onCredit,
    moves: { lessOften: less, cheaperModel: cheaper, keepAndPay: mv.keepAndPay.summary },
  };
}
