// The ledger as CSV (one row per request, for spreadsheets) or JSON (the same rows plus the balance), written by
// "Credit Ledger: Export Ledger". Pure over the sql.js database; no `vscode` import (test/unit/extension-export.test.ts).
import { DateTime } from 'luxon';
import type { Database } from 'sql.js';
import { parseUsdToNanos } from '../core/pool/money';
import { POLICY_STATUS } from '../core/pool/plans';
import type { Balance } from '../core/pool/types';

export interface ExportedRequest {
  timestamp: string;
  localDate: string;
  sessionId: string;
  projectKey: string;
  entrypoint: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  webSearchRequests: number;
  /** Exact decimal string of the nanodollar cost ("0.020610000" -> "0.02061"). */
  costUsd: string;
  priced: boolean;
  longContext: boolean;
  sidechain: boolean;
  agentId: string;
  requestId: string;
  messageId: string;
}

/** Exact USD text from integer nanodollars: no float drift in a spreadsheet total. */
export function nanosToDecimal(nanos: number): string {
  const abs = Math.abs(Math.round(nanos));
  const whole = Math.floor(abs / 1_000_000_000);
  const frac = String(abs % 1_000_000_000).padStart(9, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${nanos < 0 && abs > 0 ? '-' : ''}${whole}.${frac}`;
}

export function exportRequests(db: Database, timezone: string): ExportedRequest[] {
  const out: ExportedRequest[] = [];
  const stmt = db.prepare(`
    SELECT ts, session_id, project_key, entrypoint, model, input, output, cw5m, cw1h, cr, web_search, cost_nanos, priced, long_ctx, sidechain, agent_id, request_id, msg_id
    FROM requests ORDER BY ts, file_id, offset`);
  try {
    while (stmt.step()) {
      const v = stmt.get();
      const ts = Number(v[0]);
      const local = DateTime.fromMillis(ts, { zone: timezone });
      out.push({
        timestamp: new Date(ts).toISOString(),
        localDate: (local.isValid ? local : DateTime.fromMillis(ts, { zone: 'UTC' })).toISODate() ?? '',
        sessionId: String(v[1]),
        projectKey: String(v[2]),
        entrypoint: String(v[3]),
        model: String(v[4]),
        inputTokens: Number(v[5]),
        outputTokens: Number(v[6]),
        cacheWrite5mTokens: Number(v[7]),
        cacheWrite1hTokens: Number(v[8]),
        cacheReadTokens: Number(v[9]),
        webSearchRequests: Number(v[10]),
        costUsd: nanosToDecimal(Number(v[11])),
        priced: Number(v[12]) === 1,
        longContext: Number(v[13]) === 1,
        sidechain: Number(v[14]) === 1,
        agentId: String(v[15]),
        requestId: String(v[16]),
        messageId: String(v[17]),
      });
    }
  } finally {
    stmt.free();
  }
  return out;
}

const CSV_COLUMNS: readonly [string, keyof ExportedRequest][] = [
  ['timestamp', 'timestamp'],
  ['local_date', 'localDate'],
  ['session_id', 'sessionId'],
  ['project_key', 'projectKey'],
  ['entrypoint', 'entrypoint'],
  ['model', 'model'],
  ['input_tokens', 'inputTokens'],
  ['output_tokens', 'outputTokens'],
  ['cache_write_5m_tokens', 'cacheWrite5mTokens'],
  ['cache_write_1h_tokens', 'cacheWrite1hTokens'],
  ['cache_read_tokens', 'cacheReadTokens'],
  ['web_search_requests', 'webSearchRequests'],
  ['cost_usd', 'costUsd'],
  ['priced', 'priced'],
  ['long_context', 'longContext'],
  ['sidechain', 'sidechain'],
  ['agent_id', 'agentId'],
  ['request_id', 'requestId'],
  ['message_id', 'messageId'],
];

const NUMERIC = new Set<keyof ExportedRequest>(['inputTokens', 'outputTokens', 'cacheWrite5mTokens', 'cacheWrite1hTokens', 'cacheReadTokens', 'webSearchRequests', 'costUsd']);

/** RFC 4180 quoting; text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe. */
export function csvCell(value: string | number | boolean, numeric = false): string {
  let s = String(value);
  if (!numeric && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: readonly ExportedRequest[]): string {
  const lines = [CSV_COLUMNS.map(([h]) => h).join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map(([, k]) => csvCell(r[k], NUMERIC.has(k))).join(','));
  return lines.join('\r\n') + '\r\n';
}

export interface ExportMeta {
  exportedAt: number;
  configDirs: readonly string[];
  balance?: Balance;
}

export function toJson(rows: readonly ExportedRequest[], meta: ExportMeta): string {
  const b = meta.balance;
  const doc = {
    exportedAt: new Date(meta.exportedAt).toISOString(),
    policyStatus: POLICY_STATUS,
    configDirs: meta.configDirs,
    balance: b
      ? {
          plan: b.plan,
          planLabel: b.planLabel,
          scope: b.scope,
          overage: b.overage,
          basis: b.basis,
          timezone: b.timezone,
          cycle: { start: new Date(b.cycle.start).toISOString(), end: new Date(b.cycle.end).toISOString(), label: b.cycle.label },
          allotmentUsd: b.allotmentNanos === null ? null : nanosToDecimal(b.allotmentNanos),
          spentUsd: nanosToDecimal(b.spentNanos),
          remainingUsd: b.remainingNanos === null ? null : nanosToDecimal(b.remainingNanos),
          remainingIsUpperBound: b.remainingIsUpperBound,
          overageUsd: b.overageNanos === null ? null : nanosToDecimal(b.overageNanos),
          unpricedCount: b.unpricedCount,
        }
      : null,
    totals: {
      requests: rows.length,
      costUsd: nanosToDecimal(rows.reduce((s, r) => s + (parseUsdToNanos(r.costUsd) ?? 0), 0)),
      unpricedRequests: rows.filter((r) => !r.priced).length,
    },
    requests: rows,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
