// The shared ledger against a real PostgreSQL (test/unit/pgServer.ts starts one; no test skips).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { readSnapshot } from '../../src/core/pool';
import { reconcileFact } from '../../src/core/pool/facts';
import { appendFact, readJournal } from '../../src/core/state/journal';
import { connect, SyncError } from '../../src/core/sync/connection';
import { machineId } from '../../src/core/sync/machine';
import { outboxSize } from '../../src/core/sync/outbox';
import { ensureServerSchema, SERVER_SCHEMA_VERSION } from '../../src/core/sync/schema';
import { startPgServer, freePort, type PgServer } from './pgServer';
import { Meter } from '../../src/core/meter/meter';
import { sharedLedgerSetup, syncMeter, syncStatus } from '../../src/core/sync/meterSync';
import { figures, headlessRun, interactiveSession, openMeter, setupFor, simMachine, streamedSession, subagentSession, syncMachine, SETTINGS } from './syncBuilders';

let server: PgServer;
let dbCount = 0;

/** A fresh database per test: tests never see each other's rows. */
function freshDb(): string {
  const name = `ledger_${++dbCount}`;
  server.createDatabase(name);
  return server.url(name);
}

async function serverQuery<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = await connect({ url, source: 'test' });
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

before(async () => {
  server = await startPgServer();
});
after(() => server?.destroy());

/** Transcripts of three machines; `shared/h1.jsonl` sits on two of them (one transcript copied). */
function fleet(): { a: Record<string, string>; b: Record<string, string>; c: Record<string, string>; all: Record<string, string> } {
  const a = { 'proj-a/s1.jsonl': interactiveSession('s1', 20), 'shared/h1.jsonl': headlessRun('h1', 21), ...subagentSession('sa', 22), 'proj-x/x.jsonl': streamedSession('x1', 23, false) };
  const b = { 'proj-b/s2.jsonl': interactiveSession('s2', 21, 'claude-haiku-4-5-20251001', 5), 'shared/h1.jsonl': headlessRun('h1', 21), 'ci/h2.jsonl': headlessRun('h2', 24) };
  // The third machine saw only an early, partial copy of x1's stream: the full copy must win.
  const c = { 'proj-c/s3.jsonl': interactiveSession('s3', 19, 'claude-opus-4-1-20250805', 2), 'proj-x/x-partial.jsonl': streamedSession('x1', 23, true), 'ci/h3.jsonl': headlessRun('h3', 18) };
  return { a, b, c, all: { ...a, ...b, ...c } };
}

