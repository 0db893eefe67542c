// Where per-user state lives (DESIGN.md "Where state lives"): one folder per user, movable for tests.
import * as os from 'node:os';
import * as path from 'node:path';

export interface UserPaths {
  /** Per-user data folder: ledgers, journal, balance snapshot, logs. */
  dataDir: string;
  /** Per-user config folder: the settings file the CLI and the hook read. */
  configDir: string;
  journal: string;
  snapshot: string;
  settings: string;
  /** The user's rate file: models imported by `credit-ledger rates update`, layered over the shipped card. */
  rates: string;
  ledgersDir: string;
  /** The per-user ledger (windows with no folder, the CLI's default run). */
  userLedger: string;
  ledgerIndex: string;
}

export type Env = Record<string, string | undefined>;

/** `CREDIT_LEDGER_HOME` moves everything into one folder (tests, portable installs). */
export function userPaths(env: Env = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): UserPaths {
  const override = env.CREDIT_LEDGER_HOME;
  let dataDir: string;
  let configDir: string;
  if (override) {
    dataDir = override;
    configDir = override;
  } else if (platform === 'darwin') {
    dataDir = path.join(home, 'Library', 'Application Support', 'credit-ledger');
    configDir = dataDir;
  } else if (platform === 'win32') {
    const appData = env.APPDATA || path.join(home, 'AppData', 'Roaming');
    dataDir = path.join(appData, 'credit-ledger');
    configDir = dataDir;
  } else {
    dataDir = path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'credit-ledger');
    configDir = path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'credit-ledger');
  }
  const ledgersDir = path.join(dataDir, 'ledgers');
  return {
    dataDir,
    configDir,
    journal: path.join(dataDir, 'journal.jsonl'),
    snapshot: path.join(dataDir, 'balance.json'),
    settings: path.join(configDir, 'settings.json'),
    rates: path.join(configDir, 'rates.json'),
    ledgersDir,
    userLedger: path.join(ledgersDir, 'user.sqlite'),
    ledgerIndex: path.join(ledgersDir, 'index.json'),
  };
}
