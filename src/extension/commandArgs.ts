// Arguments of the commands: each command takes its answers as an object and prompts only for what is missing.
// Anything may arrive (a panel message, a command link, a keybinding's args, the palette's nothing), so these
// parse `unknown` and say what is wrong in words. Pure, no `vscode` import: test/unit/extension-commands.test.ts.
import { findPlan, PLANS } from '../core/pool/plans';
import { NANOS_PER_USD, parseUsdToNanos } from '../core/pool/money';
import type { Overage, PlanId, Scope } from '../core/pool/types';
import { OVERRIDE_MODES, PANEL_SECTIONS, type OverrideModeArg, type PanelSection } from '../webview/protocol';

export type { OverrideModeArg } from '../webview/protocol';

/** A command got arguments it cannot use: shown to the user, nothing is written. */
export class CommandArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandArgsError';
  }
}

function record(raw: unknown): Record<string, unknown> {
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/** One of `values`, matched without regard to case; otherwise an error naming them. */
function choice<T extends string>(v: unknown, name: string, values: readonly T[]): T {
  const s = String(v).toLowerCase();
  const known = values.find((x) => x === s);
  if (known === undefined) {
    const quoted = values.map((x) => `"${x}"`);
    const list = values.length > 3 ? `one of ${values.join(', ')}` : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
    throw new CommandArgsError(`${name} must be ${list} (got ${JSON.stringify(v)})`);
  }
  return known;
}

/** "$63.20", "63.2", "$1,250.50 left", "63.20 left as of now" -> USD; null if it is not an amount. */
export function parseUsdText(text: string): number | null {
  const cleaned = text
    .trim()
    .replace(/\s*(usd)?\s*(left|remaining)?(\s+as\s+of\s+now)?\s*\.?$/i, '')
    .replace(/^usd\s*/i, '');
  const nanos = parseUsdToNanos(cleaned);
  return nanos === null ? null : nanos / NANOS_PER_USD;
}

function usdOf(v: unknown, name: string): number {
  const n = typeof v === 'number' ? (Number.isFinite(v) ? v : null) : typeof v === 'string' ? parseUsdText(v) : null;
  if (n === null) throw new CommandArgsError(`${name} must be an amount in USD, like 63.20 (got ${JSON.stringify(v)})`);
  return n;
}

export interface SetPlanArgs {
  plan?: PlanId;
  amount?: number;
  scope?: Scope;
  overage?: Overage;
  cycleDay?: number;
}

export function parseSetPlanArgs(raw: unknown): SetPlanArgs {
  const r = record(raw);
  const out: SetPlanArgs = {};
  if (present(r.plan)) {
    const plan = findPlan(String(r.plan));
    if (!plan) throw new CommandArgsError(`unknown plan ${JSON.stringify(r.plan)}: choose one of ${PLANS.map((p) => p.id).join(', ')}`);
    out.plan = plan.id;
  }
  if (present(r.amount)) {
    const amount = usdOf(r.amount, 'amount');
    if (amount <= 0) throw new CommandArgsError(`amount must be more than $0 (got ${JSON.stringify(r.amount)})`);
    out.amount = amount;
  }
  if (present(r.scope)) out.scope = choice(r.scope, 'scope', ['headless', 'all'] as const);
  if (present(r.overage)) out.overage = choice(r.overage, 'overage', ['bill', 'stop'] as const);
  if (present(r.cycleDay)) {
    const d = typeof r.cycleDay === 'number' ? r.cycleDay : /^\s*\d+\s*$/.test(String(r.cycleDay)) ? Number(r.cycleDay) : NaN;
    if (!Number.isInteger(d) || d < 1 || d > 31) throw new CommandArgsError(`cycleDay must be a whole number from 1 to 31 (got ${JSON.stringify(r.cycleDay)})`);
    out.cycleDay = d;
  }
  return out;
}

/** Whether the plan needs an amount the user gives (custom credit, API budget). */
export function planNeedsAmount(plan: PlanId): boolean {
  return findPlan(plan)?.amountUsd === null;
}

export interface ReconcileArgs {
  remainingUsd?: number;
  /** Epoch ms; undefined: now. */
  asOf?: number;
}

export function parseReconcileArgs(raw: unknown, now: number): ReconcileArgs {
  const r = typeof raw === 'number' || typeof raw === 'string' ? { remainingUsd: raw } : record(raw);
  const out: ReconcileArgs = {};
  if (present(r.remainingUsd)) {
    const usd = usdOf(r.remainingUsd, 'remainingUsd');
    if (usd < 0) throw new CommandArgsError(`remainingUsd is what your account shows as left, $0 or more (got ${JSON.stringify(r.remainingUsd)})`);
    out.remainingUsd = usd;
  }
  if (present(r.asOf)) {
    const t = typeof r.asOf === 'number' ? r.asOf : Date.parse(String(r.asOf));
    if (!Number.isFinite(t)) throw new CommandArgsError(`asOf must be a date and time, like 2026-11-20T15:00:00Z (got ${JSON.stringify(r.asOf)})`);
    if (t > now + 5 * 60_000) throw new CommandArgsError(`asOf is in the future (${new Date(t).toISOString()})`);
    out.asOf = t;
  }
  return out;
}

/** Validation for the input box: an error message, or undefined when the text is a usable figure. */
export function validateRemainingText(text: string): string | undefined {
  if (!text.trim()) return 'Type the amount your account shows as left, like $63.20';
  const usd = parseUsdText(text);
  if (usd === null) return 'Not an amount: type it like $63.20';
  if (usd < 0) return 'The remaining credit is $0 or more';
  return undefined;
}

export interface OverrideArgs {
  sessionId?: string;
  mode?: OverrideModeArg;
}

export function parseOverrideArgs(raw: unknown): OverrideArgs {
  const r = record(raw);
  const out: OverrideArgs = {};
  if (present(r.sessionId)) {
    if (typeof r.sessionId !== 'string' || !r.sessionId.trim()) throw new CommandArgsError(`sessionId must be a session id (got ${JSON.stringify(r.sessionId)})`);
    out.sessionId = r.sessionId.trim();
  }
  if (present(r.mode)) out.mode = choice(r.mode, 'mode', OVERRIDE_MODES);
  return out;
}

export type ExportFormat = 'csv' | 'json';

export interface ExportArgs {
  format?: ExportFormat;
  path?: string;
}

export function parseExportArgs(raw: unknown): ExportArgs {
  const r = record(raw);
  const out: ExportArgs = {};
  if (present(r.format)) out.format = choice(r.format, 'format', ['csv', 'json'] as const);
  if (present(r.path)) {
    if (typeof r.path !== 'string') throw new CommandArgsError(`path must be a file path (got ${JSON.stringify(r.path)})`);
    out.path = r.path;
    if (!out.format) {
      const ext = /\.(csv|json)$/i.exec(r.path)?.[1]?.toLowerCase();
      if (ext === 'csv' || ext === 'json') out.format = ext;
    }
  }
  return out;
}

export interface ChooseFoldersArgs {
  /** undefined: prompt; []: back to the defaults (CLAUDE_CONFIG_DIR or ~/.claude and ~/.config/claude). */
  folders?: string[];
  /** The answer to "remove the spend read from folders no longer read?" given up front (else the window asks). */
  forgetUnread?: boolean;
}

export function parseChooseFoldersArgs(raw: unknown): ChooseFoldersArgs {
  const list = Array.isArray(raw) ? raw : record(raw).folders;
  const forget = Array.isArray(raw) ? undefined : record(raw).forgetUnread;
  if (forget !== undefined && typeof forget !== 'boolean') throw new CommandArgsError(`forgetUnread must be true or false (got ${JSON.stringify(forget)})`);
  const extra = forget ? { forgetUnread: true } : {};
  if (list === undefined || list === null) return extra;
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'string')) throw new CommandArgsError(`folders must be a list of folder paths (got ${JSON.stringify(list)})`);
  return { folders: list.map((f) => f.trim()).filter(Boolean), ...extra };
}

