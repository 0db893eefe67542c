// Recognising `claude -p` in command lines as a shell splits them: a table of real-world command lines, look-alikes
// that are not print mode, and the rule that the summary never holds the prompt.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectPrintRun, detectPrintRunInArgv, detectPrintRuns, flattenShellText, promptLabel, type PrintFlags } from '../../src/core/headless/commandLine';

interface Case {
  line: string;
  /** undefined: not print mode. */
  expect?: Partial<PrintFlags> & { prompt?: string; stdin?: boolean; launcher?: string; recordedBy?: 'exec' | 'record' | null; env?: string[]; summary?: string };
}

const SECRET = 'summarize the secret roadmap';

const PRINT: Case[] = [
  { line: `claude -p "${SECRET}"`, expect: { prompt: SECRET, outputFormat: 'text', stdin: false, summary: 'claude -p <prompt>' } },
  { line: `claude --print '${SECRET}'`, expect: { prompt: SECRET, summary: 'claude --print <prompt>' } },
  { line: `claude --print="${SECRET}"`, expect: { prompt: SECRET, summary: 'claude --print <prompt>' } },
  { line: `claude -p "${SECRET}" --output-format json`, expect: { outputFormat: 'json', summary: 'claude -p --output-format json <prompt>' } },
  { line: `claude -p --output-format=stream-json --verbose "${SECRET}"`, expect: { outputFormat: 'stream-json', verbose: true } },
  { line: `claude -p "${SECRET}" --model claude-sonnet-4-6 --max-turns 5 --max-budget-usd 2.50`, expect: { model: 'claude-sonnet-4-6', maxTurns: 5, maxBudgetUsd: 2.5 } },
  { line: `claude -p --resume 550e8400-e29b-41d4-a716-446655440000 "${SECRET}"`, expect: { resume: '550e8400-e29b-41d4-a716-446655440000', prompt: SECRET } },
  { line: `claude -p -r 550e8400 "${SECRET}" --fork-session`, expect: { resume: '550e8400', forkSession: true } },
  { line: `claude -p -c "${SECRET}"`, expect: { continue: true, prompt: SECRET } },
  { line: `claude -pc "${SECRET}"`, expect: { continue: true, prompt: SECRET } },
  { line: `claude -p --continue "${SECRET}"`, expect: { continue: true } },
  { line: `claude -p --session-id 11111111-2222-4333-8444-555555555555 "${SECRET}"`, expect: { sessionId: '11111111-2222-4333-8444-555555555555' } },
  { line: `claude -p --no-session-persistence "${SECRET}" --output-format json`, expect: { noSessionPersistence: true, outputFormat: 'json' } },
  { line: `ANTHROPIC_API_KEY=sk-ant-secret MAX_THINKING_TOKENS=0 claude -p "${SECRET}"`, expect: { env: ['ANTHROPIC_API_KEY', 'MAX_THINKING_TOKENS'], summary: 'ANTHROPIC_API_KEY=… MAX_THINKING_TOKENS=… claude -p <prompt>' } },
  { line: `env CLAUDE_CODE_ENTRYPOINT=x claude -p "${SECRET}"`, expect: { env: ['CLAUDE_CODE_ENTRYPOINT'] } },
  { line: `/usr/local/bin/claude -p "${SECRET}"`, expect: { launcher: '/usr/local/bin/claude' } },
  { line: `~/.claude/local/claude -p "${SECRET}"`, expect: { launcher: '~/.claude/local/claude' } },
  { line: `$HOME/.npm-global/bin/claude --print "${SECRET}"`, expect: { launcher: '$HOME/.npm-global/bin/claude' } },
  { line: `./node_modules/.bin/claude -p "${SECRET}"`, expect: { launcher: './node_modules/.bin/claude' } },
  { line: `npx @anthropic-ai/claude-code -p "${SECRET}"`, expect: { launcher: 'npx @anthropic-ai/claude-code', prompt: SECRET } },
  { line: `npx -y @anthropic-ai/claude-code@latest -p "${SECRET}" --output-format json`, expect: { launcher: 'npx -y @anthropic-ai/claude-code@latest', outputFormat: 'json' } },
  { line: `npx --package=@anthropic-ai/claude-code claude -p "${SECRET}"`, expect: { prompt: SECRET } },
  { line: `pnpm dlx @anthropic-ai/claude-code -p "${SECRET}"`, expect: { launcher: 'pnpm dlx @anthropic-ai/claude-code' } },
  { line: `bunx @anthropic-ai/claude-code@2.1.63 -p "${SECRET}"`, expect: { launcher: 'bunx @anthropic-ai/claude-code@2.1.63' } },
  { line: `node ~/.npm/lib/node_modules/@anthropic-ai/claude-code/cli.js -p "${SECRET}"`, expect: { prompt: SECRET } },
  { line: 'cat prompt.md | claude -p', expect: { prompt: '', stdin: true, summary: 'claude -p <stdin>' } },
  { line: `git diff | claude -p "${SECRET}" --output-format json | jq -r .result`, expect: { stdin: true, prompt: SECRET, outputFormat: 'json' } },
  { line: 'claude -p < prompt.txt > answer.md 2>&1', expect: { stdin: true, prompt: '' } },
  { line: `claude -p <<< "${SECRET}"`, expect: { stdin: true, prompt: '' } },
  { line: `claude -p --output-format json <<'EOF'\n${SECRET}\nclaude -p this line is the heredoc body\nEOF`, expect: { stdin: true, outputFormat: 'json', prompt: '' } },
  { line: `cd ~/repo && claude -p "${SECRET}" && git status`, expect: { prompt: SECRET } },
  { line: `npm test || claude -p "${SECRET}"; echo done`, expect: { prompt: SECRET } },
  { line: `timeout 600 nice -n 10 claude -p "${SECRET}"`, expect: { prompt: SECRET } },
  { line: `sudo -u ci claude -p "${SECRET}"`, expect: { prompt: SECRET } },
  { line: `nohup claude -p "${SECRET}" > run.log 2>&1 &`, expect: { prompt: SECRET } },
  { line: `bash -lc 'claude -p "${SECRET}" --max-turns 3'`, expect: { maxTurns: 3, prompt: SECRET } },
  { line: `result=$(claude -p "${SECRET}" --output-format json)`, expect: { outputFormat: 'json' } },
  { line: `claude -p \\\n  --output-format json \\\n  "${SECRET}"`, expect: { outputFormat: 'json', prompt: SECRET } },
  { line: `claude -p --allowedTools Bash Read --permission-mode acceptEdits -- "${SECRET}"`, expect: { prompt: SECRET, summary: 'claude -p --allowedTools … --permission-mode acceptEdits <prompt>' } },
  { line: `claude -p --append-system-prompt "be terse, ${SECRET}" "${SECRET}"`, expect: { summary: 'claude -p --append-system-prompt … <prompt>' } },
  { line: `claude -p "${SECRET}" | credit-ledger record`, expect: { recordedBy: 'record' } },
  { line: `credit-ledger exec -- claude -p "${SECRET}"`, expect: { recordedBy: 'exec' } },
  { line: `find . -name '*.md' | xargs -0 claude -p`, expect: { stdin: true } },
  { line: `claude -p "what does $1 do"  # explain it`, expect: { prompt: 'what does $1 do' } },
  { line: `echo hi\nclaude -p "${SECRET}"`, expect: { prompt: SECRET } },
];

