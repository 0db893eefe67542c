// Marks the money in a usage report that is an estimate: models not on the rate card, priced at their
// family's newest row. Whether a model is estimated is a fact of (model id, card), so a report built from
// rollups learns it here, from the pricer, without a column of its own.
import type { Pricer } from '../pricing/pricer';
import { nanosToUsd, usdToNanos } from '../pricing/money';

interface Breakdown {
  modelName: string;
  cost: number;
  estimated?: boolean;
  /** The card model whose rows priced the estimate. */
  estimatedFrom?: string;
}

interface MoneyRow {
  totalCost: number;
  modelBreakdowns?: Breakdown[];
  /** USD of totalCost that is estimated. */
  estimatedCost?: number;
}

/** The card model that prices `model` as an estimate, or undefined when its price is exact (or it has none). */
export function estimatedFrom(pricer: Pricer, model: string): string | undefined {
  return pricer.lookup(model) ? undefined : pricer.estimateFor(model)?.id;
}

/**
 * Adds `estimated`/`estimatedFrom` to each model breakdown, `estimatedCost` to each row and to `totals`
 * (summed in nanodollars); returns the estimated models. Rows without breakdowns are left as they are.
 */
export function markEstimates(rows: readonly MoneyRow[], totals: MoneyRow | undefined, pricer: Pricer): string[] {
  const models = new Set<string>();
  let total = 0;
  for (const row of rows) {
    let nanos = 0;
    for (const b of row.modelBreakdowns ?? []) {
      const from = estimatedFrom(pricer, b.modelName);
      if (!from) continue;
      b.estimated = true;
      b.estimatedFrom = from;
      nanos += usdToNanos(b.cost);
      models.add(b.modelName);
    }
    row.estimatedCost = nanosToUsd(nanos);
    total += nanos;
  }
  if (totals) totals.estimatedCost = nanosToUsd(total);
  return [...models].sort();
}