export interface RebuildArgs {
  /** Skip the confirmation. */
  confirm?: boolean;
}

export function parseRebuildArgs(raw: unknown): RebuildArgs {
  return record(raw).confirm === true ? { confirm: true } : {};
}

/** Which Claude Code settings file: `~/.claude/settings.json`, the workspace's `.claude/settings.json`, or its uncommitted `settings.local.json`. */
export const HOOK_TARGETS = ['user', 'workspace', 'local'] as const;
export type HookTarget = (typeof HOOK_TARGETS)[number];

export interface HookArgs {
  /** undefined: ask. */
  target?: HookTarget;
  /** Install the status line too (install only; default: ask, or no when the target was given). */
  statusLine?: boolean;
  /** Skip the preview and the confirmation (tests, scripted setups). */
  confirm?: boolean;
}

export function parseHookArgs(raw: unknown): HookArgs {
  const r = typeof raw === 'string' ? { target: raw } : record(raw);
  const out: HookArgs = {};
  if (present(r.target)) out.target = choice(r.target, 'target', HOOK_TARGETS);
  if (r.statusLine !== undefined && r.statusLine !== null) {
    if (typeof r.statusLine !== 'boolean') throw new CommandArgsError(`statusLine must be true or false (got ${JSON.stringify(r.statusLine)})`);
    out.statusLine = r.statusLine;
  }
  if (r.confirm === true) out.confirm = true;
  return out;
}

export interface AuditArgs {
  /** Compute the audit again even if the ledger did not change. */
  refresh?: boolean;
}

export function parseAuditArgs(raw: unknown): AuditArgs {
  return record(raw).refresh === true ? { refresh: true } : {};
}

export interface OpenLedgerArgs {
  /** The tab to show. */
  tab?: PanelSection;
}

export function parseOpenLedgerArgs(raw: unknown): OpenLedgerArgs {
  const r = typeof raw === 'string' ? { tab: raw } : record(raw);
  return present(r.tab) ? { tab: choice(r.tab, 'tab', PANEL_SECTIONS) } : {};
}
