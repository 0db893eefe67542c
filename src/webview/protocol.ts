// Every message between the ledger panel's host and its webview. The webview posts `ready` first;
// the host never posts before it and answers it with the model. Shared by both bundles: no imports
// but types, so it runs in the browser and in the extension host alike.
import type { PanelModel } from '../core/reports/panelModel';

export type { PanelModel } from '../core/reports/panelModel';

/** The panel's sections (tabs). */
export const PANEL_SECTIONS = ['overview', 'sessions', 'models', 'runs', 'audit'] as const;
export type PanelSection = (typeof PANEL_SECTIONS)[number];

export type ProjectFilter = 'workspace' | 'all';
export type CoverageFilter = 'all' | 'covered' | 'excluded';
export type SurfaceFilter = 'all' | 'headless' | 'interactive' | 'unclassified';

export interface SessionFilter {
  project: ProjectFilter;
  coverage: CoverageFilter;
  surface: SurfaceFilter;
  /** Free text matched against session id, project and label. */
  text: string;
}

export const DEFAULT_FILTER: SessionFilter = { project: 'all', coverage: 'all', surface: 'all', text: '' };

/** Override modes the session toggle can ask for; `auto` clears an override. */
export const OVERRIDE_MODES = ['count', 'never', 'auto'] as const;
export type OverrideModeArg = (typeof OVERRIDE_MODES)[number];

/** Commands the panel runs through the host: the only ids the host runs for it. */
export const PanelCommands = {
  setPlan: 'creditLedger.setPlan',
  overrideSession: 'creditLedger.overrideSession',
  auditLoops: 'creditLedger.auditLoops',
} as const;

/** A loop id as core/audit makes them (`<kind>-<10 hex>`; core/audit/facts LOOP_ID_PATTERN, repeated: no imports here). */
export const LOOP_ID = /^(reread|reflexive|scheduled|recurring)-[0-9a-f]{10}$/;

// ---- webview -> host

export interface ReadyMessage {
  type: 'ready';
}
export interface CommandMessage {
  type: 'command';
  id: string;
  args: unknown[];
}
export interface OpenTranscriptMessage {
  type: 'openTranscript';
  sessionId: string;
}
export interface SetFilterMessage {
  type: 'setFilter';
  filter: SessionFilter;
}
export interface RefreshMessage {
  type: 'refresh';
}
/** The tab the user is on: the host computes the loop audit only while `audit` is shown. */
export interface SectionMessage {
  type: 'section';
  section: PanelSection;
}
/** Open the transcript of a loop of the last model at its first request (the host looks the file up itself). */
export interface OpenLoopMessage {
  type: 'openLoop';
  loopId: string;
}
/** "Ignore this loop" (`ignore: false` lists it again): the host appends an `ignore-loop` fact to the journal. */
export interface IgnoreLoopMessage {
  type: 'ignoreLoop';
  loopId: string;
  ignore: boolean;
}
export type WebviewMessage = ReadyMessage | CommandMessage | OpenTranscriptMessage | SetFilterMessage | RefreshMessage | SectionMessage | OpenLoopMessage | IgnoreLoopMessage;

// ---- host -> webview

export interface ModelMessage {
  type: 'model';
  model: PanelModel;
  /** The filter the host remembers, sent with the first model after `ready` when it has one. */
  filter?: SessionFilter;
}
export interface ShowMessage {
  type: 'show';
  section: PanelSection;
}
export interface ErrorMessage {
  type: 'error';
  message: string;
}
export type HostMessage = ModelMessage | ShowMessage | ErrorMessage;

// ---- guards (messages cross a process boundary: check every field)

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (values as readonly string[]).includes(v);
}

export function isPanelSection(v: unknown): v is PanelSection {
  return oneOf(PANEL_SECTIONS, v);
}

export function isSessionFilter(v: unknown): v is SessionFilter {
  return (
    isRecord(v) &&
    oneOf(['workspace', 'all'] as const, v.project) &&
    oneOf(['all', 'covered', 'excluded'] as const, v.coverage) &&
    oneOf(['all', 'headless', 'interactive', 'unclassified'] as const, v.surface) &&
    typeof v.text === 'string' &&
    v.text.length <= 200
  );
}

export const isReady = (m: unknown): m is ReadyMessage => isRecord(m) && m.type === 'ready';
export const isCommand = (m: unknown): m is CommandMessage =>
  isRecord(m) && m.type === 'command' && typeof m.id === 'string' && m.id.length > 0 && Array.isArray(m.args);
export const isOpenTranscript = (m: unknown): m is OpenTranscriptMessage =>
  isRecord(m) && m.type === 'openTranscript' && typeof m.sessionId === 'string' && m.sessionId.length > 0;
export const isSetFilter = (m: unknown): m is SetFilterMessage => isRecord(m) && m.type === 'setFilter' && isSessionFilter(m.filter);
export const isRefresh = (m: unknown): m is RefreshMessage => isRecord(m) && m.type === 'refresh';
export const isSection = (m: unknown): m is SectionMessage => isRecord(m) && m.type === 'section' && isPanelSection(m.section);
export const isLoopId = (v: unknown): v is string => typeof v === 'string' && LOOP_ID.test(v);
export const isOpenLoop = (m: unknown): m is OpenLoopMessage => isRecord(m) && m.type === 'openLoop' && isLoopId(m.loopId);
export const isIgnoreLoop = (m: unknown): m is IgnoreLoopMessage => isRecord(m) && m.type === 'ignoreLoop' && isLoopId(m.loopId) && typeof m.ignore === 'boolean';

export function isWebviewMessage(m: unknown): m is WebviewMessage {
  return isReady(m) || isCommand(m) || isOpenTranscript(m) || isSetFilter(m) || isRefresh(m) || isSection(m) || isOpenLoop(m) || isIgnoreLoop(m);
}

/** The model is checked only for its envelope: it comes from our own host. */
export const isModelMessage = (m: unknown): m is ModelMessage =>
  isRecord(m) && m.type === 'model' && isRecord(m.model) && m.model.version === 1 && (m.filter === undefined || isSessionFilter(m.filter));
export const isShow = (m: unknown): m is ShowMessage => isRecord(m) && m.type === 'show' && isPanelSection(m.section);
export const isError = (m: unknown): m is ErrorMessage => isRecord(m) && m.type === 'error' && typeof m.message === 'string';

export function isHostMessage(m: unknown): m is HostMessage {
  return isModelMessage(m) || isShow(m) || isError(m);
}

const PANEL_COMMAND_IDS: readonly string[] = Object.values(PanelCommands);

/**
 * A command the host may run for the webview: only those the panel has buttons for. Not every `creditLedger.*`:
 * export (a path), install-hook and rebuild (`confirm: true`) take arguments that skip the user's say.
 */
export function isAllowedCommand(id: string): boolean {
  return PANEL_COMMAND_IDS.includes(id);
}

/** The override toggle's argument: `{ sessionId, mode }`. */
export interface OverrideArgs {
  sessionId: string;
  mode: OverrideModeArg;
}

export function overrideCommand(sessionId: string, mode: OverrideModeArg): CommandMessage {
  const args: OverrideArgs = { sessionId, mode };
  return { type: 'command', id: PanelCommands.overrideSession, args: [args] };
}
