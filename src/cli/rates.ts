// `credit-ledger rates`: the card in use (its date, every row and source, the layers), the models of the
// transcripts with the row that prices them, and the ones it lacks. `rates update --from <file-or-url>`
// imports a price file into the user's rate file and reprices the ledger.
import type { Command } from 'commander';
import { eachRow } from '../core/ledger/query';
import { displayModelName, normalizeModelId } from '../core/pricing/modelId';
import { formatUsd } from '../core/pricing/money';
import type { EffectiveModel, Pricer } from '../core/pricing/pricer';
import { RATE_KEYS } from '../core/pricing/rateCard';
import { readRateFile, userRateCard, writeRateFile } from '../core/pricing/rateFile';
import { PriceFileError, planImport, readPriceSource, type ImportPlan } from '../core/pricing/rateImport';
import { offCardModels } from '../core/reports/cardCoverage';
import type { CliHelpers, CommonOptions, RunContext } from './context';
import { UsageError } from './errors';
import { colorEnabled, formatInt, makeStyle, renderTable, type Style } from './table';

interface UpdateOptions extends CommonOptions {
  from?: string;
  replaceVerified?: boolean;
  dryRun?: boolean;
}

interface SeenModel {
  model: string;
  requests: number;
  /** The card id that prices it, the row in force now, or how it is priced without one. */
  pricedBy: string;
  basis: 'card' | 'imported' | 'settings' | 'estimated' | 'unpriced';
  row: string;
  source: string;
  checked: string;
}

function rates(r: { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number }): string[] {
  return RATE_KEYS.map((k) => `$${Math.round(r[k] * 1e6) / 1e6}`);
}

/** Every model of the stored requests, with what prices it. */
export function seenModels(ctx: RunContext): SeenModel[] {
  const pricer = ctx.meter.pricer;
  const imported = new Set(userRateCard(ctx.paths).imported.map((m) => m.id));
  const counts = new Map<string, number>();
  eachRow(ctx.meter.ledger.db, 'SELECT model, count(*) FROM requests GROUP BY model', [], (v) => {
    const id = normalizeModelId(String(v[0])) || String(v[0]);
    counts.set(id, (counts.get(id) ?? 0) + Number(v[1]));
  });
  const out: SeenModel[] = [];
  for (const [model, requests] of counts) {
    const exact = pricer.lookup(model);
    const base = exact ?? pricer.estimateFor(model);
    const row = pricer.rowAt(model, ctx.now);
    const basis: SeenModel['basis'] = !base ? 'unpriced' : !exact ? 'estimated' : exact.origin !== 'card' ? 'settings' : imported.has(exact.id) ? 'imported' : 'card';
    out.push({
      model,
      requests,
      pricedBy: base ? base.id : '',
      basis,
      row: row ? `${rates(row.rates).join(' / ')} from ${row.from.slice(0, 10)}` : '',
      source: row?.source ?? '',
      checked: row?.checked ?? '',
    });
  }
  return out.sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
}

function cardRows(pricer: Pricer): EffectiveModel[] {
  const order = { active: 0, legacy: 1, retired: 2 } as const;
  return [...pricer.models].sort((a, b) => order[a.status] - order[b.status] || (b.released ?? '').localeCompare(a.released ?? '') || a.id.localeCompare(b.id));
}

export function ratesJson(ctx: RunContext): object {
  const layered = userRateCard(ctx.paths);
  const pricer = ctx.meter.pricer;
  return {
    asOf: pricer.asOf,
    rateFile: { path: layered.file, imported: layered.imported.map((m) => ({ model: m.id, from: m.importedFrom, at: m.importedAt })), superseded: layered.superseded.map((m) => m.id), problems: layered.problems },
    models: cardRows(pricer).map((m) => ({
      id: m.id,
      display: m.display,
      aliases: m.aliases,
      origin: m.origin,
      released: m.released ?? null,
      status: m.status,
      contextWindow: m.contextWindow ?? null,
      maxOutput: m.maxOutput ?? null,
      rows: m.rows,
    })),
    seen: seenModels(ctx),
    offCard: offCardModels(ctx.meter.ledger.db),
  };
}

