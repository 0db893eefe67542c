// The commands. Each takes its answers as one argument object and prompts only for what is missing, so the
// panel, command links, keybindings and tests run them without a prompt.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findPlan, PLANS, POLICY_STATUS } from '../core/pool/plans';
import { overrideFact, reconcileFact, type ReconcileFact } from '../core/pool/facts';
import { formatUsd } from '../core/pricing/money';
import { readRateFile, userRateCard, writeRateFile } from '../core/pricing/rateFile';
import { planImport, readPriceSource, type ImportPlan } from '../core/pricing/rateImport';
import { userPaths } from '../core/state/paths';
import type { Fact } from '../core/state/journal';
import {
  CommandArgsError,
  parseChooseFoldersArgs,
  parseAuditArgs,
  parseExportArgs,
  parseOpenLedgerArgs,
  parseOverrideArgs,
  parseRebuildArgs,
  parseReconcileArgs,
  parseSetPlanArgs,
  parseUsdText,
  planNeedsAmount,
  validateRemainingText,
  type ExportFormat,
  type OverrideModeArg,
  type SetPlanArgs,
} from './commandArgs';
import type { AuditReport } from '../core/audit/types';
import type { PlanComparison, PlanFit } from '../core/plans/comparison';
import { installHook, uninstallHook, type HookCommandHost } from './hookCommands';
import { COMMANDS, type CommandKey } from './ids';
import { exportRequests, toCsv, toJson } from './ledgerExport';
import type { LiveMeter } from './liveMeter';
import type { LoopAudit } from './loopAudit';
import type { PanelTab } from './panelBridge';
import type { SettingsSync } from './settingsSync';
import { scopeLabel } from './statusModel';
import { showError, showInfo, showWarning } from './messages';
import { plainText } from './plainText';

export interface CommandHost {
  live: LiveMeter;
  settings: SettingsSync;
  log: vscode.LogOutputChannel;
  openPanel(tab?: PanelTab): void;
  clock(): number;
  audit: LoopAudit;
  hooks: HookCommandHost;
  /** The trailing month against every plan, for the Set Plan quick pick (undefined while the ledger opens). */
  planFit(): Promise<PlanComparison | undefined>;
  /** The shared ledger: sync now; the password in VS Code's SecretStorage. */
  shared: { syncNow(reason: string): Promise<void>; readonly configured: boolean; setPassword(password: string): Promise<void> };
}

type Handler = (arg: unknown) => Promise<unknown> | unknown;

export function registerCommands(host: CommandHost): vscode.Disposable[] {
  const handlers: Record<CommandKey, Handler> = {
    openLedger: (arg) => host.openPanel(parseOpenLedgerArgs(arg).tab),
    auditLoops: (arg) => auditLoops(host, arg),
    setPlan: (arg) => setPlan(host, arg),
    reconcile: (arg) => reconcile(host, arg),
    rebuildLedger: (arg) => rebuildLedger(host, arg),
    exportLedger: (arg) => exportLedger(host, arg),
    showLog: () => host.log.show(),
    chooseFolders: (arg) => chooseFolders(host, arg),
    overrideSession: (arg) => overrideSession(host, arg),
    refresh: () => host.live.refresh('command', true),
    installHook: (arg) => installHook(host.hooks, arg),
    uninstallHook: (arg) => uninstallHook(host.hooks, arg),
    syncNow: () => syncNow(host),
    setSharedLedgerPassword: (arg) => setSharedLedgerPassword(host, arg),
    updateRates: (arg) => updateRates(host, arg),
  };
  return (Object.keys(handlers) as CommandKey[]).map((key) =>
    vscode.commands.registerCommand(COMMANDS[key], async (arg?: unknown) => {
      try {
        return await handlers[key](arg);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        host.log.error(`${COMMANDS[key]} ${arg === undefined ? '' : JSON.stringify(arg)}: ${err instanceof CommandArgsError ? message : err instanceof Error ? (err.stack ?? message) : message}`);
        void showError(`Credit Ledger: ${message}`);
        return undefined;
      }
    }),
  );
}

interface UpdateRatesResult {
  written: boolean;
  rateFile: string;
  changes: ImportPlan['changes'];
  skipped: string[];
}

