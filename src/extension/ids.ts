// Every command id, setting key and contributed id in one place; test/unit/extension-ids.test.ts checks them
// against package.json `contributes`. No `vscode` import: unit tests load it.

export const EXTENSION_ID = 'credit-ledger.credit-ledger';
export const CATEGORY = 'Credit Ledger';
export const STATUS_BAR_ID = 'creditLedger.balance';
export const STATUS_BAR_NAME = 'Credit Ledger';
export const WALKTHROUGH_ID = 'firstRun';
export const LOG_CHANNEL_NAME = 'Credit Ledger';

export const COMMANDS = {
  openLedger: 'creditLedger.openLedger',
  setPlan: 'creditLedger.setPlan',
  reconcile: 'creditLedger.reconcile',
  rebuildLedger: 'creditLedger.rebuildLedger',
  exportLedger: 'creditLedger.exportLedger',
  showLog: 'creditLedger.showLog',
  chooseFolders: 'creditLedger.chooseFolders',
  overrideSession: 'creditLedger.overrideSession',
  auditLoops: 'creditLedger.auditLoops',
  refresh: 'creditLedger.refresh',
  installHook: 'creditLedger.installHook',
  uninstallHook: 'creditLedger.uninstallHook',
  syncNow: 'creditLedger.syncNow',
  setSharedLedgerPassword: 'creditLedger.setSharedLedgerPassword',
  updateRates: 'creditLedger.updateRates',
} as const;

export type CommandKey = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandKey];

/** Titles as the Command Palette shows them, after "Credit Ledger: ". */
export const COMMAND_TITLES: Readonly<Record<CommandKey, string>> = {
  openLedger: 'Open Ledger',
  setPlan: 'Set Plan',
  reconcile: 'Reconcile with Your Account',
  rebuildLedger: 'Rebuild Ledger',
  exportLedger: 'Export Ledger (CSV or JSON)',
  showLog: 'Show Log',
  chooseFolders: 'Choose Transcript Folders',
  overrideSession: 'Count or Exclude a Session',
  auditLoops: 'Audit Loops',
  refresh: 'Refresh',
  installHook: 'Install Claude Code Hook and Status Line',
  uninstallHook: 'Uninstall Claude Code Hook and Status Line',
  syncNow: 'Sync with the Shared Ledger Now',
  setSharedLedgerPassword: 'Set Shared Ledger Password',
  updateRates: 'Update Rates from a Price File or URL',
};

export const CONFIG_SECTION = 'creditLedger';

/** Keys under `creditLedger.` (VS Code settings). */
export const SETTINGS = {
  plan: 'plan',
  amount: 'amount',
  scope: 'scope',
  overage: 'overage',
  cycleDay: 'cycleDay',
  timeZone: 'timeZone',
  countUnclassified: 'countUnclassified',
  basis: 'basis',
  warnShare: 'warnShare',
  notifyAt: 'notifyAt',
  transcriptFolders: 'transcriptFolders',
  pollIntervalSeconds: 'pollIntervalSeconds',
  rateOverrides: 'rateOverrides',
  allowPromptLabels: 'allowPromptLabels',
  auditContextThreshold: 'audit.contextThreshold',
  auditMinIterations: 'audit.minIterations',
  auditMinCostUsd: 'audit.minCostUsd',
  auditHourlyRateUsd: 'audit.hourlyRateUsd',
  runsNotify: 'runs.notify',
  runsNotifyOverUsd: 'runs.notifyOverUsd',
  warningsContextThreshold: 'warnings.contextThreshold',
  warningsLongContextTier: 'warnings.longContextTier',
  warningsOverThreshold: 'warnings.overThreshold',
  warningsExpiredCache: 'warnings.expiredCache',
  warningsCredit: 'warnings.credit',
  syncDatabaseUrl: 'sync.databaseUrl',
  syncMachineLabel: 'sync.machineLabel',
} as const;

export type SettingKey = keyof typeof SETTINGS;

export const SETTING_KEYS: readonly SettingKey[] = Object.keys(SETTINGS) as SettingKey[];

export function settingId(key: SettingKey): string {
  return `${CONFIG_SECTION}.${SETTINGS[key]}`;
}

/** Defaults, as package.json declares them (the unit test checks they agree). */
export const SETTING_DEFAULTS = {
  plan: '',
  amount: null,
  scope: '',
  overage: '',
  cycleDay: 1,
  timeZone: '',
  countUnclassified: false,
  basis: 'corrected',
  warnShare: 0.25,
  notifyAt: [0.75, 0.9, 1],
  transcriptFolders: [],
  pollIntervalSeconds: 30,
  rateOverrides: {},
  allowPromptLabels: false,
  auditContextThreshold: 50_000,
  auditMinIterations: 10,
  auditMinCostUsd: 0.1,
  auditHourlyRateUsd: 100,
  runsNotify: 'always',
  runsNotifyOverUsd: 1,
  warningsContextThreshold: null,
  warningsLongContextTier: true,
  warningsOverThreshold: true,
  warningsExpiredCache: true,
  warningsCredit: true,
  syncDatabaseUrl: '',
  syncMachineLabel: '',
} as const satisfies Record<SettingKey, unknown>;

/** SecretStorage key of the shared ledger's password (never in settings.json). */
export const SHARED_LEDGER_PASSWORD_SECRET = 'creditLedger.sync.password';

/** Journal fact kind: a threshold notification already shown this cycle (per user, not per window). */
export const NOTIFIED_FACT = 'notified';
