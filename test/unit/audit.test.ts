import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { liveLoopLine } from '../../src/core/audit/report';
import { resolveAuditThresholds, DEFAULT_AUDIT_THRESHOLDS } from '../../src/core/audit/settings';
import { ignoredLoopIds, ignoreLoopFact, runCommands, LOOP_ID_PATTERN } from '../../src/core/audit/facts';
import type { AuditLoop } from '../../src/core/audit/types';
import type { AuditEvent, AuditRequest } from '../../src/core/audit/input';
import {
  DAY,
  MINUTE,
  USD,
  T,
  fact,
  failingCommandLoop,
  healthySession,
  loopMarker,
  nightlyJob,
  req,
  rereadLoop,
  runAudit,
  scheduleWakeupLoop,
  session,
  sessionsOf,
  subagentHeavySession,
  toolError,
} from './auditBuilders';

const only = (loops: AuditLoop[]): AuditLoop => {
  assert.equal(loops.length, 1, `expected one loop, got ${loops.map((l) => `${l.kind}: ${l.verdict}`).join(' | ')}`);
  return loops[0]!;
};

describe('re-read loop: 40 iterations of a cached 180K context', () => {
  const requests = rereadLoop();
  const now = T('2026-11-25T00:00:00Z');
  const report = runAudit({ requests, now });
  const loop = only(report.loops);

  it('is one re-read loop of 40 iterations, the repeated call folded into it as a signal', () => {
    assert.equal(loop.kind, 'reread');
    assert.equal(loop.metrics.iterations, 40);
    assert.equal(loop.metrics.requests, 40);
    assert.match(loop.id, LOOP_ID_PATTERN);
    assert.deepEqual(loop.signals, ['It also repeats the same Bash call 40 times.']);
  });

  it('says what it does in plain words', () => {
    assert.match(loop.verdict, /^Re-reads 180K tokens of context 40 times for 3K tokens of output \(\$\d+\.\d\d, \$0\.\d{4} each\); 97% of it from the cache\.$/);
  });

  it('points at the transcript and byte offset of its first request', () => {
    assert.equal(loop.where.sessionId, 'poll');
    assert.equal(loop.where.file, requests[0]!.file);
    assert.equal(loop.where.offset, requests[0]!.offset);
    assert.equal(loop.where.firstRequestKey, requests[0]!.key);
    assert.equal(loop.where.firstAt, requests[0]!.timestamp);
    assert.equal(loop.where.lastAt, requests[39]!.timestamp);
    assert.equal(loop.where.drawsOnCredit, true);
  });

  it('measures context, re-read share, cache and output per dollar', () => {
    const m = loop.metrics;
    const cost = requests.reduce((s, r) => s + r.costNanos, 0);
    assert.equal(m.costNanos, cost);
    assert.equal(m.cycleCostNanos, cost);
    assert.equal(m.costPerIterationNanos, Math.round(cost / 40));
    assert.deepEqual(m.context, { firstTokens: 170_000, lastTokens: 189_500, avgTokens: 179_750, maxTokens: 189_500, growthPerIterationTokens: 500 });
    assert.equal(m.tokens.output, 3_000);
    const prompts = requests.reduce((s, r) => s + r.cacheRead + r.cacheWrite5m, 0);
    assert.equal(m.cacheHitRatio, requests.reduce((s, r) => s + r.cacheRead, 0) / prompts);
    // 39 requests re-read the previous prompt from cache; the first one wrote it.
    assert.equal(m.rereadTokens, requests.slice(1).reduce((s, r) => s + r.cacheRead, 0));
    assert.ok(m.rereadShare > 0.5 && m.rereadShare < 0.8, String(m.rereadShare));
    assert.equal(m.unreadCacheWriteTokens, 500, 'only the last write is never read back');
    assert.equal(m.expiredCacheRewrites, 0);
    assert.equal(m.medianIntervalSeconds, 60);
    assert.equal(m.outputPerUsd, Math.round(3_000 / (cost / USD)));
  });

  it('prices the moves: no cache fix (the cache works), cheaper models, the credit it takes', () => {
    const mv = loop.moves;
    assert.ok(!mv.fixes.some((f) => f.kind === 'cache'), 'caching already works');
    const haiku = mv.cheaperModels.find((c) => c.models.includes('claude-haiku-4-5'))!;
    assert.ok(haiku.verified);
    assert.ok(Math.abs(haiku.costNanos - loop.metrics.costNanos / 3) <= 40, 'Haiku 4.5 is a third of Sonnet 4.5 on every bucket');
    assert.equal(haiku.savingPerCycleNanos, haiku.savingNanos, 'a one-off loop is weighed as it ran');
    const offered = mv.cheaperModels.flatMap((c) => c.models);
    for (const retired of ['claude-3-haiku', 'claude-3-5-haiku', 'claude-sonnet-4', 'claude-3-7-sonnet']) assert.ok(!offered.includes(retired), `${retired} is retired: never offered`);
    assert.ok(offered.includes('claude-haiku-5-5'), 'current models are');
    const firstUnverified = mv.cheaperModels.findIndex((c) => !c.verified);
    assert.ok(firstUnverified === -1 || mv.cheaperModels.slice(firstUnverified).every((c) => !c.verified), 'verified prices first');
    assert.ok(mv.lessOften);
    assert.equal(mv.lessOften!.iterationsCovered, Math.floor((100 * USD - loop.metrics.costNanos) / loop.metrics.costPerIterationNanos));
    assert.equal(mv.lessOften!.fitIntervalSeconds, null, 'not periodic: no schedule to fit');
    assert.match(mv.keepAndPay.summary, /^It cost \$\d+\.\d\d: \d+ minutes of your time at \$100\/h\.$/);
    assert.ok(mv.fixes.some((f) => f.kind === 'shorter-context'));
  });

  it('ranks by money at stake this cycle and sums it once', () => {
    assert.equal(loop.atStakeBasis, 'cycle');
    assert.equal(loop.atStakeNanos, loop.metrics.cycleCostNanos);
    assert.equal(report.summary.atStakeNanos, loop.metrics.cycleCostNanos);
    assert.deepEqual(report.summary.byKind, { reread: 1, reflexive: 0, scheduled: 0, recurring: 0 });
  });

  it('keeps its id while it grows, and is not a loop below minIterations', () => {
    const shorter = only(runAudit({ requests: requests.slice(0, 25), now }).loops);
    assert.equal(shorter.id, loop.id);
    // Below minIterations the same requests are still the same call repeated back to back.
    assert.deepEqual(runAudit({ requests, now, thresholds: { minIterations: 41 } }).loops.map((l) => l.verdict.slice(0, 41)), ['Repeated the same Bash call 40 times with']);
    assert.equal(runAudit({ requests, now, thresholds: { minIterations: 41, minRepeats: 41 } }).loops.length, 0);
    assert.equal(runAudit({ requests, now, thresholds: { contextThreshold: 200_000 } }).loops.filter((l) => l.kind === 'reread').length, 0);
  });
});