/**
 * `credit-ledger rates update` in VS Code: asks for a file or URL (or takes `{ from, replaceVerified, confirm: false }`),
 * shows what changes, writes the user's rate file and reopens the meter, which reprices the ledger.
 */
async function updateRates(host: CommandHost, arg: unknown): Promise<UpdateRatesResult | undefined> {
  const a = (arg && typeof arg === 'object' ? arg : {}) as { from?: unknown; replaceVerified?: unknown; confirm?: unknown };
  if (a.from !== undefined && typeof a.from !== 'string') throw new CommandArgsError('updateRates: "from" must be a file path or an http(s) URL');
  let from = a.from as string | undefined;
  if (!from) {
    from = await vscode.window.showInputBox({
      title: 'Credit Ledger: Update Rates',
      prompt: "A price file or an http(s) URL: a Credit Ledger card, or LiteLLM's model_prices_and_context_window.json. Only that file is fetched; nothing about you is sent.",
      placeHolder: 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json',
      ignoreFocusOut: true,
    });
    if (!from) return undefined;
  }
  const paths = userPaths();
  const text = await readPriceSource(from.trim());
  const layered = userRateCard(paths);
  const plan = planImport(text, from.trim(), layered.card, readRateFile(paths.rates).models, { replaceVerified: a.replaceVerified === true, now: new Date(host.clock()) });
  for (const c of plan.changes) host.log.info(`rates update: ${c.kind} ${c.model}: ${c.detail}`);
  for (const s of plan.skipped) host.log.info(`rates update: not taken: ${s}`);
  const taken = plan.changes.filter((c) => c.kind === 'add' || c.kind === 'replace');
  const result: UpdateRatesResult = { written: false, rateFile: paths.rates, changes: plan.changes, skipped: plan.skipped };
  if (!taken.length) {
    void showInfo(`Credit Ledger: nothing to change from ${from} (${plan.changes.length} model(s) match or keep their verified rows, ${plan.skipped.length} entr${plan.skipped.length === 1 ? 'y' : 'ies'} not taken; see the log).`);
    return result;
  }
  if (a.confirm !== false) {
    const summary = taken.map((c) => `${c.kind === 'add' ? 'Add' : 'Replace'} ${c.model}: ${c.detail}`).join('\n');
    const choice = await showInfo(`Credit Ledger: import ${taken.length} model(s) from ${from}?`, { modal: true, detail: `${summary}${plan.skipped.length ? `\n\n${plan.skipped.length} entries not taken (see the log).` : ''}` }, 'Import and Reprice');
    if (choice !== 'Import and Reprice') return result;
  }
  writeRateFile(paths.rates, plan.models, new Date(host.clock()));
  result.written = true;
  await host.live.reopen('rate file updated');
  void showInfo(`Credit Ledger: imported ${taken.map((c) => c.model).join(', ')}; the ledger is repriced.`);
  return result;
}

/** Opens the panel on its Audit tab and resolves with the report it shows (computed now if the ledger changed). */
async function auditLoops(host: CommandHost, arg: unknown): Promise<AuditReport | undefined> {
  const args = parseAuditArgs(arg);
  host.openPanel('audit');
  return host.audit.report(args.refresh === true);
}

interface PlanItem extends vscode.QuickPickItem {
  id: string;
}

