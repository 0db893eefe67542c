// Transcript text in VS Code messages: a project folder named `[Open](command:…)` must never become a link, in any
// notification, warning, error or quick pick. VS Code links `[text](target)` in messages with the pattern below
// (its notification renderer's, `command:` included) and turns `$(name)` in quick picks into icons.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { plainText } from '../../src/extension/plainText';

const VSCODE_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
const CODICON = /\$\([a-z.~-]+\)/gi;
const HOSTILE = ['[Open](command:workbench.action.terminal.new)', '[site](https://evil.example/x)', '[f](file:///etc/passwd)', '$(zap) boom', 'red\u001b[31m\u001b]0;title\u0007 text\r\nnext', '\u202eevil'];

const src = path.resolve(__dirname, '../../src/extension');
function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('transcript text in VS Code messages', () => {
  test('plainText leaves no link, icon, escape sequence, control or bidi character, and keeps the words', () => {
    for (const h of HOSTILE) {
      const p = plainText(h);
      assert.equal(p.match(VSCODE_LINK), null, `${JSON.stringify(h)} -> ${JSON.stringify(p)}`);
      assert.equal(p.match(CODICON), null, p);
      assert.doesNotMatch(p, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    }
    assert.equal(plainText('[Open](command:x)').replace(/\u2060/g, ''), '[Open](command:x)', 'the text reads the same');
    assert.equal(plainText(plainText(HOSTILE[0]!)), plainText(HOSTILE[0]!), 'idempotent');
  });

  test('every notification, warning and error goes through messages.ts, which makes the message and the detail plain', () => {
    const direct: string[] = [];
    for (const f of files(src)) {
      if (path.basename(f) === 'messages.ts') continue;
      const text = fs.readFileSync(f, 'utf8');
      if (/window\.show(Information|Warning|Error)Message\b/.test(text)) direct.push(path.relative(src, f));
    }
    assert.deepEqual(direct, [], 'these call VS Code directly, past the plain-text funnel');
    const funnel = fs.readFileSync(path.join(src, 'messages.ts'), 'utf8');
    assert.match(funnel, /\(plainText\(message\), \.\.\.plainOptions\(rest\)\)/);
  });

  test('quick pick items built from sessions make the project folder, the session id and the reason plain', () => {
    const commands = fs.readFileSync(path.join(src, 'commands.ts'), 'utf8');
    assert.match(commands, /label: `\$\{counted \? '\$\(check\)' : '\$\(circle-slash\)'\} \$\{plainText\(s\.projectKey/);
    assert.match(commands, /plainText\(s\.sessionId\.slice\(0, 8\)\)/);
    assert.match(commands, /detail: plainText\(`/);
  });
});