describe('reflexive loop: the same failing command', () => {
  const { requests, events } = failingCommandLoop();
  const report = runAudit({ requests, events, now: T('2026-11-25T00:00:00Z') });
  const loop = only(report.loops);

  it('is found from the stored fingerprints and tool errors', () => {
    assert.equal(loop.kind, 'reflexive');
    assert.deepEqual(loop.repeated, { tool: 'Bash', inputHash: '7e57000000aa', repeats: 6, failures: 6 });
    assert.equal(loop.metrics.iterations, 6);
    assert.equal(loop.metrics.requests, 11, 'from the first failing run to the last');
    assert.equal(loop.verdict, `Ran the same failing Bash call 6 times (6 failures) while the context went from 60K to 90K tokens (${formatCost(loop.metrics.costNanos)}).`);
    assert.equal(loop.metrics.context.growthPerIterationTokens, 6_000);
  });

  it('is not a loop with fewer failures than minRepeats', () => {
    assert.equal(runAudit({ requests, events: events.slice(0, 2), now: T('2026-11-25T00:00:00Z') }).loops.length, 0);
    assert.equal(runAudit({ requests, events, now: T('2026-11-25T00:00:00Z'), thresholds: { minRepeats: 7 } }).loops.length, 0);
  });
});

describe('reflexive loop: the same failing command again, later in the same thread', () => {
  // Two fix-test bouts on the same `npm test`, far apart: two loops, each with an id of its own.
  const start = T('2026-11-20T12:00:00Z');
  const requests: AuditRequest[] = [];
  const events: AuditEvent[] = [];
  let at = start;
  const bout = (tag: string): void => {
    for (let i = 0; i < 4; i++) {
      const run = req({ session: 'twice', project: 'api', at: (at += MINUTE), output: 120, cr: 60_000, cw: 1_000, tools: ['Bash#7e57000000bb'] });
      requests.push(run);
      events.push(toolError(run, 'Bash', '7e57000000bb'));
      requests.push(req({ session: 'twice', project: 'api', at: (at += MINUTE), output: 400, cr: 60_000, cw: 1_000, tools: [`Edit#ed17${tag}0000${i}`] }));
    }
  };
  bout('a');
  for (let i = 0; i < 15; i++) requests.push(req({ session: 'twice', project: 'api', at: (at += MINUTE), output: 300, cr: 60_000, cw: 1_000, tools: [`Read#5ead000000${String(i).padStart(2, '0')}`] }));
  bout('b');
  const now = T('2026-11-25T00:00:00Z');

  it('gives two loops with different ids, and ignoring the first leaves the second', () => {
    const loops = runAudit({ requests, events, now }).loops.filter((l) => l.kind === 'reflexive');
    assert.equal(loops.length, 2);
    assert.notEqual(loops[0]!.id, loops[1]!.id);
    const first = [...loops].sort((a, b) => a.where.firstAt - b.where.firstAt)[0]!;
    const left = runAudit({ requests, events, now, facts: [fact('ignore-loop', ignoreLoopFact(first.id))] }).loops.filter((l) => l.kind === 'reflexive');
    assert.equal(left.length, 1);
    assert.notEqual(left[0]!.id, first.id);
  });
});

