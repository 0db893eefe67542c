import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cycleFor, previousCycles, startOfLocalDay, startOfLocalHour } from '../../src/core/pool/cycle';

const T = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const span = (instant: string, day: number, zone: string): [string, string] => {
  const c = cycleFor(T(instant), day, zone);
  return [iso(c.start), iso(c.end)];
};

describe('billing cycle: DST in America/New_York', () => {
  it('March: the cycle starts at EST midnight and ends at EDT midnight', () => {
    assert.deepEqual(span('2026-03-10T12:00:00Z', 8, 'America/New_York'), ['2026-03-08T05:00:00.000Z', '2026-04-08T04:00:00.000Z']);
    const c = cycleFor(T('2026-03-10T12:00:00Z'), 8, 'America/New_York');
    assert.equal(c.label, '2026-03-08 – 2026-04-07');
    assert.equal(c.lengthDays, 31);
    assert.deepEqual(span('2026-03-20T12:00:00Z', 1, 'America/New_York'), ['2026-03-01T05:00:00.000Z', '2026-04-01T04:00:00.000Z']);
  });

  it('the reset on the DST day itself (2026-03-08, 23-hour day) is still local midnight', () => {
    // 2026-03-08 00:30 EST, before the 02:00 jump: already the new cycle.
    assert.equal(iso(cycleFor(T('2026-03-08T05:30:00Z'), 8, 'America/New_York').start), '2026-03-08T05:00:00.000Z');
    assert.equal(iso(cycleFor(T('2026-03-08T04:59:59.999Z'), 8, 'America/New_York').start), '2026-02-08T05:00:00.000Z');
  });

  it('November: the cycle starts at EDT midnight and ends at EST midnight', () => {
    assert.deepEqual(span('2026-11-15T12:00:00Z', 1, 'America/New_York'), ['2026-11-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z']);
    // 2026-11-01 is the 25-hour day: 00:30 EDT is already November's cycle, 23:59 EDT of Oct 31 is not.
    assert.equal(iso(cycleFor(T('2026-11-01T04:30:00Z'), 1, 'America/New_York').start), '2026-11-01T04:00:00.000Z');
    assert.equal(iso(cycleFor(T('2026-11-01T03:59:59.999Z'), 1, 'America/New_York').start), '2026-10-01T04:00:00.000Z');
    assert.deepEqual(span('2026-10-20T12:00:00Z', 1, 'America/New_York'), ['2026-10-01T04:00:00.000Z', '2026-11-01T04:00:00.000Z']);
  });

  it('a midnight that DST skips (America/Santiago) resets at the first instant of the day', () => {
    // Chile springs forward at 24:00 on 2026-09-05: 2026-09-06 begins at 01:00 -03.
    assert.equal(iso(cycleFor(T('2026-09-10T12:00:00Z'), 6, 'America/Santiago').start), '2026-09-06T04:00:00.000Z');
  });
});

describe('billing cycle: month ends and clamping', () => {
  it('day 31 clamps to Feb 28 and Apr 30 and does not spill into the next month', () => {
    assert.deepEqual(span('2027-02-15T12:00:00Z', 31, 'UTC'), ['2027-01-31T00:00:00.000Z', '2027-02-28T00:00:00.000Z']);
    assert.deepEqual(span('2027-03-01T12:00:00Z', 31, 'UTC'), ['2027-02-28T00:00:00.000Z', '2027-03-31T00:00:00.000Z']);
    assert.deepEqual(span('2026-04-30T00:00:00Z', 31, 'UTC'), ['2026-04-30T00:00:00.000Z', '2026-05-31T00:00:00.000Z']);
    assert.deepEqual(span('2026-04-29T23:59:59.999Z', 31, 'UTC'), ['2026-03-31T00:00:00.000Z', '2026-04-30T00:00:00.000Z']);
  });

  it('day 31 and day 30 in February 2028 reset on the leap day', () => {
    assert.deepEqual(span('2028-02-29T00:00:00Z', 31, 'UTC'), ['2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z']);
    assert.deepEqual(span('2028-02-28T23:59:59.999Z', 31, 'UTC'), ['2028-01-31T00:00:00.000Z', '2028-02-29T00:00:00.000Z']);
    assert.deepEqual(span('2028-02-29T10:00:00Z', 30, 'UTC'), ['2028-02-29T00:00:00.000Z', '2028-03-30T00:00:00.000Z']);
    assert.equal(cycleFor(T('2028-02-10T00:00:00Z'), 31, 'UTC').label, '2028-01-31 – 2028-02-28');
    assert.equal(cycleFor(T('2028-02-10T00:00:00Z'), 31, 'UTC').lengthDays, 29);
  });

  it('day 29 in a common year resets on Feb 28, then on Mar 29', () => {
    assert.deepEqual(span('2027-03-10T00:00:00Z', 29, 'UTC'), ['2027-02-28T00:00:00.000Z', '2027-03-29T00:00:00.000Z']);
  });

  it('crosses the year end', () => {
    assert.deepEqual(span('2026-01-05T00:00:00Z', 15, 'UTC'), ['2025-12-15T00:00:00.000Z', '2026-01-15T00:00:00.000Z']);
  });
});

