// What the panel remembers across reloads and hides (vscode.setState): tab, filter, sort, chart choice.
import { DEFAULT_FILTER, isPanelSection, isSessionFilter, type PanelSection, type SessionFilter } from './protocol';

export const SORT_KEYS = ['lastTs', 'session', 'project', 'surface', 'covered', 'cost', 'requests', 'tokens', 'cacheHit'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The audit's findings sort by money at stake, cost, iterations or kind. */
export const AUDIT_SORT_KEYS = ['atStake', 'cost', 'iterations', 'kind'] as const;
export type AuditSortKey = (typeof AUDIT_SORT_KEYS)[number];

export interface UiState {
  section: PanelSection;
  filter: SessionFilter;
  sort: { key: SortKey; dir: 'asc' | 'desc' };
  /** The daily chart: all usage, or only what counts against the credit. */
  dailyScope: 'all' | 'covered';
  /** Sessions shown before "Show more". */
  limit: number;
  /** The daily chart's data table is open (live updates re-render it). */
  dailyTableOpen: boolean;
  auditSort: { key: AuditSortKey; dir: 'asc' | 'desc' };
  /** Loop ids whose details are open. */
  auditOpen: string[];
  /** List ignored loops too. */
  auditShowIgnored: boolean;
}

export const PAGE_SIZE = 100;

export function defaultState(): UiState {
  return {
    section: 'overview',
    filter: { ...DEFAULT_FILTER },
    sort: { key: 'lastTs', dir: 'desc' },
    dailyScope: 'all',
    limit: PAGE_SIZE,
    dailyTableOpen: false,
    auditSort: { key: 'atStake', dir: 'desc' },
    auditOpen: [],
    auditShowIgnored: false,
  };
}

/** Accepts whatever getState() returns (an older panel's state, or nothing) and fills in defaults. */
export function restoreState(raw: unknown): UiState {
  const s = defaultState();
  if (typeof raw !== 'object' || raw === null) return s;
  const r = raw as Record<string, unknown>;
  if (isPanelSection(r.section)) s.section = r.section;
  if (isSessionFilter(r.filter)) s.filter = r.filter;
  const sort = r.sort as Record<string, unknown> | undefined;
  if (sort && (SORT_KEYS as readonly unknown[]).includes(sort.key) && (sort.dir === 'asc' || sort.dir === 'desc')) s.sort = { key: sort.key as SortKey, dir: sort.dir };
  if (r.dailyScope === 'covered' || r.dailyScope === 'all') s.dailyScope = r.dailyScope;
  if (typeof r.dailyTableOpen === 'boolean') s.dailyTableOpen = r.dailyTableOpen;
  const auditSort = r.auditSort as Record<string, unknown> | undefined;
  if (auditSort && (AUDIT_SORT_KEYS as readonly unknown[]).includes(auditSort.key) && (auditSort.dir === 'asc' || auditSort.dir === 'desc')) s.auditSort = { key: auditSort.key as AuditSortKey, dir: auditSort.dir };
  if (Array.isArray(r.auditOpen)) s.auditOpen = r.auditOpen.filter((x): x is string => typeof x === 'string' && /^[a-z]+-[0-9a-f]{10}$/.test(x)).slice(0, 50);
  if (typeof r.auditShowIgnored === 'boolean') s.auditShowIgnored = r.auditShowIgnored;
  return s;
}
