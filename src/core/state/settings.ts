// The per-user settings file: mirrored from VS Code settings by the extension, read by the CLI
// and the hook, written by `credit-ledger config`. Flags override it for one run.
import type { HookUserSettings } from '../hook/settings';
import * as fs from 'node:fs';
import { writeFileAtomic } from './atomicFile';
import { withFileLock } from './fileLock';
import { currentName, decodeSettingsFile, encodeSettingsFile } from './settingNames';
import { readRegularText } from './regularFile';

export interface RateOverride {
  input: number;
  output: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  cacheRead?: number;
}

export interface UserSettings {
  /** Plan id (see core/pool/plans): pro, max5x, max20x, team-standard, ..., custom, api. */
  plan?: string;
  /** Amount in USD for `custom` and `api` (a monthly budget). */
  amount?: number;
  scope?: 'headless' | 'all';
  overage?: 'bill' | 'stop';
  /** Day of month the billing cycle resets (1-31; 29-31 clamp to short months). */
  cycleDay?: number;
  /** IANA time zone for day grouping and the cycle reset; default: the system's. */
  timezone?: string;
  /** Whether `local-agent` and unknown entrypoints count against the credit. */
  countUnclassified?: boolean;
  basis?: 'recorded' | 'corrected';
  /** Share of the allotment left under which the status bar turns to warning colour (0-1). */
  warnShare?: number;
  /** Spent shares (0-1) that raise a notification once per cycle. */
  notifyAt?: number[];
  /** Transcript folders (config dirs); empty = CLAUDE_CONFIG_DIR or the defaults. */
  configDirs?: string[];
  rateOverrides?: Record<string, RateOverride>;
  /** Whether the first 80 characters of prompts may be stored as session labels. */
  allowLabels?: boolean;
  /** The Claude Code hook, status line and in-editor context warnings (core/hook/settings). */
  hook?: HookUserSettings;
  /** The shared ledger (core/sync): a postgres:// URL without its password; CREDIT_LEDGER_DATABASE_URL and --database-url override it. */
  databaseUrl?: string;
  /** This machine's name for other machines (default: the hostname). */
  machineLabel?: string;
  [key: string]: unknown;
}

/** What a value must be for the code that reads it not to misread or crash on it; anything may edit the file. */
const SHAPES: Readonly<Record<string, { ok: (v: unknown) => boolean; what: string }>> = {
  plan: { ok: isString, what: 'a plan id (text)' },
  amount: { ok: isNumberLike, what: 'an amount in USD' },
  scope: { ok: isString, what: '"headless" or "all"' },
  overage: { ok: isString, what: '"bill" or "stop"' },
  cycleDay: { ok: isNumberLike, what: 'a day of the month (1-31)' },
  timezone: { ok: isString, what: 'an IANA time zone name' },
  countUnclassified: { ok: isBoolean, what: 'true or false' },
  basis: { ok: isString, what: '"recorded" or "corrected"' },
  warnShare: { ok: isNumberLike, what: 'a share from 0 to 1' },
  notifyAt: { ok: (v) => Array.isArray(v) && v.every((x) => typeof x === 'number'), what: 'a list of shares from 0 to 1' },
  configDirs: { ok: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), what: 'a list of folder paths (text)' },
  rateOverrides: { ok: (v) => isObject(v) && Object.values(v).every(isObject), what: 'an object of model id -> rates' },
  allowLabels: { ok: isBoolean, what: 'true or false' },
  hook: { ok: isObject, what: 'an object' },
  audit: { ok: isObject, what: 'an object' },
};

function isString(v: unknown): boolean {
  return typeof v === 'string';
}
function isBoolean(v: unknown): boolean {
  return typeof v === 'boolean';
}
function isNumberLike(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'string'; // the pool reads "20" as 20 and says so when it is not a number
}
function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The settings file as read: what may be used, what is wrong with it (each problem names the file). */
export interface SettingsRead {
  /** The values of the right type (a wrong-typed one is left out, and named in `problems`). */
  settings: UserSettings;
  /** Why the file could not be read as a JSON object; its settings are not used. Undefined when fine or absent. */
  malformed?: string;
  /** Keys left out for their type. */
  invalidKeys: string[];
  problems: string[];
}

type Parsed = { kind: 'absent' } | { kind: 'object'; value: Record<string, unknown> } | { kind: 'malformed'; why: string };

