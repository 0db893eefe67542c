// The ledger panel's host side: one webview panel, restorable after a reload, fed the PanelModel.
// The webview speaks first (`ready`); until then nothing is posted, and every model after it is the latest.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { PanelModel } from '../../core/reports/panelModel';
import {
  isAllowedCommand,
  isCommand,
  isIgnoreLoop,
  isOpenLoop,
  isOpenTranscript,
  isPanelSection,
  isReady,
  isRefresh,
  isSection,
  isSessionFilter,
  isSetFilter,
  type HostMessage,
  type PanelSection,
  type SessionFilter,
} from '../../webview/protocol';
import { Disposable, toDisposable } from '../lifecycle';
import type { PanelSource } from '../panelSource';
import { lineAtOffset } from '../transcriptLine';
import { newNonce, panelHtml } from './html';
import { showError, showInfo } from '../messages';

/** What the webview keeps with vscode.setState; VS Code hands it back to the serializer after a reload. */
interface PersistedState {
  section?: unknown;
  filter?: unknown;
}

const TITLE = 'Credit Ledger';
/** Changes stream in while a session runs: at most one model per interval, and never two built at once. */
const CHANGE_THROTTLE_MS = 400;

/**
 * The window's ledger panel: one per window, as the sample panels do (the command reveals it instead of
 * opening another). Owned by the composition root, so its state lives and dies with the extension.
 */
export class LedgerPanels extends Disposable {
  private current: LedgerPanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly source: PanelSource,
  ) {
    super();
    // Restores the panel after a window reload.
    this._register(
      vscode.window.registerWebviewPanelSerializer(LedgerPanel.viewType, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
          this.current?.dispose();
          panel.webview.options = webviewOptions(this.extensionUri);
          this.adopt(new LedgerPanel(panel, this.extensionUri, this.source, state as PersistedState | undefined));
        },
      }),
    );
    this._register(toDisposable(() => this.current?.dispose()));
  }

  /** Opens the panel, or reveals the open one; `section` switches its tab (e.g. 'audit'). */
  createOrShow(section?: PanelSection): LedgerPanel {
    const existing = this.current;
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn);
      if (section) existing.show(section);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(LedgerPanel.viewType, TITLE, vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One, {
      ...webviewOptions(this.extensionUri),
      enableFindWidget: true,
    });
    const created = this.adopt(new LedgerPanel(panel, this.extensionUri, this.source, undefined));
    if (section) created.show(section);
    return created;
  }

  /** The open panel, for tests and for commands that switch its tab. */
  get currentPanel(): LedgerPanel | undefined {
    return this.current;
  }

  private adopt(panel: LedgerPanel): LedgerPanel {
    this.current = panel;
    panel.onDidDisposeOnce(() => {
      if (this.current === panel) this.current = undefined;
    });
    return panel;
  }
}

export class LedgerPanel extends Disposable {
  static readonly viewType = 'creditLedger.panel';

  private ready = false;
  private pendingSection: PanelSection | undefined;
  /** The tab the webview shows (it says so after `ready` and on every switch). */
  private section: PanelSection = 'overview';
  private filter: SessionFilter | undefined;
  private lastModel: PanelModel | undefined;
  private building = false;
  /** A change (or a `ready`) arrived while a model was being built: build once more after it. */
  private again: { filter: boolean } | undefined;
  private changeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposeListeners: (() => void)[] = [];

