// In-editor context warnings, decided as pure functions: one per session per threshold, for live sessions only,
// snoozes and "already shown" as journal facts; and the sessions' latest contexts read from a ledger.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  CONTEXT_WARNING_SHOWN_FACT,
  contextWarningSettingsFrom,
  decideContextWarnings,
  firstShownClaim,
  shownFact,
  snoozedFact,
  type ContextWarningSettings,
  type SessionContext,
} from '../../src/core/hook/contextWarnings';
import { latestContexts } from '../../src/core/hook/ledgerContexts';
import { resolveHookSettings } from '../../src/core/hook/settings';
import { Ledger } from '../../src/core/ledger/ledger';
import { createPricer, loadRateCard } from '../../src/core/pricing/pricer';
import { appendFact, readJournal, type Fact } from '../../src/core/state/journal';
import { resolveConfigDirs } from '../../src/core/transcripts/discovery';
import { configDir, jsonl, tempDir } from './builders';
import { compactBoundary, contextTurn, OPUS_46, SONNET_45 } from './hookBuilders';

const pricer = createPricer(loadRateCard());
const NOW = Date.parse('2026-11-20T10:10:00.000Z');
const settings: ContextWarningSettings = contextWarningSettingsFrom(resolveHookSettings(undefined));

const session = (s: Partial<SessionContext> = {}): SessionContext => ({ sessionId: 'sess-a', model: SONNET_45, contextTokens: 230_000, at: NOW - 5 * 60_000, cwd: '/home/dev/shop', ...s });
const fact = (f: Record<string, unknown>): Fact => ({ id: `f${Math.random()}`, at: new Date(NOW).toISOString(), kind: String(f.kind), ...f });

describe('decideContextWarnings', () => {
  test('a live session over the Sonnet 4.5 tier: one warning with its numbers', () => {
    const [w, ...rest] = decideContextWarnings([session()], [], settings, pricer, NOW);
    assert.equal(rest.length, 0);
    assert.equal(w!.key, 'tier:200000');
    assert.equal(w!.model, 'claude-sonnet-4-5');
    assert.deepEqual(w!.multiplier, { input: 2, output: 1.5 });
    assert.equal(w!.nextRequestNanos, 230_000 * 600);
    assert.equal(w!.premiumNanos, 230_000 * 300);
    assert.match(w!.message, /session shop \(sess-a\) has ~230,000 tokens of context, over the 200K long-context tier of claude-sonnet-4-5/);
    assert.match(w!.message, /Each request now costs ≈\$0\.1380 at list price before output, \$0\.0690 of it for the tier\./);
  });

  test('once per session per threshold: a shown fact silences it, for this session only', () => {
    const shown = [fact(shownFact({ sessionId: 'sess-a', key: 'tier:200000', contextTokens: 230_000, model: 'claude-sonnet-4-5' }))];
    const due = decideContextWarnings([session(), session({ sessionId: 'sess-b' })], shown, settings, pricer, NOW);
    assert.deepEqual(due.map((w) => w.sessionId), ['sess-b']);
  });

  test('under the tier, idle sessions (history), and Opus 4.6 after the GA date: nothing', () => {
    assert.equal(decideContextWarnings([session({ contextTokens: 200_000 })], [], settings, pricer, NOW).length, 0);
    assert.equal(decideContextWarnings([session({ at: NOW - 2 * 3_600_000 })], [], settings, pricer, NOW).length, 0);
    assert.equal(decideContextWarnings([session({ model: OPUS_46 })], [], settings, pricer, NOW).length, 0);
    const beta = Date.parse('2026-03-01T10:00:00.000Z');
    assert.equal(decideContextWarnings([session({ model: OPUS_46, at: beta - 60_000 })], [], settings, pricer, beta).length, 1);
  });

  test('the user\'s threshold, and each warning turned off by its setting', () => {
    const s = contextWarningSettingsFrom(resolveHookSettings({ contextThreshold: 150_000 }));
    const due = decideContextWarnings([session({ contextTokens: 160_000, model: 'claude-haiku-4-5' })], [], s, pricer, NOW);
    assert.deepEqual(due.map((w) => w.key), ['threshold:150000']);
    assert.match(due[0]!.message, /over your 150,000-token threshold/);
    assert.equal(decideContextWarnings([session()], [], { ...settings, warnOnTier: false }, pricer, NOW).length, 0);
    assert.equal(decideContextWarnings([session({ contextTokens: 160_000 })], [], { ...s, warnOnThreshold: false }, pricer, NOW).length, 0);
  });

  test('snoozes: a session\'s, everyone\'s, and one that has run out', () => {
    const until = NOW + 3_600_000;
    assert.equal(decideContextWarnings([session()], [fact(snoozedFact('sess-a', until))], settings, pricer, NOW).length, 0);
    assert.equal(decideContextWarnings([session()], [fact(snoozedFact('*', until))], settings, pricer, NOW).length, 0);
    assert.equal(decideContextWarnings([session()], [fact(snoozedFact('sess-a', NOW - 1))], settings, pricer, NOW).length, 1);
  });

  test('two windows claiming the same warning: the first claim in the journal shows it', () => {
    const journal = path.join(tempDir(), 'journal.jsonl');
    const [w] = decideContextWarnings([session()], [], settings, pricer, NOW);
    const a = appendFact(journal, shownFact(w!));
    const b = appendFact(journal, shownFact(w!));
    const facts = readJournal(journal).facts;
    assert.equal(firstShownClaim(facts, 'sess-a', 'tier:200000')!.id, a.id);
    assert.notEqual(a.id, b.id);
    assert.equal(facts.filter((f) => f.kind === CONTEXT_WARNING_SHOWN_FACT).length, 2);
    assert.equal(decideContextWarnings([session()], facts, settings, pricer, NOW).length, 0);
  });
});

describe('latestContexts from a ledger', () => {
  test('the last main-thread request of each recent session, shrunk by a later compaction', async () => {
    const t = (m: number): string => new Date(NOW - m * 60_000).toISOString();
    const root = configDir({
      'p/sess-a.jsonl': jsonl([contextTurn(120_000, { sessionId: 'sess-a', timestamp: t(9) }), contextTurn(230_000, { sessionId: 'sess-a', timestamp: t(8) }), contextTurn(900_000, { sessionId: 'sess-a', timestamp: t(7), isSidechain: true })]),
      'p/sess-b.jsonl': jsonl([contextTurn(260_000, { sessionId: 'sess-b', timestamp: t(6), model: OPUS_46 }), compactBoundary({ sessionId: 'sess-b', postTokens: 40_000, timestamp: t(5) })]),
      'p/sess-old.jsonl': jsonl([contextTurn(300_000, { sessionId: 'sess-old', timestamp: t(600) })]),
    });
    const ledger = await Ledger.open({ pricer });
    ledger.ingest(resolveConfigDirs([root]));
    const got = latestContexts(ledger.db, NOW - 30 * 60_000).sort((x, y) => x.sessionId.localeCompare(y.sessionId));
    assert.deepEqual(
      got.map((s) => [s.sessionId, s.contextTokens, s.model]),
      [
        ['sess-a', 230_000, SONNET_45],
        ['sess-b', 40_000, OPUS_46],
      ],
    );
    assert.equal(decideContextWarnings(got, [], settings, pricer, NOW).length, 1);
    ledger.close();
  });
});
