// The meter: one ledger over a set of config dirs, the journal replayed into it, and the balance
// computed from both. The CLI and the extension each build one; only a meter over the user's own
// transcripts with the user's own settings writes the per-user balance snapshot.
import * as os from 'node:os';
import { Corrector, type CorrectionUpdate } from '../corrections/corrector';
import { Ledger, type IngestReport, type UnreadFolder } from '../ledger/ledger';
import { recordSaved, seedFor } from '../ledger/registry';
import { createPricer, type Pricer } from '../pricing/pricer';
import { userRateCard } from '../pricing/rateFile';
import { computeBalance, previousCycles, readSnapshot, resolvePoolSettings, snapshotFromBalance, type Balance, type LiveSession, type PoolFlags, type PoolInput, type PoolSettings, type SessionFacts, type SpendRow } from '../pool';
import { sweepLeftovers, tightenModes, writeFileAtomic } from '../state/atomicFile';
import * as path from 'node:path';
import { readJournal, type Fact } from '../state/journal';
import type { UserPaths } from '../state/paths';
import type { UserSettings } from '../state/settings';
import { discover, realPathOf, resolveConfigDirs, type ConfigDir, type Discovery, type TranscriptFile } from '../transcripts/discovery';
import { firstRequestAt, refreshSpendRows, sessionFacts, spendRows } from './ledgerRows';
import { unpersistedRunSpend } from '../headless/runFact';
import type { PhaseListener } from '../progress';
import { recordLocalChanges } from '../sync/outbox';

export interface MeterOptions {
  paths: UserPaths;
  settings: UserSettings;
  /** Config dirs named for this meter; undefined: the settings' folders, else CLAUDE_CONFIG_DIR, else the defaults. */
  configDirs?: string[];
  /** Ledger file; undefined keeps the ledger in memory. */
  ledgerFile?: string;
  /**
   * With no `ledgerFile`: start the in-memory ledger as a copy of this file (or of the newest ledger saved over the
   * same folders), so a read-only run sees every request the file kept and nothing is ever written back.
   */
  memoryCopyOf?: string;
  /** Whether this meter may write the per-user balance snapshot (never for --config-dir/--db/--now/plan-flag runs). */
  writesSnapshot: boolean;
  flags?: PoolFlags;
  /** Epoch ms "now"; fixed for reproducible CLI output with --now. */
  clock?: () => number;
  /** false: start an empty ledger even when another ledger over the same folders exists (Rebuild). */
  seed?: boolean;
  env?: Record<string, string | undefined>;
  /**
   * Folders off the read list whose requests the user said to remove from the ledger: 'unread' for
   * all of them. Without it nothing leaves the ledger (spend whose transcripts are gone cannot come back).
   */
  forgetFolders?: 'unread' | readonly string[];
  /** Phase progress of every refresh (discovering, reading, storing, correcting, saving). */
  onPhase?: PhaseListener;
  /** The shared ledger is configured for this meter (the user's own ledger only): changes go to the outbox, the snapshot says merged. */
  shared?: boolean;
}

export interface MeterUpdate {
  ingest: IngestReport;
  balance: Balance;
  /** New journal facts since the last update. */
  newFacts: number;
  /** What the corrections pass recomputed after this ingest. */
  corrections?: CorrectionUpdate;
}

/**
 * The writer of a ledger (it holds the lock) removes what saves killed midway left, and narrows
 * state an older Credit Ledger created readable by others. A ledger elsewhere (--db, workspace
 * storage) keeps its folder's modes: only its own files are touched.
 */
function keepStateTidy(paths: UserPaths, ledgerFile: string): void {
  const ledgerDir = path.dirname(ledgerFile);
  sweepLeftovers(ledgerDir, path.basename(ledgerFile));
  const ours = ledgerDir === paths.ledgersDir;
  if (ours) sweepLeftovers(ledgerDir);
  sweepLeftovers(paths.dataDir);
  tightenModes([paths.dataDir, ...(ours ? [paths.ledgersDir] : [])], [ledgerFile, `${ledgerFile}.prev`, paths.journal, paths.snapshot, paths.ledgerIndex]);
}

/** Sessions whose turns were written in the last few minutes: their context size is "live". */
const LIVE_WINDOW_MS = 10 * 60 * 1000;

