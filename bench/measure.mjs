// Run a command and measure wall time, user+sys CPU time and peak RSS.
// Uses GNU time (`/usr/bin/time -v -o FILE`) when present; otherwise polls
// /proc/<pid>/status (VmHWM, VmRSS) and /proc/<pid>/stat (utime, stime) of the process tree.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

const GNU_TIME = '/usr/bin/time';

export function hasGnuTime() {
  try { fs.accessSync(GNU_TIME, fs.constants.X_OK); } catch { return false; }
  return true;
}

function parseGnuTime(text) {
  const get = (re) => { const m = text.match(re); return m ? m[1] : null; };
  const el = get(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/);
  let wall = null;
  if (el) { wall = 0; for (const p of el.split(':')) wall = wall * 60 + Number(p); }
  return {
    userS: Number(get(/User time \(seconds\): ([\d.]+)/)),
    sysS: Number(get(/System time \(seconds\): ([\d.]+)/)),
    gnuWallS: wall,
    maxRssKb: Number(get(/Maximum resident set size \(kbytes\): (\d+)/)),
    cpuPct: get(/Percent of CPU this job got: (\d+)%/),
  };
}

function readProc(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const kb = (k) => { const m = status.match(new RegExp(`${k}:\\s+(\\d+) kB`)); return m ? Number(m[1]) : 0; };
    return { hwm: kb('VmHWM'), rss: kb('VmRSS'), ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
  } catch { return null; }
}

function treePids(root) {
  const kids = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try { const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8'); const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]); if (!kids.has(ppid)) kids.set(ppid, []); kids.get(ppid).push(Number(d)); } catch { /* gone */ }
  }
  const out = [root]; for (let i = 0; i < out.length; i++) out.push(...(kids.get(out[i]) || []));
  return out;
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{env?: object, cwd?: string, stdoutFile?: string, timeoutMs?: number, useGnuTime?: boolean}} opts
 * @returns {Promise<{code:number|null, signal:string|null, wallS:number, userS:number, sysS:number, cpuS:number, maxRssKb:number, method:string, stdout:string, stderr:string}>}
 */
export function measure(cmd, args, opts = {}) {
  const useGnu = opts.useGnuTime ?? hasGnuTime();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-bench-'));
  const timeFile = path.join(tmp, 'time.txt');
  const [c, a] = useGnu ? [GNU_TIME, ['-v', '-o', timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(c, a, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = []; const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    let peakTree = 0; let peakHwm = 0; let cpuTicks = 0; let timer = null;
    if (!useGnu) {
      const tick = Number(process.env.CLK_TCK || 100);
      const sample = () => {
        let sum = 0; let ticks = 0;
        for (const pid of treePids(child.pid)) { const p = readProc(pid); if (!p) continue; sum += p.rss; peakHwm = Math.max(peakHwm, p.hwm); ticks += p.utime + p.stime + p.cutime + p.cstime; }
        peakTree = Math.max(peakTree, sum); cpuTicks = Math.max(cpuTicks, ticks / tick);
      };
      timer = setInterval(sample, 20); sample();
    }
    let killer = null;
    if (opts.timeoutMs) killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      if (timer) clearInterval(timer);
      if (killer) clearTimeout(killer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (opts.stdoutFile) fs.writeFileSync(opts.stdoutFile, stdout);
      let r;
      if (useGnu) {
        let t = ''; try { t = fs.readFileSync(timeFile, 'utf8'); } catch { /* killed */ }
        const g = parseGnuTime(t);
        const m = t.match(/Exit status: (\d+)/);
        r = { code: m ? Number(m[1]) : code, signal, wallS, userS: g.userS, sysS: g.sysS, cpuS: g.userS + g.sysS, maxRssKb: g.maxRssKb, method: 'GNU time -v' };
      } else {
        r = { code, signal, wallS, userS: NaN, sysS: NaN, cpuS: cpuTicks, maxRssKb: Math.max(peakHwm, peakTree), method: '/proc polling (20 ms)' };
      }
      fs.rmSync(tmp, { recursive: true, force: true });
      resolve({ ...r, stdout, stderr });
    });
  });
}

export function fmtS(s) { return s == null || Number.isNaN(s) ? 'n/a' : s < 10 ? s.toFixed(2) + ' s' : s.toFixed(1) + ' s'; }
export function fmtMB(kb) { return kb == null || Number.isNaN(kb) ? 'n/a' : (kb / 1024).toFixed(0) + ' MB'; }