describe('scheduled loop: ScheduleWakeup in an interactive session', () => {
  const { requests, events } = scheduleWakeupLoop();
  const last = requests[requests.length - 1]!;
  const now = last.timestamp + 5 * MINUTE;
  const report = runAudit({ requests, events, now });
  const loop = only(report.loops);

  it('counts wake-ups as iterations, even though the session is interactive', () => {
    assert.equal(loop.kind, 'scheduled');
    assert.equal(loop.metrics.iterations, 12);
    assert.equal(loop.metrics.requests, 24);
    assert.deepEqual(loop.markers, { ScheduleWakeup: 12 });
    assert.equal(loop.where.surface, 'interactive');
    assert.equal(loop.where.drawsOnCredit, false);
    assert.ok(loop.signals.some((s) => /re-reads the context/.test(s)), loop.signals.join(' | '));
  });

  it('sees the 5-minute cache expire between iterations and prices the fix', () => {
    assert.equal(loop.metrics.expiredCacheRewrites, 11);
    assert.ok(loop.metrics.expiredCacheRewriteExtraNanos > 0);
    const fix = loop.moves.fixes.find((f) => f.kind === 'cache-expiry')!;
    assert.match(fix.summary, /^11 iterations came 10 minutes apart, after the 5-minute cache had expired/);
    assert.match(loop.verdict, /^A ScheduleWakeup loop \(self-paced \/loop\): 12 iterations every 10 minutes, .*the 5-minute cache expired between iterations, so 11 iterations re-wrote the context\.$/);
  });

  it('projects it to the cycle end while it keeps asking to wake up', () => {
    const s = loop.schedule!;
    assert.equal(s.active, true);
    assert.equal(s.periodSeconds, 600);
    assert.equal(s.iterationsPerCycle, 30 * 24 * 6);
    const cycleEnd = T('2026-12-01T00:00:00Z');
    const next = requests[requests.length - 2]!.timestamp + 10 * MINUTE;
    assert.equal(s.nextAt, next);
    assert.equal(s.remainingIterationsThisCycle, Math.floor((cycleEnd - 1 - next) / (10 * MINUTE)) + 1);
    assert.equal(loop.atStakeBasis, 'projected');
    assert.equal(loop.atStakeNanos, loop.metrics.cycleCostNanos + s.remainingIterationsThisCycle * loop.metrics.costPerIterationNanos);
  });

  it('does not weigh it against the credit it does not draw on', () => {
    assert.equal(loop.moves.lessOften, null);
    assert.equal(loop.moves.keepAndPay.overagePerCycleNanos, null);
    assert.match(loop.moves.keepAndPay.summary, /^It does not draw on the credit \(an interactive session; the credit covers headless use\)\. At list prices it costs \$[\d,]+\.\d\d a cycle at this pace/);
  });

  it('is no longer active when the last iteration did not ask to wake up again', () => {
    const stopped = requests.slice(0, -1);
    const r = only(runAudit({ requests: stopped, events: events.slice(0, -1), now }).loops);
    assert.equal(r.schedule!.active, false);
    assert.equal(r.atStakeBasis, 'cycle');
  });

  it('is a running loop for the status bar, and not an hour later', () => {
    assert.match(liveLoopLine(report, now)!, /^Loop running: scheduled loop in ci, 12 iterations, \$\d+\.\d\d so far at \$\d\.\d{4} each; \$[\d,]+\.\d\d by the cycle end at this pace\.$/);
    assert.equal(liveLoopLine(report, now + 60 * MINUTE), null);
  });
});

