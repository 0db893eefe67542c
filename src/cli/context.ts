// Opens the meter a CLI run should use and ingests what is new (DESIGN.md "Where state lives").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Meter, type MeterUpdate } from '../core/meter/meter';
import { ledgerPathForConfigDirs } from '../core/ledger/registry';
import type { Command } from 'commander';
import { findPlan, PoolSettingsError, type PoolFlags } from '../core/pool';
import { userPaths, type UserPaths } from '../core/state/paths';
import { loadUserSettings, type UserSettings } from '../core/state/settings';
import { discover, resolveConfigDirs } from '../core/transcripts/discovery';
import { workerScriptBeside } from '../core/transcripts/workerPool';
import { isValidTimeZone, systemTimeZone } from '../core/reports/timeZone';
import { UsageError } from './errors';
import type { ProgressLine } from './progress';
import type { InputRecord } from './storedAnswer';
import { formatUsd } from '../core/pricing/money';
import { REJECTED_USAGE } from '../core/transcripts/plausibility';
import { SyncError } from '../core/sync/connection';
import { sharedLedgerSetup, syncedAgo, syncMeter, type MeterSync, type SharedLedgerSetup } from '../core/sync/meterSync';

export interface CommonOptions {
  configDir?: string[];
  db?: string;
  since?: string;
  until?: string;
  timezone?: string;
  json?: boolean;
  color?: boolean;
  demoFallback?: boolean;
  /** An ISO instant to compute the balance at (reproducible output). */
  now?: string;
  /** The user says the requests of folders this run does not read may leave the ledger. */
  forgetUnreadFolders?: boolean;
  /** The shared ledger (postgres:// URL); also CREDIT_LEDGER_DATABASE_URL and the settings' databaseUrl. */
  databaseUrl?: string;
}

/** Commander's accumulator for repeatable options (`--config-dir a --config-dir b`). */
export const collect = (value: string, previous: string[] = []): string[] => previous.concat(value);

/** The pool's flags as a command receives them (`balance`, `audit`). */
export interface PoolOptions extends CommonOptions {
  plan?: string;
  amount?: string;
  scope?: string;
  overage?: string;
  cycleDay?: string;
  basis?: string;
  countUnclassified?: boolean;
}

/** What command modules take from main.ts: the common options, the pool's options and the run. */
export interface CliHelpers {
  withCommonOptions(cmd: Command): Command;
  withPoolOptions(cmd: Command): Command;
  withRun(opts: CommonOptions, fn: (ctx: RunContext) => void | Promise<void>, flags?: PoolFlags, mode?: RunMode): Promise<void>;
  poolFlags(o: PoolOptions): PoolFlags;
}

export interface RunContext {
  paths: UserPaths;
  settings: UserSettings;
  meter: Meter;
  update: MeterUpdate;
  timezone: string;
  since?: string;
  until?: string;
  now: number;
  /** Set when the run fell back to the bundled demo config dir. */
  demo: boolean;
  notes: string[];
  /** The notes as printed on stderr (a stored answer replays them). */
  printedNotes?: string;
  /** The shared ledger this run synced with (the user's own ledger only), and how that went. */
  shared?: { setup: SharedLedgerSetup; synced?: MeterSync; error?: SyncError };
}

export interface RunMode {
  /**
   * Writes nothing: the ledger is read into memory (what it kept, plus what the transcripts add) and never saved,
   * no lock is taken, no snapshot written (`plans`, which only looks).
   */
  readOnly?: boolean;
  /** A report's stored answer: the run's inputs, noted as they are read. */
  record?: InputRecord;
}

/** `YYYYMMDD` (as ccusage takes it) or `YYYY-MM-DD` → `YYYY-MM-DD`. */
export function parseDateArg(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v.trim());
  if (!m) throw new UsageError(`--${name} must be a date like 20260131 or 2026-01-31 (got "${v}")`);
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) throw new UsageError(`--${name} is not a real date: "${v}"`);
  return iso;
}

export function parseNowArg(v: string | undefined, name = 'now'): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) throw new UsageError(`--${name} must be an ISO instant like 2026-01-31T00:00:00Z (got "${v}")`);
  return t;
}

function demoDir(): string | undefined {
  for (const candidate of [path.join(__dirname, '..', 'demo'), path.join(__dirname, '..', '..', 'demo')]) {
    if (fs.existsSync(path.join(candidate, 'projects'))) return candidate;
  }
  return undefined;
}

