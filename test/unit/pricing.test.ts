import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PriceableUsage } from '../../src/core/model';
import { createPricer, formatUsd, loadRateCard, nanosToUsd, normalizeModelId, usdToNanos } from '../../src/core/pricing/pricer';
import type { RateCard, RateOverrides } from '../../src/core/pricing/pricer';
import { indexModels } from '../../src/core/pricing/modelId';

const BEFORE_GA = Date.parse('2026-03-12T23:59:59.999Z');
const AT_GA = Date.parse('2026-03-13T00:00:00.000Z');
const LATER = Date.parse('2026-10-01T12:00:00Z');

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

// Nanodollars per token = USD per million tokens x 1000, written out by hand from FACTS.md.
const FAMILIES: Array<[string, number, number, number, number, number]> = [
  ['claude-opus-4-5', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-4-6', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-4-7', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-4-8', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-5', 5000, 25000, 6250, 10000, 500],
  ['claude-opus-4', 15000, 75000, 18750, 30000, 1500],
  ['claude-opus-4-1', 15000, 75000, 18750, 30000, 1500],
  ['claude-3-opus', 15000, 75000, 18750, 30000, 1500],
  ['claude-sonnet-4', 3000, 15000, 3750, 6000, 300],
  ['claude-sonnet-4-5', 3000, 15000, 3750, 6000, 300],
  ['claude-sonnet-4-6', 3000, 15000, 3750, 6000, 300],
  ['claude-3-7-sonnet', 3000, 15000, 3750, 6000, 300],
  ['claude-3-5-sonnet', 3000, 15000, 3750, 6000, 300],
  ['claude-haiku-4-5', 1000, 5000, 1250, 2000, 100],
  ['claude-3-5-haiku', 800, 4000, 1000, 1600, 80],
  ['claude-3-haiku', 250, 1250, 300, 500, 30],
  // Unverified newer families: cache rates derived at 1.25x / 2x / 0.1x of input.
  ['claude-opus-5-5', 4000, 20000, 5000, 8000, 400],
  ['claude-sonnet-5', 2000, 10000, 2500, 4000, 200],
  ['claude-sonnet-5-5', 2000, 10000, 2500, 4000, 200],
  ['claude-fable-5', 10000, 50000, 12500, 20000, 1000],
  ['claude-fable-5-1', 10000, 50000, 12500, 20000, 1000],
  ['claude-mythos-5', 10000, 50000, 12500, 20000, 1000],
  ['claude-mythos-5-1', 10000, 50000, 12500, 20000, 1000],
];
const UNVERIFIED = new Set(['claude-opus-5-5', 'claude-sonnet-5', 'claude-sonnet-5-5', 'claude-fable-5', 'claude-fable-5-1', 'claude-mythos-5', 'claude-mythos-5-1']);

describe('rate card data', () => {
  it('is dated, sourced, and loads without problems', () => {
    const card = loadRateCard();
    assert.equal(card.asOf, '2026-11-01');
    for (const row of card.models) assert.ok(row.source.length > 10, `${row.id} has a source`);
    for (const row of card.models) for (const t of row.longContext ?? []) assert.ok(t.source.length > 10);
    assert.deepEqual(pricer.problems, []);
    assert.equal(pricer.asOf, '2026-11-01');
  });

  it('holds every family from FACTS.md and marks only the newer ones unverified', () => {
    const ids = new Set(loadRateCard().models.map((m) => m.id));
    for (const [id] of FAMILIES) assert.ok(ids.has(id), id);
    for (const m of loadRateCard().models) assert.equal(m.verified, !UNVERIFIED.has(m.id), m.id);
  });

  it('hands out a copy, so editing one card never changes the next', () => {
    const a = loadRateCard();
    a.models[0].rates.input = 999;
    assert.notEqual(loadRateCard().models[0].rates.input, 999);
  });
});

describe('family rates', () => {
  for (const [id, input, output, w5, w1, read] of FAMILIES) {
    it(`${id}: each category`, () => {
      const M = 100_000; // under every long-context threshold
      assert.equal(cost(id, { input: M }), input * M);
      assert.equal(cost(id, { output: M }), output * M);
      assert.equal(cost(id, { cacheWrite5m: M }), w5 * M);
      assert.equal(cost(id, { cacheWrite1h: M }), w1 * M);
      assert.equal(cost(id, { cacheRead: M }), read * M);
      const p = pricer.price(usage(id, { input: 1 }));
      assert.equal(p.model, id);
      assert.equal(p.notes.some((n) => n.includes('unverified')), UNVERIFIED.has(id));
    });
  }

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

  it('exposes the effective rates with cache rates filled in', () => {
    const m = pricer.lookup('claude-sonnet-5-20261201');
    assert.ok(m);
    assert.equal(m.id, 'claude-sonnet-5');
    assert.deepEqual(m.rates, { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 });
    assert.equal(m.verified, false);
    assert.equal(pricer.lookup('gpt-4o'), undefined);
  });
});