describe('scheduled loops without ScheduleWakeup: CronCreate and /loop', () => {
  const cronSession = (gaps: number[], marker: 'CronCreate' | '/loop', turnOrigin = ''): { requests: ReturnType<typeof req>[]; events: ReturnType<typeof loopMarker>[] } => {
    let t = T('2026-11-24T09:00:00Z');
    const requests = [req({ session: 'cron', project: 'ops', entrypoint: 'cli', at: t, output: 300, cr: 30_000, cw: 1_000, tools: [marker === 'CronCreate' ? 'CronCreate#c20000000001' : 'Read#c20000000001'] })];
    const events = [loopMarker(requests[0]!, marker)];
    for (const gap of gaps) {
      t += gap;
      requests.push(req({ session: 'cron', project: 'ops', entrypoint: 'cli', at: t, output: 200, cw: 60_000, tools: ['Bash#d15c00000001'], turnOrigin }));
      requests.push(req({ session: 'cron', project: 'ops', entrypoint: 'cli', at: t + 15_000, output: 150, cr: 60_000, cw: 400, turnOrigin }));
    }
    return { requests, events };
  };

  it('a CronCreate job firing every 15 minutes is a scheduled loop', () => {
    const { requests, events } = cronSession(Array(8).fill(15 * MINUTE), 'CronCreate');
    const loop = only(runAudit({ requests, events, now: requests[requests.length - 1]!.timestamp + MINUTE }).loops);
    assert.equal(loop.kind, 'scheduled');
    assert.equal(loop.metrics.iterations, 9);
    assert.equal(loop.schedule!.periodSeconds, 900);
    assert.equal(loop.schedule!.active, true, 'no CronDelete: the job is still there');
    assert.match(loop.verdict, /^A CronCreate loop: 9 iterations every 15 minutes/);
  });

  it('a /loop typed into a session a person keeps working in (irregular pauses) is not a scheduled loop', () => {
    const { requests, events } = cronSession([4, 11, 5, 23, 7, 40].map((m) => m * MINUTE), '/loop');
    const loops = runAudit({ requests, events, now: T('2026-11-25T00:00:00Z') }).loops;
    assert.deepEqual(loops.map((l) => l.kind), ['reread'], 'only the same check re-reading its context, not a scheduled loop');
  });

  it('... unless its turns are marked as fired by the scheduler (turnOrigin: scheduled)', () => {
    const { requests, events } = cronSession([4, 11, 5, 23, 7, 40].map((m) => m * MINUTE), '/loop', 'scheduled');
    assert.equal(only(runAudit({ requests, events, now: T('2026-11-25T00:00:00Z') }).loops).kind, 'scheduled');
  });
});

