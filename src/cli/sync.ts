// `credit-ledger sync` (push and pull once), the machines section of `balance`, and the push after a
// recorded run (`exec`, `record`): one implementation, core/sync/meterSync, under all of them.
import type { Command } from 'commander';
import { Meter } from '../core/meter/meter';
import type { Balance } from '../core/pool';
import { formatUsd, nanosToUsd } from '../core/pricing/money';
import { userPaths } from '../core/state/paths';
import { readUserSettings } from '../core/state/settings';
import { DATABASE_URL_ENV, SyncError } from '../core/sync/connection';
import { sharedLedgerSetup, syncedAgo, syncMeter, syncStatus, type SyncStatus } from '../core/sync/meterSync';
import type { CliHelpers, CommonOptions, RunContext } from './context';
import { UsageError } from './errors';
import { colorEnabled, makeStyle, renderTable, type Style } from './table';

function statusOf(ctx: RunContext, b: Balance): SyncStatus | undefined {
  return ctx.shared ? syncStatus(ctx.meter, ctx.shared.setup, b) : undefined;
}

/** The `sync` part of `balance --json`: whether `remaining` is merged, and the machines behind it. */
export function syncJson(ctx: RunContext, b: Balance): object {
  const s = statusOf(ctx, b);
  if (!s) return { merged: false };
  return {
    merged: s.merged,
    sync: {
      ok: !ctx.shared?.error,
      error: ctx.shared?.error?.message ?? null,
      lastSync: s.lastSync,
      outbox: s.outbox,
      machines: s.machines.map((m) => ({ id: m.id, label: m.label, thisMachine: m.thisMachine, lastPush: m.lastPush, lastPull: m.lastPull, spent: nanosToUsd(m.spentNanos) })),
    },
  };
}

/** The machines table under the balance (and for `sync`). */
export function renderMachines(ctx: RunContext, b: Balance, style: Style): string {
  const s = statusOf(ctx, b);
  if (!s) return '';
  const now = Date.now();
  const rows = s.machines.map((m) => [`${m.label}${m.thisMachine ? ' (this machine)' : ''}`, syncedAgo(m.lastPush ?? null, now), syncedAgo(m.lastPull ?? null, now), formatUsd(m.spentNanos)]);
  const head = ctx.shared?.error
    ? style.yellow(`Shared ledger ${s.where}: not reached (${ctx.shared.error.message}); last synced ${syncedAgo(s.lastSync, now)}.`)
    : `Shared ledger ${s.where}: ${s.machines.length} machine${s.machines.length === 1 ? '' : 's'}, synced ${syncedAgo(s.lastSync, now)}${s.outbox ? `, ${s.outbox} change(s) waiting to be sent` : ''}.`;
  return [head, renderTable(['Machine', 'Last push', 'Last pull', 'Spent this cycle'], rows, new Set([3]), style)].join('\n');
}

export function registerSyncCommand(program: Command, helpers: Pick<CliHelpers, 'withCommonOptions' | 'withRun'>): void {
  helpers
    .withCommonOptions(program.command('sync').description(`push this machine's usage to the shared ledger and pull the other machines' (PostgreSQL; ${DATABASE_URL_ENV} or --database-url)`))
    .action(async (opts: CommonOptions) => {
      if (opts.configDir?.length || opts.db) throw new UsageError('sync works on your own ledger only: a run with --config-dir or --db stays isolated');
      await helpers.withRun(opts, (ctx) => {
        if (!ctx.shared) throw new UsageError(`no shared ledger configured: set ${DATABASE_URL_ENV}, pass --database-url, or run "credit-ledger config set sync.databaseUrl postgres://user@host:5432/db"`, 2);
        const b = ctx.update.balance;
        const r = ctx.shared.synced?.result;
        if (opts.json) {
          process.stdout.write(JSON.stringify({ pushed: r?.pushed ?? null, pulled: r?.pulled ?? null, migrated: r?.migrated ?? [], remaining: b.remainingNanos === null ? null : nanosToUsd(b.remainingNanos), ...syncJson(ctx, b) }, null, 2) + '\n');
        } else {
          const style = makeStyle(colorEnabled(opts.color));
          if (r) process.stdout.write(`Pushed ${r.pushed.requests} request(s), ${r.pushed.sessions} session(s), ${r.pushed.facts} journal fact(s); pulled ${r.pulled.requests} request(s), ${r.pulled.sessions} session(s), ${r.pulled.facts} journal fact(s).${r.migrated.length ? ` Server schema migrated to version ${r.migrated[r.migrated.length - 1]}.` : ''}\n`);
          process.stdout.write(renderMachines(ctx, b, style) + '\n');
        }
        // The note said what failed and what was kept; the exit code tells a script.
        if (ctx.shared.error) throw new UsageError('sync did not complete: the shared ledger was not reached (see the note above)', 4);
      });
    });
}

/** How long a recorded run's push may take before it is left to the outbox (`record` must never stall a pipeline). */
export const RUN_PUSH_DEADLINE_MS = 3000;

/**
 * After `exec` or `record` wrote the run's fact: with a shared ledger configured, ingest the user's own ledger and push,
 * waiting at most `deadlineMs`; what is not acknowledged by then stays in the outbox for the next sync.
 * Never throws: the run's own exit code is what the caller returns.
 */
export async function pushAfterRun(warn: (message: string) => void, deadlineMs = RUN_PUSH_DEADLINE_MS): Promise<void> {
  let meter: Meter | undefined;
  try {
    const paths = userPaths();
    const settings = readUserSettings(paths.settings);
    const setup = sharedLedgerSetup(paths, settings, process.env);
    if (!setup) return;
    meter = await Meter.open({ paths, settings, ledgerFile: paths.userLedger, writesSnapshot: true, shared: true });
    meter.refresh();
    meter.save();
    if (meter.ledger.readOnly) return; // the process that writes the ledger (VS Code) pushes it
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineMs);
    });
    const outcome = await Promise.race([syncMeter(meter, setup, { pushOnly: true }).then(() => 'done' as const, (err: Error) => err), late]);
    clearTimeout(timer);
    if (outcome === 'late') warn(`the shared ledger did not answer within ${deadlineMs / 1000} s: this run waits in the outbox and goes with the next sync`);
    else if (outcome instanceof Error) warn(`${outcome instanceof SyncError ? outcome.message : `shared ledger: ${outcome.message}`}; this run waits in the outbox and goes with the next sync`);
  } catch (err) {
    warn(`could not push the run to the shared ledger: ${(err as Error).message}`);
  } finally {
    if (meter) {
      try {
        meter.save(); // the outbox as it stands: acknowledged parts are gone, the rest waits
      } catch {
        // the ledger stays as last saved; the next run re-reads the transcripts
      }
      meter.close();
    }
  }
}
