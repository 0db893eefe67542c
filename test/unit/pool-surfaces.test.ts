import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Fact } from '../../src/core/state/journal';
import { overrideFact, readPoolFacts } from '../../src/core/pool/facts';
import { classifySession, detectSurface } from '../../src/core/pool/surfaces';
import type { PoolSettings, SessionFacts } from '../../src/core/pool/types';

const session = (over: Partial<SessionFacts> = {}): SessionFacts => ({
  sessionId: 's1',
  projectKey: '-home-me-proj',
  entrypoint: '',
  queueOperationStart: false,
  firstPromptHash: '',
  ...over,
});
const headlessOnly: Pick<PoolSettings, 'scope' | 'countUnclassified'> = { scope: 'headless', countUnclassified: false };
const noOverrides = readPoolFacts([]);
let n = 0;
const fact = (body: Record<string, unknown>, at: string): Fact => ({ id: `f${++n}`, at, kind: String(body.kind), ...body });

describe('detectSurface', () => {
  it('headless entrypoints, with the reason', () => {
    for (const ep of ['sdk-cli', 'sdk-ts', 'sdk-py']) assert.deepEqual(detectSurface(session({ entrypoint: ep })), { surface: 'headless', reason: `entrypoint ${ep}` });
  });

  it('interactive entrypoints', () => {
    for (const ep of ['cli', 'claude-vscode', 'claude-desktop']) assert.deepEqual(detectSurface(session({ entrypoint: ep })), { surface: 'interactive', reason: `entrypoint ${ep}` });
  });

  it('local-agent and unknown values are unclassified', () => {
    assert.equal(detectSurface(session({ entrypoint: 'local-agent' })).surface, 'unclassified');
    assert.deepEqual(detectSurface(session({ entrypoint: 'mystery-app' })), { surface: 'unclassified', reason: 'unknown entrypoint "mystery-app"' });
  });

  it('without an entrypoint, a queue-operation first line means a headless run', () => {
    assert.deepEqual(detectSurface(session({ queueOperationStart: true })), {
      surface: 'headless',
      reason: 'file starts with queue-operation (headless run, version without entrypoint)',
    });
    assert.equal(detectSurface(session()).surface, 'interactive');
    // The entrypoint, when present, wins over the heuristic.
    assert.equal(detectSurface(session({ entrypoint: 'cli', queueOperationStart: true })).surface, 'interactive');
  });

  it('a captured claude -p run and an explicit surface hint are headless', () => {
    assert.deepEqual(detectSurface(session({ entrypoint: 'cli', capturedRun: true })), { surface: 'headless', reason: 'captured claude -p run' });
    assert.deepEqual(detectSurface(session({ surface: 'github-actions' })), { surface: 'headless', reason: 'surface github-actions' });
    assert.deepEqual(detectSurface(session({ surface: 'agent-sdk-app', entrypoint: 'mystery-app' })), { surface: 'headless', reason: 'surface agent-sdk-app' });
  });
});

describe('classifySession: scope, countUnclassified, overrides', () => {
  it('scope headless counts headless only; scope all counts everything', () => {
    assert.equal(classifySession(session({ entrypoint: 'sdk-py' }), headlessOnly, noOverrides).counted, true);
    const cli = classifySession(session({ entrypoint: 'cli' }), headlessOnly, noOverrides);
    assert.equal(cli.counted, false);
    assert.equal(cli.reason, 'entrypoint cli; interactive: not covered');
    const all = classifySession(session({ entrypoint: 'cli' }), { scope: 'all', countUnclassified: false }, noOverrides);
    assert.equal(all.counted, true);
    assert.equal(all.reason, 'entrypoint cli; scope all');
  });

  it('unclassified sessions count only with countUnclassified', () => {
    const s = session({ entrypoint: 'local-agent' });
    assert.equal(classifySession(s, headlessOnly, noOverrides).counted, false);
    const on = classifySession(s, { scope: 'headless', countUnclassified: true }, noOverrides);
    assert.equal(on.counted, true);
    assert.match(on.reason, /countUnclassified on/);
  });

  it('session override beats project override beats classification', () => {
    const facts = readPoolFacts([
      fact(overrideFact('project', '-home-me-proj', 'never'), '2026-05-01T00:00:00Z'),
      fact(overrideFact('session', 's1', 'count'), '2026-05-02T00:00:00Z'),
      fact(overrideFact('project', '-home-me-other', 'count'), '2026-05-02T00:00:00Z'),
    ]);
    const s1 = classifySession(session({ entrypoint: 'cli' }), headlessOnly, facts);
    assert.equal(s1.counted, true);
    assert.deepEqual(s1.override, { mode: 'count', target: 'session' });
    assert.ok(s1.reason.startsWith('override: count (session)'));
    const s2 = classifySession(session({ sessionId: 's2', entrypoint: 'sdk-cli' }), headlessOnly, facts);
    assert.equal(s2.counted, false);
    assert.ok(s2.reason.startsWith('override: never (project)'));
    assert.equal(s2.surface, 'headless');
    const s3 = classifySession(session({ sessionId: 's3', projectKey: '-home-me-other', entrypoint: 'claude-vscode' }), headlessOnly, facts);
    assert.equal(s3.counted, true);
    assert.ok(s3.reason.startsWith('override: count (project)'));
  });

  it('the latest fact per target wins by its stamp, not its line; auto clears an override', () => {
    const facts = readPoolFacts([
      fact(overrideFact('session', 's1', 'count'), '2026-05-03T00:00:00Z'),
      fact(overrideFact('session', 's1', 'never'), '2026-05-02T00:00:00Z'), // written later by a slow writer, stamped earlier
      fact(overrideFact('project', '-home-me-proj', 'count'), '2026-05-01T00:00:00Z'),
      fact(overrideFact('project', '-home-me-proj', 'auto'), '2026-05-04T00:00:00Z'),
      fact(overrideFact('session', 's9', 'never'), '2026-05-01T00:00:00Z'),
      fact(overrideFact('session', 's9', 'auto'), '2026-05-05T00:00:00Z'),
      fact({ kind: 'override', target: 'galaxy', targetId: 'x', mode: 'count' }, '2026-05-05T00:00:00Z'),
      fact({ kind: 'override', target: 'session', targetId: 's7', mode: 'sometimes' }, '2026-05-05T00:00:00Z'),
      fact({ kind: 'loop-ignored', loopId: 'l1' }, '2026-05-05T00:00:00Z'),
    ]);
    assert.deepEqual([...facts.sessionOverrides], [['s1', 'count']]);
    assert.deepEqual([...facts.projectOverrides], []);
    assert.equal(classifySession(session({ sessionId: 's9', entrypoint: 'cli' }), headlessOnly, facts).counted, false);
  });

  it('a session auto falls back to the project override', () => {
    const facts = readPoolFacts([
      fact(overrideFact('project', '-home-me-proj', 'count'), '2026-05-01T00:00:00Z'),
      fact(overrideFact('session', 's1', 'never'), '2026-05-02T00:00:00Z'),
      fact(overrideFact('session', 's1', 'auto'), '2026-05-03T00:00:00Z'),
    ]);
    const c = classifySession(session({ entrypoint: 'cli' }), headlessOnly, facts);
    assert.deepEqual(c.override, { mode: 'count', target: 'project' });
  });
});