describe('a healthy long session is not a loop', () => {
  it('context grows, output is proportional, every call is new (a git status three times, one retry)', () => {
    const { requests, events } = healthySession();
    const report = runAudit({ requests, events, now: T('2026-11-25T00:00:00Z') });
    assert.deepEqual(report.loops, []);
    assert.equal(report.summary.examined.requests, 60);
  });

  it('the same session with little output is still not a re-read loop: it keeps calling new tools', () => {
    const { requests } = healthySession();
    const quiet = requests.map((r) => ({ ...r, output: 80 }));
    assert.equal(runAudit({ requests: quiet, now: T('2026-11-25T00:00:00Z') }).loops.length, 0);
  });
});

describe('the nightly job (20 requests of 200K uncached input and 10K output on Sonnet 4.5)', () => {
  const { requests, sessions } = nightlyJob();
  const now = T('2026-11-01T00:30:00Z');
  const report = runAudit({ requests, sessions, now });
  const loop = only(report.loops);

  it('is a recurring job at $15.00 a run, 7 runs a week', () => {
    assert.equal(loop.kind, 'recurring');
    assert.equal(loop.metrics.iterations, 7);
    assert.equal(loop.metrics.costPerIterationNanos, 15 * USD);
    assert.deepEqual(loop.job, { firstPromptHash: 'nightly-report', command: null, runs: 7, costPerRunNanos: 15 * USD, runsPerWeek: 7 });
    assert.equal(loop.where.sessionIds.length, 7);
    assert.equal(loop.verdict, 'Runs 7 times a week at $15.00 a run (7 runs so far, $105.00); at this pace $450.00 a cycle.');
  });

  it('$450 for the 30 nights of the cycle, projected from the next night', () => {
    const s = loop.schedule!;
    assert.equal(s.iterationsPerCycle, 30);
    assert.equal(s.cycleCostAtPaceNanos, 450 * USD);
    assert.equal(s.active, true);
    assert.equal(s.nextAt, T('2026-11-01T02:00:00Z'));
    assert.equal(s.remainingIterationsThisCycle, 30);
    assert.equal(s.projectedCycleCostNanos, 450 * USD);
    assert.equal(loop.atStakeNanos, 450 * USD);
    assert.equal(loop.atStakeBasis, 'projected');
  });

  it('(a) $100 covers 6 nights: one run every 5 days', () => {
    const a = loop.moves.lessOften!;
    assert.equal(a.iterationsCovered, 6);
    assert.equal(a.iterationsPerAllotment, 6);
    assert.equal(a.fitIntervalSeconds, 5 * 86_400);
    assert.equal(a.fitIntervalPerCycleSeconds, 5 * 86_400);
    assert.equal(a.summary, 'The $100.00 left covers 6 of the 30 runs due this cycle at $15.00 each (this loop alone): one every 5 days fits the rest of it (now every day). Next cycle, a whole $100.00 credit covers 6 runs: one every 5 days.');
  });

  it('(b) the same tokens on Haiku 4.5: $5.00 a run, $300 a cycle saved', () => {
    const haiku = loop.moves.cheaperModels.find((c) => c.models.includes('claude-haiku-4-5'))!;
    assert.equal(haiku.costPerIterationNanos, 5 * USD);
    assert.equal(haiku.savingPerCycleNanos, 300 * USD);
    assert.equal(haiku.summary, 'On claude-haiku-4-5: $5.00 a run instead of $15.00, saving $300.00 a cycle at this pace, if it does the job as well.');
  });

  it('(c) keeping it: $350 past the credit, worth it if it saves 3.5 hours a cycle at $100/h', () => {
    const c = loop.moves.keepAndPay;
    assert.equal(c.cycleCostNanos, 450 * USD);
    assert.equal(c.overagePerCycleNanos, 350 * USD);
    assert.equal(c.breakEvenHours, 3.5);
    assert.equal(c.summary, 'Keeping it costs $450.00 a cycle at this pace, $350.00 past the $100.00 credit, billed at API rates. It pays for itself if it saves you more than 3.5 hours a cycle at $100/h.');
    const cheap = runAudit({ requests, sessions, now, thresholds: { hourlyRateUsd: 50 } });
    assert.equal(cheap.loops[0]!.moves.keepAndPay.breakEvenHours, 7);
  });

  it('(d) a working cache at 90% would save most of the uncached input', () => {
    const fix = loop.moves.fixes.find((f) => f.kind === 'cache')!;
    // Per request: 180K read at $0.30/M + 20K written at $3.75/M + 10K output at $15/M = $0.279 instead of $0.75.
    assert.equal(fix.costNanos, 7 * 20 * 279_000_000);
    assert.equal(fix.savingPerCycleNanos, 30 * 20 * (750_000_000 - 279_000_000));
    assert.equal(loop.moves.fixes.some((f) => f.kind === 'shorter-context'), false, 'the context does not grow');
  });

  it('is not projected once it stopped running, and is weighed as it ran', () => {
    const later = only(runAudit({ requests, sessions, now: T('2026-11-10T00:00:00Z') }).loops);
    assert.equal(later.schedule!.active, false);
    assert.equal(later.atStakeNanos, 0);
    assert.equal(later.verdict, 'Runs 7 times a week at $15.00 a run (7 runs so far, $105.00); it has not run lately.');
    assert.equal(later.moves.keepAndPay.cycleCostNanos, 105 * USD);
    assert.equal(later.moves.lessOften!.fitIntervalSeconds, null);
    assert.equal(later.moves.cheaperModels.find((c) => c.models.includes('claude-haiku-4-5'))!.savingPerCycleNanos, 70 * USD);
  });

  it('a job whose pace fits the credit says so instead of asking for a slower schedule', () => {
    const weekly = [0, 1, 2].map((w) => req({ session: `week-${w}`, project: 'digest', at: T('2026-11-03T06:00:00Z') + w * 7 * DAY, input: 100_000, output: 2_000 }));
    const sessions = weekly.map((r) => session(r.sessionId, { projectKey: r.projectKey, firstPromptHash: 'weekly-digest' }));
    const loop = only(runAudit({ requests: weekly, sessions, now: T('2026-11-17T12:00:00Z'), thresholds: { minCostUsd: 0 } }).loops);
    assert.equal(loop.schedule!.remainingIterationsThisCycle, 1, 'Nov 24; Dec 1 is the next cycle');
    assert.equal(loop.moves.lessOften!.summary, 'At this pace (every week) it fits: the 1 run still due this cycle cost $0.3300 of the $99.01 left (this loop alone). A whole $100.00 credit covers this pace for a cycle (303 runs).');
  });

  it('groups captured runs by their command line when the prompts differ', () => {
    const runs = sessions.map((s, i) => ({ ...s, firstPromptHash: `dated-prompt-${i}` }));
    const runFact = (s: (typeof sessions)[number], where: string): ReturnType<typeof fact> =>
      fact('run', { runId: `run-${s.sessionId}`, via: 'exec', where, command: 'claude -p  <prompt> --model sonnet', cwd: '/home/dev/reports', startedAt: '2026-10-25T02:00:00.000Z', sessionId: s.sessionId });
    const r = only(runAudit({ requests, sessions: runs, facts: sessions.map((s) => runFact(s, 'cron')), now }).loops);
    assert.equal(r.kind, 'recurring');
    assert.equal(r.job!.command, 'claude -p <prompt> --model sonnet');
    assert.equal(r.where.drawsOnCredit, true);
    assert.equal(runAudit({ requests, sessions: runs, now }).loops.length, 0, 'without the run facts the prompts differ');
    // Typed in a terminal, the same flags are not one job: the prompt (left out of the command) may differ.
    assert.equal(runAudit({ requests, sessions: runs, facts: sessions.map((s) => runFact(s, 'terminal')), now }).loops.length, 0);
  });
});