export function renderRates(ctx: RunContext, style: Style): string {
  const layered = userRateCard(ctx.paths);
  const pricer = ctx.meter.pricer;
  const out: string[] = [];
  out.push(style.bold(`Rate card as of ${pricer.asOf} (USD per million tokens: input / output / 5m write / 1h write / cache read)`));
  const layers = [`shipped card ${pricer.asOf}`];
  if (layered.imported.length) layers.push(`${layered.imported.length} imported model(s) from ${layered.file}`);
  if (pricer.models.some((m) => m.origin !== 'card')) layers.push('your "rateOverrides"');
  out.push(style.dim(`Layers: ${layers.join(', then ')}.`), '');
  const rows = cardRows(pricer).map((m) => {
    const now = m.rows[m.rows.length - 1];
    const extra = [
      (now.tiers ?? []).map((t) => `over ${formatInt(t.aboveTokens)}: ${rates(t.rates).join(' / ')}`).join('; '),
      now.fast ? `fast ${rates(now.fast.rates).slice(0, 2).join(' / ')}` : '',
      m.rows.length > 1 ? `${m.rows.length} dated rows` : '',
    ].filter(Boolean).join('; ');
    return [m.display, m.status, m.released ?? '', ...rates(m.rates), now.verified ? now.checked : `${now.checked} (unverified)`, extra];
  });
  out.push(renderTable(['Model', 'Status', 'Released', 'Input', 'Output', '5m write', '1h write', 'Cache read', 'Checked', 'Tiers, fast, history'], rows, new Set([3, 4, 5, 6, 7]), style));
  const seen = seenModels(ctx);
  if (seen.length) {
    out.push('', style.bold('Models in your transcripts'));
    out.push(renderTable(['Model', 'Requests', 'Priced by', 'Row in force', 'Source'], seen.map((s) => [
      s.model,
      formatInt(s.requests),
      s.basis === 'unpriced' ? style.yellow('unpriced (no row)') : s.basis === 'estimated' ? style.yellow(`estimate at ${displayModelName(s.pricedBy)}`) : `${displayModelName(s.pricedBy)} (${s.basis})`,
      s.row,
      s.checked ? `${s.source} (checked ${s.checked})` : s.source,
    ]), new Set([1]), style));
  }
  const off = offCardModels(ctx.meter.ledger.db);
  if (off.length) {
    out.push('', style.yellow(`Not on the card: ${off.map((m) => `${m.model} (${formatInt(m.requests)} requests, ${m.estimated ? `${formatUsd(m.costNanos)} estimated` : 'unpriced'})`).join(', ')}.`));
    out.push(style.dim('Give exact prices under "rateOverrides" in the settings file, or import a price file: credit-ledger rates update --from <file-or-url> (our format, or LiteLLM\'s model_prices_and_context_window.json).'));
  }
  for (const p of [...layered.problems, ...pricer.problems]) out.push(style.yellow(`problem: ${p}`));
  for (const m of layered.superseded) out.push(style.dim(`${m.id}: imported ${m.importedAt.slice(0, 10)}, but the shipped card's verified rows win (import again with --replace-verified to prefer it).`));
  return out.join('\n');
}

export function renderPlan(plan: ImportPlan, style: Style): string {
  const out: string[] = [style.bold(`${plan.source} (${plan.format === 'litellm' ? "LiteLLM's model_prices_and_context_window.json" : 'Credit Ledger card'}): Anthropic's Claude models only`)];
  const label = { add: 'add', replace: 'replace', unchanged: 'same', 'kept-verified': 'kept' } as const;
  for (const c of plan.changes.filter((x) => x.kind !== 'unchanged')) out.push(`  ${label[c.kind].padEnd(7)} ${c.model}: ${c.detail}`);
  const same = plan.changes.filter((x) => x.kind === 'unchanged').length;
  if (same) out.push(style.dim(`  ${same} model(s) match the card.`));
  if (plan.skipped.length) {
    out.push(style.yellow(`  ${plan.skipped.length} entr${plan.skipped.length === 1 ? 'y' : 'ies'} not taken:`));
    for (const s of plan.skipped.slice(0, 20)) out.push(style.dim(`    ${s}`));
    if (plan.skipped.length > 20) out.push(style.dim(`    …and ${plan.skipped.length - 20} more (--json lists all)`));
  }
  return out.join('\n');
}

