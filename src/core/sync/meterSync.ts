// The one implementation the CLI and the extension call: which shared ledger a meter syncs with (if
// any), one sync of a meter (push, pull, then the meter re-reads what arrived), and the status both
// show: machines, when each last synced, spend per machine, what waits in the outbox.
import type { Meter, MeterUpdate } from '../meter/meter';
import type { Balance } from '../pool/types';
import type { UserPaths, Env } from '../state/paths';
import type { UserSettings } from '../state/settings';
import { redactUrl, resolveTarget, settingsUrlProblem, SyncError, urlProblem, type ConnectOptions, type SharedLedgerTarget } from './connection';
import { machineIdentity, type MachineIdentity } from './machine';
import { outboxSize } from './outbox';
import { SYNC_META, syncOnce, type MachineStatus, type SyncOptions, type SyncResult } from './sharedLedger';

export interface SharedLedgerSetup {
  target: SharedLedgerTarget;
  identity: MachineIdentity;
  journalPath: string;
  allowLabels: boolean;
  connect?: ConnectOptions;
}

/**
 * The shared ledger for the user's own ledger, from `--database-url`, CREDIT_LEDGER_DATABASE_URL or the
 * settings' `databaseUrl`; undefined when none is set. Throws SyncError for a URL that cannot work.
 */
export function sharedLedgerSetup(paths: UserPaths, settings: UserSettings, env: Env, option?: string, connect?: ConnectOptions): SharedLedgerSetup | undefined {
  const target = resolveTarget(option, env, settings.databaseUrl);
  if (!target) return undefined;
  const problem = urlProblem(target.url) ?? (target.source === 'settings' ? settingsUrlProblem(target.url) : undefined);
  if (problem) throw new SyncError(problem, 'config');
  return { target, identity: machineIdentity(paths.dataDir, settings.machineLabel), journalPath: paths.journal, allowLabels: settings.allowLabels === true, connect };
}

export interface MeterSync {
  result: SyncResult;
  update: MeterUpdate;
}

/** Pushes the meter's outbox and journal, pulls the other machines' rows, and re-reads them into the meter. */
export async function syncMeter(meter: Meter, setup: SharedLedgerSetup, opts: Pick<SyncOptions, 'pushOnly' | 'onPushed'> = {}): Promise<MeterSync> {
  if (meter.ledger.readOnly) throw new SyncError('another Credit Ledger process writes this ledger; it syncs, this one does not', 'busy');
  try {
    const result = await syncOnce(meter.ledger, { ...setup, ...opts, pricer: meter.pricer });
    return { result, update: meter.applyRemote(result.changedKeys, result.changedSessions) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    meter.ledger.setMeta(SYNC_META.lastError, JSON.stringify({ at: new Date(meter.now()).toISOString(), message }));
    throw err instanceof SyncError ? err : new SyncError(message);
  }
}

export interface MachineLine extends MachineStatus {
  thisMachine: boolean;
  /** Spend this cycle counted by the balance, on its basis, priced with this machine's card. */
  spentNanos: number;
}

export interface SyncStatus {
  where: string;
  machines: MachineLine[];
  /** ISO instant of the last sync that reached the server, or null. */
  lastSync: string | null;
  lastError: { at: string; message: string } | null;
  /** Changes waiting for the server. */
  outbox: number;
  merged: boolean;
}

function parseJson<T>(raw: string | undefined): T | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

/** What the status bar's tooltip, the panel and `credit-ledger sync` say, from the local ledger alone (no network). */
export function syncStatus(meter: Meter, setup: SharedLedgerSetup, balance: Balance): SyncStatus {
  const ledger = meter.ledger;
  const known = parseJson<MachineStatus[]>(ledger.meta(SYNC_META.machines)) ?? [];
  const counted = new Set(balance.covered.map((s) => s.sessionId));
  const spend = meter.spendByMachine(balance.cycle.start, balance.cycle.end, counted);
  const me = setup.identity.id;
  const machines: MachineLine[] = known.map((m) => ({ ...m, thisMachine: m.id === me, spentNanos: (spend.get(m.id) ?? 0) + (m.id === me ? spend.get('') ?? 0 : 0) }));
  if (!machines.some((m) => m.thisMachine)) machines.unshift({ id: me, label: setup.identity.label, firstSeen: '', lastPush: null, lastPull: null, thisMachine: true, spentNanos: (spend.get('') ?? 0) + (spend.get(me) ?? 0) });
  const lastError = parseJson<{ at: string; message: string }>(ledger.meta(SYNC_META.lastError));
  return {
    where: redactUrl(setup.target.url),
    machines,
    lastSync: ledger.meta(SYNC_META.lastSync) || null,
    lastError: lastError && lastError.message ? lastError : null,
    outbox: outboxSize(ledger.db),
    merged: meter.merged,
  };
}

/** "just now", "4 minutes ago", "3 hours ago", "2 days ago". */
export function syncedAgo(iso: string | null, now: number): string {
  if (!iso) return 'never';
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  return `${Math.floor(hours / 24)} days ago`;
}