function parseSettingsText(text: string | undefined): Parsed {
  if (text === undefined || text.trim() === '') return { kind: 'absent' }; // nothing there to lose
  try {
    const v = JSON.parse(text) as unknown;
    return isObject(v) ? { kind: 'object', value: v } : { kind: 'malformed', why: `it holds ${Array.isArray(v) ? 'a list' : JSON.stringify(v)}, not an object` };
  } catch (err) {
    return { kind: 'malformed', why: `it is not valid JSON (${(err as Error).message})` };
  }
}

function readText(file: string): string | undefined {
  return readRegularText(file); // a FIFO in its place must not hang the hook or the CLI
}

export function checkUserSettings(raw: Record<string, unknown>, file: string): { settings: UserSettings; invalidKeys: string[]; problems: string[] } {
  const settings: UserSettings = {};
  const invalidKeys: string[] = [];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const shape = SHAPES[key];
    if (shape && value !== null && value !== undefined && !shape.ok(value)) {
      invalidKeys.push(key);
      problems.push(`settings file ${file}: ${currentName(key) ?? key} must be ${shape.what} (got ${JSON.stringify(value)}); ignored`);
    } else settings[key] = value;
  }
  return { settings, invalidKeys, problems };
}

/** Reads the per-user settings file; never throws for its content (an unreadable file is a problem, not a crash). */
export function loadUserSettings(file: string): SettingsRead {
  let text: string | undefined;
  try {
    text = readText(file);
  } catch (err) {
    const why = `it cannot be read (${(err as Error).message})`;
    return { settings: {}, malformed: why, invalidKeys: [], problems: [`settings file ${file}: ${why}; none of its settings are used`] };
  }
  const parsed = parseSettingsText(text);
  if (parsed.kind === 'absent') return { settings: {}, invalidKeys: [], problems: [] };
  if (parsed.kind === 'malformed') {
    return { settings: {}, malformed: parsed.why, invalidKeys: [], problems: [`settings file ${file}: ${parsed.why}; none of its settings (plan, time zone, rate overrides...) are used until it is fixed`] };
  }
  return checkUserSettings(decodeSettingsFile(parsed.value), file);
}

/** The usable settings (see loadUserSettings for what was wrong with the file). */
export function readUserSettings(file: string): UserSettings {
  return loadUserSettings(file).settings;
}

export class SettingsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsFileError';
  }
}

export interface SettingsUpdate {
  /** The file's content as written (each setting under its one name). */
  written: Record<string, unknown>;
  /** The same as the engine reads it (loadUserSettings: old names, wrong-typed values left out). */
  settings: UserSettings;
  /** Whether the file was written (not when `change` left it as it was). */
  changed: boolean;
  /** Where a malformed file was moved before writing (`onMalformed: 'setAside'`). */
  setAside?: string;
}

/**
 * Read-modify-write under the settings lock, written atomically: concurrent writers (several `config set`,
 * VS Code windows) never lose each other's keys. `change` gets the file as written (wrong-typed values
 * included: they are the user's to fix, not ours to drop). A malformed file is never overwritten:
 * `refuse` throws SettingsFileError, `setAside` moves it beside (`settings.json.malformed-<time>`) first.
 */
export function updateUserSettings(file: string, change: (current: Record<string, unknown>) => Record<string, unknown>, onMalformed: 'refuse' | 'setAside' = 'refuse', now: () => number = Date.now): SettingsUpdate {
  return withFileLock(file, () => {
    const parsed = parseSettingsText(readText(file));
    let setAside: string | undefined;
    if (parsed.kind === 'malformed') {
      if (onMalformed === 'refuse') throw new SettingsFileError(`settings file ${file}: ${parsed.why}. Nothing was written: fix the file (or move it away) and try again.`);
      setAside = `${file}.malformed-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(file, setAside);
    }
    const before = parsed.kind === 'object' ? parsed.value : {};
    // `change` sees the names the engine reads; the file gets each setting's one name (settingNames)
    const written = encodeSettingsFile(change(decodeSettingsFile(before)));
    const settings = checkUserSettings(decodeSettingsFile(written), file).settings;
    if (!setAside && JSON.stringify(written) === JSON.stringify(before)) return { written, settings, changed: false };
    writeFileAtomic(file, JSON.stringify(written, null, 2) + '\n');
    return { written, settings, changed: true, setAside };
  });
}
