import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PLANS, POLICY_STATUS, findPlan, planLabel } from '../../src/core/pool/plans';
import { PoolSettingsError, allotmentNanos, canonicalTimeZone, resolvePoolSettings } from '../../src/core/pool/settings';
import { formatUsd, parseUsdToNanos, usdToNanos } from '../../src/core/pool/money';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PoolSettingsError);
    return err.problems;
  }
  assert.fail('expected a PoolSettingsError');
};

describe('plans', () => {
  it('lists the announced amounts as data, each with a label', () => {
    const amounts = Object.fromEntries(PLANS.map((p) => [p.id, p.amountUsd]));
    assert.deepEqual(amounts, {
      pro: 20,
      max5x: 100,
      max20x: 200,
      'team-standard': 20,
      'team-premium': 100,
      'enterprise-usage': 20,
      'enterprise-premium': 200,
      custom: null,
      api: null,
    });
    assert.ok(PLANS.every((p) => p.label.length > 0 && p.detail.length > 0));
    assert.equal(findPlan('MAX5X')?.label, 'Max 5x');
    assert.equal(planLabel(null), 'Plan not set');
  });

  it('states the policy plainly, never as live billing', () => {
    assert.equal(
      POLICY_STATUS,
      'Announced for 2026-06-15 and paused the same day; as of the latest reports it is not live billing. Credit Ledger meters your usage against it as a budget.',
    );
  });
});

describe('resolvePoolSettings', () => {
  it('defaults: plan not set is a state of its own, not an error', () => {
    const s = resolvePoolSettings({}, {}, 'Europe/Paris');
    assert.deepEqual(s, { plan: null, scope: 'headless', overage: 'stop', cycleDay: 1, timezone: 'Europe/Paris', countUnclassified: false, basis: 'corrected' });
    assert.equal(allotmentNanos(s), null);
  });

  it('reads the user settings; flags override them for one run', () => {
    const user = { plan: 'pro', scope: 'all' as const, overage: 'bill' as const, cycleDay: 15, timezone: 'Asia/Kolkata', countUnclassified: true, basis: 'recorded' as const };
    const s = resolvePoolSettings(user, {}, 'UTC');
    assert.deepEqual(s, { plan: 'pro', scope: 'all', overage: 'bill', cycleDay: 15, timezone: 'Asia/Kolkata', countUnclassified: true, basis: 'recorded' });
    const f = resolvePoolSettings(user, { plan: 'max20x', cycleDay: '31', timezone: 'america/new_york', basis: 'corrected', scope: 'headless', countUnclassified: false });
    assert.equal(f.plan, 'max20x');
    assert.equal(f.cycleDay, 31);
    assert.equal(f.timezone, 'America/New_York');
    assert.equal(f.basis, 'corrected');
    assert.equal(f.countUnclassified, false);
    assert.equal(allotmentNanos(f), 200_000_000_000);
  });

  it('custom and api take the amount; api budgets all usage and bills past zero by default', () => {
    const c = resolvePoolSettings({ plan: 'custom', amount: 63.2 }, {}, 'UTC');
    assert.equal(allotmentNanos(c), 63_200_000_000);
    assert.equal(c.scope, 'headless');
    const a = resolvePoolSettings({ plan: 'api' }, { amount: '$250' }, 'UTC');
    assert.equal(a.amountUsd, 250);
    assert.equal(a.scope, 'all');
    assert.equal(a.overage, 'bill');
    // An amount left over from a custom plan does not change a fixed plan.
    assert.equal(allotmentNanos(resolvePoolSettings({ plan: 'max5x', amount: 7 }, {}, 'UTC')), 100_000_000_000);
  });

  it('says what is wrong, all at once', () => {
    assert.match(problemsOf(() => resolvePoolSettings({ plan: 'max10x' }, {}, 'UTC'))[0]!, /unknown plan "max10x": choose one of pro, max5x, max20x, team-standard, team-premium, enterprise-usage, enterprise-premium, custom, api/);
    assert.match(problemsOf(() => resolvePoolSettings({ plan: 'custom' }, {}, 'UTC'))[0]!, /plan "custom" needs an amount: the monthly credit in USD/);
    assert.match(problemsOf(() => resolvePoolSettings({ plan: 'api' }, {}, 'UTC'))[0]!, /monthly budget in USD/);
    assert.match(problemsOf(() => resolvePoolSettings({ plan: 'custom', amount: -5 }, {}, 'UTC'))[0]!, /amount must be a positive number of USD \(got -5\)/);
    assert.match(problemsOf(() => resolvePoolSettings({ plan: 'custom' }, { amount: 'lots' }, 'UTC'))[0]!, /amount must be a positive number/);
    for (const day of [0, 32, 1.5, 'x1'] as const) {
      assert.match(problemsOf(() => resolvePoolSettings({}, { cycleDay: day }, 'UTC'))[0]!, /cycle day must be a whole number from 1 to 31/);
    }
    assert.match(problemsOf(() => resolvePoolSettings({ timezone: 'Mars/Olympus_Mons' }, {}, 'UTC'))[0]!, /unknown time zone "Mars\/Olympus_Mons": use an IANA name/);
    assert.match(problemsOf(() => resolvePoolSettings({}, { scope: 'some' }, 'UTC'))[0]!, /scope must be "headless" or "all"/);
    assert.match(problemsOf(() => resolvePoolSettings({}, { overage: 'pay' }, 'UTC'))[0]!, /overage must be "bill" or "stop"/);
    assert.match(problemsOf(() => resolvePoolSettings({}, { basis: 'guess' }, 'UTC'))[0]!, /basis must be "recorded" or "corrected"/);
    // A hand-edited settings file can hold any type: reported, never a crash.
    assert.match(problemsOf(() => resolvePoolSettings({ plan: 5 as unknown as string, cycleDay: '7' as unknown as number }, {}, 'UTC'))[0]!, /unknown plan "5"/);
    assert.equal(resolvePoolSettings({ cycleDay: '7' as unknown as number, countUnclassified: 'yes' as unknown as boolean }, {}, 'UTC').countUnclassified, false);
    const many = problemsOf(() => resolvePoolSettings({ plan: 'gold', cycleDay: 40, timezone: 'Nowhere' }, {}, 'UTC'));
    assert.equal(many.length, 3);
  });

  it('time zone names are canonicalized', () => {
    assert.equal(canonicalTimeZone('Asia/Kolkata'), 'Asia/Kolkata');
    assert.equal(canonicalTimeZone('america/los_angeles'), 'America/Los_Angeles');
    assert.equal(canonicalTimeZone('UTC'), 'UTC');
    assert.equal(canonicalTimeZone('Not/AZone'), null);
    assert.equal(canonicalTimeZone(''), null);
  });
});

describe('money', () => {
  it('parses typed amounts exactly and formats nanos', () => {
    assert.equal(parseUsdToNanos('$63.20'), 63_200_000_000);
    assert.equal(parseUsdToNanos(' 1,250.5 '), 1_250_500_000_000);
    assert.equal(parseUsdToNanos('-0.75'), -750_000_000);
    assert.equal(parseUsdToNanos('0.000000001'), 1);
    assert.equal(parseUsdToNanos('abc'), null);
    assert.equal(parseUsdToNanos(''), null);
    assert.equal(parseUsdToNanos('$'), null);
    assert.equal(usdToNanos(63.2), 63_200_000_000);
    assert.equal(formatUsd(1_234_567_000_000), '$1,234.57');
    assert.equal(formatUsd(-750_000_000), '-$0.7500');
    assert.equal(formatUsd(1), '$0.0000');
  });
});