async function setPlan(host: CommandHost, arg: unknown): Promise<SetPlanArgs | undefined> {
  const args = parseSetPlanArgs(arg);
  const interactive = args.plan === undefined;
  const current = host.settings.effective;
  if (!args.plan) {
    // Each plan with the user's own numbers: what it would have covered of the last 30 days.
    const fit = await host.planFit().catch((err: unknown) => {
      host.log.warn(`plan comparison for Set Plan failed: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    });
    const items: PlanItem[] = PLANS.map((p) => {
      const f = fit?.plans.find((x) => x.plan === p.id);
      return {
        id: p.id,
        label: p.label,
        description: `${p.amountUsd === null ? 'you give the amount' : `$${p.amountUsd} a month`}${f ? ` · ${coversText(f, fit!)}` : ''}${current.plan === p.id ? ' · current' : ''}`,
        detail: p.kind === 'credit' ? `${p.detail} · announced for 2026-06-15, paused: metered as a budget` : p.detail,
      };
    });
    const pick = await vscode.window.showQuickPick(items, {
      title: fit ? `Credit Ledger: Set Plan · your last ${fit.window.days} days at list price: ${formatUsd(fit.headlessSpendNanos, { decimals: 2 })} headless, ${formatUsd(fit.allSpendNanos, { decimals: 2 })} in all` : 'Credit Ledger: Set Plan (the monthly credit or budget to meter against)',
      placeHolder: fit?.notes[0] ?? POLICY_STATUS,
    });
    if (!pick) return undefined;
    args.plan = findPlan(pick.id)!.id;
  }
  const plan = findPlan(args.plan)!;
  if (planNeedsAmount(plan.id) && args.amount === undefined) {
    const previous = typeof current.amount === 'number' ? String(current.amount) : '';
    const text = await vscode.window.showInputBox({
      title: `Credit Ledger: ${plan.label}`,
      prompt: plan.kind === 'budget' ? 'Your monthly budget in USD (API-key usage is billed per call; this is your own limit)' : 'The monthly credit in USD',
      placeHolder: '$50.00',
      value: previous,
      validateInput: (v) => (parseUsdText(v) === null || (parseUsdText(v) ?? 0) <= 0 ? 'Type an amount above $0, like $50' : undefined),
    });
    if (text === undefined) return undefined;
    args.amount = parseUsdText(text)!;
  }
  if (interactive && args.scope === undefined) {
    const scopes = (['headless', 'all'] as const).map((s) => ({
      scope: s,
      label: s === plan.defaultScope ? `${s === 'headless' ? 'Headless only' : 'All usage'} (default for ${plan.label})` : s === 'headless' ? 'Headless only' : 'All usage',
      detail: s === 'headless' ? `Counts ${scopeLabel('headless').replace(/`/g, '')}: the surfaces the announced credit covers` : 'Counts every request, interactive sessions too (a budget for all usage)',
    }));
    scopes.sort((a, b) => (a.scope === plan.defaultScope ? -1 : b.scope === plan.defaultScope ? 1 : 0));
    const pick = await vscode.window.showQuickPick(scopes, { title: `Credit Ledger: what counts against ${plan.label}?`, placeHolder: POLICY_STATUS });
    if (!pick) return undefined;
    args.scope = pick.scope;
  }
  const values: Record<string, unknown> = { plan: plan.id };
  if (args.amount !== undefined) values.amount = args.amount;
  if (args.scope !== undefined) values.scope = args.scope;
  if (args.overage !== undefined) values.overage = args.overage;
  if (args.cycleDay !== undefined) values.cycleDay = args.cycleDay;
  await host.settings.update(values);
  host.log.info(`plan set: ${JSON.stringify(values)}`);
  if (interactive) void showInfo(`Credit Ledger: metering against ${plan.label}${args.amount !== undefined ? ` (${formatUsd(Math.round(args.amount * 1e9), { decimals: 2 })})` : ''}. ${POLICY_STATUS}`);
  return { ...args, plan: plan.id };
}

/** "covers 6 days of your last month ($350.00 over)"; an API key has no credit: what the month would cost. */
function coversText(f: PlanFit, c: PlanComparison): string {
  if (c.basedOnDays === 0) return 'no history to compare yet';
  if (f.kind === 'budget') return `no credit: your last month at list price, ${formatUsd(f.monthSpendNanos, { decimals: 2 })}`;
  if (f.runOutDay === null) return `covers all ${c.window.days} days of your last month`;
  return `covers ${f.coveredDays} day${f.coveredDays === 1 ? '' : 's'} of your last month (${formatUsd(f.overageNanos, { decimals: 2 })} over)`;
}

async function reconcile(host: CommandHost, arg: unknown): Promise<ReconcileFact | undefined> {
  const now = host.clock();
  const args = parseReconcileArgs(arg, now);
  let usd = args.remainingUsd;
  const interactive = usd === undefined;
  if (usd === undefined) {
    const text = await vscode.window.showInputBox({
      title: 'Credit Ledger: Reconcile',
      prompt: "What your Claude account shows as left of this cycle's credit. Later spend is counted from this figure.",
      placeHolder: '$63.20 left as of now',
      validateInput: validateRemainingText,
    });
    if (text === undefined) return undefined;
    usd = parseUsdText(text)!;
  }
  const fact = reconcileFact(usd, args.asOf ?? now);
  await host.live.recordFact(fact);
  const b = host.live.balance;
  const drift = b?.reconcile?.driftNanos;
  const note = !b?.planSet
    ? ' Set a plan to see the balance.'
    : drift !== null && drift !== undefined && Math.abs(drift) >= 10_000_000
      ? ` Our own count was ${formatUsd(drift + (b.reconcile?.figureNanos ?? 0), { decimals: 2 })}: ${drift > 0 ? 'we counted less spend than your account' : 'we counted more spend than your account'} by ${formatUsd(Math.abs(drift), { decimals: 2 })}.`
      : '';
  if (interactive) void showInfo(`Credit Ledger: recorded ${formatUsd(Math.round(usd * 1e9), { decimals: 2 })} left as of ${new Date(args.asOf ?? now).toLocaleString()}.${note}`);
  return fact;
}

async function rebuildLedger(host: CommandHost, arg: unknown): Promise<{ ledgerFile: string } | undefined> {
  const args = parseRebuildArgs(arg);
  if (!args.confirm) {
    const choice = await showWarning(
      'Rebuild the ledger of this window?',
      {
        modal: true,
        detail:
          'It is deleted and every transcript still on disk is read again. Requests whose transcripts Claude Code has already deleted (after 30 days by default) leave this ledger. Your plan, reconcile figures and overrides are kept: they live in the journal.',
      },
      'Rebuild',
    );
    if (choice !== 'Rebuild') return undefined;
  }
  await host.live.rebuild();
  return { ledgerFile: host.live.ledgerFile };
}

async function exportLedger(host: CommandHost, arg: unknown): Promise<{ path: string; format: ExportFormat; requests: number } | undefined> {
  const args = parseExportArgs(arg);
  const interactive = args.path === undefined;
  let format = args.format;
  if (!format) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'CSV', description: 'one row per request, for spreadsheets', format: 'csv' as const },
        { label: 'JSON', description: 'the same rows with the balance and totals', format: 'json' as const },
      ],
      { title: 'Credit Ledger: Export Ledger', placeHolder: 'Export format' },
    );
    if (!pick) return undefined;
    format = pick.format;
  }
  let target = args.path;
  if (!target) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    const name = `credit-ledger-${new Date(host.clock()).toISOString().slice(0, 10)}.${format}`;
    const uri = await vscode.window.showSaveDialog({
      title: 'Credit Ledger: Export Ledger',
      defaultUri: vscode.Uri.file(path.join(folder, name)),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!uri) return undefined;
    target = uri.fsPath;
  }
  const meter = await host.live.whenOpen();
  await host.live.settled();
  const balance = host.live.balance ?? meter.computeBalance();
  const rows = exportRequests(meter.ledger.db, balance.timezone);
  const text = format === 'csv' ? toCsv(rows) : toJson(rows, { exportedAt: host.clock(), configDirs: meter.configDirs.map((d) => d.root), balance });
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  fs.writeFileSync(target, text);
  host.log.info(`exported ${rows.length} requests as ${format} to ${target}`);
  if (interactive) {
    void showInfo(`Credit Ledger: exported ${rows.length} requests to ${target}`, 'Open').then((c) => {
      if (c === 'Open') void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(target));
    });
  }
  return { path: target, format, requests: rows.length };
}

