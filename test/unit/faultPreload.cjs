// Preloaded (`node --require`) into a CLI run by the fault-injection test (reliability-faults.test.ts):
// counts the run's synchronous file-system calls on the main thread and, with FAULT_KILL_AT=n, kills
// the process with SIGKILL at the n-th one, as a crash or a power cut would stop it there. With
// FAULT_TORN=f (0-1) a write chosen for the kill first writes that share of its bytes (a torn write).
// FAULT_TRACE=<file>: the calls, one `<name> <path or fd>` line each, written at exit (where to kill).
'use strict';
const fs = require('node:fs');
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  const killAt = Number(process.env.FAULT_KILL_AT || 0);
  const torn = Number(process.env.FAULT_TORN || 0);
  const traceFile = process.env.FAULT_TRACE;
  const original = {};
  const trace = [];
  let calls = 0;
  const die = () => {
    process.kill(process.pid, 'SIGKILL');
  };
  const bytesOf = (data, encoding) => (typeof data === 'string' ? Buffer.from(data, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  const tornWrite = (name, args) => {
    if (!(torn > 0)) return;
    if (name === 'writeSync') {
      const [fd, data, a, b] = args;
      const buf = typeof data === 'string' ? bytesOf(data, b) : bytesOf(data).subarray(typeof a === 'number' ? a : 0, typeof a === 'number' && typeof b === 'number' ? a + b : undefined);
      original.writeSync(fd, buf, 0, Math.floor(buf.length * torn));
    } else if (name === 'writeFileSync' || name === 'appendFileSync') {
      const [target, data, opts] = args;
      const buf = bytesOf(data, typeof opts === 'string' ? opts : opts && opts.encoding);
      original[name](target, buf.subarray(0, Math.floor(buf.length * torn)), typeof opts === 'object' && opts ? { ...opts, encoding: undefined } : undefined);
    }
  };
  for (const name of ['openSync', 'readSync', 'readFileSync', 'writeSync', 'writeFileSync', 'appendFileSync', 'fsyncSync', 'closeSync', 'renameSync', 'linkSync', 'copyFileSync', 'unlinkSync', 'rmSync', 'mkdirSync', 'statSync', 'readdirSync']) {
    original[name] = fs[name];
    fs[name] = function (...args) {
      calls++;
      if (traceFile) trace.push(`${name} ${typeof args[0] === 'number' ? `fd:${fdPaths.get(args[0]) ?? args[0]}` : String(args[0])}`);
      if (calls === killAt) {
        tornWrite(name, args);
        die();
      }
      return original[name].apply(this, args);
    };
  }
  // Which file a descriptor names, so a trace says what a write or fsync was for.
  const fdPaths = new Map();
  const open = fs.openSync;
  fs.openSync = function (...args) {
    const fd = open.apply(this, args);
    if (traceFile && typeof fd === 'number') fdPaths.set(fd, String(args[0]));
    return fd;
  };
  if (traceFile) process.on('exit', () => original.writeFileSync(traceFile, trace.join('\n') + '\n'));
}
