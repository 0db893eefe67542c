// Export: one CSV row per request with exact decimal costs; JSON with the balance and totals.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Meter } from '../../src/core/meter/meter';
import { userPaths } from '../../src/core/state/paths';
import { csvCell, exportRequests, nanosToDecimal, toCsv, toJson } from '../../src/extension/ledgerExport';
import { assistant, configDir, jsonl, tempDir } from './builders';

describe('ledger export', () => {
  it('exact decimals from nanodollars', () => {
    assert.equal(nanosToDecimal(0), '0.00');
    assert.equal(nanosToDecimal(20_610_000), '0.02061');
    assert.equal(nanosToDecimal(1_500_000_000), '1.50');
    assert.equal(nanosToDecimal(-1), '-0.000000001');
  });

  it('CSV cells: quoting, and no formula injection from transcript text', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('-home-dev-shop'), "'-home-dev-shop");
    assert.equal(csvCell('-1.5', true), '-1.5');
    assert.equal(csvCell(true), 'true');
  });

  it('rows from a real ledger, as CSV and JSON', async () => {
    const home = tempDir('cl-home-');
    const root = configDir({
      '-home-dev-shop/s1.jsonl': jsonl([
        assistant({ sessionId: 's1', messageId: 'm1', input: 1000, output: 500, timestamp: '2026-11-20T10:00:00.000Z', entrypoint: 'sdk-cli' }),
        assistant({ sessionId: 's1', messageId: 'm2', input: 10, output: 5, model: 'claude-zephyr-9', timestamp: '2026-11-20T10:01:00.000Z', entrypoint: 'sdk-cli' }),
      ]),
    });
    const meter = await Meter.open({ paths: userPaths({ CREDIT_LEDGER_HOME: home }), settings: { plan: 'pro', timezone: 'UTC' }, configDirs: [root], writesSnapshot: false, clock: () => Date.parse('2026-11-20T12:00:00Z') });
    try {
      const update = meter.refresh();
      const rows = exportRequests(meter.ledger.db, 'Asia/Tokyo');
      assert.equal(rows.length, 2);
      assert.deepEqual(
        { ...rows[0], costUsd: rows[0]!.costUsd },
        {
          timestamp: '2026-11-20T10:00:00.000Z', localDate: '2026-11-20', sessionId: 's1', projectKey: '-home-dev-shop', entrypoint: 'sdk-cli', model: 'claude-sonnet-4-5-20250929',
          inputTokens: 1000, outputTokens: 500, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0, webSearchRequests: 0,
          costUsd: '0.0105', priced: true, longContext: false, sidechain: false, agentId: '', requestId: 'req_m1', messageId: 'm1',
        },
      );
      assert.equal(rows[1]!.priced, false);
      const csv = toCsv(rows).split('\r\n');
      assert.equal(csv[0], 'timestamp,local_date,session_id,project_key,entrypoint,model,input_tokens,output_tokens,cache_write_5m_tokens,cache_write_1h_tokens,cache_read_tokens,web_search_requests,cost_usd,priced,long_context,sidechain,agent_id,request_id,message_id');
      assert.equal(csv[1], "2026-11-20T10:00:00.000Z,2026-11-20,s1,'-home-dev-shop,sdk-cli,claude-sonnet-4-5-20250929,1000,500,0,0,0,0,0.0105,true,false,false,,req_m1,m1");
      assert.equal(csv.length, 4, 'header, two rows, trailing newline');
      const doc = JSON.parse(toJson(rows, { exportedAt: Date.parse('2026-11-20T12:00:00Z'), configDirs: [root], balance: update.balance }));
      assert.equal(doc.requests.length, 2);
      assert.deepEqual(doc.totals, { requests: 2, costUsd: '0.0105', unpricedRequests: 1 });
      assert.equal(doc.balance.plan, 'pro');
      assert.equal(doc.balance.allotmentUsd, '20.00');
      assert.match(doc.policyStatus, /paused/);
    } finally {
      meter.close();
    }
  });
});