export class Meter {
  readonly ledger: Ledger;
  private pricerNow: Pricer;
  private poolSettingsNow: PoolSettings;
  readonly configDirs: ConfigDir[];
  private readonly opts: MeterOptions;
  private readonly corrector: Corrector;
  private facts: Fact[] = [];
  private journalOffset = 0;
  private journalMalformed = 0;
  private journalRecovered = 0;
  private lastBalance: Balance | undefined;
  /** Spend rows and session facts kept between updates; an update re-reads only what its ingest changed. */
  private rows: Map<string, SpendRow> | undefined;
  /** The cached rows hold every request from this instant on. */
  private rowsFrom = Infinity;
  private sessions: Map<string, SessionFacts> | undefined;
  private pendingKeys: string[] = [];
  private pendingSessions = new Set<string>();
  /** Sessions ingested since the last settle: their corrections are due. */
  private unsettledSessions = new Set<string>();
  /** Set when every session must be re-read (a journal fact can mark a session headless). */
  private sessionsStale = true;

  private constructor(opts: MeterOptions, ledger: Ledger, pricer: Pricer, poolSettings: PoolSettings, configDirs: ConfigDir[]) {
    this.opts = opts;
    this.ledger = ledger;
    this.pricerNow = pricer;
    this.poolSettingsNow = poolSettings;
    this.configDirs = configDirs;
    const env = opts.env ?? process.env;
    this.corrector = new Corrector({ configRoots: configDirs.map((d) => d.root), home: os.homedir(), xdgConfigHome: env.XDG_CONFIG_HOME });
  }

  /** Resolves settings (throws PoolSettingsError with every problem) and opens the ledger. */
  static async open(opts: MeterOptions): Promise<Meter> {
    const poolSettings = resolvePoolSettings(opts.settings, opts.flags ?? {});
    const named = opts.configDirs && opts.configDirs.length ? opts.configDirs : opts.settings.configDirs && opts.settings.configDirs.length ? opts.settings.configDirs : undefined;
    const configDirs = resolveConfigDirs(named, opts.env ?? process.env);
    const pricer = createPricer(userRateCard(opts.paths).card, opts.settings.rateOverrides ?? null);
    const projects = configDirs.map((d) => d.projects);
    const ledger = await Ledger.open({
      file: opts.ledgerFile,
      pricer,
      seedFrom: opts.ledgerFile
        ? opts.seed !== false ? seedFor(opts.paths, opts.ledgerFile, projects) : undefined
        : opts.memoryCopyOf && (seedFor(opts.paths, opts.memoryCopyOf, projects) ?? opts.memoryCopyOf),
      allowLabels: opts.settings.allowLabels === true,
    });
    if (opts.ledgerFile && !ledger.readOnly) keepStateTidy(opts.paths, opts.ledgerFile);
    try {
      const meter = new Meter(opts, ledger, pricer, poolSettings, configDirs);
      const unread = ledger.unreadFolders(projects);
      const named = opts.forgetFolders === 'unread' ? undefined : new Set((opts.forgetFolders ?? []).map(realPathOf));
      const asked = named ? unread.filter((u) => named.has(realPathOf(u.configDir))) : unread;
      meter.droppedRequests = ledger.forgetFolders(asked.map((u) => u.configDir));
      meter.unreadFolders = unread.filter((u) => !asked.includes(u));
      ledger.onPhase = opts.onPhase;
      return meter;
    } catch (err) {
      ledger.close(); // never leave the lock behind for a meter nobody got
      throw err;
    }
  }

  /** Requests removed at open from folders no longer read, as the user asked (`forgetFolders`). */
  droppedRequests = 0;
  /** What the last full refresh found (taken before any file was read). */
  lastDiscovery: Discovery | undefined;

  /** Files besides the transcripts, the journal and the settings that this meter's figures read. */
  get inputFiles(): readonly string[] {
    // The user's rate file decides every price: a stored answer read before an import is stale after it.
    return [...this.corrector.inputFiles, this.opts.paths.rates];
  }
  /** Folders this ledger read that this meter does not: their requests stay and count until the user says to remove them. */
  unreadFolders: UnreadFolder[] = [];

  get pricer(): Pricer {
    return this.pricerNow;
  }

  get poolSettings(): PoolSettings {
    return this.poolSettingsNow;
  }

