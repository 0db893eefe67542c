// Threshold notifications: which to show, once per threshold per cycle per user (the journal remembers).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { computeBalance } from '../../src/core/pool/balance';
import { reconcileFact } from '../../src/core/pool/facts';
import type { Balance, PoolSettings, SessionFacts } from '../../src/core/pool/types';
import { appendFact, readJournal, type Fact } from '../../src/core/state/journal';
import { alreadyNotified, decideNotification, firstClaim, normalizeThresholds, notificationText, notifiedFact, spentShare } from '../../src/extension/thresholds';

const USD = 1_000_000_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const settings = (over: Partial<PoolSettings> = {}): PoolSettings => ({ plan: 'max5x', scope: 'headless', overage: 'stop', cycleDay: 1, timezone: 'UTC', countUnclassified: false, basis: 'corrected', ...over });
const sessions: SessionFacts[] = [{ sessionId: 's', projectKey: 'p', entrypoint: 'sdk-cli', queueOperationStart: false, firstPromptHash: '' }];
const balance = (spentUsd: number, facts: Fact[] = [], over: Partial<PoolSettings> = {}): Balance =>
  computeBalance({ settings: settings(over), rows: [{ sessionId: 's', projectKey: 'p', timestamp: NOW - 3_600_000, costNanos: spentUsd * USD, priced: true, model: 'm' }], sessions, facts }, NOW);
let n = 0;
const asFact = (body: Record<string, unknown>): Fact => ({ id: `f${++n}`, at: new Date(NOW).toISOString(), kind: String(body.kind), ...body });
const T = [0.75, 0.9, 1];

describe('threshold notifications: what to show', () => {
  it('nothing below the first threshold or without a plan', () => {
    assert.equal(decideNotification(balance(74.99), T, []), null);
    assert.equal(decideNotification(balance(99, [], { plan: null }), T, []), null);
    assert.equal(spentShare(balance(99, [], { plan: null })), null);
  });

  it('at 75% spent: the 75% threshold', () => {
    const d = decideNotification(balance(75), T, []);
    assert.deepEqual(d && { t: d.threshold, covers: d.covers }, { t: 0.75, covers: [0.75] });
  });

  it('a jump past two thresholds warns once, about the higher, and records both', () => {
    const d = decideNotification(balance(95), T, [])!;
    assert.equal(d.threshold, 0.9);
    assert.deepEqual(d.covers, [0.75, 0.9]);
  });

  it('a threshold shown this cycle is not shown again; one shown last cycle is', () => {
    const b = balance(80);
    assert.equal(decideNotification(b, T, [asFact(notifiedFact(b.cycle.start, 0.75))]), null);
    const lastCycle = Date.parse('2026-10-01T00:00:00Z');
    assert.equal(decideNotification(b, T, [asFact(notifiedFact(lastCycle, 0.75))])?.threshold, 0.75);
  });

  it('the spent share follows a reconcile figure (the balance the user typed)', () => {
    const b = balance(10, [asFact({ ...reconcileFact(20, NOW - 60_000) })]);
    assert.ok(Math.abs(spentShare(b)! - 0.8) < 1e-9, String(spentShare(b)));
    assert.equal(decideNotification(b, T, [])?.threshold, 0.75);
  });

  it('100%: used up, error severity, says what happens and that it is not live billing', () => {
    const b = balance(120, [], { overage: 'bill' });
    const d = decideNotification(b, T, [])!;
    assert.equal(d.threshold, 1);
    const text = notificationText(b, d);
    assert.equal(text.severity, 'error');
    assert.match(text.message, /used up \(\$20\.00 over\); further use is billed at API rates/);
    assert.match(text.message, /paused/);
    const w = notificationText(balance(90), decideNotification(balance(90), T, [])!);
    assert.equal(w.severity, 'warning');
    assert.match(w.message, /^Credit Ledger: 90% of your Max 5x credit is spent \(\$10\.00 left, 11 days to go\)/);
  });

  it('normalizes the setting: shares in (0, 10], sorted, unique; junk dropped', () => {
    assert.deepEqual(normalizeThresholds([1, 0.9, '0.75', 0.9, -1, 0, 'x', null, 20]), [0.75, 0.9, 1]);
    assert.deepEqual(normalizeThresholds('0.5'), []);
  });
});

describe('threshold notifications: one window claims it through the journal', () => {
  it('the first notified fact in the journal wins; a later claim sees it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-notify-'));
    const journal = path.join(dir, 'journal.jsonl');
    const cycleStart = Date.parse('2026-11-01T00:00:00Z');
    const a = appendFact(journal, notifiedFact(cycleStart, 0.9));
    const b = appendFact(journal, notifiedFact(cycleStart, 0.9));
    const facts = readJournal(journal).facts;
    assert.equal(firstClaim(facts, cycleStart, 0.9)?.id, a.id);
    assert.notEqual(firstClaim(facts, cycleStart, 0.9)?.id, b.id);
    assert.ok(alreadyNotified(facts, cycleStart, 0.9));
    assert.ok(!alreadyNotified(facts, cycleStart, 0.75));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
