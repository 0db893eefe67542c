// The user's own rate file (per-user folder, written only by `credit-ledger rates update` and the VS Code
// command): models imported from a price file, layered over the shipped card. The user's "rateOverrides"
// setting then goes on top (pricer.ts), so the layers are: shipped card, imported rows, the user's overrides.
import * as fs from 'node:fs';
import { writeFileAtomic } from '../state/atomicFile';
import { indexModels, normalizeModelId } from './modelId';
import { loadRateCard, validModelRate } from './rateCard';
import type { ModelRate, RateCard } from './rateCard';

export const RATE_FILE_KIND = 'credit-ledger rate file';

/** A model as stored in the rate file: the card's shape plus where it came from. */
export interface ImportedModel extends ModelRate {
  /** The file or URL it was imported from. */
  importedFrom: string;
  /** ISO instant of the import. */
  importedAt: string;
  /** The user asked for it to replace the shipped card's verified rows. */
  replaceVerified: boolean;
}

export interface RateFile {
  kind: typeof RATE_FILE_KIND;
  schema: 2;
  /** ISO instant of the last import. */
  updatedAt: string;
  models: ImportedModel[];
}

export interface LayeredCard {
  card: RateCard;
  /** Imported models in force, by id. */
  imported: readonly ImportedModel[];
  /** Imported models the shipped card's verified rows win over (a newer release checked them). */
  superseded: readonly ImportedModel[];
  /** What is wrong with the rate file (unreadable, bad entries skipped). */
  problems: readonly string[];
  file: string;
}

/** Reads the rate file; a missing file is an empty one, a bad one is reported and ignored (never thrown). */
export function readRateFile(file: string): { models: ImportedModel[]; problems: string[] } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { models: [], problems: [] };
    return { models: [], problems: [`rate file ${file}: ${(err as Error).message}; the shipped card is used`] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { models: [], problems: [`rate file ${file} is not JSON (${(err as Error).message}); the shipped card is used`] };
  }
  const o = raw as Partial<RateFile>;
  if (!o || o.kind !== RATE_FILE_KIND || !Array.isArray(o.models)) return { models: [], problems: [`rate file ${file} is not a Credit Ledger rate file; the shipped card is used`] };
  const problems: string[] = [];
  const models: ImportedModel[] = [];
  for (const m of o.models) {
    const valid = validModelRate(m, problems, `rate file ${file}`);
    if (!valid) continue;
    const extra = m as Partial<ImportedModel>;
    models.push({ ...valid, importedFrom: String(extra.importedFrom ?? ''), importedAt: String(extra.importedAt ?? ''), replaceVerified: extra.replaceVerified === true });
  }
  return { models, problems };
}

export function writeRateFile(file: string, models: readonly ImportedModel[], now: Date): void {
  const body: RateFile = { kind: RATE_FILE_KIND, schema: 2, updatedAt: now.toISOString(), models: [...models].sort((a, b) => a.id.localeCompare(b.id)) };
  writeFileAtomic(file, `${JSON.stringify(body, null, 2)}\n`);
}

/** True when every row of the model on the shipped card was checked against the official pages. */
export function isVerified(m: ModelRate): boolean {
  return m.rows.every((r) => r.verified);
}

/** The shipped card with the imported models layered on: an import replaces a model (id or alias) unless the shipped rows are verified and the user did not ask. */
export function layerCard(shipped: RateCard, imported: readonly ImportedModel[]): { card: RateCard; inForce: ImportedModel[]; superseded: ImportedModel[] } {
  const card = structuredClone(shipped);
  const index = indexModels(card.models);
  const inForce: ImportedModel[] = [];
  const superseded: ImportedModel[] = [];
  for (const m of imported) {
    const base = index.find(m.id) ?? m.aliases.map((a) => index.find(a)).find((x) => x !== undefined);
    if (base && isVerified(base) && !m.replaceVerified) {
      superseded.push(m);
      continue;
    }
    const { importedFrom: _f, importedAt: _a, replaceVerified: _r, ...rate } = m;
    if (base) card.models[card.models.indexOf(base)] = { ...rate, id: base.id, aliases: [...new Set([...base.aliases, ...rate.aliases.filter((a) => normalizeModelId(a) !== base.id)])] };
    else card.models.push(rate);
    inForce.push(m);
  }
  return { card, inForce, superseded };
}

/** The card every reader of this user prices with: the shipped card, then the user's rate file. */
export function userRateCard(paths: { rates: string }): LayeredCard {
  const { models, problems } = readRateFile(paths.rates);
  const { card, inForce, superseded } = layerCard(loadRateCard(), models);
  return { card, imported: inForce, superseded, problems, file: paths.rates };
}