  /**
   * New settings without reopening the ledger (throws PoolSettingsError). Rate overrides re-price
   * stored requests; folders and prompt labels need a new meter (they change what is read).
   */
  updateSettings(settings: UserSettings, flags: PoolFlags = this.opts.flags ?? {}): Balance {
    this.poolSettingsNow = resolvePoolSettings(settings, flags);
    const pricer = createPricer(userRateCard(this.opts.paths).card, settings.rateOverrides ?? null);
    if (pricer.fingerprint !== this.pricerNow.fingerprint) {
      this.pricerNow = pricer;
      this.ledger.setPricer(pricer);
      this.rows = undefined; // every cost may have moved
    }
    this.opts.settings = settings;
    this.opts.flags = flags;
    return this.settle().balance;
  }

  now(): number {
    return this.opts.clock ? this.opts.clock() : Date.now();
  }

  get journalFacts(): readonly Fact[] {
    return this.facts;
  }

  get malformedJournalLines(): number {
    return this.journalMalformed;
  }

  /** Facts taken back from malformed journal lines (a cut line with a whole fact behind it). */
  get recoveredJournalFacts(): number {
    return this.journalRecovered;
  }

  /** Discovers every transcript (or takes a discovery already made), ingests what is new, replays the journal, recomputes the balance. */
  refresh(onProgress?: (done: number, total: number) => void, found: Discovery = this.discoverWithPhase()): MeterUpdate {
    return this.afterFullIngest(found, this.ledger.ingestFiles(found.files, onProgress));
  }

  /** The same, with a large first ingest spread over worker threads (both cores). */
  async refreshParallel(workerScript: string | undefined, onProgress?: (done: number, total: number) => void): Promise<MeterUpdate> {
    const found = this.discoverWithPhase();
    return this.afterFullIngest(found, await this.ledger.ingestFilesParallel(found.files, workerScript, onProgress));
  }

  private discoverWithPhase(): Discovery {
    const phase = this.opts.onPhase;
    phase?.({ phase: 'discovering', state: 'start' });
    const found = discover(this.configDirs);
    phase?.({ phase: 'discovering', state: 'end', done: found.files.length, total: found.files.length });
    return found;
  }

  /** After every file was looked at: discovery's problems reported, files now gone marked (their requests stay). */
  private afterFullIngest(found: Discovery, ingest: IngestReport): MeterUpdate {
    this.lastDiscovery = found;
    ingest.configDirs = this.configDirs;
    ingest.problems = found.problems.concat(ingest.problems);
    this.ledger.markMissing(new Set(found.files.map((f) => f.path)));
    return this.finish(ingest);
  }

  /** Ingests only the given files (driven by file events: unchanged files are not re-checked). */
  refreshFiles(files: TranscriptFile[]): MeterUpdate {
    return this.finish(this.ledger.ingestFiles(files));
  }

  /** The files to ingest in slices (the extension yields between slices so the editor never stalls). */
  discoverFiles(): TranscriptFile[] {
    return discover(this.configDirs).files;
  }

  /** Every transcript and the problems met on the way (unreadable folders, symlink loops). */
  discover(): Discovery {
    return discover(this.configDirs);
  }

  /**
   * One slice of a long ingest: reads the files (at most `maxBytesPerFile` of each) without
   * correcting, balancing or writing the snapshot; `settle()` does those once, at the end.
   */
  ingestSlice(files: TranscriptFile[], maxBytesPerFile = Infinity): IngestReport {
    const ingest = this.ledger.ingestFiles(files, undefined, maxBytesPerFile);
    this.note(ingest);
    return ingest;
  }

  /** Journal, corrections, balance and snapshot for everything ingested since the last settle. */
  settle(): MeterUpdate {
    return this.finish(this.emptyReport());
  }

  private note(ingest: IngestReport): void {
    if (this.opts.shared && !this.ledger.readOnly) recordLocalChanges(this.ledger, ingest.changedKeys, ingest.changedSessions);
    this.pendingKeys.push(...ingest.changedKeys);
    for (const s of ingest.changedSessions) {
      this.pendingSessions.add(s);
      this.unsettledSessions.add(s);
    }
  }

  /** Rows another machine wrote, pulled from the shared ledger: re-read, corrected and balanced like an ingest (never sent back). */
  applyRemote(changedKeys: readonly string[], changedSessions: readonly string[]): MeterUpdate {
    this.pendingKeys.push(...changedKeys);
    for (const s of changedSessions) {
      this.pendingSessions.add(s);
      this.unsettledSessions.add(s);
    }
    // Only the sessions pulled are read again (a full re-read on every sync costs a refresh ~70 ms on 100K requests).
    return this.finish(this.emptyReport());
  }