async function chooseFolders(host: CommandHost, arg: unknown): Promise<string[] | undefined> {
  const args = parseChooseFoldersArgs(arg);
  let { folders } = args;
  if (folders === undefined) {
    const current = host.live.configDirs.map((d) => d.projects).join(', ');
    const picked = await vscode.window.showOpenDialog({
      title: `Claude Code config folders (each holds projects/); now: ${current}`,
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: true,
      openLabel: 'Use for Credit Ledger',
      defaultUri: vscode.Uri.file(os.homedir()),
    });
    if (!picked) return undefined;
    folders = picked.map((u) => u.fsPath);
    const without = folders.filter((f) => path.basename(f) !== 'projects' && !fs.existsSync(path.join(f, 'projects')));
    if (without.length) void showWarning(`Credit Ledger: no projects/ folder in ${without.join(', ')} yet; it is watched and read once Claude Code writes there.`);
  }
  await host.settings.update({ transcriptFolders: folders.length ? folders : undefined });
  host.log.info(`transcript folders: ${folders.length ? folders.join(', ') : '(defaults)'}`);
  if (args.forgetUnread) await host.live.forgetFolders('unread');
  return folders;
}

interface SessionItem extends vscode.QuickPickItem {
  sessionId: string;
}

async function overrideSession(host: CommandHost, arg: unknown): Promise<Fact | undefined> {
  const args = parseOverrideArgs(arg);
  let sessionId = args.sessionId;
  if (!sessionId) {
    await host.live.whenOpen();
    await host.live.settled();
    const b = host.live.balance;
    const all = b ? [...b.covered.map((s) => ({ s, counted: true })), ...b.excluded.map((s) => ({ s, counted: false })), ...b.unclassified.map((s) => ({ s, counted: false }))] : [];
    if (!all.length) {
      void showInfo('Credit Ledger: no sessions with spend in this cycle.');
      return undefined;
    }
    all.sort((a, c) => c.s.spentNanos - a.s.spentNanos);
    const pick = await vscode.window.showQuickPick<SessionItem>(
      all.map(({ s, counted }) => ({
        sessionId: s.sessionId,
        // Project folder and session id come from transcripts: plain text after our own icon.
        label: `${counted ? '$(check)' : '$(circle-slash)'} ${plainText(s.projectKey || '(no project)')}`,
        description: `${formatUsd(s.spentNanos)} · ${s.requests} request${s.requests === 1 ? '' : 's'} · ${plainText(s.sessionId.slice(0, 8))}`,
        detail: plainText(`${counted ? 'Counts' : 'Does not count'}: ${s.reason}`),
      })),
      { title: 'Credit Ledger: which session?', placeHolder: 'Sessions of this cycle, costliest first', matchOnDescription: true, matchOnDetail: true },
    );
    if (!pick) return undefined;
    sessionId = pick.sessionId;
  }
  let mode = args.mode;
  if (!mode) {
    const pick = await vscode.window.showQuickPick<vscode.QuickPickItem & { mode: OverrideModeArg }>(
      [
        { mode: 'count', label: 'Count against the credit', detail: 'Whatever its surface (e.g. an Agent SDK app the transcript does not identify)' },
        { mode: 'never', label: 'Never count', detail: 'E.g. interactive work that was classified as headless' },
        { mode: 'auto', label: 'Automatic', detail: 'Remove the override: decide by the transcript' },
      ],
      { title: `Credit Ledger: session ${sessionId.slice(0, 8)}` },
    );
    if (!pick) return undefined;
    mode = pick.mode;
  }
  return host.live.recordFact(overrideFact('session', sessionId, mode));
}