describe('shared ledger: machines merge to one balance', () => {
  test('two machines (one transcript on both) give the balance of all transcripts read on one machine, to the nanodollar', async () => {
    const url = freshDb();
    const f = fleet();
    const a = simMachine('laptop', f.a);
    const b = simMachine('server', f.b);
    const one = simMachine('reference', { ...f.a, ...f.b });
    await syncMachine(a, url);
    const sb = await syncMachine(b, url);
    assert.ok(sb.result.pulled.requests > 0, 'the second machine pulls the first one\'s rows');
    await syncMachine(a, url);
    const want = await figures(one, false);
    assert.ok(want.correctionNanos > 0, 'the fixture has a correction (a subagent Task result)');
    assert.deepEqual(await figures(a, true), want);
    assert.deepEqual(await figures(b, true), want);
    assert.equal(Number.isInteger(want.spentNanos), true);
    // What the server holds: one row per request, the copied transcript once.
    const [{ n }] = await serverQuery<{ n: number }>(url, 'SELECT count(*)::int AS n FROM cl_requests');
    assert.equal(n, want.requests);
    const snap = readSnapshot(a.paths.snapshot)!;
    assert.equal(snap.merged, true);
    assert.equal(snap.spentNanos, want.spentNanos);
  });

  test('three machines, a partial copy on one of them: one merged balance, equal everywhere', async () => {
    const url = freshDb();
    const f = fleet();
    const ms = [simMachine('a', f.a), simMachine('b', f.b), simMachine('c', f.c)];
    const one = simMachine('reference', f.all);
    // Interleaved and repeated: every machine twice, in an order where pulls see half-pushed fleets.
    for (const m of [ms[2], ms[0], ms[1], ms[2], ms[0], ms[1]]) await syncMachine(m, url);
    const want = await figures(one, false);
    for (const m of ms) assert.deepEqual(await figures(m, true), want, `machine ${m.name}`);
    const x = await serverQuery<{ output: number }>(url, `SELECT output FROM cl_requests WHERE key = 'x1-x:req_x1-x'`);
    assert.deepEqual(x, [{ output: 640 }], 'the better copy wins on the server too');
  });

  test('pushing again changes nothing: no row is written twice', async () => {
    const url = freshDb();
    const a = simMachine('a', fleet().a);
    const first = await syncMachine(a, url);
    assert.ok(first.result.pushed.requests > 0);
    const [{ seq }] = await serverQuery<{ seq: number }>(url, `SELECT last_value AS seq FROM cl_seq`);
    const again = await syncMachine(a, url);
    assert.deepEqual(again.result.pushed, { requests: 0, sessions: 0, events: 0, records: 0, facts: 0 });
    const [{ seq: after2 }] = await serverQuery<{ seq: number }>(url, `SELECT last_value AS seq FROM cl_seq`);
    assert.equal(after2, seq, 'no change was stamped');
    assert.equal(typeof seq, 'number', 'BIGINT reads back as a number');
  });

  test('concurrent pushes from several processes: one merged figure, no doubling', async () => {
    const url = freshDb();
    const f = fleet();
    // Four machines, two of them with the same transcripts, each syncing from its own process at the same time, twice.
    const ms = [simMachine('p1', f.a), simMachine('p2', f.b), simMachine('p3', f.c), simMachine('p4', f.b)];
    const child = path.join(__dirname, 'syncChild.ts');
    const runAll = (): Promise<void[]> =>
      Promise.all(
        ms.map(
          (m) =>
            new Promise<void>((resolve, reject) => {
              const p = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(m), url], { stdio: ['ignore', 'pipe', 'pipe'] });
              let err = '';
              p.stderr.on('data', (d) => (err += d));
              p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sync child for ${m.name} exited ${code}: ${err}`))));
            }),
        ),
      );
    await runAll();
    await runAll();
    for (const m of ms) await syncMachine(m, url); // each sees what the others pushed after its own pull
    const want = await figures(simMachine('reference', f.all), false);
    for (const m of ms) assert.deepEqual(await figures(m, true), want, `machine ${m.name}`);
    const [{ n }] = await serverQuery<{ n: number }>(url, 'SELECT count(*)::int AS n FROM cl_requests');
    assert.equal(n, want.requests);
  });

  test('journal facts travel: a reconcile typed on one machine sets the balance on the other', async () => {
    const url = freshDb();
    const f = fleet();
    const a = simMachine('a', f.a);
    const b = simMachine('b', f.b);
    appendFact(a.paths.journal, reconcileFact(42.5, Date.parse('2026-11-22T00:00:00Z')));
    await syncMachine(a, url);
    await syncMachine(b, url);
    await syncMachine(a, url);
    const pulled = readJournal(b.paths.journal).facts.filter((x) => x.kind === 'reconcile');
    assert.equal(pulled.length, 1);
    assert.equal(pulled[0].machine, machineId(a.paths.dataDir), 'the fact keeps the machine that wrote it');
    const fa = await figures(a, true);
    const fb = await figures(b, true);
    assert.equal(fb.remainingNanos, fa.remainingNanos);
    // Pulling again does not append it twice.
    await syncMachine(b, url);
    assert.equal(readJournal(b.paths.journal).facts.filter((x) => x.kind === 'reconcile').length, 1);
  });

  test('status: machines, last sync, spend per machine summing to the balance', async () => {
    const url = freshDb();
    const f = fleet();
    const a = simMachine('laptop', f.a);
    const b = simMachine('ci-runner', f.b);
    await syncMachine(a, url);
    await syncMachine(b, url);
    const meter = await openMeter(a, true);
    try {
      await syncMeter(meter, setupFor(a, url));
      const balance = meter.computeBalance();
      const status = syncStatus(meter, setupFor(a, url), balance);
      assert.deepEqual(status.machines.map((m) => [m.label, m.thisMachine]), [['laptop', true], ['ci-runner', false]]);
      assert.ok(status.machines.every((m) => m.lastPush && m.lastPull));
      assert.equal(status.machines.reduce((s, m) => s + m.spentNanos, 0), balance.spentNanos);
      assert.ok(status.machines.every((m) => m.spentNanos > 0));
      assert.equal(status.outbox, 0);
      assert.equal(status.merged, true);
      assert.ok(!status.where.includes(server.password), 'the URL is shown without its password');
    } finally {
      meter.close();
    }
  });

  test('what leaves the machine: no prompt text, project paths hashed unless labels are allowed', async () => {
    const url = freshDb();
    const a = simMachine('a', fleet().a);
    await syncMachine(a, url);
    const dump = JSON.stringify(await serverQuery(url, `SELECT * FROM cl_requests`)) + JSON.stringify(await serverQuery(url, `SELECT * FROM cl_sessions`)) + JSON.stringify(await serverQuery(url, `SELECT * FROM cl_events`));
    for (const secret of ['hello', 'find the config loader', 'run the nightly job', '/home/dev/project', 'proj-a']) assert.ok(!dump.includes(secret), `"${secret}" stayed on the machine`);
    const projects = await serverQuery<{ project_key: string }>(url, 'SELECT DISTINCT project_key FROM cl_requests');
    assert.ok(projects.every((p) => /^h-[0-9a-f]{16}$/.test(p.project_key)));
    const url2 = freshDb();
    const labelled = simMachine('l', fleet().a, { ...SETTINGS, allowLabels: true });
    await syncMachine(labelled, url2);
    const raw = await serverQuery<{ project_key: string }>(url2, 'SELECT DISTINCT project_key FROM cl_requests ORDER BY 1');
    assert.ok(raw.some((p) => p.project_key === 'proj-a'));
  });
});

describe('shared ledger: faults', () => {
  test('the server stopped mid-push and restarted: the outbox sends the rest, nothing lost or doubled', async () => {
    const url = freshDb();
    // Enough requests for several push transactions.
    const files: Record<string, string> = {};
    for (let i = 0; i < 9; i++) files[`bulk/b${i}.jsonl`] = interactiveSession(`b${i}`, 10 + i, undefined, 600);
    const a = simMachine('a', files);
    let stopped = false;
    const cut = assert.rejects(
      syncMachine(a, url, {
        onPushed: (kind) => {
          if (kind === 'requests' && !stopped) {
            stopped = true;
            server.stop();
          }
        },
      }),
      (err: Error) => err instanceof SyncError && /shared ledger 127\.0\.0\.1:\d+\/ledger_\d+/.test(err.message),
    );
    try {
      await cut;
    } finally {
      if (stopped) server.start();
    }
    const meter = await openMeter(a, true);
    const waiting = outboxSize(meter.ledger.db);
    meter.close();
    assert.ok(waiting > 0 && waiting < 5400, `part of the push is still in the outbox (${waiting})`);
    await syncMachine(a, url);
    const [{ n }] = await serverQuery<{ n: number }>(url, 'SELECT count(*)::int AS n FROM cl_requests');
    assert.equal(n, 5400);
    const b = simMachine('b', {});
    await syncMachine(b, url);
    const fa = await figures(a, true);
    const fb = await figures(b, true);
    assert.equal(fb.recordedNanos, fa.recordedNanos);
    assert.equal(fb.spentNanos, fa.spentNanos);
  });

  test('wrong password and a closed port: a clear message, nothing changed locally', async () => {
    const url = freshDb();
    const a = simMachine('a', fleet().a);
    const before = await figures(a, true);
    const snapBefore = fs.readFileSync(a.paths.snapshot, 'utf8');
    const bad = server.url(url.split('/').pop(), { password: 'not-the-password' });
    await assert.rejects(syncMachine(a, bad), (err: Error) => err instanceof SyncError && /password authentication failed for user "ledger_admin"/.test(err.message) && !err.message.includes('not-the-password'));
    const closed = `postgres://ledger_admin:x@127.0.0.1:${await freePort()}/ledger`;
    await assert.rejects(syncMachine(a, closed), (err: Error) => err instanceof SyncError && /127\.0\.0\.1:\d+\/ledger .*connection refused/.test(err.message));
    assert.deepEqual(await figures(a, true), before);
    const meter = await openMeter(a, true);
    assert.equal(meter.ledger.meta('sync.ledgerId'), undefined, 'never synced');
    assert.equal(meter.merged, false);
    meter.close();
    assert.equal(JSON.parse(fs.readFileSync(a.paths.snapshot, 'utf8')).merged, JSON.parse(snapBefore).merged);
    const none = await serverQuery(url, `SELECT to_regclass('cl_requests') AS t`);
    assert.deepEqual(none, [{ t: null }], 'nothing was created on the server either');
  });

  test('a local-only figure never replaces a merged snapshot', async () => {
    const url = freshDb();
    const f = fleet();
    const a = simMachine('a', f.a);
    await syncMachine(simMachine('b', f.b), url);
    await syncMachine(a, url);
    const merged = readSnapshot(a.paths.snapshot)!;
    assert.equal(merged.merged, true);
    // The same user on this machine without the shared ledger (a fresh ledger file): its figure is smaller and must not win.
    const local = await Meter.open({ paths: a.paths, settings: a.settings, ledgerFile: path.join(a.home, 'other.sqlite'), writesSnapshot: true, clock: () => Date.parse('2026-11-25T12:00:00Z'), shared: false, env: a.env });
    local.refresh();
    local.close();
    assert.deepEqual(readSnapshot(a.paths.snapshot), merged);
  });
});

describe('shared ledger: schema and connections', () => {
  test('a schema from an older version is migrated, its rows kept', async () => {
    const url = freshDb();
    const c = new Client({ connectionString: url });
    await c.connect();
    await ensureServerSchema(c, 1);
    // A row pushed by an older Credit Ledger (schema 1).
    await c.query(`INSERT INTO cl_machines (machine_id, label) VALUES ('old-machine-0001', 'old')`);
    await c.query(
      `INSERT INTO cl_requests (key, msg_id, request_id, session_id, agent_id, sidechain, progress, project_key, cwd, git_branch, version, entrypoint, prompt_source, turn_origin, model, ts, input, output, cw5m, cw1h, cr, web_search, web_fetch, speed, geo, tier, stop_reason, text_chars, tool_chars, thinking_chars, tools, blocks, machine_id, updated_by, seq)
       VALUES ('old-m:req', 'old-m', 'req', 'old-s', '', 0, 0, 'h-0000000000000000', '', '', '2.0.0', 'sdk-cli', '', '', 'claude-sonnet-4-5-20250929', $1, 1000, 2000, 0, 0, 0, 0, 0, '', '', '', 'end_turn', 0, 0, 0, '', '', 'old-machine-0001', 'old-machine-0001', nextval('cl_seq'))`,
      [Date.parse('2026-11-21T10:00:00Z')],
    );
    await c.end();
    const a = simMachine('a', fleet().a);
    const s = await syncMachine(a, url);
    assert.deepEqual(s.result.migrated, [2]);
    const [{ value }] = await serverQuery<{ value: string }>(url, `SELECT value FROM cl_meta WHERE key = 'schema_version'`);
    assert.equal(value, String(SERVER_SCHEMA_VERSION));
    const meter = await openMeter(a, true);
    const row = meter.ledger.db.exec(`SELECT input, output, machine_id, cost_nanos FROM requests WHERE key = 'old-m:req'`)[0].values[0];
    meter.close();
    assert.deepEqual(row.slice(0, 3), [1000, 2000, 'old-machine-0001']);
    assert.equal(row[3], 1000 * 3000 + 2000 * 15000, 'priced with this machine\'s card: $3/$15 per million');
  });

  test('a shared ledger written by a newer version is refused, untouched', async () => {
    const url = freshDb();
    const c = new Client({ connectionString: url });
    await c.connect();
    await ensureServerSchema(c);
    await c.query(`UPDATE cl_meta SET value = '99' WHERE key = 'schema_version'`);
    await c.end();
    await assert.rejects(syncMachine(simMachine('a', fleet().a), url), /created by a newer Credit Ledger \(server schema 99/);
  });

  test('machines connecting at once to an empty database: one of them creates the schema', async () => {
    const url = freshDb();
    const f = fleet();
    await Promise.all([syncMachine(simMachine('a', f.a), url), syncMachine(simMachine('b', f.b), url), syncMachine(simMachine('c', f.c), url)]);
    const ids = await serverQuery(url, `SELECT value FROM cl_meta WHERE key = 'ledger_id'`);
    assert.equal(ids.length, 1);
  });

  test('BIGINT columns read back as integers; one beyond 2^53 is an error, never rounded', async () => {
    const url = freshDb();
    const c = await connect({ url, source: 'test' });
    try {
      const r = await c.query(`SELECT 9007199254740991::bigint AS max, 42::bigint AS small`);
      assert.deepEqual(r.rows[0], { max: 9007199254740991, small: 42 });
      await assert.rejects(c.query(`SELECT 9007199254740993::bigint AS big`), /too large to read exactly/);
    } finally {
      await c.end();
    }
  });

  test('a password from a PGPASSFILE or given beside the URL (SecretStorage); a password in the settings URL refused', async () => {
    const dbUrl = new URL(freshDb());
    const pass = path.join(simMachine('p', {}).home, 'pgpass');
    fs.writeFileSync(pass, `127.0.0.1:${dbUrl.port}:*:ledger_admin:${server.password}\n`, { mode: 0o600 });
    const old = process.env.PGPASSFILE;
    process.env.PGPASSFILE = pass;
    try {
      dbUrl.password = '';
      const c = await connect({ url: dbUrl.toString(), source: 'test' }, { env: {} });
      await c.end();
    } finally {
      if (old === undefined) delete process.env.PGPASSFILE;
      else process.env.PGPASSFILE = old;
    }
    // The SecretStorage path: a URL without a password and the password given beside it.
    const withSecret = await connect({ url: dbUrl.toString(), source: 'settings' }, { env: {}, password: server.password });
    await withSecret.end();
    const m = simMachine('s', {}, { ...SETTINGS, databaseUrl: server.url('x') });
    assert.throws(() => sharedLedgerSetup(m.paths, m.settings, {}), /URL in settings holds a password/);
  });
});

describe('shared ledger: TLS with a self-signed certificate on loopback', () => {
  let tls: PgServer;
  before(async () => {
    tls = await startPgServer({ tls: true });
  });
  after(() => tls?.destroy());

  test('verify-full with the certificate syncs; without it, a clear TLS message', async () => {
    tls.createDatabase('tls_ledger');
    const a = simMachine('a', fleet().a);
    const good = tls.url('tls_ledger', { query: `sslmode=verify-full&sslrootcert=${encodeURIComponent(tls.certFile!)}` });
    const s = await syncMachine(a, good);
    assert.ok(s.result.pushed.requests > 0);
    const c = await connect({ url: good, source: 'test' });
    const r = await c.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    await c.end();
    assert.deepEqual(r.rows, [{ ssl: true }]);
    await assert.rejects(syncMachine(a, tls.url('tls_ledger', { query: 'sslmode=verify-full' })), (err: Error) => err instanceof SyncError && /TLS problem: .*self[- ]signed/i.test(err.message) && /sslrootcert/.test(err.message));
  });
});

describe('shared ledger: the README\'s SQL', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## One balance across your machines'));
  const blocks = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);

  test('least privilege: a machine role with the README\'s GRANTs syncs, and cannot delete or drop', async () => {
    const url = freshDb();
    const db = new URL(url).pathname.slice(1);
    await syncMachine(simMachine('owner', fleet().a), url); // the owner creates the schema
    const grants = blocks.find((b) => b.includes('GRANT'))!;
    server.psql(grants.replace(/PASSWORD '\.\.\.'/, "PASSWORD 'machine-pw'").replace(/DATABASE ledger/, `DATABASE ${db}`), db);
    const machineUrl = server.url(db, { user: 'ledger_machine', password: 'machine-pw' });
    const b = simMachine('b', fleet().b);
    const s = await syncMachine(b, machineUrl);
    assert.ok(s.result.pushed.requests > 0 && s.result.pulled.requests > 0);
    const c = await connect({ url: machineUrl, source: 'test' });
    try {
      await assert.rejects(c.query('DELETE FROM cl_requests'), /permission denied/);
      await assert.rejects(c.query('DROP TABLE cl_facts'), /must be owner|permission denied/);
    } finally {
      await c.end();
      server.psql('DROP OWNED BY ledger_machine; DROP ROLE ledger_machine;', db);
    }
  });

  test('removing a machine\'s rows with the README\'s SQL: a rebuilt ledger elsewhere no longer counts them', async () => {
    const url = freshDb();
    const db = new URL(url).pathname.slice(1);
    const f = fleet();
    const a = simMachine('a', f.a);
    const b = simMachine('retired', { 'proj-b/s2.jsonl': f.b['proj-b/s2.jsonl'] });
    await syncMachine(a, url);
    await syncMachine(b, url);
    const id = machineId(b.paths.dataDir);
    server.psql(blocks.find((x) => x.includes('DELETE FROM cl_requests'))!.replace(/<id>/g, id), db);
    const [{ n }] = await serverQuery<{ n: number }>(url, `SELECT count(*)::int AS n FROM cl_machines WHERE machine_id = '${id}'`);
    assert.equal(n, 0);
    fs.rmSync(a.paths.ledgersDir, { recursive: true, force: true }); // a's rebuild
    await syncMachine(a, url);
    assert.deepEqual(await figures(a, true), await figures(simMachine('ref', f.a), false));
  });
});