describe('long context', () => {
  const base = { input: 50_000, cacheWrite5m: 50_000, cacheWrite1h: 50_000, cacheRead: 50_000, output: 1000 };

  it('exactly 200,000 prompt tokens stays at standard rates', () => {
    const p = pricer.price(usage('claude-sonnet-4-5', base));
    // 50000x3000 + 50000x3750 + 50000x6000 + 50000x300 + 1000x15000
    assert.equal(p.costNanos, 667_500_000);
    assert.equal(p.longContext, false);
  });

  it('200,001 prompt tokens bills the whole request, output included, at premium rates', () => {
    const p = pricer.price(usage('claude-sonnet-4-5', { ...base, input: 50_001 }));
    // 50001x6000 + 50000x7500 + 50000x12000 + 50000x600 + 1000x22500
    assert.equal(p.costNanos, 1_327_506_000);
    assert.equal(p.longContext, true);
    assert.ok(p.notes.some((n) => n.startsWith('long context: 200001')));
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
    for (const id of ['claude-opus-4-5', 'claude-opus-4-8', 'claude-haiku-4-5']) {
      const p = pricer.price(usage(id, { input: 500_000, timestamp: BEFORE_GA }));
      assert.equal(p.longContext, false, id);
    }
    assert.equal(cost('claude-opus-4-5', { input: 300_000, output: 10_000 }), 1_750_000_000);
  });

  it('a request with no time is judged by the rules in force today', () => {
    const s46 = pricer.price(usage('claude-sonnet-4-6', { input: 300_000, timestamp: 0 }));
    assert.equal(s46.longContext, false);
    assert.ok(s46.notes.some((n) => n.includes('no request time')));
    assert.equal(pricer.price(usage('claude-sonnet-4-5', { input: 300_000, timestamp: Number.NaN })).longContext, true);
  });
});

describe('web search, fast mode, data residency', () => {
  it('web search is $10 per 1,000 searches, on top of tokens', () => {
    const p = pricer.price(usage('claude-sonnet-4-5', { input: 1000, webSearches: 3 }));
    assert.equal(p.webSearchNanos, 30_000_000);
    assert.equal(p.costNanos, 3_000_000 + 30_000_000);
    assert.equal(pricer.price(usage('claude-haiku-4-5', { webSearches: 1000 })).costNanos, 10_000_000_000);
  });

  it('fast mode is 6x every rate on Opus 4.6', () => {
    const p = pricer.price(usage('claude-opus-4-6', { input: 1000, output: 1000, cacheRead: 1000, speed: 'fast' }));
    assert.equal(p.costNanos, 1000 * 30_000 + 1000 * 150_000 + 1000 * 3000);
    assert.equal(p.fast, true);
  });

  it('fast mode stacks on the long-context premium', () => {
    // 300000x60000 + 10000x225000
    assert.equal(cost('claude-opus-4-6', { input: 300_000, output: 10_000, speed: 'fast', timestamp: BEFORE_GA }), 20_250_000_000);
  });

  it('fast mode on a model without fast rates is priced standard and flagged', () => {
    const p = pricer.price(usage('claude-opus-4-7', { input: 1000, output: 1000, speed: 'fast' }));
    assert.equal(p.costNanos, 1000 * 5000 + 1000 * 25_000);
    assert.equal(p.fast, false);
    assert.ok(p.notes.some((n) => n.includes('no fast rates known for claude-opus-4-7')));
  });

  it('US data residency is 1.1x every category on 4.6-and-later models', () => {
    const req = { input: 1_000_000, output: 1_000_000, cacheWrite5m: 1_000_000, cacheWrite1h: 1_000_000, cacheRead: 1_000_000, inferenceGeo: 'us' };
    const p = pricer.price(usage('claude-sonnet-4-6', req));
    // 3300 + 16500 + 4125 + 6600 + 330 per token
    assert.equal(p.costNanos, 30_855_000_000);
    assert.equal(p.residency, true);
    assert.equal(cost('claude-opus-4-8', { cacheRead: 1000, inferenceGeo: 'us' }), 550_000);
    assert.equal(cost('claude-opus-5-5', { input: 1000, inferenceGeo: 'us' }), 4_400_000);
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
    // 0.5 x 6 x 1.1 = 3.3 USD/M -> 3300 nanos per token
    const p = pricer.price(usage('claude-opus-4-6', { cacheRead: 1000, speed: 'fast', inferenceGeo: 'us' }));
    assert.equal(p.costNanos, 3_300_000);
    assert.ok(p.fast && p.residency);
  });

  it('web search is not multiplied by fast mode or residency', () => {
    const p = pricer.price(usage('claude-opus-4-6', { webSearches: 2, speed: 'fast', inferenceGeo: 'us' }));
    assert.equal(p.costNanos, 20_000_000);
  });
});

