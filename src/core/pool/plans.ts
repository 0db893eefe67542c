// The plans and their monthly amounts, as data (FACTS.md "The credit pool"); a change in the
// announced amounts is an edit to this table, not to the code that reads it.
import type { Overage, PlanId, Scope } from './types';

export interface Plan {
  id: PlanId;
  /** Short name for quick picks and the status bar. */
  label: string;
  /** Monthly credit in USD; null when the user gives the amount (custom, api). */
  amountUsd: number | null;
  /** `credit`: the announced Agent SDK credit; `budget`: a monthly budget the user sets. */
  kind: 'credit' | 'budget';
  /** Scope and overage used when the user has not chosen them. */
  defaultScope: Scope;
  defaultOverage: Overage;
  /** One line for the quick pick's detail. */
  detail: string;
}

export const PLANS: readonly Plan[] = [
  { id: 'pro', label: 'Pro', amountUsd: 20, kind: 'credit', defaultScope: 'headless', defaultOverage: 'stop', detail: '$20 a month of Agent SDK credit' },
  { id: 'max5x', label: 'Max 5x', amountUsd: 100, kind: 'credit', defaultScope: 'headless', defaultOverage: 'stop', detail: '$100 a month of Agent SDK credit' },
  { id: 'max20x', label: 'Max 20x', amountUsd: 200, kind: 'credit', defaultScope: 'headless', defaultOverage: 'stop', detail: '$200 a month of Agent SDK credit' },
  { id: 'team-standard', label: 'Team Standard', amountUsd: 20, kind: 'credit', defaultScope: 'headless', defaultOverage: 'stop', detail: '$20 a month per user' },
  { id: 'team-premium', label: 'Team Premium', amountUsd: 100, kind: 'credit', defaultScope: 'headless', defaultOverage: 'stop', detail: '$100 a month per user' },
  { id: 'enterprise-usage', label: 'Enterprise (usage-based)', amountUsd: 20, kind: 'credit', defaultScope: 'headless', defaultOverage: 'stop', detail: '$20 a month per user' },
  { id: 'enterprise-premium', label: 'Enterprise Premium seat', amountUsd: 200, kind: 'credit', defaultScope: 'headless', defaultOverage: 'stop', detail: '$200 a month per user' },
  { id: 'custom', label: 'Custom amount', amountUsd: null, kind: 'credit', defaultScope: 'headless', defaultOverage: 'stop', detail: 'A credit of the amount you give' },
  // Extra usage is opt-in, so a spent credit stops requests; API-key users pay list price for every
  // call, so their budget covers all usage and goes on past zero unless they say otherwise.
  { id: 'api', label: 'API key (own budget)', amountUsd: null, kind: 'budget', defaultScope: 'all', defaultOverage: 'bill', detail: 'No credit: a monthly budget you set' },
];

export const PLAN_NOT_SET_LABEL = 'Plan not set';

/** Where the policy stands; shown beside every balance so nobody takes it for live billing. */
export const POLICY_STATUS =
  'Announced for 2026-06-15 and paused the same day; as of the latest reports it is not live billing. Credit Ledger meters your usage against it as a budget.';

export function findPlan(id: string): Plan | undefined {
  const wanted = id.trim().toLowerCase();
  return PLANS.find((p) => p.id === wanted);
}

export function planLabel(id: PlanId | null): string {
  return id === null ? PLAN_NOT_SET_LABEL : (findPlan(id)?.label ?? id);
}