describe('a subagent-heavy session', () => {
  const requests = subagentHeavySession();
  const report = runAudit({ requests, now: T('2026-11-25T00:00:00Z') });
  const loop = only(report.loops);

  it('finds the polling subagent only: parallel subagents doing varied work are not loops', () => {
    assert.equal(loop.kind, 'reread');
    assert.equal(loop.where.agentId, 'apoll');
    assert.equal(loop.where.sidechain, true);
    assert.equal(loop.metrics.iterations, 15);
    assert.equal(loop.where.file, '/home/dev/.claude/projects/-home-dev-mono/big/subagents/agent-apoll.jsonl');
    assert.equal(loop.where.offset, 700);
    assert.equal(report.summary.examined.threads, 8);
  });

  it('re-read share: each poll re-reads what the previous one sent, not the main thread', () => {
    const apoll = requests.filter((r) => r.agentId === 'apoll');
    const prompt = (r: (typeof apoll)[number]): number => r.input + r.cacheWrite5m + r.cacheWrite1h + r.cacheRead;
    assert.equal(loop.metrics.rereadTokens, apoll.slice(1).reduce((s, r, i) => s + Math.min(prompt(r), prompt(apoll[i]!)), 0));
    assert.ok(report.notes.some((n) => /Subagent requests/.test(n)));
  });
});

