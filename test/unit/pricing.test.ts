import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PriceableUsage } from '../../src/core/model';
import { createPricer, displayModelName, formatUsd, loadRateCard, nanosToUsd, normalizeModelId, usdToNanos } from '../../src/core/pricing/pricer';
import type { RateCard, RateOverrides } from '../../src/core/pricing/pricer';
import { indexModels, parseModelFamily } from '../../src/core/pricing/modelId';
import { RATE_KEYS } from '../../src/core/pricing/rateCard';

const BEFORE_GA = Date.parse('2026-03-12T23:59:59.999Z');
const AT_GA = Date.parse('2026-03-13T00:00:00.000Z');
const LATER = Date.parse('2026-11-20T12:00:00Z');

function usage(model: string, fields: Partial<PriceableUsage> = {}): PriceableUsage {
  return {
    model,
    timestamp: LATER,
    input: 0,
    output: 0,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead: 0,
    webSearches: 0,
    speed: 'standard',
    inferenceGeo: '',
    ...fields,
  };
}

const pricer = createPricer(loadRateCard());

function cost(model: string, fields: Partial<PriceableUsage> = {}): number {
  const p = pricer.price(usage(model, fields));
  assert.equal(p.priced, true, `${model} should be priced`);
  return p.costNanos;
}

