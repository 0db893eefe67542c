// One name per setting for users: the VS Code setting's key without `creditLedger.` (dotted = nested in the
// settings file), the same in `credit-ledger config`, the file and the README. The engine reads settings
// under the names it had before (UserSettings), so the rename lives here only: the file is decoded on read
// (new names win, the old ones are still read, so a file written by an older version keeps working) and
// encoded on write (new names only).
import type { UserSettings } from './settings';

/** Settings whose name in the file differs from where the engine reads it. */
export const RENAMED_SETTINGS: readonly { name: string; engine: string }[] = [
  { name: 'timeZone', engine: 'timezone' },
  { name: 'transcriptFolders', engine: 'configDirs' },
  { name: 'allowPromptLabels', engine: 'allowLabels' },
  { name: 'runs.notify', engine: 'runNotifications' },
  { name: 'runs.notifyOverUsd', engine: 'runNotifyOverUsd' },
  { name: 'warnings.contextThreshold', engine: 'hook.contextThreshold' },
  { name: 'warnings.longContextTier', engine: 'hook.warnOnTier' },
  { name: 'warnings.overThreshold', engine: 'hook.warnOnThreshold' },
  { name: 'warnings.expiredCache', engine: 'hook.warnOnExpiredCache' },
  { name: 'warnings.credit', engine: 'hook.warnOnCredit' },
  { name: 'sync.databaseUrl', engine: 'databaseUrl' },
  { name: 'sync.machineLabel', engine: 'machineLabel' },
];

/** Where the engine reads a setting the user names (the name itself when it was never renamed). */
export function enginePath(name: string): string {
  return RENAMED_SETTINGS.find((r) => r.name === name)?.engine ?? name;
}

/** The user's name for a key the file may still hold under its old name (`timezone` → `timeZone`); undefined if not an old name. */
export function currentName(oldName: string): string | undefined {
  return RENAMED_SETTINGS.find((r) => r.engine === oldName)?.name;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export function getPath(from: Obj, dotted: string): unknown {
  let cur: unknown = from;
  for (const k of dotted.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Sets (value undefined: deletes) a dotted path; objects on the way are copied, an object left empty goes. */
export function setPath(into: Obj, dotted: string, value: unknown): void {
  const [head, ...rest] = dotted.split('.');
  if (head === undefined) return;
  if (!rest.length) {
    if (value === undefined) delete into[head];
    else into[head] = value;
    return;
  }
  const current = into[head];
  if (value === undefined && !isObj(current)) return;
  const child: Obj = isObj(current) ? { ...current } : {};
  setPath(child, rest.join('.'), value);
  if (Object.keys(child).length) into[head] = child;
  else delete into[head];
}

function move(o: Obj, from: string, to: string, keepTarget: boolean): void {
  const v = getPath(o, from);
  setPath(o, from, undefined);
  if (v === undefined || (keepTarget && getPath(o, to) !== undefined)) return;
  setPath(o, to, v);
}

/** The settings file as written (either name) → what the engine reads. */
export function decodeSettingsFile(file: Obj): UserSettings {
  const out: Obj = { ...file };
  // the new name wins over an old one left in a hand-edited file
  for (const r of RENAMED_SETTINGS) if (getPath(out, r.name) !== undefined) setPath(out, r.engine, undefined);
  for (const r of RENAMED_SETTINGS) move(out, r.name, r.engine, false);
  return out as UserSettings;
}

/** What the engine reads → the settings file, under the new names only. */
export function encodeSettingsFile(settings: UserSettings): Obj {
  const out: Obj = { ...settings };
  for (const r of RENAMED_SETTINGS) move(out, r.engine, r.name, false);
  return out;
}