describe('ignoring a loop', () => {
  const requests = rereadLoop();
  const now = T('2026-11-25T00:00:00Z');
  const id = runAudit({ requests, now }).loops[0]!.id;

  it('hides it by default and lists it with includeIgnored', () => {
    const facts = [fact('ignore-loop', ignoreLoopFact(id))];
    const hidden = runAudit({ requests, now, facts });
    assert.equal(hidden.loops.length, 0);
    assert.equal(hidden.summary.ignored, 1);
    assert.equal(hidden.summary.atStakeNanos, 0);
    const all = runAudit({ requests, now, facts, includeIgnored: true });
    assert.equal(all.loops.length, 1);
    assert.equal(all.loops[0]!.ignored, true);
  });

  it('the latest fact wins', () => {
    const facts = [fact('ignore-loop', ignoreLoopFact(id), '2026-11-02T00:00:00Z'), fact('ignore-loop', ignoreLoopFact(id, false), '2026-11-03T00:00:00Z')];
    assert.deepEqual([...ignoredLoopIds(facts)], []);
    assert.equal(runAudit({ requests, now, facts }).loops.length, 1);
    assert.deepEqual([...ignoredLoopIds(facts.reverse())], []);
  });
});

describe('audit report across kinds', () => {
  it('ranks by money at stake, projected loops first when they weigh more; shared requests counted once', () => {
    const nightly = nightlyJob(7, T('2026-11-01T02:00:00Z'));
    const poll = rereadLoop(T('2026-11-05T10:00:00Z'));
    const now = T('2026-11-08T00:30:00Z');
    const report = runAudit({ requests: [...nightly.requests, ...poll], sessions: [...nightly.sessions, ...sessionsOf(poll)], now });
    assert.deepEqual(report.loops.map((l) => l.kind), ['recurring', 'reread']);
    const [job, rr] = report.loops as [AuditLoop, AuditLoop];
    assert.equal(job.atStakeNanos, 105 * USD + 23 * 15 * USD);
    assert.equal(report.summary.atStakeNanos, job.atStakeNanos + rr.atStakeNanos);
    assert.equal(report.summary.cycleCostNanos, 105 * USD + rr.metrics.cycleCostNanos);
  });

  it('a recurring job and a re-read loop inside one of its runs point at each other', () => {
    const base = T('2026-11-10T03:00:00Z');
    const requests = [0, 1, 2].flatMap((d) => rereadLoop(base + d * DAY, 12, `job-${d}`));
    const sessions = [0, 1, 2].map((d) => session(`job-${d}`, { projectKey: '-home-dev-deploy', firstPromptHash: 'watch-deploy' }));
    const report = runAudit({ requests, sessions, now: T('2026-11-12T06:00:00Z') });
    const job = report.loops.find((l) => l.kind === 'recurring')!;
    const inner = report.loops.filter((l) => l.kind === 'reread');
    assert.equal(inner.length, 3);
    assert.deepEqual([...job.relatedLoopIds].sort(), inner.map((l) => l.id).sort());
    assert.equal(report.summary.cycleCostNanos, requests.reduce((s, r) => s + r.costNanos, 0), 'each request once');
  });

  it('loops under minCostUsd are counted but not listed', () => {
    const cheap = rereadLoop().map((r) => req({ session: 'tiny', at: r.timestamp, model: 'claude-3-haiku', cr: r.cacheRead / 10, cw: r.cacheWrite5m / 10 + 5_000, output: 75, tools: r.tools }));
    const report = runAudit({ requests: cheap, now: T('2026-11-25T00:00:00Z'), thresholds: { contextThreshold: 20_000, minCostUsd: 5 } });
    assert.equal(report.loops.length, 0);
    assert.equal(report.summary.belowMinCost, 1);
  });

  it('without a plan, the credit moves are left out and a note says why', () => {
    const report = runAudit({ requests: rereadLoop(), now: T('2026-11-25T00:00:00Z'), settings: { plan: null } });
    const loop = report.loops[0]!;
    assert.equal(loop.moves.lessOften, null);
    assert.match(loop.moves.keepAndPay.summary, /^No plan is set/);
    assert.ok(report.notes.some((n) => /No plan is set/.test(n)));
  });

  it('the report is plain JSON', () => {
    const report = runAudit({ requests: rereadLoop(), now: T('2026-11-25T00:00:00Z') });
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  });
});