describe('billing cycle: time zones on both sides of UTC', () => {
  it('Pacific/Auckland (+13 in January, +12 in July): the reset is the previous UTC day', () => {
    assert.equal(iso(cycleFor(T('2025-12-31T11:00:00Z'), 1, 'Pacific/Auckland').start), '2025-12-31T11:00:00.000Z');
    assert.equal(iso(cycleFor(T('2025-12-31T10:59:59.999Z'), 1, 'Pacific/Auckland').start), '2025-11-30T11:00:00.000Z');
    assert.deepEqual(span('2026-07-10T00:00:00Z', 1, 'Pacific/Auckland'), ['2026-06-30T12:00:00.000Z', '2026-07-31T12:00:00.000Z']);
  });

  it('America/Los_Angeles (−8): the reset is 08:00 UTC', () => {
    assert.equal(iso(cycleFor(T('2026-01-01T08:00:00Z'), 1, 'America/Los_Angeles').start), '2026-01-01T08:00:00.000Z');
    assert.equal(iso(cycleFor(T('2026-01-01T07:59:59.999Z'), 1, 'America/Los_Angeles').start), '2025-12-01T08:00:00.000Z');
  });

  it('Asia/Kolkata (+5:30): the reset is 18:30 UTC the day before', () => {
    assert.equal(iso(cycleFor(T('2025-12-31T18:30:00Z'), 1, 'Asia/Kolkata').start), '2025-12-31T18:30:00.000Z');
    assert.equal(iso(cycleFor(T('2025-12-31T18:29:59.999Z'), 1, 'Asia/Kolkata').start), '2025-11-30T18:30:00.000Z');
    // Local hours are on the half hour in UTC.
    assert.equal(iso(startOfLocalHour(T('2026-01-10T10:10:00Z'), 'Asia/Kolkata')), '2026-01-10T09:30:00.000Z');
    assert.equal(iso(startOfLocalDay(T('2026-01-10T20:00:00Z'), 'Asia/Kolkata')), '2026-01-10T18:30:00.000Z');
  });
});

describe('billing cycle: the reset instant, days left, previous cycles', () => {
  it('an instant exactly at the reset belongs to the new cycle', () => {
    const c = cycleFor(T('2026-02-01T00:00:00Z'), 1, 'UTC');
    assert.equal(iso(c.start), '2026-02-01T00:00:00.000Z');
    assert.equal(cycleFor(c.start - 1, 1, 'UTC').end, c.start);
  });

  it('days left counts local calendar days to the reset date', () => {
    assert.equal(cycleFor(T('2026-01-31T10:00:00Z'), 1, 'UTC').daysLeft, 1);
    assert.equal(cycleFor(T('2026-01-01T00:00:00Z'), 1, 'UTC').daysLeft, 31);
    // Across the March change in New York: Mar 1 -> Mar 15 is 14 days though one is 23 hours.
    assert.equal(cycleFor(T('2026-03-01T17:00:00Z'), 15, 'America/New_York').daysLeft, 14);
    // 2026-01-31 20:00 in Los Angeles is Feb 1 UTC, still Jan 31 locally.
    assert.equal(cycleFor(T('2026-02-01T04:00:00Z'), 1, 'America/Los_Angeles').daysLeft, 1);
  });

  it('previousCycles: newest first, contiguous, clamped', () => {
    const now = T('2026-03-10T00:00:00Z');
    const prev = previousCycles(now, 3, 31, 'UTC');
    assert.deepEqual(prev.map((c) => c.label), ['2026-01-31 – 2026-02-27', '2025-12-31 – 2026-01-30', '2025-11-30 – 2025-12-30']);
    assert.equal(prev[0]!.end, cycleFor(now, 31, 'UTC').start);
    assert.equal(prev[1]!.end, prev[0]!.start);
    assert.ok(prev.every((c) => c.daysLeft === 0));
    assert.deepEqual(previousCycles(now, 0, 1, 'UTC'), []);
  });

  it('rejects a bad cycle day or zone', () => {
    assert.throws(() => cycleFor(0, 0, 'UTC'), /cycle day/);
    assert.throws(() => cycleFor(0, 32, 'UTC'), /cycle day/);
    assert.throws(() => cycleFor(0, 1.5, 'UTC'), /cycle day/);
    assert.throws(() => cycleFor(0, 1, 'Mars/Olympus_Mons'), /time zone/);
  });
});
