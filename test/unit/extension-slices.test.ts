// Planning a sliced first ingest, and the lifecycle helpers every extension object builds on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TranscriptFile } from '../../src/core/transcripts/discovery';
import { MAX_SLICE_BYTES, MIN_SLICE_BYTES, nextSliceBytes, pendingFiles, takeSlice, type StoredFile } from '../../src/extension/ingestSlices';
import { Debouncer, Disposable, disposeAll, toDisposable } from '../../src/extension/lifecycle';

const file = (name: string, size: number, mtimeMs: number, identity = `1:${name}`): TranscriptFile => ({ path: `/p/${name}`, projectsDir: '/p', relative: name, projectKey: '', agentId: '', size, mtimeMs, identity });
const MB = 1024 * 1024;

describe('ingest slices', () => {
  it('only what is left to read: new files whole, grown files their tail, replaced files whole; newest first', () => {
    const files = [file('old', 5 * MB, 1), file('grown', 3 * MB, 3), file('same', 2 * MB, 2), file('replaced', MB, 4, '1:new-inode')];
    const stored = new Map<string, StoredFile>([
      ['/p/grown', { identity: '1:grown', size: 2 * MB, mtime: 2, offset: 2 * MB }],
      ['/p/same', { identity: '1:same', size: 2 * MB, mtime: 2, offset: 2 * MB }],
      ['/p/replaced', { identity: '1:replaced', size: 4 * MB, mtime: 1, offset: 4 * MB }],
    ]);
    assert.deepEqual(pendingFiles(files, stored).map((p) => [p.file.relative, p.bytes]), [['replaced', MB], ['grown', MB], ['old', 5 * MB]]);
  });

  it('slices up to the byte budget; a file larger than the budget is a slice of its own', () => {
    const pending = [1, 1, 1, 9, 1].map((mb, i) => ({ file: file(`f${i}`, mb * MB, 10 - i), bytes: mb * MB }));
    const a = takeSlice(pending, 0, 2 * MB);
    assert.deepEqual([a.slice.length, a.next, a.bytes], [2, 2, 2 * MB]);
    const b = takeSlice(pending, 2, 2 * MB);
    assert.deepEqual([b.slice.length, b.next], [1, 3]);
    const c = takeSlice(pending, 3, 2 * MB);
    assert.deepEqual([c.slice.length, c.next, c.bytes], [1, 4, 9 * MB]);
  });

  it('adapts the slice to about 25 ms, moving at most 2x per step, within bounds', () => {
    assert.equal(nextSliceBytes(2 * MB, 5, 2 * MB), 4 * MB, 'fast machine: grows, at most 2x');
    assert.equal(nextSliceBytes(2 * MB, 50, 2 * MB), MB, 'slow: shrinks to about 25 ms');
    assert.equal(nextSliceBytes(2 * MB, 25, 2 * MB), 2 * MB);
    assert.equal(nextSliceBytes(100, 50, 2 * MB), 2 * MB, 'a tiny slice says nothing about throughput');
    assert.equal(nextSliceBytes(MAX_SLICE_BYTES, 1, MAX_SLICE_BYTES), MAX_SLICE_BYTES);
    assert.equal(nextSliceBytes(MIN_SLICE_BYTES, 10_000, MIN_SLICE_BYTES), MIN_SLICE_BYTES);
  });
});

describe('lifecycle', () => {
  class Root extends Disposable {
    add<T extends { dispose(): unknown }>(d: T): T {
      return this._register(d);
    }
  }

  it('disposes what it registered, newest first, once; late registrations are disposed at once', () => {
    const order: string[] = [];
    const root = new Root();
    root.add(toDisposable(() => order.push('a')));
    root.add(toDisposable(() => order.push('b')));
    root.dispose();
    root.dispose();
    assert.deepEqual(order, ['b', 'a']);
    root.add(toDisposable(() => order.push('late')));
    assert.deepEqual(order, ['b', 'a', 'late']);
  });

  it('one failing disposable does not leak the others', () => {
    const order: string[] = [];
    assert.throws(() => disposeAll([toDisposable(() => order.push('a')), { dispose: () => { throw new Error('boom'); } }, toDisposable(() => order.push('c'))]), /boom/);
    assert.deepEqual(order, ['c', 'a']);
  });

  it('the debouncer fires once after quiet, flushes on demand, and stops when disposed', async () => {
    let fired = 0;
    const d = new Debouncer(20, () => fired++);
    d.trigger();
    d.trigger();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fired, 1);
    d.trigger();
    d.flush();
    assert.equal(fired, 2);
    d.trigger();
    d.dispose();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fired, 2);
  });
});