function totalNanos(ctx: RunContext): number {
  let n = 0;
  eachRow(ctx.meter.ledger.db, 'SELECT sum(cost_nanos) FROM requests', [], (v) => (n = Number(v[0] ?? 0)));
  return n;
}

export function ratesCommand(program: Command, cli: Pick<CliHelpers, 'withCommonOptions' | 'withRun'>): void {
  const rates = cli
    .withCommonOptions(program.command('rates').description('the rate card in use (date, rows, sources), the models of your transcripts and the ones it lacks'))
    .action(async (opts: CommonOptions) => {
      await cli.withRun(opts, (ctx) => {
        if (opts.json) process.stdout.write(JSON.stringify(ratesJson(ctx), null, 2) + '\n');
        else process.stdout.write(renderRates(ctx, makeStyle(colorEnabled(opts.color))) + '\n');
      });
    });
  cli
    .withCommonOptions(rates.command('update').description('import a price file (ours, or LiteLLM\'s model_prices_and_context_window.json) into your rate file and reprice the ledger'))
    .requiredOption('--from <file-or-url>', 'a local file or an http(s) URL (fetched once, nothing about you sent)')
    .option('--replace-verified', 'let the file replace rows the shipped card verified against the pricing page')
    .option('--dry-run', 'show what would change; write nothing')
    .action(async (own: UpdateOptions) => {
      // Options written after `update` that `rates` also takes (--config-dir, --json, ...) land on the parent.
      const opts: UpdateOptions = { ...(rates.opts() as CommonOptions), ...own };
      if (!opts.from) throw new UsageError('--from <file-or-url> is required');
      let text: string;
      try {
        text = await readPriceSource(opts.from);
      } catch (err) {
        if (err instanceof PriceFileError) throw new UsageError(err.message);
        throw err;
      }
      await cli.withRun(opts, (ctx) => {
        const style = makeStyle(colorEnabled(opts.color));
        const layered = userRateCard(ctx.paths);
        let plan: ImportPlan;
        try {
          plan = planImport(text, opts.from!, layered.card, readRateFile(ctx.paths.rates).models, { replaceVerified: opts.replaceVerified, now: new Date(ctx.now) });
        } catch (err) {
          if (err instanceof PriceFileError) throw new UsageError(err.message);
          throw err;
        }
        const changed = plan.changes.some((c) => c.kind === 'add' || c.kind === 'replace');
        if (opts.json && (opts.dryRun || !changed)) {
          process.stdout.write(JSON.stringify({ ...plan, written: false }, null, 2) + '\n');
          return;
        }
        if (!opts.json) process.stdout.write(renderPlan(plan, style) + '\n');
        if (opts.dryRun || !changed) {
          if (!opts.json) process.stdout.write(style.dim(opts.dryRun ? 'Dry run: nothing written.' : `Nothing to change; ${ctx.paths.rates} left as it was.`) + '\n');
          return;
        }
        const before = totalNanos(ctx);
        writeRateFile(ctx.paths.rates, plan.models, new Date(ctx.now));
        ctx.meter.updateSettings(ctx.settings); // reloads the layered card: the ledger reprices when its fingerprint moved
        ctx.meter.save();
        const after = totalNanos(ctx);
        if (opts.json) process.stdout.write(JSON.stringify({ ...plan, written: true, rateFile: ctx.paths.rates, ledgerBefore: before / 1e9, ledgerAfter: after / 1e9 }, null, 2) + '\n');
        else process.stdout.write(`Wrote ${ctx.paths.rates}. Ledger repriced: ${formatUsd(before)} → ${formatUsd(after)} over every stored request.\n`);
      });
    });
}
