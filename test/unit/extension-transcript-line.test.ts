// "Open transcript at first request": the audit names a byte offset; the editor needs the line it falls on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lineAtOffset } from '../../src/extension/transcriptLine';
import { tempDir } from './builders';

describe('lineAtOffset', () => {
  const dir = tempDir('cl-line-');
  const lines = ['{"type":"user","text":"héllo"}', '{"type":"assistant"}', '', '{"type":"assistant","n":3}'];
  const file = path.join(dir, 't.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const offsetOf = (i: number): number => lines.slice(0, i).reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);

  it('counts the newlines before the offset (bytes, not characters)', async () => {
    assert.equal(await lineAtOffset(file, 0), 0);
    for (let i = 0; i < lines.length; i++) assert.equal(await lineAtOffset(file, offsetOf(i)), i, `line ${i}`);
    assert.equal(await lineAtOffset(file, offsetOf(1) + 3), 1, 'inside a line');
  });

  it('past the end gives the last line; a missing file throws', async () => {
    assert.equal(await lineAtOffset(file, 10_000), lines.length);
    await assert.rejects(lineAtOffset(path.join(dir, 'gone.jsonl'), 5));
  });

  it('reads a large file in chunks', async () => {
    const big = path.join(dir, 'big.jsonl');
    const line = `{"pad":"${'x'.repeat(999)}"}\n`; // 1,010 bytes
    fs.writeFileSync(big, line.repeat(3_000));
    assert.equal(await lineAtOffset(big, Buffer.byteLength(line) * 2_500), 2_500);
  });
});
