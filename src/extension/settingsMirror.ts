// VS Code settings -> the per-user settings file the CLI and the hook read (DESIGN.md "Where state lives").
// Rule: what the user set in VS Code wins; what VS Code leaves unset keeps the file's value (the CLI's
// `credit-ledger config` may have written it); resetting a setting in VS Code removes it from the file.
// Pure, no `vscode` import: test/unit/extension-settings.test.ts.
import type { UserSettings } from '../core/state/settings';
import { SETTING_DEFAULTS, SETTING_KEYS, type SettingKey } from './ids';
import { normalizeThresholds } from './thresholds';

/** Where each VS Code setting goes in the per-user file; null: VS Code only. */
export const MIRROR_MAP: Readonly<Record<SettingKey, keyof UserSettings | null>> = {
  plan: 'plan',
  amount: 'amount',
  scope: 'scope',
  overage: 'overage',
  cycleDay: 'cycleDay',
  timeZone: 'timezone',
  countUnclassified: 'countUnclassified',
  basis: 'basis',
  warnShare: 'warnShare',
  notifyAt: 'notifyAt',
  transcriptFolders: 'configDirs',
  pollIntervalSeconds: null,
  rateOverrides: 'rateOverrides',
  allowPromptLabels: 'allowLabels',
};

/** Values that mean "not set" in the settings UI (empty enum choice, empty list, empty object, null). */
export function isUnset(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value as object).length === 0;
  return false;
}

function fileValue(key: SettingKey, value: unknown): unknown {
  if (key === 'transcriptFolders' && Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
  if (typeof value === 'string') return value.trim();
  // Settings objects from VS Code are proxies/frozen: store plain copies.
  return value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
}

export interface MirrorResult {
  settings: UserSettings;
  /** Whether the file's content changes (no write otherwise). */
  changed: boolean;
}

/**
 * @param file the per-user settings file as read
 * @param explicit the settings the user set in VS Code (a key present = set, even to an "unset" value)
 * @param changed at activation `'activation'`: mirror what is set, leave the rest; on a change event: the changed keys
 */
export function mirrorSettings(file: UserSettings, explicit: Partial<Record<SettingKey, unknown>>, changed: readonly SettingKey[] | 'activation'): MirrorResult {
  const out: UserSettings = { ...file };
  const keys = changed === 'activation' ? SETTING_KEYS.filter((k) => k in explicit) : changed;
  for (const key of keys) {
    const target = MIRROR_MAP[key];
    if (!target) continue;
    const value = explicit[key];
    if (!(key in explicit) || isUnset(value)) delete out[target];
    else {
      const v = fileValue(key, value);
      if (isUnset(v)) delete out[target];
      else out[target] = v;
    }
  }
  return { settings: out, changed: JSON.stringify(out) !== JSON.stringify(file) };
}

/** Display settings, from the effective per-user settings (so the CLI's status line agrees) with defaults. */
export interface DisplaySettings {
  warnShare: number;
  notifyAt: number[];
}

export function displaySettings(effective: UserSettings): DisplaySettings {
  const w = effective.warnShare;
  const warnShare = typeof w === 'number' && Number.isFinite(w) && w >= 0 && w <= 1 ? w : SETTING_DEFAULTS.warnShare;
  const notifyAt = effective.notifyAt === undefined ? [...SETTING_DEFAULTS.notifyAt] : normalizeThresholds(effective.notifyAt);
  return { warnShare, notifyAt };
}

/** Seconds between full refreshes; 0 turns polling off; below 5 s is raised to 5 s. */
export function pollIntervalMs(value: unknown): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? value : SETTING_DEFAULTS.pollIntervalSeconds;
  if (n <= 0) return 0;
  return Math.max(5, n) * 1000;
}

/** Which VS Code setting changes need the meter reopened (everything the pool, pricing or discovery reads). */
export function needsReopen(changed: readonly SettingKey[]): boolean {
  return changed.some((k) => k !== 'warnShare' && k !== 'notifyAt' && k !== 'pollIntervalSeconds');
}
