// Model ids arrive in many spellings (dated, Bedrock, Vertex, gateways); pricing needs one.

/**
 * The canonical spelling of a model id: lowercase, no date, no provider wrapping.
 * `us.anthropic.claude-sonnet-4-5-20250929-v1:0`, `claude-sonnet-4-5@20250929`,
 * `claude-sonnet-4-5-20250929` and `claude-sonnet-4-5[1m]` all become `claude-sonnet-4-5`.
 */
export function normalizeModelId(raw: string): string {
  let id = raw.trim().toLowerCase();
  // ARNs, Vertex resource paths and gateway ids ("anthropic/claude-...") keep the model last.
  id = id.slice(id.lastIndexOf('/') + 1);
  // Claude Code's context-window marker: "claude-sonnet-4-5[1m]".
  id = id.replace(/\[[^\]]*\]$/, '');
  // Vertex: "claude-sonnet-4-5@20250929".
  id = id.replace(/@.*$/, '');
  // Bedrock: optional region prefix ("us.", "eu.", "apac.", "global.", "us-gov.") then "anthropic.".
  id = id.replace(/^(?:[a-z-]+\.)?anthropic\./, '');
  // Bedrock version: "-v1:0", "-v2:0", provisioned variants like "-v1:0:200k".
  id = id.replace(/-v\d+(?::[0-9a-z]+)*$/, '');
  id = id.replace(/[\s_]+/g, '-');
  id = id.replace(/-latest$/, '');
  // Release date: "-20250929".
  id = id.replace(/-\d{8}$/, '');
  // Dotted versions from gateways: "claude-opus-4.6" -> "claude-opus-4-6".
  id = id.replace(/(\d)\.(?=\d)/g, '$1-');
  return id;
}

export interface ModelIdentity {
  id: string;
  aliases?: readonly string[];
}

export interface ModelIndex<T extends ModelIdentity> {
  /** The row whose id or alias matches `model` after normalization. */
  find(model: string): T | undefined;
  /** Aliases or ids that collided with an earlier row (the earlier row keeps them). */
  conflicts: string[];
}

/** Indexes rows by normalized id and aliases (aliases are data, never code). */
export function indexModels<T extends ModelIdentity>(rows: readonly T[]): ModelIndex<T> {
  const byId = new Map<string, T>();
  const conflicts: string[] = [];
  const add = (name: string, row: T): void => {
    const key = normalizeModelId(name);
    if (key === '') return;
    const taken = byId.get(key);
    if (taken && taken !== row) {
      conflicts.push(`"${name}" of ${row.id} already names ${taken.id}; kept for ${taken.id}`);
      return;
    }
    byId.set(key, row);
  };
  // Ids first, so an alias can never shadow another row's own id.
  for (const row of rows) add(row.id, row);
  for (const row of rows) for (const alias of row.aliases ?? []) add(alias, row);
  return { find: (model) => byId.get(normalizeModelId(model)), conflicts };
}

export interface ModelFamily {
  /** "opus", "sonnet", "haiku", "fable", "mythos". */
  family: string;
  /** Version parts, major first: claude-opus-5-5 -> [5, 5]. */
  version: number[];
}

/** Family and version of a Claude model id in any spelling (both `claude-opus-5-5` and `claude-3-5-sonnet` orders); undefined when it is not one. */
export function parseModelFamily(raw: string): ModelFamily | undefined {
  const id = normalizeModelId(raw);
  const newer = /^claude-([a-z]+)-(\d{1,3})(?:-(\d{1,3}))?$/.exec(id);
  if (newer) return { family: newer[1], version: newer[3] === undefined ? [Number(newer[2])] : [Number(newer[2]), Number(newer[3])] };
  const older = /^claude-(\d{1,3})(?:-(\d{1,3}))?-([a-z]+)$/.exec(id);
  if (older) return { family: older[3], version: older[2] === undefined ? [Number(older[1])] : [Number(older[1]), Number(older[2])] };
  return undefined;
}

/** Compares two versions part by part ([5] is older than [5, 1]). */
export function compareModelVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return a.length - b.length;
}

/** A short name for tables: `claude-opus-5-5[1m]` -> `opus-5.5`, `claude-3-5-sonnet-20240620` -> `sonnet-3.5`, others without the `claude-` prefix. */
export function displayModelName(raw: string): string {
  const parsed = parseModelFamily(raw);
  if (parsed) return `${parsed.family}-${parsed.version.join('.')}`;
  const id = normalizeModelId(raw);
  return id.replace(/^claude-/, '') || raw;
}