  /** Called once when the panel closes or is disposed. */
  onDidDisposeOnce(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly source: PanelSource,
    state: PersistedState | undefined,
  ) {
    super();
    if (state && isSessionFilter(state.filter)) this.filter = state.filter;
    if (state && isPanelSection(state.section)) this.section = state.section;
    this._register(toDisposable(() => {
      for (const l of this.disposeListeners.splice(0)) l();
      if (this.changeTimer) clearTimeout(this.changeTimer);
    }));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)));
    this._register(source.onDidChange(() => this.scheduleModel()));
    // Without retainContextWhenHidden a hidden webview is torn down; it says `ready` again when shown.
    this._register(panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.visible) this.ready = false;
    }));
    const icon = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.iconPath = icon;
    panel.title = TITLE;
    panel.webview.html = this.html();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.panel.dispose();
  }

  /** Switches the panel to a section now, or right after the webview says `ready`. */
  show(section: PanelSection): void {
    const changed = section !== this.section;
    this.section = section;
    if (this.ready) {
      void this.post({ type: 'show', section });
      if (changed) this.postModel();
    } else this.pendingSection = section;
  }

  /** The tab shown now (or about to be). */
  get currentSection(): PanelSection {
    return this.pendingSection ?? this.section;
  }

  private html(): string {
    const webview = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    return panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: newNonce(),
    });
  }

  /**
   * Handles a message from the webview (every field checked: it crosses a process boundary). Resolves when what it
   * asked for is done; tests call it through the extension's API to act as the page would.
   */
  receive(m: unknown): Promise<void> {
    if (isOpenLoop(m)) {
      return this.openLoop(m.loopId).catch((err: unknown) => void showError(`Credit Ledger: could not open the transcript: ${err instanceof Error ? err.message : String(err)}`));
    }
    if (isIgnoreLoop(m)) {
      return this.source.ignoreLoop(m.loopId, m.ignore).then(undefined, (err: unknown) => {
        void showError(`Credit Ledger: could not record the ignore: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    if (isOpenTranscript(m)) return this.openTranscript(m.sessionId);
    this.onMessage(m);
    return Promise.resolve();
  }

  private onMessage(m: unknown): void {
    if (isReady(m)) {
      this.ready = true;
      this.postModel(true);
      if (this.pendingSection) {
        void this.post({ type: 'show', section: this.pendingSection });
        this.pendingSection = undefined;
      }
    } else if (isCommand(m)) {
      if (!isAllowedCommand(m.id)) return; // a webview never runs other extensions' commands
      void Promise.resolve(this.source.runCommand(m.id, m.args)).then(undefined, (err: unknown) => {
        void showError(`Credit Ledger: ${m.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    } else if (isSetFilter(m)) {
      this.filter = m.filter;
    } else if (isRefresh(m)) {
      this.postModel();
    } else if (isSection(m)) {
      const changed = m.section !== this.section;
      this.section = m.section;
      // The audit is computed only while its tab shows: switching to it asks for one.
      if (changed && m.section === 'audit') this.postModel();
    }
  }

  /** Opens a session's main transcript, looked up in the model we sent (never a path the webview names). */
  private async openTranscript(sessionId: string): Promise<void> {
    const path =
      this.lastModel?.sessions.find((s) => s.sessionId === sessionId)?.transcriptPath ??
      this.lastModel?.runs.find((r) => r.sessionId === sessionId)?.transcriptPath ??
      null;
    if (!path) {
      void showInfo(`Credit Ledger: the transcript of session ${sessionId} is no longer on disk (its spend stays in the ledger).`);
      return;
    }
    // `vscode.open` also opens files too large for a text document the extension host syncs.
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), { preview: true });
  }

  /** Opens a loop's transcript at the line of its first request (file and byte offset from the audit we sent). */
  private async openLoop(loopId: string): Promise<void> {
    const loop = this.lastModel?.audit?.loops.find((l) => l.id === loopId);
    const file = loop?.where.file;
    if (!loop || !file || !fs.existsSync(file)) {
      void showInfo(`Credit Ledger: the transcript of loop ${loopId} is no longer on disk (its spend stays in the ledger).`);
      return;
    }
    const line = await lineAtOffset(file, loop.where.offset);
    const at = new vscode.Range(line, 0, line, 0);
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { preview: true, selection: at } satisfies vscode.TextDocumentShowOptions);
    // vscode.open selects but may not center a large file's line: reveal it when the editor is ours.
    const editor = vscode.window.activeTextEditor;
    if (editor && editor.document.uri.fsPath === file) editor.revealRange(at, vscode.TextEditorRevealType.InCenter);
  }

  private scheduleModel(): void {
    if (this.changeTimer || this.isDisposed) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.postModel();
    }, CHANGE_THROTTLE_MS);
  }

  private postModel(withFilter = false): void {
    if (!this.ready || this.isDisposed) return;
    if (this.building) {
      this.again = { filter: withFilter || (this.again?.filter ?? false) };
      return;
    }
    this.building = true;
    void Promise.resolve()
      .then(() => this.source.getModel({ section: this.currentSection }))
      .then(
        (model) => {
          this.lastModel = model;
          if (!this.ready) return; // hidden meanwhile: the webview asks again when shown
          return this.post(withFilter && this.filter ? { type: 'model', model, filter: this.filter } : { type: 'model', model });
        },
        (err: unknown) => this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        this.building = false;
        const again = this.again;
        this.again = undefined;
        if (again) this.postModel(again.filter);
      });
  }

  private async post(message: HostMessage): Promise<void> {
    if (this.isDisposed) return;
    try {
      await this.panel.webview.postMessage(message);
    } catch {
      // the panel closed while the model was being built
    }
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}
