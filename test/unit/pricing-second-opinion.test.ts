// The second opinion: Claude Code's own per-model costUSD against the card, and which of the two is likelier wrong.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { ownUsagesOf, secondOpinion, type OwnModelUsage } from '../../src/core/pricing/secondOpinion';

const pricer = createPricer(loadRateCard());
const tokens = { input: 1000, output: 2000, cacheWrite: 10_000, cacheRead: 100_000, webSearches: 0 };
const use = (model: string, at: string, costUsd: number): OwnModelUsage => ({ model, at: Date.parse(at), ...tokens, costUsd });

describe('second opinion: Claude Code\'s costUSD per model against the card', () => {
  it('agrees within rounding, whatever the 5m/1h split of cache writes', () => {
    // Ours: writes at 1h $0.072, at 5m $0.057.
    const [a] = secondOpinion([use('claude-sonnet-5-5[1m]', '2026-11-01T10:00:00Z', 0.072)], pricer);
    assert.equal(a.agrees, true);
    assert.equal(a.model, 'claude-sonnet-5-5');
    assert.equal(secondOpinion([use('claude-sonnet-5-5', '2026-11-01T10:00:00Z', 0.0571)], pricer)[0].agrees, true);
  });

  it('Sonnet 5.5 at the old cache-read price after 2026-10-07: names the category and calls it a Claude Code bug', () => {
    const [o] = secondOpinion([use('claude-sonnet-5-5', '2026-11-01T10:00:00Z', 0.082), use('claude-sonnet-5-5', '2026-11-02T10:00:00Z', 0.082)], pricer);
    assert.equal(o.agrees, false);
    assert.equal(o.sessions, 2);
    assert.equal(o.category, 'cacheRead');
    assert.equal(o.claudeCodeRate, 0.2);
    assert.equal(o.cardRate, 0.1);
    assert.equal(o.likelier, 'Claude Code bug');
    assert.equal(o.sentence, "Claude Code prices claude-sonnet-5-5 at $0.20 per million cache-read tokens where the card says $0.10: a Claude Code bug is likelier (Claude Code's figure is the card's price before 2026-10-07: it has not taken the change).");
  });

  it('a price no row explains, on sessions newer than the card: a stale card is likelier', () => {
    // Fable 5.2 cache reads at $0.17 (no model has that price) in sessions after the card's date.
    const cost = (1000 * 8000 + 2000 * 40_000 + 100_000 * 170) / 1e9;
    const [o] = secondOpinion([{ ...use('claude-fable-5-2', '2026-12-20T10:00:00Z', cost), cacheWrite: 0 }], pricer);
    assert.equal(o.agrees, false);
    assert.equal(o.claudeCodeRate, 0.17);
    assert.equal(o.likelier, 'stale card');
    assert.match(o.sentence!, /^Claude Code prices claude-fable-5-2 at \$0\.17 per million cache-read tokens where the card says \$0\.20: a stale card is likelier/);
  });

  it('models with no card price are not second-guessed; records without a cost are skipped', () => {
    assert.deepEqual(secondOpinion([use('claude-fable-5-3', '2026-12-20T10:00:00Z', 1), use('gpt-5', '2026-12-20T10:00:00Z', 1)], pricer), []);
    const usages = ownUsagesOf([{ lastActivity: Date.parse('2026-11-01T10:00:00Z'), models: [{ model: 'claude-opus-5-5', claudeCode: { ...tokens, costUsd: null } }, { model: 'claude-opus-5-5', claudeCode: null }, { model: 'claude-haiku-5-5', claudeCode: { ...tokens, costUsd: 0.1 } }] }]);
    assert.deepEqual(usages.map((u) => u.model), ['claude-haiku-5-5']);
  });
});