  /** Whether figures include other machines' rows (the shared ledger is configured and was pulled at least once). */
  get merged(): boolean {
    return !!this.opts.shared && !!this.ledger.meta('sync.ledgerId');
  }

  /** Spend per machine over [from, to) on the balance's basis, for the sessions the balance counts ('' = this machine). */
  spendByMachine(from: number, to: number, counted: ReadonlySet<string>): Map<string, number> {
    if (!this.rows) this.computeBalance();
    const elsewhere = new Map<string, string>();
    const r = this.ledger.db.exec(`SELECT key, machine_id FROM requests WHERE machine_id <> '' AND ts >= ? AND ts < ?`, [from, to]);
    if (r.length) for (const v of r[0].values) elsewhere.set(String(v[0]), String(v[1]));
    const corrected = this.poolSettings.basis === 'corrected';
    const out = new Map<string, number>();
    for (const [key, row] of this.rows!) {
      if (row.timestamp < from || row.timestamp >= to || !counted.has(row.sessionId)) continue;
      const machine = elsewhere.get(key) ?? '';
      out.set(machine, (out.get(machine) ?? 0) + (corrected ? row.correctedCostNanos ?? row.costNanos : row.costNanos));
    }
    return out;
  }

  private emptyReport(): IngestReport {
    return {
      configDirs: this.configDirs, filesSeen: 0, filesRead: 0, filesReread: 0, filesUnchanged: 0, bytesRead: 0, linesRead: 0, requestsAdded: 0,
      requestsUpdated: 0, malformedLines: 0, rejectedRequests: 0, malformedSamples: [], problems: [], durationMs: 0, changedKeys: [], changedSessions: [],
    };
  }

  private finish(ingest: IngestReport): MeterUpdate {
    this.note(ingest);
    const newFacts = this.readNewFacts();
    if (newFacts) this.sessionsStale = true;
    // Corrections of the sessions changed since the last settle (or by a new `claude -p` result), before the balance reads them.
    const due = this.unsettledSessions.size;
    this.opts.onPhase?.({ phase: 'correcting', state: 'start', done: 0, total: due });
    const corrections = this.corrector.update(this.ledger, this.pricer, [...this.unsettledSessions], this.facts);
    this.opts.onPhase?.({ phase: 'correcting', state: 'end', done: corrections.sessions, total: corrections.sessions });
    this.unsettledSessions.clear();
    this.pendingKeys.push(...corrections.changedKeys);
    // The balance is computed when someone asks (a report alone never needs it), or now for the snapshot.
    let balance: Balance | undefined;
    const balanceNow = (): Balance => (balance ??= this.computeBalance());
    if (this.opts.writesSnapshot && !this.ledger.readOnly) this.writeSnapshot(balanceNow());
    return {
      ingest,
      newFacts,
      corrections,
      get balance(): Balance {
        return balanceNow();
      },
    };
  }

  private readNewFacts(): number {
    const read = readJournal(this.opts.paths.journal, this.journalOffset);
    if (read.endOffset < this.journalOffset) this.facts = []; // the journal was replaced: replay it all
    this.journalOffset = read.endOffset;
    this.journalMalformed += read.malformed;
    this.journalRecovered += read.recovered;
    this.facts.push(...read.facts);
    return read.facts.length;
  }

  /** Facts of one kind, in journal order. */
  factsOf(kind: string): Fact[] {
    return this.facts.filter((f) => f.kind === kind);
  }

  computeBalance(now: number = this.now()): Balance {
    const settings = this.poolSettings;
    const earliest = previousCycles(now, 3, settings.cycleDay, settings.timezone).reduce((min, c) => Math.min(min, c.start), now) - 8 * 86_400_000;
    const balance = computeBalance(this.poolInput(earliest), now);
    this.lastBalance = balance;
    return balance;
  }

