// Plans that come out alike in a comparison share a row (the panel and the CLI table). No imports but types: the
// webview bundle uses it too.
import type { PlanFit } from './comparison';

/** Plans that come out alike: the same kind, scope and credit (Pro, Team Standard, Enterprise usage-based). */
export interface PlanGroup {
  /** The first plan of the group (every figure is the same for all of them). */
  fit: PlanFit;
  labels: string[];
  /** The user's plan is one of them. */
  current: boolean;
  /** The label of the user's plan when it is one of them. */
  currentLabel: string | null;
}

/** One row per plans that come out alike, in the order given. */
export function groupPlans(plans: readonly PlanFit[]): PlanGroup[] {
  const groups = new Map<string, PlanGroup>();
  for (const p of plans) {
    const key = `${p.kind}:${p.scope}:${p.creditNanos}`;
    const g = groups.get(key);
    if (g) {
      g.labels.push(p.label);
      g.current ||= p.current;
      if (p.current) g.currentLabel = p.label;
    } else groups.set(key, { fit: p, labels: [p.label], current: p.current, currentLabel: p.current ? p.label : null });
  }
  return [...groups.values()];
}
