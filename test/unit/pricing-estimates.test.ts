// Estimates everywhere money shows: the ledger's reports mark them, and the models the card lacks are listed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger } from '../../src/core/ledger/ledger';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { offCardModels } from '../../src/core/reports/cardCoverage';
import { markEstimates } from '../../src/core/reports/estimates';
import { dailyReport } from '../../src/core/reports/usage';
import { resolveConfigDirs } from '../../src/core/transcripts/discovery';
import { assistant, configDir, jsonl } from './builders';

const pricer = createPricer(loadRateCard());
const AT = '2026-11-20T10:00:00.000Z';

async function ledgerOf(): Promise<Ledger> {
  const root = configDir({
    'p/s.jsonl': jsonl([
      assistant({ messageId: 'a', model: 'claude-fable-5-2', input: 1_000_000, timestamp: AT }),
      assistant({ messageId: 'b', model: 'claude-fable-5-3', input: 1_000_000, timestamp: AT }),
      assistant({ messageId: 'c', model: 'claude-fable-5-3[1m]', input: 500_000, timestamp: AT }),
      assistant({ messageId: 'd', model: 'acme-coder-2', input: 1000, timestamp: AT }),
    ]),
  });
  const ledger = await Ledger.open({ pricer });
  ledger.ingest(resolveConfigDirs([root]));
  return ledger;
}

describe('estimates in reports and the models the card lacks', () => {
  it('lists models with no row: estimated (with what they count) or unpriced, spellings merged', async () => {
    const l = await ledgerOf();
    const off = offCardModels(l.db);
    assert.deepEqual(off.map((m) => [m.model, m.requests, m.estimated, m.costNanos]), [
      ['claude-fable-5-3', 2, true, 1_500_000 * 8000],
      ['acme-coder-2', 1, false, 0],
    ]);
    l.close();
  });

  it('marks the estimated part of each row and of the totals; JSON carries it', async () => {
    const l = await ledgerOf();
    const r = dailyReport(l.db, { timezone: 'UTC' });
    const models = markEstimates(r.daily, r.totals, pricer);
    assert.ok(models.length > 0 && models.every((m) => m.startsWith('claude-fable-5-3')), models.join());
    const day = r.daily[0] as (typeof r.daily)[number] & { estimatedCost: number };
    assert.equal(day.estimatedCost, 12);
    assert.equal((r.totals as typeof r.totals & { estimatedCost: number }).estimatedCost, 12);
    const est = day.modelBreakdowns.find((b) => b.modelName.startsWith('claude-fable-5-3')) as { estimated?: boolean; estimatedFrom?: string };
    assert.equal(est.estimated, true);
    assert.equal(est.estimatedFrom, 'claude-fable-5-2');
    const exact = day.modelBreakdowns.find((b) => b.modelName === 'claude-fable-5-2') as { estimated?: boolean };
    assert.equal(exact.estimated, undefined);
    assert.equal(day.totalCost, 8 + 12);
    l.close();
  });
});
