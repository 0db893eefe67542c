// Keeps the per-user settings file in step with VS Code settings (mirrorSettings decides what to write) and tells
// the meter when its settings changed: a VS Code setting, or the file itself (`credit-ledger config` in a terminal).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { UserPaths } from '../core/state/paths';
import { loadUserSettings, updateUserSettings, type UserSettings } from '../core/state/settings';
import { CONFIG_SECTION, SETTING_KEYS, SETTINGS, settingId, type SettingKey } from './ids';
import { Debouncer, Disposable } from './lifecycle';
import { displaySettings, fileDisagreements, mirrorSettings, needsReopen, pollIntervalMs, type DisplaySettings } from './settingsMirror';
import { showWarning } from './messages';

export interface SettingsChange {
  keys: SettingKey[];
  /** The pool, pricing or discovery read them: the meter must reopen. */
  reopen: boolean;
  /** The per-user file changed outside VS Code. */
  fromFile: boolean;
}

export class SettingsSync extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<SettingsChange>());
  readonly onDidChange: vscode.Event<SettingsChange> = this._onDidChange.event;
  private effectiveValue: UserSettings;
  /** What this window last wrote or read, to tell our own writes from the CLI's in the file watcher. */
  private lastFileJson: string | undefined;
  private readonly pendingKeys = new Set<SettingKey>();
  private readonly configDebounce = this._register(new Debouncer(100, () => this.applyPending()));
  private readonly fileDebounce = this._register(new Debouncer(200, () => this.onFileChanged()));
  private waiters: (() => void)[] = [];
  private batching = 0;
  /** File problems already shown (each once per window). */
  private readonly said = new Set<string>();

  constructor(
    private readonly paths: UserPaths,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    // Activation path: one small read, no write (the write happens in `start`, after activation).
    const read = loadUserSettings(paths.settings);
    this.lastFileJson = JSON.stringify(read.settings);
    this.effectiveValue = mirrorSettings(read.settings, this.explicit(), 'activation').settings;
    this.sayProblems(read.problems);
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG_SECTION)) return;
        for (const k of SETTING_KEYS) if (e.affectsConfiguration(settingId(k))) this.pendingKeys.add(k);
        if (!this.batching) this.configDebounce.trigger();
      }),
    );
  }

  /** The per-user settings as the meter uses them (the file after mirroring). */
  get effective(): UserSettings {
    return this.effectiveValue;
  }

  get display(): DisplaySettings {
    return displaySettings(this.effectiveValue);
  }

  get pollIntervalMs(): number {
    return pollIntervalMs(vscode.workspace.getConfiguration(CONFIG_SECTION).get<number>(SETTINGS.pollIntervalSeconds));
  }

  /** Mirrors what is set in VS Code into the file and starts watching it; after activation. */
  start(): void {
    this.write((file) => mirrorSettings(file, this.explicit(), 'activation').settings, 'activation');
    const dir = path.dirname(this.paths.settings);
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), path.basename(this.paths.settings)), false, false, true));
    this._register(watcher.onDidCreate(() => this.fileDebounce.trigger()));
    this._register(watcher.onDidChange(() => this.fileDebounce.trigger()));
  }

  /** Writes VS Code settings (user level: the credit is per user); resolves once the change is applied here. */
  async update(values: Partial<Record<SettingKey, unknown>>): Promise<void> {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    // One reopen for the whole batch, not one per key.
    this.batching++;
    try {
      for (const [key, value] of Object.entries(values) as [SettingKey, unknown][]) {
        await config.update(SETTINGS[key], value, vscode.ConfigurationTarget.Global);
        this.pendingKeys.add(key);
      }
    } finally {
      this.batching--;
    }
    await this.flush();
  }

  /** Applies pending setting changes now (commands wait for it before they report back). */
  flush(): Promise<void> {
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.configDebounce.dispose();
    this.applyPending();
    return done;
  }

  /** The VS Code settings the user set (user or remote-machine level); a key present means set. */
  private explicit(): Partial<Record<SettingKey, unknown>> {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    const out: Partial<Record<SettingKey, unknown>> = {};
    for (const k of SETTING_KEYS) {
      const i = config.inspect(SETTINGS[k]);
      // Plan and paths are per user or per machine (see package.json scopes): workspace values never apply.
      const v = i?.globalValue;
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  private applyPending(): void {
    const keys = [...this.pendingKeys];
    this.pendingKeys.clear();
    if (keys.length) {
      const before = JSON.stringify(this.effectiveValue);
      const explicit = this.explicit();
      this.write((file) => mirrorSettings(file, explicit, keys).settings, `settings changed: ${keys.join(', ')}`);
      // The same change arrives twice (a command's own update, then VS Code's event): act once.
      const changed = JSON.stringify(this.effectiveValue) !== before;
      if (changed || keys.includes('pollIntervalSeconds')) this._onDidChange.fire({ keys, reopen: changed && needsReopen(keys), fromFile: false });
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Mirrors into the file under its lock (read-modify-write: a concurrent `credit-ledger config set` keeps its key).
   * A malformed file is set aside, never overwritten, and the user told where it went.
   */
  private write(mirror: (file: UserSettings) => UserSettings, why: string): void {
    let wrote: UserSettings;
    try {
      const r = updateUserSettings(this.paths.settings, (raw) => mirror(raw), 'setAside');
      wrote = r.settings;
      if (r.changed) this.log.info(`${why}: wrote ${this.paths.settings}`);
      if (r.setAside) {
        const message = `Credit Ledger: the settings file ${this.paths.settings} could not be read as settings. It is kept as ${r.setAside}; a new one holds the settings set in VS Code. Copy anything else you need from the old one.`;
        this.log.warn(message);
        void showWarning(message);
      }
    } catch (err) {
      this.lastFileJson = undefined; // try again on the next change
      const message = `could not write ${this.paths.settings}: ${(err as Error).message}`;
      this.log.error(message);
      // The CLI and the Claude Code hook read that file: say so, or they would quietly disagree with VS Code.
      void showWarning(`Credit Ledger ${message}. The credit-ledger CLI and the Claude Code hook keep the previous settings until it can be written.`, 'Show Log').then((pick) => {
        if (pick === 'Show Log') this.log.show();
      });
      this.effectiveValue = mirror(loadUserSettings(this.paths.settings).settings);
      return;
    }
    // The meter uses the values of the right type; a wrong-typed one stays in the file for the user to fix.
    this.effectiveValue = wrote;
    this.lastFileJson = JSON.stringify(this.effectiveValue);
  }

  private onFileChanged(): void {
    const read = loadUserSettings(this.paths.settings);
    const json = JSON.stringify(read.settings);
    if (json === this.lastFileJson) return; // our own write
    this.lastFileJson = json;
    this.log.info(`${this.paths.settings} changed outside VS Code; settings set in VS Code still win`);
    this.sayProblems(read.problems);
    const explicit = this.explicit();
    this.effectiveValue = mirrorSettings(read.settings, explicit, 'activation').settings;
    this._onDidChange.fire({ keys: [], reopen: true, fromFile: true });
    if (!read.malformed) this.sayDisagreements(read.settings, explicit);
  }

  /** Problems with the file (malformed, wrong-typed values), said once each: the CLI and the hook live with them. */
  private sayProblems(problems: readonly string[]): void {
    const fresh = problems.filter((p) => !this.said.has(p));
    if (!fresh.length) return;
    for (const p of fresh) {
      this.said.add(p);
      this.log.warn(p);
    }
    void showWarning(`Credit Ledger: ${fresh.join(' ')}`, 'Open File').then((pick) => {
      if (pick === 'Open File') void vscode.window.showTextDocument(vscode.Uri.file(this.paths.settings));
    });
  }

  /** The file now says otherwise than a VS Code setting the user set: this window and the CLI would disagree; ask. */
  private sayDisagreements(file: UserSettings, explicit: Partial<Record<SettingKey, unknown>>): void {
    const differ = fileDisagreements(file, explicit);
    if (!differ.length) return;
    const show = (v: unknown): string => (v === undefined ? '(not set)' : JSON.stringify(v));
    const what = differ.map((d) => `${d.filePath} is ${show(d.fileValue)} there but ${show(d.vscodeValue)} in VS Code settings (${settingId(d.key)})`).join('; ');
    const message = `Credit Ledger: the settings file ${this.paths.settings} was changed outside VS Code: ${what}. This window uses VS Code's; the credit-ledger CLI and the Claude Code hook use the file's.`;
    this.log.warn(message);
    const useFile = 'Use the File\'s';
    const keepVsCode = 'Keep VS Code\'s';
    void showWarning(message, useFile, keepVsCode).then(async (pick) => {
      if (pick === useFile) {
        await this.update(Object.fromEntries(differ.map((d) => [d.key, d.asSetting])) as Partial<Record<SettingKey, unknown>>);
      } else if (pick === keepVsCode) {
        const now = this.explicit();
        this.write((f) => mirrorSettings(f, now, 'activation').settings, 'kept the VS Code settings');
        this._onDidChange.fire({ keys: [], reopen: true, fromFile: true });
      }
    });
  }
}
