// User settings + one run's flags -> validated PoolSettings. Every problem is reported at once,
// in words a user can act on; an unset plan is not an error but a state of its own (plan: null).
import type { UserSettings } from '../state/settings';
import { isCycleDay, isKnownTimeZone } from './cycle';
import { NANOS_PER_USD, parseUsdToNanos, usdToNanos } from './money';
import { findPlan, PLANS } from './plans';
import type { Basis, Overage, PoolSettings, Scope } from './types';
import { systemTimeZone as systemZone } from '../reports/timeZone';

/** One run's overrides (CLI flags arrive as strings). */
export interface PoolFlags {
  plan?: string;
  amount?: number | string;
  scope?: string;
  overage?: string;
  cycleDay?: number | string;
  timezone?: string;
  countUnclassified?: boolean;
  basis?: string;
}

export class PoolSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'PoolSettingsError';
  }
}

/** The zone this process runs in (the default when the user has not set one). */
export function systemTimeZone(): string {
  return systemZone();
}

/**
 * The zone as the user wrote it when valid, with the case fixed where Intl knows the name
 * ("america/new_york" -> "America/New_York"); null when unknown. Intl's own canonical form is not
 * used: it turns "Asia/Kolkata" back into "Asia/Calcutta".
 */
export function canonicalTimeZone(zone: string): string | null {
  const z = zone.trim();
  if (z === 'UTC') return z; // Intl's list of every zone is slow to build, and UTC is in it
  if (!z || !isKnownTimeZone(z)) return null;
  const lower = z.toLowerCase();
  return Intl.supportedValuesOf('timeZone').find((k) => k.toLowerCase() === lower) ?? z;
}

// Values may come from a hand-edited settings file: anything can arrive, nothing may throw.
function amountOf(v: unknown): number | null | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const nanos = parseUsdToNanos(String(v));
  return nanos === null ? null : nanos / NANOS_PER_USD;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[]): T | null | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const t = String(v).trim().toLowerCase();
  return (allowed as readonly string[]).includes(t) ? (t as T) : null;
}

export function resolvePoolSettings(user: UserSettings, flags: PoolFlags = {}, defaultZone: string = systemTimeZone()): PoolSettings {
  const problems: string[] = [];

  const planText = String(flags.plan ?? user.plan ?? '').trim();
  const plan = planText ? findPlan(planText) : undefined;
  if (planText && !plan) problems.push(`unknown plan "${planText}": choose one of ${PLANS.map((p) => p.id).join(', ')}`);

  let amountUsd: number | undefined;
  if (plan && plan.amountUsd === null) {
    const raw = flags.amount ?? user.amount;
    const amount = amountOf(raw);
    if (amount === undefined) problems.push(`plan "${plan.id}" needs an amount: the monthly ${plan.kind === 'budget' ? 'budget' : 'credit'} in USD`);
    else if (amount === null || amount <= 0) problems.push(`amount must be a positive number of USD (got ${JSON.stringify(raw)})`);
    else amountUsd = amount;
  }

  const scopeRaw = flags.scope ?? user.scope;
  const scope = oneOf<Scope>(scopeRaw, ['headless', 'all']);
  if (scope === null) problems.push(`scope must be "headless" or "all" (got "${scopeRaw}")`);

  const overageRaw = flags.overage ?? user.overage;
  const overage = oneOf<Overage>(overageRaw, ['bill', 'stop']);
  if (overage === null) problems.push(`overage must be "bill" or "stop" (got "${overageRaw}")`);

  const basisRaw = flags.basis ?? user.basis;
  const basis = oneOf<Basis>(basisRaw, ['recorded', 'corrected']);
  if (basis === null) problems.push(`basis must be "recorded" or "corrected" (got "${basisRaw}")`);

  const dayRaw = flags.cycleDay ?? user.cycleDay;
  let cycleDay = 1;
  if (dayRaw !== undefined && dayRaw !== null && dayRaw !== '') {
    const n = typeof dayRaw === 'number' ? dayRaw : /^\s*\d+\s*$/.test(String(dayRaw)) ? Number(dayRaw) : NaN;
    if (!isCycleDay(n)) problems.push(`cycle day must be a whole number from 1 to 31 (got ${JSON.stringify(dayRaw)})`);
    else cycleDay = n;
  }

  const zoneRaw = String(flags.timezone ?? user.timezone ?? '').trim();
  let timezone = zoneRaw ? canonicalTimeZone(zoneRaw) : canonicalTimeZone(defaultZone) ?? 'UTC';
  if (timezone === null) {
    problems.push(`unknown time zone "${zoneRaw}": use an IANA name such as "Europe/Paris" or "America/New_York"`);
    timezone = 'UTC';
  }

  if (problems.length) throw new PoolSettingsError(problems);
  const resolved: PoolSettings = {
    plan: plan?.id ?? null,
    scope: scope ?? plan?.defaultScope ?? 'headless',
    overage: overage ?? plan?.defaultOverage ?? 'stop',
    cycleDay,
    timezone,
    countUnclassified: (flags.countUnclassified ?? user.countUnclassified) === true,
    basis: basis ?? 'corrected',
  };
  if (amountUsd !== undefined) resolved.amountUsd = amountUsd;
  return resolved;
}

/** The monthly allotment in nanos; null when the plan is not set. */
export function allotmentNanos(settings: Pick<PoolSettings, 'plan' | 'amountUsd'>): number | null {
  if (settings.plan === null) return null;
  const plan = findPlan(settings.plan);
  const usd = plan?.amountUsd ?? settings.amountUsd;
  return usd === undefined || usd === null ? null : usdToNanos(usd);
}
