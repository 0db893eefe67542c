// The line a byte offset of a transcript falls on (the audit knows a request by its line's byte offset; an editor
// reveals lines). Streams the file up to the offset, so a 100 MB transcript costs one pass and little memory.
// No `vscode` import: test/unit/extension-transcript-line.test.ts.
import * as fs from 'node:fs';

const CHUNK = 1024 * 1024;

/** Zero-based line number holding byte `offset` of `file`: the newlines before it. Offsets past the end give the last line. */
export async function lineAtOffset(file: string, offset: number): Promise<number> {
  if (!(offset > 0)) return 0;
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let line = 0;
    let pos = 0;
    while (pos < offset) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, offset - pos), pos);
      if (bytesRead === 0) break;
      for (let i = buf.indexOf(10, 0); i !== -1 && i < bytesRead; i = buf.indexOf(10, i + 1)) line++;
      pos += bytesRead;
    }
    return line;
  } finally {
    await handle.close();
  }
}