/** What the flags ask for that no run could give: refused rather than silently ignored. */
function checkFlags(opts: CommonOptions, flags: PoolFlags, settings: UserSettings): void {
  if (opts.db !== undefined) {
    const dir = path.dirname(path.resolve(opts.db));
    if (!fs.existsSync(dir)) throw new UsageError(`--db ${opts.db}: the folder ${dir} does not exist (create it first, or check the path)`);
  }
  if (flags.amount !== undefined) {
    const plan = findPlan(String(flags.plan ?? settings.plan ?? ''));
    if (plan && plan.amountUsd !== null) {
      throw new UsageError(`--amount applies to the custom and api plans; ${plan.id} is $${plan.amountUsd} a month (for a credit of your own amount: --plan custom --amount ${flags.amount})`);
    }
    if (!plan && !flags.plan && !settings.plan) throw new UsageError('--amount needs a plan: --plan custom (a credit of that amount) or --plan api (a budget)');
  }
}

function hasPoolFlags(flags: PoolFlags): boolean {
  return Object.values(flags).some((v) => v !== undefined);
}

/**
 * `mode.record`: the run's inputs are noted as they are read (a report's stored answer); a run that
 * reads new lines, recovers or drops requests, or cannot write the ledger is not stored.
 */
export async function openRun(opts: CommonOptions, flags: PoolFlags = {}, progress?: ProgressLine, mode: RunMode = {}): Promise<RunContext> {
  const record = mode.record;
  const paths = userPaths();
  const read = loadUserSettings(paths.settings);
  const settings = read.settings;
  // Reading other folders than the user chose would also drop their requests from the ledger: refuse instead.
  if (read.invalidKeys.includes('configDirs') && !opts.configDir?.length) throw new UsageError(`${read.problems.find((p) => p.includes('transcriptFolders'))?.replace(/; ignored$/, '')}. Fix it (credit-ledger config set transcriptFolders <dir,dir>) or pass --config-dir.`);
  const timezone = opts.timezone ?? settings.timezone ?? systemTimeZone();
  if (!isValidTimeZone(timezone)) throw new UsageError(`unknown time zone "${timezone}" (use an IANA name such as Europe/Berlin or UTC)`);
  const since = parseDateArg('since', opts.since);
  const until = parseDateArg('until', opts.until);
  if (since && until && since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  const fixedNow = parseNowArg(opts.now);
  checkFlags(opts, flags, settings);
  const notes: string[] = [...read.problems];
  if (read.problems.length) notes.push('The balance snapshot the hook and the status line read is not written until the settings file is fixed.');
  const named = opts.configDir && opts.configDir.length ? opts.configDir : settings.configDirs && settings.configDirs.length ? settings.configDirs : undefined;
  let configDirs = named;
  let demo = false;
  const resolved = resolveConfigDirs(named);
  const noFolder = !resolved.some((d) => d.exists);
  // The main job on a fresh machine: with no transcripts at all (no folder, or empty folders), the demo.
  if (noFolder || (opts.demoFallback && !opts.configDir?.length && discover(resolved).files.length === 0)) {
    const where = resolved.map((d) => d.projects).join(', ');
    const demoRoot = opts.demoFallback && !opts.configDir?.length ? demoDir() : undefined;
    if (!demoRoot) throw new UsageError(`no Claude Code transcripts found at ${where}. Point --config-dir (or CLAUDE_CONFIG_DIR) at the folder that holds projects/.`, 3);
    notes.push(`No Claude Code transcripts found at ${where}; showing the bundled demo data (${demoRoot}). Your own ledger is not touched.`);
    configDirs = [demoRoot];
    demo = true;
  }
  let ledgerFile: string | undefined;
  let ownLedger = false;
  if (demo) ledgerFile = undefined; // in memory: the demo never touches the user's ledger
  else if (opts.db) ledgerFile = path.resolve(opts.db);
  else if (opts.configDir && opts.configDir.length) ledgerFile = ledgerPathForConfigDirs(paths, resolveConfigDirs(opts.configDir).map((d) => d.projects));
  else {
    ledgerFile = paths.userLedger;
    ownLedger = true;
  }
  // Only the user's own ledger syncs: a --config-dir, --db or demo run stays isolated from the shared ledger.
  let setup: SharedLedgerSetup | undefined;
  if (ownLedger && !demo) {
    try {
      setup = sharedLedgerSetup(paths, settings, process.env, opts.databaseUrl);
    } catch (err) {
      if (err instanceof SyncError) throw new UsageError(err.message);
      throw err;
    }
  } else if (opts.databaseUrl) notes.push('--database-url is ignored: a run with --config-dir, --db or the demo data never touches the shared ledger.');
  let meter: Meter;
  progress?.opening();
  try {
    meter = await Meter.open({
      onPhase: progress?.onPhase,
      shared: !!setup && !mode.readOnly,
      paths,
      settings: { ...settings, timezone },
      configDirs,
      ledgerFile: mode.readOnly ? undefined : ledgerFile,
      memoryCopyOf: mode.readOnly ? ledgerFile : undefined,
      flags,
      // The user's own settings only: a --timezone on a report moves the cycle's reset as much as a plan flag does.
      writesSnapshot: !mode.readOnly && ownLedger && !read.problems.length && fixedNow === undefined && opts.timezone === undefined && !hasPoolFlags(flags),
      clock: fixedNow === undefined ? undefined : () => fixedNow,
      forgetFolders: opts.forgetUnreadFolders ? 'unread' : undefined,
    });
  } catch (err) {
    if (err instanceof PoolSettingsError) throw new UsageError(err.problems.join('\n'));
    throw err;
  }
  for (const f of meter.inputFiles) record?.stat(f);
  if (demo || !ledgerFile || mode.readOnly || meter.ledger.readOnly || meter.ledger.recovered || meter.droppedRequests || meter.unreadFolders.length) record?.notStorable();
  if (meter.ledger.recovered) notes.push(meter.ledger.recovered);
  if (meter.droppedRequests) notes.push(`${meter.droppedRequests} request(s) read earlier from folders this run does not read were removed from ${mode.readOnly ? `this run's copy of ${ledgerFile} (the file is not touched)` : ledgerFile}, as asked.`);
  for (const u of meter.unreadFolders) {
    const gone = u.transcriptsGone ? `; ${u.transcriptsGone} of its transcripts are gone, so only the ledger still holds their spend` : '';
    notes.push(`${ledgerFile} holds ${u.requests} request(s) (${formatUsd(u.costNanos)}) read from ${u.configDir}, which this run does not read${gone}. They stay and still count; run with --forget-unread-folders to remove them.`);
  }
  if (meter.ledger.readOnly && ledgerFile) notes.push(`Another Credit Ledger process is writing ${ledgerFile}; this run reads it without writing and may miss the newest turns.`);
  for (const p of meter.pricer.problems) notes.push(`rate override ignored: ${p}`);
  for (const n of meter.pricer.notices) notes.push(n);
  let update: MeterUpdate;
  let shared: RunContext['shared'];
  try {
    update = await meter.refreshParallel(workerScriptBeside(__dirname));
    if (meter.lastDiscovery) record?.discovered(meter.lastDiscovery);
    if (!mode.readOnly) meter.save();
    // A run that read new lines prints notes an unchanged run (reading nothing) would not.
    if (update.ingest.filesRead || update.ingest.filesReread) record?.notStorable();
    if (setup && !mode.readOnly) {
      record?.notStorable(); // the answer depends on the server, not only on files
      shared = { setup };
      try {
        shared.synced = await syncMeter(meter, setup);
        update = shared.synced.update;
      } catch (err) {
        shared.error = err instanceof SyncError ? err : new SyncError(String(err));
        notes.push(`${shared.error.message}. Showing this machine's figures with the other machines' rows as of the last sync (${syncedAgo(meter.ledger.meta('sync.lastSync') || null, Date.now())}); what this machine has not pushed waits in the outbox.`);
      }
      meter.save(); // what the server acknowledged leaves the outbox, even after a failure part-way
    }
  } catch (err) {
    meter.close(); // releases the ledger's lock
    throw err;
  }
  for (const p of update.ingest.problems) notes.push(`${p.path}: ${p.problem}`);
  notes.push(...malformedNotes(update.ingest));
  if (meter.malformedJournalLines) notes.push(`${meter.malformedJournalLines} malformed journal line(s) skipped in ${paths.journal}${meter.recoveredJournalFacts ? ` (${meter.recoveredJournalFacts} fact(s) recovered from them)` : ''}`);
  // Only folders the user named: one of the two default locations missing is normal.
  if (named) for (const d of meter.configDirs) if (!d.exists) notes.push(`config dir ${d.root} has no projects/ folder (skipped)`);
  return { paths, settings, meter, update, timezone, since, until, now: meter.now(), demo, notes, shared };
}

/** Lines skipped by the last ingest: the ones that are not JSON apart from the requests whose usage no real request can carry. */
export function malformedNotes(ingest: MeterUpdate['ingest']): string[] {
  const notes: string[] = [];
  const rejected = ingest.rejectedRequests;
  const other = ingest.malformedLines - rejected;
  const first = (want: boolean): string => {
    const s = ingest.malformedSamples.find((m) => m.reason.startsWith(REJECTED_USAGE) === want);
    return s ? ` (first: ${s.file}:${s.offset}, ${s.reason})` : '';
  };
  if (other > 0) notes.push(`${other} malformed transcript line(s) skipped${first(false)}`);
  if (rejected > 0) notes.push(`${rejected} request line(s) rejected: usage no real request can carry, or not a token count; not priced${first(true)}`);
  return notes;
}