describe('audit settings and facts', () => {
  it('defaults, the settings file key `audit`, and flags over it', () => {
    const r = resolveAuditThresholds({ contextThreshold: 80_000, hourlyRateUsd: '150', minIterations: 1, bogus: 1 }, { minRepeats: '5', contextThreshold: '90000' });
    assert.equal(r.thresholds.contextThreshold, 90_000);
    assert.equal(r.thresholds.hourlyRateUsd, 150);
    assert.equal(r.thresholds.minRepeats, 5);
    assert.equal(r.thresholds.minIterations, DEFAULT_AUDIT_THRESHOLDS.minIterations);
    assert.deepEqual(r.settingProblems, ['audit.minIterations must be a whole number from 2 (got 1); the default 10 is used', 'unknown audit setting "bogus" ignored']);
    assert.deepEqual(resolveAuditThresholds(undefined, { lowOutputTokens: 'lots' }).flagProblems, ['lowOutputTokens must be a whole number of tokens (got "lots")']);
    assert.deepEqual(resolveAuditThresholds('x').settingProblems, ['"audit" must be an object of thresholds']);
  });

  it('run facts give the command lines of unattended runs by session', () => {
    const run = (f: Record<string, unknown>): ReturnType<typeof fact> => fact('run', { startedAt: '2026-11-01T00:00:00Z', ...f });
    const m = runCommands([
      run({ runId: 'a', sessionId: 's1', where: 'cron', command: 'claude -p <prompt>' }),
      run({ runId: 'b', sessionId: 's2', where: 'github-actions', command: 'claude  -p <prompt> --max-turns 5' }),
      run({ runId: 'c', sessionId: 's3', where: 'terminal', command: 'claude -p <prompt>' }),
      run({ runId: 'd', where: 'cron', command: 'no session' }),
      run({ runId: 'e', sessionId: 's5', where: 'cron', command: null }),
    ]);
    assert.deepEqual([...m], [['s1', 'claude -p <prompt>'], ['s2', 'claude -p <prompt> --max-turns 5']]);
  });
});

function formatCost(nanos: number): string {
  return `$${(nanos / USD).toFixed(nanos < USD ? 4 : 2)}`;
}
