// Which models of the ledger the rate card lacks: priced as an estimate at a family's newest row, or not at all.
// Read by `credit-ledger rates`, the balance and the status bar tooltip, so a stale card never goes unnoticed.
import type { Database } from 'sql.js';
import { eachRow } from '../ledger/query';
import { PRICE_FLAGS } from '../ledger/rows';
import { normalizeModelId } from '../pricing/modelId';

export interface OffCardModel {
  /** The model id, normalized (`claude-fable-5-3[1m]` and `claude-fable-5-3-20270110` are one model). */
  model: string;
  requests: number;
  /** Estimated (a newer member of a known family) rather than unpriced. */
  estimated: boolean;
  /** What the ledger counts for it (estimates only; unpriced models count $0). */
  costNanos: number;
  tokens: number;
  lastSeen: number;
}

/** Models of the stored requests with no row on the card, most requests first. */
export function offCardModels(db: Database): OffCardModel[] {
  const byId = new Map<string, OffCardModel>();
  eachRow(
    db,
    `SELECT model, count(*), max(price_flags & ${PRICE_FLAGS.estimated}), sum(cost_nanos), sum(input + output + cw5m + cw1h + cr), max(ts)
     FROM requests WHERE priced = 0 OR (price_flags & ${PRICE_FLAGS.estimated}) <> 0 GROUP BY model`,
    [],
    (v) => {
      const model = normalizeModelId(String(v[0])) || String(v[0]);
      const m = byId.get(model) ?? { model, requests: 0, estimated: false, costNanos: 0, tokens: 0, lastSeen: 0 };
      m.requests += Number(v[1]);
      m.estimated ||= Number(v[2]) !== 0;
      m.costNanos += Number(v[3]);
      m.tokens += Number(v[4]);
      m.lastSeen = Math.max(m.lastSeen, Number(v[5]));
      byId.set(model, m);
    },
  );
  return [...byId.values()].sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}
