// VS Code settings -> the per-user settings file the CLI and the hook read (DESIGN.md "Where state lives").
// Rule: what the user set in VS Code wins; what VS Code leaves unset keeps the file's value (the CLI's
// `credit-ledger config` may have written it); resetting a setting in VS Code removes it from the file.
// Pure, no `vscode` import: test/unit/extension-settings.test.ts.
import type { UserSettings } from '../core/state/settings';
import { SETTING_DEFAULTS, SETTING_KEYS, type SettingKey } from './ids';
import { normalizeThresholds } from './thresholds';
import { getPath, setPath } from '../core/state/settingNames';

/**
 * Where each VS Code setting goes in the per-user file: a key, or a dotted path into an object the CLI and the hook
 * read (`audit.hourlyRateUsd`, `hook.warnOnTier`); null: VS Code only.
 */
export const MIRROR_MAP: Readonly<Record<SettingKey, string | null>> = {
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
  // core/audit/settings reads `audit.<threshold>`
  auditContextThreshold: 'audit.contextThreshold',
  auditMinIterations: 'audit.minIterations',
  auditMinCostUsd: 'audit.minCostUsd',
  auditHourlyRateUsd: 'audit.hourlyRateUsd',
  // extension/terminal/runMessages reads these two
  runsNotify: 'runNotifications',
  runsNotifyOverUsd: 'runNotifyOverUsd',
  // core/hook/settings reads `hook.<key>` (the hook, the status line and the in-editor warnings)
  warningsContextThreshold: 'hook.contextThreshold',
  warningsLongContextTier: 'hook.warnOnTier',
  warningsOverThreshold: 'hook.warnOnThreshold',
  warningsExpiredCache: 'hook.warnOnExpiredCache',
  warningsCredit: 'hook.warnOnCredit',
  // core/sync reads these two (the password never: SecretStorage)
  syncDatabaseUrl: 'databaseUrl',
  syncMachineLabel: 'machineLabel',
};

/** VS Code enum values the file spells differently. */
const FILE_VALUES: Partial<Record<SettingKey, Readonly<Record<string, unknown>>>> = {
  runsNotify: { always: 'always', overAmount: 'over', never: 'never' },
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
  const spelled = FILE_VALUES[key];
  if (spelled && typeof value === 'string') return spelled[value];
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
    const v = key in explicit && !isUnset(value) ? fileValue(key, value) : undefined;
    setPath(out, target, isUnset(v) ? undefined : v);
  }
  return { settings: out, changed: JSON.stringify(out) !== JSON.stringify(file) };
}

/** A setting the user set in VS Code whose value the file (written by the CLI, or by hand) no longer holds. */
export interface Disagreement {
  key: SettingKey;
  /** Where it lives in the file (`plan`, `hook.contextThreshold`). */
  filePath: string;
  /** The file's value, undefined when the file has none. */
  fileValue: unknown;
  /** VS Code's value, as the file would spell it. */
  vscodeValue: unknown;
  /** The file's value as VS Code spells it (to adopt it), undefined to reset the VS Code setting. */
  asSetting: unknown;
}

/** Where the file and the VS Code settings the user set disagree (VS Code's win in the window; the CLI and the hook read the file). */
export function fileDisagreements(file: UserSettings, explicit: Partial<Record<SettingKey, unknown>>): Disagreement[] {
  const out: Disagreement[] = [];
  for (const key of SETTING_KEYS) {
    const target = MIRROR_MAP[key];
    if (!target || !(key in explicit) || isUnset(explicit[key])) continue;
    const vscodeValue = fileValue(key, explicit[key]);
    const inFile = getPath(file, target);
    if (JSON.stringify(inFile) === JSON.stringify(vscodeValue)) continue;
    const spelled = FILE_VALUES[key];
    const asSetting = spelled ? Object.keys(spelled).find((k) => spelled[k] === inFile) : inFile;
    out.push({ key, filePath: target, fileValue: inFile, vscodeValue, asSetting });
  }
  return out;
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

/** Settings read where they are used (display, audit, run notifications, warnings): no meter reopen. */
const READ_ON_USE: ReadonlySet<SettingKey> = new Set<SettingKey>([
  'warnShare',
  'notifyAt',
  'pollIntervalSeconds',
  'auditContextThreshold',
  'auditMinIterations',
  'auditMinCostUsd',
  'auditHourlyRateUsd',
  'runsNotify',
  'runsNotifyOverUsd',
  'warningsContextThreshold',
  'warningsLongContextTier',
  'warningsOverThreshold',
  'warningsExpiredCache',
  'warningsCredit',
]);

/** Which VS Code setting changes need the meter reopened (everything the pool, pricing or discovery reads). */
export function needsReopen(changed: readonly SettingKey[]): boolean {
  return changed.some((k) => !READ_ON_USE.has(k));
}