describe('model ids', () => {
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
  ];
  for (const [raw, want] of cases) {
    it(`${JSON.stringify(raw)} -> ${want}`, () => {
      assert.equal(normalizeModelId(raw), want);
      assert.equal(pricer.price(usage(raw, { input: 1 })).model, want);
    });
  }

  it('prices every spelling the same', () => {
    const want = cost('claude-sonnet-4-5', { input: 1234, output: 567 });
    for (const raw of ['claude-sonnet-4-5-20250929', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5@20250929', 'claude-sonnet-4-5[1m]']) {
      assert.equal(cost(raw, { input: 1234, output: 567 }), want, raw);
    }
  });

  it('aliases come from the data and resolve to the card id', () => {
    assert.equal(pricer.price(usage('claude-opus-4-0', { input: 1 })).model, 'claude-opus-4');
    assert.equal(pricer.price(usage('claude-sonnet-4-0', { input: 1 })).model, 'claude-sonnet-4');
    const index = indexModels([{ id: 'a-model', aliases: ['b-model'] }, { id: 'b-model' }, { id: 'c-model', aliases: ['a-model-20250101'] }]);
    assert.equal(index.find('b-model')?.id, 'b-model'); // an alias never shadows another row's id
    assert.equal(index.find('A-MODEL@20250101')?.id, 'a-model');
    assert.equal(index.conflicts.length, 2);
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

describe('overrides', () => {
  it('replace a card model, deriving missing cache rates and scaling its premium tier', () => {
    const p = createPricer(loadRateCard(), { 'claude-sonnet-4-5-20250929': { input: 2, output: 10 } });
    assert.deepEqual(p.problems, []);
    const m = p.lookup('claude-sonnet-4-5');
    assert.ok(m);
    assert.equal(m.origin, 'card+override');
    assert.deepEqual(m.rates, { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 });
    const std = p.price(usage('claude-sonnet-4-5', { input: 1000, output: 1000, cacheWrite5m: 1000, cacheWrite1h: 1000, cacheRead: 1000 }));
    assert.equal(std.costNanos, 1000 * (2000 + 10_000 + 2500 + 4000 + 200));
    assert.ok(std.notes.some((n) => n.includes('user settings')));
    // Premium keeps its 2x / 1.5x ratio to the overridden standard rates: 4 / 15.
    assert.equal(p.price(usage('claude-sonnet-4-5', { input: 300_000, output: 10_000 })).costNanos, 300_000 * 4000 + 10_000 * 15_000);
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
    assert.equal(p.price(usage('claude-opus-4-6', { input: 1000, speed: 'fast', inferenceGeo: 'us' })).costNanos, 1000 * 26_400);
    assert.equal(p.price(usage('claude-opus-4-20250514', { input: 1000 })).costNanos, 12_000_000);
  });

  it('add a model that is not on the card', () => {
    const p = createPricer(loadRateCard(), { 'acme-coder-2': { input: 1, output: 2, cacheRead: 0.05 } });
    assert.deepEqual(p.problems, []);
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
    assert.ok(has('"claude-opus-4-6": input must be a non-negative number'));
    assert.ok(has('"claude-opus-4-5": input must be a non-negative number'));
    assert.ok(has('"claude-3-opus": rates must be an object'));
    assert.ok(has('"  ": not a model id'));
    assert.ok(has('"claude-haiku-4-5-20251001": names the same model as "claude-haiku-4-5"'));
    assert.ok(has('"claude-opus-4-1": unknown field "cacheRaed"'));
    assert.ok(has('"claude-opus-4-8": cacheRead must be a non-negative number'));
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
  it('are skipped and reported; the rest still prices', () => {
    const card: RateCard = loadRateCard();
    (card.models[0].rates as unknown as Record<string, unknown>).input = 'five';
    card.models.push({ id: 'claude-sonnet-4-5', aliases: [], verified: true, source: 'dup', rates: { input: 1, output: 1 } });
    const tiered = card.models.find((m) => m.id === 'claude-sonnet-4-6');
    assert.ok(tiered?.longContext);
    tiered.longContext[0].until = 'not a date';
    const p = createPricer(card);
    assert.equal(p.problems.length, 3);
    assert.equal(p.models.filter((m) => m.id === 'claude-sonnet-4-5').length, 1);
    assert.equal(p.lookup('claude-sonnet-4-5')?.source.includes('pricing'), true);
    assert.equal(p.price(usage(card.models[0].id, { input: 1 })).priced, false);
    assert.equal(p.price(usage('claude-sonnet-4-5', { input: 1000 })).costNanos, 3_000_000);
    assert.equal(p.price(usage('claude-sonnet-4-6', { input: 300_000, timestamp: BEFORE_GA })).longContext, false);
  });
});

describe('fingerprint', () => {
  it('is short, stable, and changes only with what decides a price', () => {
    const a = createPricer(loadRateCard()).fingerprint;
    assert.match(a, /^[0-9a-f]{16}$/);
    assert.equal(createPricer(loadRateCard()).fingerprint, a);
    assert.equal(pricer.fingerprint, a);

    const prose = loadRateCard();
    prose.models[0].source = 'reworded source';
    assert.equal(createPricer(prose).fingerprint, a);

    const repriced = loadRateCard();
    repriced.models[0].rates.output = 26;
    assert.notEqual(createPricer(repriced).fingerprint, a);

    const redated = loadRateCard();
    const tiered = redated.models.find((m) => m.id === 'claude-opus-4-6');
    assert.ok(tiered?.longContext);
    tiered.longContext[0].until = '2026-03-14T00:00:00Z';
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