  /**
   * What the pool reads: spend rows from `from` on (at least; the cache may hold older ones), the sessions, the
   * journal's facts and the runs that left no transcript. The balance and the plan comparison both read this.
   */
  poolInput(from: number): PoolInput {
    if (!this.rows || from < this.rowsFrom) {
      this.rows = spendRows(this.ledger.db, from);
      this.rowsFrom = from;
      this.pendingKeys = [];
    } else if (this.pendingKeys.length) {
      refreshSpendRows(this.ledger.db, this.rows, this.pendingKeys);
      this.pendingKeys = [];
    }
    const rowSessions = new Set<string>();
    for (const r of this.rows.values()) rowSessions.add(r.sessionId);
    const runFacts = this.factsOf('run');
    const captured = new Set(runFacts.map((f) => String(f.sessionId ?? '')).filter(Boolean));
    if (!this.sessions || this.sessionsStale) {
      this.sessions = new Map(sessionFacts(this.ledger.db, captured).map((s) => [s.sessionId, s]));
      this.sessionsStale = false;
    } else {
      // sessions touched by the last ingest, and sessions first seen in the spend rows
      for (const id of rowSessions) if (!this.sessions.has(id)) this.pendingSessions.add(id);
      if (this.pendingSessions.size) for (const s of sessionFacts(this.ledger.db, captured, [...this.pendingSessions])) this.sessions.set(s.sessionId, s);
    }
    this.pendingSessions.clear();
    // Runs that left no transcript (--no-session-persistence) spend what their results say.
    const unpersisted = unpersistedRunSpend(runFacts, this.pricer, rowSessions);
    const sessions = [...this.sessions.values(), ...unpersisted.sessions.filter((s) => !this.sessions!.has(s.sessionId))];
    return { settings: this.poolSettings, rows: [...this.rows.values(), ...unpersisted.rows], sessions, facts: this.facts };
  }

  /** The earliest request the ledger holds (epoch ms), or null when it holds none: how much history there is. */
  firstRequestAt(): number | null {
    return firstRequestAt(this.ledger.db);
  }

  get balance(): Balance {
    return this.lastBalance ?? this.computeBalance();
  }

  /** Recorded and corrected spend per session over [from, to) (both columns of the balance's session lists). */
  sessionSpend(from: number, to: number): Map<string, { recordedNanos: number; correctedNanos: number }> {
    if (!this.rows) this.computeBalance();
    const out = new Map<string, { recordedNanos: number; correctedNanos: number }>();
    for (const r of this.rows!.values()) {
      if (r.timestamp < from || r.timestamp >= to) continue;
      const s = out.get(r.sessionId) ?? { recordedNanos: 0, correctedNanos: 0 };
      s.recordedNanos += r.costNanos;
      s.correctedNanos += r.correctedCostNanos ?? r.costNanos;
      out.set(r.sessionId, s);
    }
    return out;
  }

  /** Context size of the sessions written to in the last minutes (for the hook and the status line). */
  liveSessions(now: number = this.now()): LiveSession[] {
    const r = this.ledger.db.exec(
      `SELECT session_id, input + cw5m + cw1h + cr, ts FROM requests r
       WHERE ts >= ? AND sidechain = 0 AND ts = (SELECT max(ts) FROM requests r2 WHERE r2.session_id = r.session_id AND r2.sidechain = 0)`,
      [now - LIVE_WINDOW_MS],
    );
    if (!r.length) return [];
    return r[0].values.map((v) => ({ sessionId: String(v[0]), contextTokens: Number(v[1]), updatedAt: new Date(Number(v[2])).toISOString() }));
  }

  writeSnapshot(balance: Balance): void {
    const snapshot = snapshotFromBalance(balance, { stampedAt: this.now(), configDirs: this.configDirs.map((d) => d.root), liveSessions: this.liveSessions(), merged: this.merged });
    // A figure of this machine alone never replaces one that includes the other machines (a day-old one of the same cycle at most: sync may have been turned off).
    const current = snapshot.merged ? undefined : readSnapshot(this.opts.paths.snapshot);
    if (current?.merged && current.cycle.end === snapshot.cycle.end && this.now() - Date.parse(current.stampedAt) < 86_400_000) return;
    try {
      writeFileAtomic(this.opts.paths.snapshot, JSON.stringify(snapshot, null, 1) + '\n');
    } catch {
      // the snapshot is a convenience for fast readers; the ledger stays the truth
    }
  }

  save(): void {
    const file = this.opts.ledgerFile;
    if (!file || !this.ledger.isDirty) return;
    this.opts.onPhase?.({ phase: 'saving', state: 'start' });
    this.ledger.save();
    this.opts.onPhase?.({ phase: 'saving', state: 'end' });
    recordSaved(this.opts.paths, file, this.configDirs.map((d) => d.projects));
  }

  close(): void {
    this.ledger.close();
  }
}
