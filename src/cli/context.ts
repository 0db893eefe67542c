// Opens the ledger a CLI run should use and ingests what is new (DESIGN.md "Where state lives").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ledger, type IngestReport } from '../core/ledger/ledger';
import { ledgerPathForConfigDirs, recordSaved, seedFor } from '../core/ledger/registry';
import { createPricer, loadRateCard, type Pricer } from '../core/pricing/pricer';
import { userPaths, type UserPaths } from '../core/state/paths';
import { readUserSettings, type UserSettings } from '../core/state/settings';
import { resolveConfigDirs, type ConfigDir } from '../core/transcripts/discovery';
import { isValidTimeZone, systemTimeZone } from '../core/reports/timeZone';
import { UsageError } from './errors';

export interface CommonOptions {
  configDir?: string[];
  db?: string;
  since?: string;
  until?: string;
  timezone?: string;
  json?: boolean;
  color?: boolean;
  demoFallback?: boolean;
}

export interface RunContext {
  paths: UserPaths;
  settings: UserSettings;
  pricer: Pricer;
  ledger: Ledger;
  configDirs: ConfigDir[];
  ingest: IngestReport;
  timezone: string;
  since?: string;
  until?: string;
  /** True when the run is over the user's own transcripts with their own settings (may write the snapshot). */
  ownLedger: boolean;
  /** Set when the run fell back to the bundled demo config dir. */
  demo: boolean;
  notes: string[];
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

function demoDir(): string | undefined {
  for (const candidate of [path.join(__dirname, '..', 'demo'), path.join(__dirname, '..', '..', 'demo')]) {
    if (fs.existsSync(path.join(candidate, 'projects'))) return candidate;
  }
  return undefined;
}

export async function openRun(opts: CommonOptions, onProgress?: (done: number, total: number) => void): Promise<RunContext> {
  const paths = userPaths();
  const settings = readUserSettings(paths.settings);
  const timezone = opts.timezone ?? settings.timezone ?? systemTimeZone();
  if (!isValidTimeZone(timezone)) throw new UsageError(`unknown time zone "${timezone}" (use an IANA name such as Europe/Berlin or UTC)`);
  const since = parseDateArg('since', opts.since);
  const until = parseDateArg('until', opts.until);
  if (since && until && since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  const pricer = createPricer(loadRateCard(), settings.rateOverrides ?? null);
  const notes: string[] = pricer.problems.map((p) => `rate override ignored: ${p}`);
  const explicitDirs = opts.configDir && opts.configDir.length ? opts.configDir : settings.configDirs && settings.configDirs.length ? settings.configDirs : undefined;
  let configDirs = resolveConfigDirs(opts.configDir && opts.configDir.length ? opts.configDir : explicitDirs);
  let demo = false;
  if (!configDirs.some((d) => d.exists)) {
    const where = configDirs.map((d) => d.projects).join(', ');
    const demoRoot = opts.demoFallback && !opts.configDir?.length ? demoDir() : undefined;
    if (!demoRoot) {
      throw new UsageError(`no Claude Code transcripts found at ${where}. Point --config-dir (or CLAUDE_CONFIG_DIR) at the folder that holds projects/.`, 3);
    }
    notes.push(`No Claude Code transcripts found at ${where}; showing the bundled demo data (${demoRoot}). Your own ledger is not touched.`);
    configDirs = resolveConfigDirs([demoRoot]);
    demo = true;
  }
  const dirRoots = configDirs.map((d) => d.projects);
  let file: string | undefined;
  let ownLedger = false;
  if (demo) file = undefined; // in memory: the demo never touches the user's ledger
  else if (opts.db) file = path.resolve(opts.db);
  else if (opts.configDir && opts.configDir.length) file = ledgerPathForConfigDirs(paths, dirRoots);
  else {
    file = paths.userLedger;
    ownLedger = true;
  }
  const ledger = await Ledger.open({ file, pricer, seedFrom: file ? seedFor(paths, file, dirRoots) : undefined, allowLabels: settings.allowLabels === true });
  if (ledger.recovered) notes.push(ledger.recovered);
  if (ledger.readOnly && file) notes.push(`Another Credit Ledger process is writing ${file}; this run reads it without writing and may miss the newest turns.`);
  const ingest = ledger.ingest(configDirs, onProgress);
  if (file && ledger.isDirty && !ledger.readOnly) {
    ledger.save();
    recordSaved(paths, file, dirRoots);
  }
  for (const p of ingest.problems) notes.push(`${p.path}: ${p.problem}`);
  if (ingest.malformedLines) notes.push(`${ingest.malformedLines} malformed transcript line(s) skipped (first: ${ingest.malformedSamples[0]?.file}:${ingest.malformedSamples[0]?.offset}, ${ingest.malformedSamples[0]?.reason})`);
  for (const d of configDirs) if (!d.exists) notes.push(`config dir ${d.root} has no projects/ folder (skipped)`);
  return { paths, settings, pricer, ledger, configDirs, ingest, timezone, since, until, ownLedger, demo, notes };
}
