// Writes the bundled demo config dir (demo/projects/...): a few made-up sessions, interactive and
// headless, with a subagent and a nightly job, so `npm start` shows something on a fresh machine.
// Deterministic; run `node scripts/make-demo.mjs` to regenerate.
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'demo', 'projects');
fs.rmSync(root, { recursive: true, force: true });
let n = 0;
const id = (p) => `${p}_demo${String(++n).padStart(6, '0')}`;

function assistant(o) {
  return {
    parentUuid: null, isSidechain: !!o.agentId, userType: 'external', cwd: o.cwd, sessionId: o.session, version: '2.1.250', gitBranch: 'main',
    ...(o.agentId ? { agentId: o.agentId } : {}), entrypoint: o.entrypoint,
    message: {
      model: o.model, id: o.msg, type: 'message', role: 'assistant', content: [{ type: 'text', text: o.text ?? 'Done.' }],
      stop_reason: 'end_turn', stop_sequence: null,
      usage: { input_tokens: o.input, cache_creation_input_tokens: o.write ?? 0, cache_read_input_tokens: o.read ?? 0, output_tokens: o.output, cache_creation: { ephemeral_5m_input_tokens: o.write ?? 0, ephemeral_1h_input_tokens: 0 }, service_tier: 'standard' },
    },
    requestId: o.req, type: 'assistant', uuid: id('u'), timestamp: o.ts,
  };
}
function user(o) {
  return { parentUuid: null, isSidechain: false, userType: 'external', cwd: o.cwd, sessionId: o.session, version: '2.1.250', gitBranch: 'main', entrypoint: o.entrypoint, promptSource: o.entrypoint === 'cli' ? 'typed' : 'sdk', type: 'user', message: { role: 'user', content: o.text }, uuid: id('u'), timestamp: o.ts };
}
function write(rel, lines) {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

const iso = (day, h, m = 0) => `2026-11-${String(day).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.000Z`;
const web = '-home-demo-web-app';
const cwdWeb = '/home/demo/web-app';

// An interactive session with a subagent.
{
  const s = '11111111-1111-4111-8111-111111111111';
  const lines = [user({ cwd: cwdWeb, session: s, entrypoint: 'cli', text: 'Add input validation to the signup form', ts: iso(18, 9) })];
  for (let i = 0; i < 12; i++) lines.push(assistant({ cwd: cwdWeb, session: s, entrypoint: 'cli', model: 'claude-opus-4-6', msg: id('msg'), req: id('req'), input: 6, write: 2500 + i * 400, read: 18000 + i * 5200, output: 300 + i * 40, ts: iso(18, 9, 2 + i * 3) }));
  write(`${web}/${s}.jsonl`, lines);
  const sub = [];
  for (let i = 0; i < 5; i++) sub.push(assistant({ cwd: cwdWeb, session: s, agentId: 'ademo01', entrypoint: 'cli', model: 'claude-haiku-4-5-20251001', msg: id('msg'), req: id('req'), input: 10, write: 1500, read: 9000 + i * 1000, output: 200, ts: iso(18, 9, 10 + i) }));
  write(`${web}/${s}/subagents/agent-ademo01.jsonl`, sub);
}

// A nightly headless job (claude -p from cron): same prompt every night.
const ops = '-home-demo-ops';
for (let night = 10; night <= 24; night++) {
  const s = `22222222-2222-4222-8222-2222222222${String(night).padStart(2, '0')}`;
  const lines = [{ type: 'queue-operation', operation: 'dequeue', timestamp: iso(night, 2), sessionId: s }, user({ cwd: '/home/demo/ops', session: s, entrypoint: 'sdk-cli', text: 'Summarize last night\'s error logs and open issues for new failures', ts: iso(night, 2) })];
  for (let i = 0; i < 6; i++) lines.push(assistant({ cwd: '/home/demo/ops', session: s, entrypoint: 'sdk-cli', model: 'claude-sonnet-4-5-20250929', msg: id('msg'), req: id('req'), input: 3000, write: 12000, read: 40000 + i * 15000, output: 900, ts: iso(night, 2, 1 + i) }));
  write(`${ops}/${s}.jsonl`, lines);
}

// A model the rate card does not know: shown as unpriced, never $0.
{
  const s = '33333333-3333-4333-8333-333333333333';
  write(`${web}/${s}.jsonl`, [
    user({ cwd: cwdWeb, session: s, entrypoint: 'cli', text: 'Try the experimental model', ts: iso(21, 15) }),
    assistant({ cwd: cwdWeb, session: s, entrypoint: 'cli', model: 'claude-experimental-9', msg: id('msg'), req: id('req'), input: 1200, output: 400, ts: iso(21, 15, 1) }),
  ]);
}
console.log(`demo written to ${root}`);