const NOT_PRINT: string[] = [
  'claude',
  'claude --help',
  'claude -p --help',
  'claude --version',
  'claude -c',
  'claude --continue',
  'claude -r 550e8400',
  `claude "${SECRET}"`,
  'echo "claude -p"',
  "echo 'claude -p hi' | grep claude",
  'echo claude -p hi',
  'git commit -m "use claude -p in CI"',
  'grep -rn "claude -p" .',
  'which claude',
  'man claude',
  'vim claude.md',
  'claude mcp add -p foo',
  'claude config get -p',
  'claude -p doctor',
  'claude update',
  'claude-code -p hi',
  'npx create-claude-app -p',
  'npm install -g @anthropic-ai/claude-code',
  'cat <<EOF\nclaude -p inside a heredoc body\nEOF',
  '# claude -p in a comment',
  'ls -p',
];

describe('claude -p in command lines', () => {
  for (const c of PRINT) {
    test(`print mode: ${JSON.stringify(c.line).slice(0, 110)}`, () => {
      const inv = detectPrintRun(c.line);
      assert.ok(inv, 'not recognised as print mode');
      const e = c.expect!;
      for (const k of ['outputFormat', 'model', 'resume', 'continue', 'sessionId', 'forkSession', 'maxTurns', 'maxBudgetUsd', 'noSessionPersistence', 'verbose'] as const) {
        if (e[k] !== undefined) assert.deepEqual(inv.flags[k], e[k], k);
      }
      if (e.prompt !== undefined) assert.equal(inv.prompt, e.prompt);
      if (e.stdin !== undefined) assert.equal(inv.promptFromStdin, e.stdin, 'promptFromStdin');
      if (e.launcher !== undefined) assert.equal(inv.launcher, e.launcher);
      if (e.recordedBy !== undefined) assert.equal(inv.recordedBy, e.recordedBy);
      if (e.env !== undefined) assert.deepEqual(inv.envNames, e.env);
      if (e.summary !== undefined) assert.equal(inv.summary, e.summary);
      // The prompt, env values and free-text option values never reach the summary.
      assert.ok(!inv.summary.includes('secret'), `summary leaks: ${inv.summary}`);
      assert.ok(!inv.summary.includes('sk-ant'), `summary leaks a key: ${inv.summary}`);
    });
  }
  for (const line of NOT_PRINT) {
    test(`not print mode: ${JSON.stringify(line)}`, () => {
      assert.deepEqual(detectPrintRuns(line), []);
    });
  }

  test('the table has at least 30 print-mode lines and 20 look-alikes', () => {
    assert.ok(PRINT.length >= 30, String(PRINT.length));
    assert.ok(NOT_PRINT.length >= 20, String(NOT_PRINT.length));
  });

  test('several runs in one line are all found', () => {
    const runs = detectPrintRuns('claude -p "a" --output-format json && claude -p --model claude-opus-4-6 "b" | tee x');
    assert.equal(runs.length, 2);
    assert.equal(runs[0]!.flags.outputFormat, 'json');
    assert.equal(runs[1]!.flags.model, 'claude-opus-4-6');
  });

  test('argv as exec sees it (no shell splitting)', () => {
    const inv = detectPrintRunInArgv(['claude', '-p', `${SECRET} with "quotes" && ;`, '--output-format', 'json']);
    assert.ok(inv);
    assert.equal(inv.prompt, `${SECRET} with "quotes" && ;`);
    assert.equal(inv.flags.outputFormat, 'json');
    assert.equal(detectPrintRunInArgv(['claude', '--help']), undefined);
    assert.equal(detectPrintRunInArgv(['sh', '-c', 'claude -p hi'])?.prompt, 'hi');
  });

  test('an unclosed ${ or quote does not throw', () => {
    assert.doesNotThrow(() => detectPrintRuns('claude -p "${unclosed'));
    assert.doesNotThrow(() => detectPrintRuns("claude -p 'unterminated"));
    assert.ok(detectPrintRun('claude -p ${HOME'));
  });

  test('flattening: continuations join, comments and heredoc bodies go, newlines separate', () => {
    assert.equal(flattenShellText('a \\\nb'), 'a b');
    assert.equal(flattenShellText('a # c\nb').replace(/\s+/g, ' ').trim(), 'a ; b');
    assert.match(flattenShellText('x <<EOF\nbody\nEOF\ny'), /^x\s+< __heredoc__\s+;\s+y$/);
    assert.equal(flattenShellText("echo 'a # b'"), "echo 'a # b'");
  });

  test('a label keeps the first 80 characters of the prompt on one line', () => {
    const inv = detectPrintRun(`claude -p "${'x'.repeat(100)}\nsecond line"`)!;
    const label = promptLabel(inv);
    assert.equal(label.length, 80);
    assert.ok(!label.includes('\n'));
  });
});