async function syncNow(host: CommandHost): Promise<void> {
  if (!host.shared.configured) {
    // Not awaited: the command resolves at once, the choice is handled whenever the user makes it.
    void showInfo('Credit Ledger: no shared ledger is configured. Set "creditLedger.sync.databaseUrl" (postgres://user@host:5432/database) to sum every machine.', 'Open Setting').then((open) => {
      if (open) void vscode.commands.executeCommand('workbench.action.openSettings', 'creditLedger.sync.databaseUrl');
    });
    return;
  }
  await host.shared.syncNow('command');
}

/** `{ password: string }` (an empty string removes it); prompts when missing. Stored in SecretStorage only. */
async function setSharedLedgerPassword(host: CommandHost, arg: unknown): Promise<void> {
  let password: string | undefined;
  if (arg && typeof arg === 'object' && typeof (arg as { password?: unknown }).password === 'string') password = (arg as { password: string }).password;
  else if (arg !== undefined) throw new CommandArgsError('setSharedLedgerPassword takes { password: string }');
  else password = await vscode.window.showInputBox({ title: 'Shared ledger password', prompt: 'The PostgreSQL password of this machine\'s user (kept in VS Code\'s secret storage, never in settings.json). Empty: remove it.', password: true, ignoreFocusOut: true });
  if (password === undefined) return;
  await host.shared.setPassword(password);
  host.log.info(`shared ledger password ${password === '' ? 'removed' : 'stored'} (SecretStorage)`);
  if (password !== '' && host.shared.configured) await host.shared.syncNow('password set');
}
