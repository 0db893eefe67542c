// The per-user settings file: mirrored from VS Code settings by the extension, read by the CLI
// and the hook, written by `credit-ledger config`. Flags override it for one run.
import type { HookUserSettings } from '../hook/settings';
import { readJsonFile, writeFileAtomic } from './atomicFile';

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
  [key: string]: unknown;
}

export function readUserSettings(file: string): UserSettings {
  const v = readJsonFile<unknown>(file);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as UserSettings) : {};
}

export function writeUserSettings(file: string, settings: UserSettings): void {
  writeFileAtomic(file, JSON.stringify(settings, null, 2) + '\n');
}