// Nanodollars per token = USD per million tokens x 1000, written out by hand from FACTS.md "Rate card" (checked 2026-12-06).
const ROWS: Array<[string, number, number, number, number, number]> = [
  ['claude-fable-5-2', 8000, 40000, 10000, 16000, 200],
  ['claude-mythos-5-2', 8000, 40000, 10000, 16000, 200],
  ['claude-fable-5-1', 10000, 50000, 12500, 20000, 250],
  ['claude-mythos-5-1', 10000, 50000, 12500, 20000, 250],
  ['claude-fable-5', 10000, 50000, 12500, 20000, 1000],
  ['claude-mythos-5', 10000, 50000, 12500, 20000, 1000],
  ['claude-opus-5-5', 4000, 20000, 5000, 8000, 200],
  ['claude-sonnet-5-5', 2000, 10000, 2500, 4000, 100],
  ['claude-sonnet-5', 2000, 10000, 2500, 4000, 200],
  ['claude-haiku-5-5', 100, 500, 125, 200, 10],
  ['claude-opus-5', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-4-8', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-4-7', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-4-6', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-4-5', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-4-1', 15000, 75000, 18750, 30000, 1500],
  ['claude-opus-4', 15000, 75000, 18750, 30000, 1500],
  ['claude-3-opus', 15000, 75000, 18750, 30000, 1500],
  ['claude-sonnet-4-6', 3000, 15000, 3750, 6000, 300],
  ['claude-sonnet-4-5', 3000, 15000, 3750, 6000, 300],
  ['claude-sonnet-4', 3000, 15000, 3750, 6000, 300],
  ['claude-3-7-sonnet', 3000, 15000, 3750, 6000, 300],
  ['claude-3-5-sonnet', 3000, 15000, 3750, 6000, 300],
  ['claude-haiku-4-5', 1000, 5000, 1250, 2000, 100],
  ['claude-3-5-haiku', 800, 4000, 1000, 1600, 80],
  ['claude-3-haiku', 250, 1250, 300, 500, 30],
];

describe('rate card data', () => {
  it('is dated 2026-12-06, every row sourced and checked, and loads without problems', () => {
    const card = loadRateCard();
    assert.equal(card.asOf, '2026-12-06');
    assert.equal(card.schema, 2);
    for (const m of card.models) {
      assert.match(m.released, /^\d{4}-\d{2}-\d{2}$/, m.id);
      assert.ok(m.contextWindow >= 200_000 && m.maxOutput >= 4096, m.id);
      assert.ok(['active', 'legacy', 'retired'].includes(m.status), m.id);
      for (const r of m.rows) {
        assert.ok(r.source.includes('http') || r.source.length > 20, `${m.id} ${r.from} has a source`);
        assert.equal(r.checked, '2026-12-06', `${m.id} ${r.from} checked`);
        for (const k of RATE_KEYS) assert.equal(typeof r.rates[k], 'number', `${m.id} ${r.from} ${k} explicit`);
        for (const t of r.tiers ?? []) for (const k of RATE_KEYS) assert.equal(typeof t.rates[k], 'number', `${m.id} tier ${k} explicit`);
      }
    }
    assert.deepEqual(pricer.problems, []);
    assert.deepEqual(pricer.notices, []);
    assert.equal(pricer.asOf, '2026-12-06');
  });

  it('holds every model of FACTS.md, each at its list price in all five categories', () => {
    for (const [id] of ROWS) assert.ok(pricer.lookup(id), id);
    const ids = new Set(loadRateCard().models.flatMap((m) => [m.id, ...m.aliases]));
    for (const [id] of ROWS) assert.ok(ids.has(id), `${id} is on the card`);
  });

  it('only the Sonnet 5.5 launch row (sources disagree on it) is unverified', () => {
    const unverified = loadRateCard().models.flatMap((m) => m.rows.filter((r) => !r.verified).map((r) => `${m.id}@${r.from.slice(0, 10)}`));
    assert.deepEqual(unverified, ['claude-sonnet-5-5@2026-09-28']);
  });

  it('gives release dates and the current lineup', () => {
    assert.equal(pricer.lookup('claude-fable-5-2')?.released, '2026-11-09');
    assert.equal(pricer.lookup('claude-haiku-5-5')?.released, '2026-10-07');
    assert.equal(pricer.lookup('claude-opus-5-5')?.released, '2026-09-23');
    const active = pricer.models.filter((m) => m.status === 'active').map((m) => m.id).sort();
    assert.deepEqual(active, ['claude-fable-5-2', 'claude-haiku-5-5', 'claude-opus-5-5', 'claude-sonnet-5-5']);
    for (const id of ['claude-opus-4', 'claude-opus-4-1', 'claude-sonnet-4', 'claude-3-opus', 'claude-3-haiku']) assert.equal(pricer.lookup(id)?.status, 'retired', id);
  });

  it('carries each model context window and max output (1M / 128K for the 5.x models)', () => {
    assert.equal(pricer.lookup('claude-opus-5-5')?.contextWindow, 1_000_000);
    assert.equal(pricer.lookup('claude-opus-5-5')?.maxOutput, 128_000);
    assert.equal(pricer.lookup('claude-haiku-4-5')?.contextWindow, 200_000);
    assert.equal(pricer.lookup('claude-haiku-4-5')?.maxOutput, 64_000);
    assert.equal(pricer.lookup('claude-sonnet-4-5[1m]')?.contextWindow, 1_000_000);
  });

  it('hands out a copy, so editing one card never changes the next', () => {
    const a = loadRateCard();
    a.models[0].rows[0].rates.input = 999;
    assert.notEqual(loadRateCard().models[0].rows[0].rates.input, 999);
  });
});

describe('every row, every category', () => {
  for (const [id, input, output, w5, w1, read] of ROWS) {
    it(`${id}`, () => {
      const M = 50_000; // under every tier threshold
      assert.equal(cost(id, { input: M }), input * M);
      assert.equal(cost(id, { output: M }), output * M);
      assert.equal(cost(id, { cacheWrite5m: M }), w5 * M);
      assert.equal(cost(id, { cacheWrite1h: M }), w1 * M);
      assert.equal(cost(id, { cacheRead: M }), read * M);
    });
  }

  it('the issue table: one session of each current model at list price', () => {
    // 1,000 input, 2,000 output, 10,000 1-hour cache write, 100,000 cache read.
    const req = { input: 1000, output: 2000, cacheWrite1h: 10_000, cacheRead: 100_000 };
    assert.equal(formatUsd(cost('claude-fable-5-2', req)), '$0.2680');
    assert.equal(formatUsd(cost('claude-fable-5-1', req)), '$0.3350');
    assert.equal(formatUsd(cost('claude-opus-5-5', req)), '$0.1440');
    assert.equal(formatUsd(cost('claude-sonnet-5-5', req)), '$0.0720');
    assert.equal(cost('claude-mythos-5-2', req), cost('claude-fable-5-2', req));
    assert.equal(formatUsd(cost('claude-haiku-5-5', { ...req, cacheRead: 50_000 })), '$0.0036');
    assert.equal(formatUsd(cost('claude-haiku-5-5', { ...req, cacheRead: 150_000 })), '$0.0230');
  });

  it('sums the categories of one request (Opus 4.6, all five buckets)', () => {
    // 1000x5000 + 2000x25000 + 10000x6250 + 20000x10000 + 100000x500
    const n = cost('claude-opus-4-6', { input: 1000, output: 2000, cacheWrite5m: 10_000, cacheWrite1h: 20_000, cacheRead: 100_000 });
    assert.equal(n, 367_500_000);
    assert.equal(formatUsd(n), '$0.3675');
  });

  it('Sonnet 4.5 with 200K input + 10K output is $0.75; 20 of them are $15.00', () => {
    const one = cost('claude-sonnet-4-5', { input: 200_000, output: 10_000 });
    assert.equal(one, 750_000_000);
    let total = 0;
    for (let i = 0; i < 20; i++) total += cost('claude-sonnet-4-5', { input: 200_000, output: 10_000 });
    assert.equal(total, 15_000_000_000);
    assert.equal(formatUsd(total), '$15.00');
  });

  it('exposes today\'s effective rates and every dated row', () => {
    const m = pricer.lookup('claude-sonnet-5-5-20260928');
    assert.ok(m);
    assert.equal(m.id, 'claude-sonnet-5-5');
    assert.equal(m.display, 'sonnet-5.5');
    assert.deepEqual(m.rates, { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.1 });
    assert.equal(m.verified, true);
    assert.deepEqual(m.rows.map((r) => [r.from, r.rates.cacheRead]), [['2026-09-28T00:00:00Z', 0.2], ['2026-10-07T00:00:00Z', 0.1]]);
    assert.equal(pricer.rowAt('claude-sonnet-5-5', Date.parse('2026-10-01T00:00:00Z'))?.rates.cacheRead, 0.2);
    assert.equal(pricer.rowAt('claude-sonnet-5-5', Number.NaN)?.rates.cacheRead, 0.1);
    assert.equal(pricer.lookup('gpt-4o'), undefined);
  });
});

describe('dated rows', () => {
  const READS = { cacheRead: 1_000_000 };
  it('Sonnet 5.5 cache reads: $0.20 before 2026-10-07, $0.10 from it', () => {
    const before = pricer.price(usage('claude-sonnet-5-5', { ...READS, timestamp: Date.parse('2026-10-06T23:59:59.999Z') }));
    assert.equal(before.costNanos, 200_000_000);
    assert.equal(before.rowFrom, '2026-09-28T00:00:00Z');
    assert.ok(before.notes.some((n) => n.includes('unverified')));
    const at = pricer.price(usage('claude-sonnet-5-5', { ...READS, timestamp: Date.parse('2026-10-07T00:00:00Z') }));
    assert.equal(at.costNanos, 100_000_000);
    assert.equal(at.rowFrom, '2026-10-07T00:00:00Z');
    assert.equal(at.notes.some((n) => n.includes('unverified')), false);
  });

  it('a request dated before a model\'s first row is priced at that row', () => {
    assert.equal(cost('claude-sonnet-5-5', { ...READS, timestamp: Date.parse('2026-01-01T00:00:00Z') }), 200_000_000);
  });

  it('a request with no time is priced at the row in force today, and says so', () => {
    const p = pricer.price(usage('claude-sonnet-5-5', { ...READS, timestamp: 0 }));
    assert.equal(p.costNanos, 100_000_000);
    assert.ok(p.notes.some((n) => n.includes('no request time')));
    const s46 = pricer.price(usage('claude-sonnet-4-6', { input: 300_000, timestamp: Number.NaN }));
    assert.equal(s46.longContext, false);
  });
});

describe('whole-request tiers', () => {
  const base = { input: 50_000, cacheWrite5m: 50_000, cacheWrite1h: 50_000, cacheRead: 50_000, output: 1000 };

  it('Haiku 5.5: 100,000 prompt tokens at the low rates, 100,001 bills every token at the high rates', () => {
    const at = pricer.price(usage('claude-haiku-5-5', { input: 10_000, cacheWrite1h: 10_000, cacheRead: 80_000, output: 2000 }));
    // 10000x100 + 10000x200 + 80000x10 + 2000x500
    assert.equal(at.costNanos, 4_800_000);
    assert.equal(at.longContext, false);
    const over = pricer.price(usage('claude-haiku-5-5', { input: 10_001, cacheWrite1h: 10_000, cacheRead: 80_000, output: 2000 }));
    // 10001x500 + 10000x1000 + 80000x50 + 2000x2500
    assert.equal(over.costNanos, 24_000_500);
    assert.equal(over.longContext, true);
    assert.ok(over.notes.some((n) => n.startsWith('over 100,000 prompt tokens')));
  });

  it('Sonnet 4.5: exactly 200,000 prompt tokens stays at standard rates', () => {
    const p = pricer.price(usage('claude-sonnet-4-5', base));
    // 50000x3000 + 50000x3750 + 50000x6000 + 50000x300 + 1000x15000
    assert.equal(p.costNanos, 667_500_000);
    assert.equal(p.longContext, false);
  });

  it('Sonnet 4.5: 200,001 prompt tokens bills the whole request, output included, at premium rates', () => {
    const p = pricer.price(usage('claude-sonnet-4-5', { ...base, input: 50_001 }));
    // 50001x6000 + 50000x7500 + 50000x12000 + 50000x600 + 1000x22500
    assert.equal(p.costNanos, 1_327_506_000);
    assert.equal(p.longContext, true);
  });

  it('Sonnet 4 has the same premium with no end date', () => {
    assert.equal(cost('claude-sonnet-4-20250514', { input: 200_001, output: 10_000 }), 200_001 * 6000 + 10_000 * 22_500);
    assert.equal(cost('claude-sonnet-4', { input: 300_000, output: 10_000, timestamp: Date.parse('2030-01-01T00:00:00Z') }), 2_025_000_000);
  });

  it('Sonnet 4.6 over 200K: premium before 2026-03-13, standard from then on', () => {
    const req = { input: 300_000, output: 10_000 };
    const before = pricer.price(usage('claude-sonnet-4-6', { ...req, timestamp: BEFORE_GA }));
    assert.equal(before.costNanos, 2_025_000_000); // 300000x6000 + 10000x22500
    assert.equal(before.longContext, true);
    const at = pricer.price(usage('claude-sonnet-4-6', { ...req, timestamp: AT_GA }));
    assert.equal(at.costNanos, 1_050_000_000); // 300000x3000 + 10000x15000
    assert.equal(at.longContext, false);
  });

  it('Opus 4.6 over 200K: premium 10/37.5 (cache 12.5/20/1) before 2026-03-13, standard after', () => {
    const req = { input: 300_000, output: 10_000 };
    assert.equal(cost('claude-opus-4-6', { ...req, timestamp: BEFORE_GA }), 3_375_000_000);
    assert.equal(cost('claude-opus-4-6', { ...req, timestamp: AT_GA }), 1_750_000_000);
    const caches = { input: 1, cacheWrite5m: 100_000, cacheWrite1h: 100_000, cacheRead: 100_000 };
    // 1x10000 + 100000x12500 + 100000x20000 + 100000x1000
    assert.equal(cost('claude-opus-4-6', { ...caches, timestamp: BEFORE_GA }), 3_350_010_000);
  });

  it('models without a tier stay at standard rates over 200K', () => {
    for (const id of ['claude-opus-4-5', 'claude-opus-4-8', 'claude-haiku-4-5', 'claude-opus-5-5', 'claude-fable-5-2']) {
      const p = pricer.price(usage(id, { input: 500_000, timestamp: BEFORE_GA }));
      assert.equal(p.longContext, false, id);
    }
    assert.equal(cost('claude-opus-4-5', { input: 300_000, output: 10_000 }), 1_750_000_000);
  });

  it('the effective model lists each tier with the window it is in force', () => {
    const m = pricer.lookup('claude-opus-4-6');
    assert.deepEqual(m?.longContext.map((t) => [t.thresholdTokens, t.from ?? null, t.until ?? null]), [[200_000, null, '2026-03-13T00:00:00Z']]);
    assert.deepEqual(pricer.lookup('claude-haiku-5-5')?.longContext.map((t) => [t.thresholdTokens, t.rates.input]), [[100_000, 0.5]]);
  });
});

describe('web search, fast mode, data residency', () => {
  it('web search is $10 per 1,000 searches, on top of tokens', () => {
    const p = pricer.price(usage('claude-sonnet-4-5', { input: 1000, webSearches: 3 }));
    assert.equal(p.webSearchNanos, 30_000_000);
    assert.equal(p.costNanos, 3_000_000 + 30_000_000);
    assert.equal(pricer.price(usage('claude-haiku-4-5', { webSearches: 1000 })).costNanos, 10_000_000_000);
  });

  it('fast mode on Opus 4.6 is 6x every rate', () => {
    const p = pricer.price(usage('claude-opus-4-6', { input: 1000, output: 1000, cacheRead: 1000, speed: 'fast' }));
    assert.equal(p.costNanos, 1000 * 30_000 + 1000 * 150_000 + 1000 * 3000);
    assert.equal(p.fast, true);
    assert.equal(p.lowerBound, false);
  });

  it('fast mode has its own rates per model: Opus 5.5 $8/$40, Opus 5 $10/$50', () => {
    assert.equal(cost('claude-opus-5-5', { input: 1000, output: 1000, speed: 'fast' }), 1000 * 8000 + 1000 * 40_000);
    assert.equal(cost('claude-opus-5', { input: 1000, output: 1000, speed: 'fast' }), 1000 * 10_000 + 1000 * 50_000);
  });

  it('Opus 4.8 fast mode is priced until 2026-11-30 and a lower bound after it was withdrawn', () => {
    const before = pricer.price(usage('claude-opus-4-8', { output: 1000, speed: 'fast', timestamp: Date.parse('2026-11-29T12:00:00Z') }));
    assert.equal(before.costNanos, 50_000_000);
    assert.equal(before.fast, true);
    const after = pricer.price(usage('claude-opus-4-8', { output: 1000, speed: 'fast', timestamp: Date.parse('2026-11-30T12:00:00Z') }));
    assert.equal(after.costNanos, 25_000_000);
    assert.equal(after.fast, false);
    assert.equal(after.lowerBound, true);
  });

  it('fast mode stacks on the long-context premium (the tier has its own fast rates)', () => {
    // 300000x60000 + 10000x225000
    assert.equal(cost('claude-opus-4-6', { input: 300_000, output: 10_000, speed: 'fast', timestamp: BEFORE_GA }), 20_250_000_000);
  });

  it('a fast request on a model with no fast rate is priced standard and flagged as a lower bound, never in silence', () => {
    for (const id of ['claude-fable-5-2', 'claude-sonnet-5-5', 'claude-haiku-4-5']) {
      const p = pricer.price(usage(id, { input: 1000, output: 1000, speed: 'fast' }));
      const std = pricer.price(usage(id, { input: 1000, output: 1000 }));
      assert.equal(p.costNanos, std.costNanos, id);
      assert.equal(p.fast, false, id);
      assert.equal(p.lowerBound, true, id);
      assert.ok(p.notes.some((n) => n.includes('lower bound')), id);
      assert.equal(std.lowerBound, false, id);
    }
  });

  it('US data residency is 1.1x every category on 4.6-and-later models', () => {
    const req = { input: 1_000_000, output: 1_000_000, cacheWrite5m: 1_000_000, cacheWrite1h: 1_000_000, cacheRead: 1_000_000, inferenceGeo: 'us' };
    const p = pricer.price(usage('claude-sonnet-4-6', req));
    // 3300 + 16500 + 4125 + 6600 + 330 per token
    assert.equal(p.costNanos, 30_855_000_000);
    assert.equal(p.residency, true);
    assert.equal(cost('claude-opus-4-8', { cacheRead: 1000, inferenceGeo: 'us' }), 550_000);
    assert.equal(cost('claude-opus-5-5', { input: 1000, inferenceGeo: 'us' }), 4_400_000);
    assert.equal(cost('claude-haiku-5-5', { cacheRead: 1000, inferenceGeo: 'us' }), 11_000);
  });

  it('residency does not apply before 4.6, nor outside the US geo', () => {
    const req = { input: 100_000, output: 100_000, cacheRead: 100_000 };
    const p = pricer.price(usage('claude-sonnet-4-5', { ...req, inferenceGeo: 'us' }));
    assert.equal(p.costNanos, 1_830_000_000);
    assert.equal(p.residency, false);
    for (const geo of ['global', 'not_available', '']) {
      assert.equal(cost('claude-sonnet-4-6', { ...req, inferenceGeo: geo }), 1_830_000_000, geo);
    }
  });

  it('fast and residency multiply together and round once per rate', () => {
    // 3 x 1.1 = 3.3 USD/M -> 3300 nanos per token
    const p = pricer.price(usage('claude-opus-4-6', { cacheRead: 1000, speed: 'fast', inferenceGeo: 'us' }));
    assert.equal(p.costNanos, 3_300_000);
    assert.ok(p.fast && p.residency);
  });

  it('web search is not multiplied by fast mode or residency', () => {
    const p = pricer.price(usage('claude-opus-4-6', { webSearches: 2, speed: 'fast', inferenceGeo: 'us' }));
    assert.equal(p.costNanos, 20_000_000);
  });
});

describe('model ids as written in the wild', () => {
  const cases: Array<[string, string]> = [
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['global.anthropic.claude-opus-4-6-v1', 'claude-opus-4-6'],
    ['eu.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'],
    ['anthropic.claude-3-haiku-20240307-v1:0:200k', 'claude-3-haiku'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-1-20250805-v1:0', 'claude-opus-4-1'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['publishers/anthropic/models/claude-opus-4-6@latest', 'claude-opus-4-6'],
    ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet'],
    ['claude-3-opus-20240229', 'claude-3-opus'],
    ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet'],
    ['claude-sonnet-4-6[1m]', 'claude-sonnet-4-6'],
    ['Claude-Opus-4-6[1M]', 'claude-opus-4-6'],
    ['  CLAUDE-HAIKU-4-5-20251001  ', 'claude-haiku-4-5'],
    ['anthropic/claude-opus-4.6', 'claude-opus-4-6'],
    ['claude-opus-5', 'claude-opus-5'],
    ['claude-opus-4-5', 'claude-opus-4-5'],
    // The 5.x generation in every spelling.
    ['claude-opus-5-5[1m]', 'claude-opus-5-5'],
    ['claude-opus-5-5-20260923', 'claude-opus-5-5'],
    ['claude-opus-5-5@20260923', 'claude-opus-5-5'],
    ['us.anthropic.claude-opus-5-5-20260923-v1:0', 'claude-opus-5-5'],
    ['anthropic.claude-sonnet-5-5-v1:0', 'claude-sonnet-5-5'],
    ['global.anthropic.claude-haiku-5-5-20261007-v1:0', 'claude-haiku-5-5'],
    ['claude-haiku-5-5[1m]', 'claude-haiku-5-5'],
    ['claude-fable-5-2@20261109', 'claude-fable-5-2'],
    ['claude-sonnet-5-5-20260928[1m]', 'claude-sonnet-5-5'],
  ];
  for (const [raw, want] of cases) {
    it(`${JSON.stringify(raw)} -> ${want}`, () => {
      assert.equal(normalizeModelId(raw), want);
      assert.equal(pricer.price(usage(raw, { input: 1 })).model, want);
    });
  }

  it('a date suffix never lands on a neighbouring model', () => {
    assert.equal(pricer.price(usage('claude-sonnet-5-5-20260928', { input: 1 })).model, 'claude-sonnet-5-5');
    assert.equal(pricer.price(usage('claude-sonnet-5-20260630', { input: 1 })).model, 'claude-sonnet-5');
    assert.equal(pricer.price(usage('claude-fable-5-20260609', { input: 1 })).model, 'claude-fable-5');
    assert.equal(pricer.price(usage('claude-fable-5-1-20260901', { input: 1 })).model, 'claude-fable-5-1');
    assert.equal(pricer.price(usage('claude-opus-4-20250514', { input: 1 })).model, 'claude-opus-4');
    assert.equal(cost('claude-sonnet-5-5-20260928', { cacheRead: 1000 }), 100_000);
    assert.equal(cost('claude-sonnet-5-20260630', { cacheRead: 1000 }), 200_000);
    assert.equal(cost('claude-fable-5-20260609', { cacheRead: 1000 }), 1_000_000);
  });

  it('prices every spelling the same', () => {
    const want = cost('claude-sonnet-4-5', { input: 1234, output: 567 });
    for (const raw of ['claude-sonnet-4-5-20250929', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5@20250929', 'claude-sonnet-4-5[1m]']) {
      assert.equal(cost(raw, { input: 1234, output: 567 }), want, raw);
    }
  });

  it('Mythos shares Fable\'s rows; aliases come from the data and resolve to the card id', () => {
    assert.equal(pricer.price(usage('claude-mythos-5-2', { input: 1 })).model, 'claude-fable-5-2');
    assert.equal(pricer.price(usage('us.anthropic.claude-mythos-5-1-v1:0', { input: 1 })).model, 'claude-fable-5-1');
    assert.equal(pricer.price(usage('claude-opus-4-0', { input: 1 })).model, 'claude-opus-4');
    assert.equal(pricer.price(usage('claude-sonnet-4-0', { input: 1 })).model, 'claude-sonnet-4');
    const index = indexModels([{ id: 'a-model', aliases: ['b-model'] }, { id: 'b-model' }, { id: 'c-model', aliases: ['a-model-20250101'] }]);
    assert.equal(index.find('b-model')?.id, 'b-model'); // an alias never shadows another row's id
    assert.equal(index.find('A-MODEL@20250101')?.id, 'a-model');
    assert.equal(index.conflicts.length, 2);
  });

  it('short display names for tables', () => {
    assert.equal(displayModelName('claude-opus-5-5[1m]'), 'opus-5.5');
    assert.equal(displayModelName('claude-fable-5-2-20261109'), 'fable-5.2');
    assert.equal(displayModelName('claude-mythos-5-2'), 'mythos-5.2');
    assert.equal(displayModelName('us.anthropic.claude-sonnet-4-5-20250929-v1:0'), 'sonnet-4.5');
    assert.equal(displayModelName('claude-3-5-sonnet-20241022'), 'sonnet-3.5');
    assert.equal(displayModelName('claude-opus-4'), 'opus-4');
    assert.equal(displayModelName('gpt-4o'), 'gpt-4o');
    assert.equal(displayModelName('<synthetic>'), '<synthetic>');
    assert.deepEqual(parseModelFamily('claude-fable-5-3'), { family: 'fable', version: [5, 3] });
    assert.deepEqual(parseModelFamily('claude-3-7-sonnet-latest'), { family: 'sonnet', version: [3, 7] });
    assert.equal(parseModelFamily('gpt-4o'), undefined);
  });
});

describe('unknown models', () => {
  it('are unpriced, never $0', () => {
    const p = pricer.price(usage('claude-nova-9-20270101', { input: 1000, output: 1000, webSearches: 2 }));
    assert.equal(p.priced, false);
    assert.equal(p.costNanos, 0);
    assert.equal(p.webSearchNanos, 0);
    assert.equal(p.model, 'claude-nova-9');
    assert.ok(p.notes.some((n) => n.includes('unpriced')));
  });

  it('includes empty and synthetic model names', () => {
    assert.equal(pricer.price(usage('')).priced, false);
    assert.equal(pricer.price(usage('<synthetic>')).priced, false);
  });

  it('bad token counts are counted as zero (or rounded) and noted, never NaN', () => {
    const p = pricer.price(usage('claude-sonnet-4-5', { input: Number.NaN, output: -5, cacheRead: 10.4 }));
    assert.equal(p.costNanos, 10 * 300);
    assert.equal(p.notes.filter((n) => n.startsWith('bad ')).length, 3);
  });
});

describe('a newer member of a known family: priced as an estimate', () => {
  it('claude-fable-5-3 is estimated at Fable 5.2, marked, its own id kept', () => {
    const req = { input: 1000, output: 2000, cacheWrite1h: 10_000, cacheRead: 100_000 };
    const p = pricer.price(usage('claude-fable-5-3-20270110', req));
    assert.equal(p.priced, true);
    assert.equal(p.estimated, true);
    assert.equal(p.estimatedFrom, 'claude-fable-5-2');
    assert.equal(p.model, 'claude-fable-5-3');
    assert.equal(p.costNanos, cost('claude-fable-5-2', req));
    assert.ok(p.notes.some((n) => n.includes('not on the rate card (as of 2026-12-06): estimated at claude-fable-5-2')));
    assert.equal(pricer.lookup('claude-fable-5-3'), undefined, 'not on the card');
    assert.equal(pricer.estimateFor('claude-fable-5-3')?.id, 'claude-fable-5-2');
  });

  it('every spelling and family: Mythos at Fable\'s shared row, a new major version, tiers and fast kept', () => {
    assert.equal(pricer.price(usage('claude-mythos-5-3[1m]', { input: 1 })).estimatedFrom, 'claude-fable-5-2');
    assert.equal(pricer.price(usage('us.anthropic.claude-opus-6-v1:0', { input: 1 })).estimatedFrom, 'claude-opus-5-5');
    const haiku = pricer.price(usage('claude-haiku-5-6', { input: 100_001 }));
    assert.equal(haiku.estimatedFrom, 'claude-haiku-5-5');
    assert.equal(haiku.longContext, true, 'the family row\'s tiers apply');
    assert.equal(haiku.costNanos, 100_001 * 500);
    const fast = pricer.price(usage('claude-opus-5-6', { output: 1000, speed: 'fast' }));
    assert.equal(fast.costNanos, 40_000_000);
    assert.equal(fast.estimated && fast.fast, true);
  });

  it('an older or in-between version missing from the card, or an unknown family, stays unpriced', () => {
    for (const id of ['claude-opus-4-9', 'claude-sonnet-5-1', 'claude-nova-9', 'gpt-5', 'claude-haiku']) {
      const p = pricer.price(usage(id, { input: 1000 }));
      assert.equal(p.priced, false, id);
      assert.equal(p.estimated, false, id);
      assert.equal(p.costNanos, 0, id);
    }
  });

  it('exact prices from the user\'s settings replace the estimate', () => {
    const p = createPricer(loadRateCard(), { 'claude-fable-5-3': { input: 6, output: 30, cacheWrite5m: 7.5, cacheWrite1h: 12, cacheRead: 0.15 } });
    const r = p.price(usage('claude-fable-5-3', { cacheRead: 1000 }));
    assert.equal(r.estimated, false);
    assert.equal(r.costNanos, 150_000);
    assert.notEqual(p.fingerprint, pricer.fingerprint, 'the ledger reprices');
    // The user's own model is never a family's yardstick.
    assert.equal(p.price(usage('claude-fable-5-4', { cacheRead: 1000 })).estimatedFrom, 'claude-fable-5-2');
  });
});

describe('overrides (settings "rateOverrides")', () => {
  it('all five categories given: replace the model at every date', () => {
    const p = createPricer(loadRateCard(), { 'claude-sonnet-5-5': { input: 1, output: 5, cacheWrite5m: 1.25, cacheWrite1h: 2, cacheRead: 0.05 } });
    assert.deepEqual(p.problems, []);
    assert.deepEqual(p.notices, []);
    const m = p.lookup('claude-sonnet-5-5');
    assert.equal(m?.origin, 'card+override');
    for (const ts of ['2026-09-30', '2026-11-01']) {
      assert.equal(p.price(usage('claude-sonnet-5-5', { cacheRead: 1000, timestamp: Date.parse(ts) })).costNanos, 50_000, ts);
    }
  });

  it('older overrides with input and output only still work: cache rates derived from the model\'s own ratios, and said so', () => {
    const p = createPricer(loadRateCard(), { 'claude-sonnet-4-5-20250929': { input: 2, output: 10 } });
    assert.deepEqual(p.problems, []);
    assert.equal(p.notices.length, 1);
    assert.match(p.notices[0], /cacheWrite5m, cacheWrite1h, cacheRead not given; derived from claude-sonnet-4-5/);
    const m = p.lookup('claude-sonnet-4-5');
    assert.ok(m);
    assert.deepEqual(m.rates, { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 });
    const std = p.price(usage('claude-sonnet-4-5', { input: 1000, output: 1000, cacheWrite5m: 1000, cacheWrite1h: 1000, cacheRead: 1000 }));
    assert.equal(std.costNanos, 1000 * (2000 + 10_000 + 2500 + 4000 + 200));
    assert.ok(std.notes.some((n) => n.includes('user settings')));
    // Premium keeps its 2x / 1.5x ratio to the overridden standard rates: 4 / 15.
    assert.equal(p.price(usage('claude-sonnet-4-5', { input: 300_000, output: 10_000 })).costNanos, 300_000 * 4000 + 10_000 * 15_000);
    // A 5.x model keeps its own cache-read ratio (Opus 5.5: 0.05x input), not the old 0.1x.
    const o = createPricer(loadRateCard(), { 'claude-opus-5-5': { input: 8, output: 40 } });
    assert.equal(o.lookup('claude-opus-5-5')?.rates.cacheRead, 0.4);
    // Other models are untouched.
    assert.equal(p.price(usage('claude-sonnet-4-6', { input: 1000 })).costNanos, 3_000_000);
  });

  it('keep explicit cache rates, resolve Bedrock ids and aliases, keep fast and residency', () => {
    const p = createPricer(loadRateCard(), {
      'us.anthropic.claude-opus-4-6-v1': { input: 4, output: 20, cacheWrite5m: 5.5, cacheWrite1h: 9, cacheRead: 0.45 },
      'claude-opus-4-0': { input: 12, output: 60 },
    });
    assert.deepEqual(p.problems, []);
    assert.equal(p.price(usage('claude-opus-4-6', { cacheWrite5m: 1000, cacheWrite1h: 1000, cacheRead: 1000 })).costNanos, 1000 * (5500 + 9000 + 450));
    // Fast keeps its 6x: 24 x 1.1 = 26.4.
    assert.equal(p.price(usage('claude-opus-4-6', { input: 1000, speed: 'fast', inferenceGeo: 'us' })).costNanos, 1000 * 26_400);
    assert.equal(p.price(usage('claude-opus-4-20250514', { input: 1000 })).costNanos, 12_000_000);
  });

  it('add a model that is not on the card (standard multipliers for what is not given, and said so)', () => {
    const p = createPricer(loadRateCard(), { 'acme-coder-2': { input: 1, output: 2, cacheRead: 0.05 } });
    assert.deepEqual(p.problems, []);
    assert.match(p.notices[0], /cacheWrite5m, cacheWrite1h not given; derived from input at the standard multipliers/);
    const r = p.price(usage('ACME-Coder-2-20270101', { input: 1000, output: 1000, cacheWrite5m: 1000, cacheRead: 1000 }));
    assert.equal(r.priced, true);
    assert.equal(r.model, 'acme-coder-2');
    assert.equal(r.costNanos, 1000 * (1000 + 2000 + 1250 + 50));
    assert.equal(p.lookup('acme-coder-2')?.origin, 'override');
    assert.equal(p.models.length, loadRateCard().models.length + 1);
  });

  it('report bad entries instead of throwing, and apply the good ones', () => {
    const bad = {
      'claude-haiku-4-5': { input: 0.5, output: 2.5 },
      'claude-sonnet-4-5': { output: 15 },
      'claude-opus-4-6': { input: -1, output: 25 },
      'claude-opus-4-5': { input: '5', output: 25 },
      'claude-3-opus': 'cheap',
      '  ': { input: 1, output: 1 },
      'claude-haiku-4-5-20251001': { input: 0.4, output: 2 },
      'claude-opus-4-1': { input: 15, output: 75, cacheRaed: 1 },
      'claude-opus-4-8': { input: 5, output: 25, cacheRead: Number.POSITIVE_INFINITY },
      'claude-opus-4-7': { input: 5.00001, output: 25 },
    } as unknown as RateOverrides;
    const p = createPricer(loadRateCard(), bad);
    const has = (text: string): boolean => p.problems.some((x) => x.includes(text));
    assert.ok(has('"claude-sonnet-4-5": missing input'));
    assert.ok(has('"claude-opus-4-6": input is negative'));
    assert.ok(has('"claude-opus-4-5": input must be a number'));
    assert.ok(has('"claude-3-opus": rates must be an object'));
    assert.ok(has('"  ": not a model id'));
    assert.ok(has('"claude-haiku-4-5-20251001": names the same model as "claude-haiku-4-5"'));
    assert.ok(has('"claude-opus-4-1": unknown field "cacheRaed"'));
    assert.ok(has('"claude-opus-4-8": cacheRead must be a number'));
    assert.ok(has('"claude-opus-4-7": input 5.00001 is finer than $0.001'));
    assert.equal(p.problems.length, 9);
    // Good entries applied; skipped ones keep card rates.
    assert.equal(p.price(usage('claude-haiku-4-5', { input: 1000 })).costNanos, 500_000);
    assert.equal(p.price(usage('claude-sonnet-4-5', { input: 1000 })).costNanos, 3_000_000);
    assert.equal(p.price(usage('claude-opus-4-6', { input: 1000 })).costNanos, 5_000_000);
  });

  it('report a settings value that is not a map at all', () => {
    for (const junk of [[1, 2], 'x', 42]) {
      const p = createPricer(loadRateCard(), junk as unknown as RateOverrides);
      assert.equal(p.problems.length, 1);
      assert.equal(p.price(usage('claude-sonnet-4-5', { input: 1000 })).costNanos, 3_000_000);
    }
    assert.deepEqual(createPricer(loadRateCard(), null).problems, []);
  });
});

describe('bad card rows', () => {
  it('are skipped and reported; a missing category is never filled in for the shipped card', () => {
    const card: RateCard = loadRateCard();
    const first = card.models[0];
    (first.rows[0].rates as unknown as Record<string, unknown>).input = 'five';
    const haiku = card.models.find((m) => m.id === 'claude-haiku-4-5');
    assert.ok(haiku);
    delete (haiku.rows[0].rates as Partial<Record<string, number>>).cacheRead;
    card.models.push({ ...structuredClone(card.models.find((m) => m.id === 'claude-sonnet-4-6')!), id: 'claude-sonnet-4-5' });
    const tiered = card.models.find((m) => m.id === 'claude-opus-4-6');
    assert.ok(tiered);
    tiered.rows[1].from = 'not a date';
    const p = createPricer(card);
    const has = (text: string): boolean => p.problems.some((x) => x.includes(text));
    assert.ok(has(`${first.id} row 1: input must be a number`));
    assert.ok(has('claude-haiku-4-5 row 1: missing cacheRead'));
    assert.ok(has('claude-opus-4-6 row 2: "from" must be a date'));
    assert.ok(has('"claude-sonnet-4-5" of claude-sonnet-4-5 already names claude-sonnet-4-5'));
    assert.equal(p.models.filter((m) => m.id === 'claude-sonnet-4-5').length, 1);
    // Fable 5.2 skipped: it is now a newer member of the Fable family, so an estimate at Fable 5.1 (marked), never exact.
    assert.equal(p.price(usage(first.id, { input: 1 })).estimatedFrom, 'claude-fable-5-1');
    assert.equal(p.price(usage('claude-haiku-4-5', { input: 1 })).priced, false);
    assert.equal(p.price(usage('claude-opus-4-6', { input: 1 })).priced, false);
    assert.equal(p.price(usage('claude-sonnet-4-5', { input: 300_000 })).longContext, true);
  });
});

describe('fingerprint', () => {
  it('is short, stable, and changes only with what decides a price', () => {
    const a = createPricer(loadRateCard()).fingerprint;
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.equal(createPricer(loadRateCard()).fingerprint, a);
    assert.equal(pricer.fingerprint, a);

    const prose = loadRateCard();
    prose.models[0].rows[0].source = 'reworded source';
    prose.models[0].rows[0].checked = '2027-01-01';
    assert.equal(createPricer(prose).fingerprint, a);

    const repriced = loadRateCard();
    repriced.models[0].rows[0].rates.output = 26;
    assert.notEqual(createPricer(repriced).fingerprint, a);

    const redated = loadRateCard();
    const tiered = redated.models.find((m) => m.id === 'claude-opus-4-6');
    assert.ok(tiered);
    tiered.rows[1].from = '2026-03-14T00:00:00Z';
    assert.notEqual(createPricer(redated).fingerprint, a);

    const withOverride = createPricer(loadRateCard(), { 'claude-haiku-4-5': { input: 1, output: 5.5 } }).fingerprint;
    assert.notEqual(withOverride, a);
    assert.equal(createPricer(loadRateCard(), { 'claude-haiku-4-5-20251001': { input: 1, output: 5.5 } }).fingerprint, withOverride);
    // An override equal to the card changes nothing that decides a price.
    assert.equal(createPricer(loadRateCard(), { 'claude-haiku-4-5': { input: 1, output: 5 } }).fingerprint, a);
  });
});

describe('money', () => {
  it('summing a million tiny costs stays exact', () => {
    // One cache-read token on Claude 3 Haiku is $0.00000003; a float sum of dollars drifts.
    const one = cost('claude-3-haiku', { cacheRead: 1 });
    assert.equal(one, 30);
    let nanos = 0;
    let floatUsd = 0;
    for (let i = 0; i < 1_000_000; i++) {
      nanos += cost('claude-3-haiku', { cacheRead: 1 });
      floatUsd += 0.03 / 1_000_000;
    }
    assert.equal(nanos, 30_000_000);
    assert.notEqual(floatUsd, 0.03); // the drift this design avoids
    assert.equal(formatUsd(nanos), '$0.0300');
    let residency = 0;
    for (let i = 0; i < 1_000_000; i++) residency += cost('claude-sonnet-4-6', { cacheRead: 1, inferenceGeo: 'us' });
    assert.equal(residency, 330_000_000); // 0.3 x 1.1 rounded once to 330 nanos per token
  });

  it('formatUsd shows cents from $1 and four decimals below', () => {
    assert.equal(formatUsd(63_400_000_000), '$63.40');
    assert.equal(formatUsd(206_100_000), '$0.2061');
    assert.equal(formatUsd(206_150_000), '$0.2062');
    assert.equal(formatUsd(750_000_000), '$0.7500');
    assert.equal(formatUsd(1_000_000_000), '$1.00');
    assert.equal(formatUsd(999_960_000), '$1.00');
    assert.equal(formatUsd(999_940_000), '$0.9999');
    assert.equal(formatUsd(1_004_999_999), '$1.00');
    assert.equal(formatUsd(1_005_000_000), '$1.01');
    assert.equal(formatUsd(0), '$0.00');
    assert.equal(formatUsd(30), '$0.0000');
  });

  it('formatUsd signs negatives, groups thousands, and takes fixed decimals', () => {
    assert.equal(formatUsd(-1_500_000_000), '-$1.50');
    assert.equal(formatUsd(-206_100_000), '-$0.2061');
    assert.equal(formatUsd(-30), '$0.0000');
    assert.equal(formatUsd(1_234_567_890_000), '$1,234.57');
    assert.equal(formatUsd(1_234_567_890_000, { grouping: false }), '$1234.57');
    assert.equal(formatUsd(1_234_567_890_000, { decimals: 0 }), '$1,235');
    assert.equal(formatUsd(206_123_456, { decimals: 6 }), '$0.206123');
    assert.equal(formatUsd(63_400_000_000, { decimals: 4 }), '$63.4000');
    assert.equal(formatUsd(9_007_199_254_740_991), '$9,007,199.25');
    assert.equal(formatUsd(Number.NaN), '—');
  });

  it('converts between nanos and dollars', () => {
    assert.equal(nanosToUsd(750_000_000), 0.75);
    assert.equal(nanosToUsd(15_000_000_000), 15);
    assert.equal(usdToNanos(0.1 + 0.2), 300_000_000);
    assert.equal(usdToNanos(-12.34), -12_340_000_000);
  });
});
