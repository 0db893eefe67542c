// The audit's thresholds: defaults here, the settings file key `audit` over them, one run's flags
// over that. Values may come from a hand-edited file: a bad one is reported and the default kept.
import type { AuditThresholds } from './types';

export const DEFAULT_AUDIT_THRESHOLDS: Readonly<AuditThresholds> = Object.freeze({
  contextThreshold: 50_000,
  minIterations: 10,
  minRepeats: 3,
  lowOutputTokens: 1_000,
  maxSpacing: 1,
  iterationGapMinutes: 3,
  minCostUsd: 0.1,
  targetCacheHitRatio: 0.9,
  hourlyRateUsd: 100,
  liveWindowMinutes: 10,
  liveMinCostUsd: 1,
});

type Rule = { min: number; max?: number; integer?: boolean; what: string };

const RULES: Record<keyof AuditThresholds, Rule> = {
  contextThreshold: { min: 1, integer: true, what: 'a whole number of tokens' },
  minIterations: { min: 2, integer: true, what: 'a whole number from 2' },
  minRepeats: { min: 2, integer: true, what: 'a whole number from 2' },
  lowOutputTokens: { min: 0, integer: true, what: 'a whole number of tokens' },
  maxSpacing: { min: 0, max: 20, integer: true, what: 'a whole number from 0 to 20' },
  iterationGapMinutes: { min: 0.1, what: 'a number of minutes (at least 0.1)' },
  minCostUsd: { min: 0, what: 'an amount in USD' },
  targetCacheHitRatio: { min: 0, max: 0.99, what: 'a share from 0 to 0.99' },
  hourlyRateUsd: { min: 0.01, what: 'an amount in USD per hour' },
  liveWindowMinutes: { min: 1, what: 'a number of minutes' },
  liveMinCostUsd: { min: 0, what: 'an amount in USD' },
};

export const AUDIT_THRESHOLD_KEYS = Object.keys(RULES) as (keyof AuditThresholds)[];

export type AuditFlags = Partial<Record<keyof AuditThresholds, string | number | undefined>>;

export interface ResolvedAuditThresholds {
  thresholds: AuditThresholds;
  /** Problems with the settings file (the default was kept). */
  settingProblems: string[];
  /** Problems with the flags (a CLI should refuse to run). */
  flagProblems: string[];
}

function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim().replace(/^\$/, '').replace(/_/g, ''));
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function check(key: keyof AuditThresholds, v: unknown): { value: number } | { problem: string } {
  const rule = RULES[key];
  const n = numberOf(v);
  if (n === null || n < rule.min || (rule.max !== undefined && n > rule.max) || (rule.integer && !Number.isInteger(n))) {
    return { problem: `${key} must be ${rule.what} (got ${JSON.stringify(v)})` };
  }
  return { value: n };
}

/** `user` is the settings file's `audit` value (anything); `flags` are one run's overrides. */
export function resolveAuditThresholds(user: unknown, flags: AuditFlags = {}): ResolvedAuditThresholds {
  const thresholds: AuditThresholds = { ...DEFAULT_AUDIT_THRESHOLDS };
  const settingProblems: string[] = [];
  const flagProblems: string[] = [];
  if (user !== undefined && user !== null) {
    if (typeof user !== 'object' || Array.isArray(user)) settingProblems.push('"audit" must be an object of thresholds');
    else {
      for (const [k, v] of Object.entries(user as Record<string, unknown>)) {
        if (!(k in RULES)) {
          settingProblems.push(`unknown audit setting "${k}" ignored`);
          continue;
        }
        if (v === undefined || v === null) continue;
        const r = check(k as keyof AuditThresholds, v);
        if ('problem' in r) settingProblems.push(`audit.${r.problem}; the default ${DEFAULT_AUDIT_THRESHOLDS[k as keyof AuditThresholds]} is used`);
        else thresholds[k as keyof AuditThresholds] = r.value;
      }
    }
  }
  for (const key of AUDIT_THRESHOLD_KEYS) {
    const v = flags[key];
    if (v === undefined) continue;
    const r = check(key, v);
    if ('problem' in r) flagProblems.push(r.problem);
    else thresholds[key] = r.value;
  }
  return { thresholds, settingProblems, flagProblems };
}
