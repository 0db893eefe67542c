// A real PostgreSQL server for the shared-ledger tests: initdb in a temporary folder, started on
// 127.0.0.1 with a free port (and a unix socket), as a non-root user, torn down after (also on failure).
// It never skips: when no server can start, the error says why and how to install one.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PgServer {
  host: string;
  port: number;
  socketDir: string;
  /** Superuser name and password (scram-sha-256 over TCP). */
  user: string;
  password: string;
  /** `postgres://user:password@127.0.0.1:port/db` (a database created on demand by createDatabase). */
  url(database?: string, extra?: { user?: string; password?: string; query?: string }): string;
  /** The self-signed certificate (PEM) when started with TLS. */
  certFile?: string;
  createDatabase(name: string): void;
  /** Runs SQL as the superuser through psql (for set-up the code under test must not do itself). */
  psql(sql: string, database?: string): string;
  stop(): void;
  start(): void;
  /** Stops and removes the data folder; safe to call twice. */
  destroy(): void;
}

const INSTALL_HINT = 'Install PostgreSQL (Debian: apt-get install postgresql) or put its bin folder (initdb, pg_ctl) on PATH; .ci/run installs it.';

function findBinDir(): string {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, v, 'bin'));
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config on PATH
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) candidates.push(dir);
  const found = candidates.find((d) => d && fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl')));
  if (!found) throw new Error(`PostgreSQL test server: initdb and pg_ctl not found (looked in PG_BINDIR, ${debian}/*/bin, pg_config --bindir, PATH). ${INSTALL_HINT}`);
  return found;
}

/** Root may not run a PostgreSQL server: run its tools as a dedicated user (Debian's `postgres`, else `nobody`). */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (r.status === 0 && g.status === 0) return { name, uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
  }
  throw new Error(`PostgreSQL test server: running as root and no 'postgres' or 'nobody' user to run the server as. ${INSTALL_HINT}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<PgServer>();
let exitHook = false;

export interface StartOptions {
  tls?: boolean;
}

/** A temporary folder the server's user can reach: TMPDIR may sit in a folder only we may enter (the VS Code runner's). */
function tempBase(owner: { uid: number } | undefined): string {
  const reachable = (dir: string): boolean => {
    for (let d = dir; ; d = path.dirname(d)) {
      try {
        if (!(fs.statSync(d).mode & 0o001)) return false;
      } catch {
        return false;
      }
      if (path.dirname(d) === d) return true;
    }
  };
  if (!owner || reachable(os.tmpdir())) return os.tmpdir();
  const fallback = ['/tmp', '/var/tmp'].find(reachable);
  if (!fallback) throw new Error(`PostgreSQL test server: no temporary folder the server's user can enter (${os.tmpdir()}, /tmp, /var/tmp)`);
  return fallback;
}

export async function startPgServer(opts: StartOptions = {}): Promise<PgServer> {
  const bin = findBinDir();
  const owner = serverUser();
  const root = fs.mkdtempSync(path.join(tempBase(owner), 'cl-pg-'));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'sock');
  fs.mkdirSync(socketDir);
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const user = 'ledger_admin';
  const pwFile = path.join(root, 'pw');
  fs.writeFileSync(pwFile, password + '\n');
  if (owner) {
    for (const p of [root, socketDir, pwFile]) fs.chownSync(p, owner.uid, owner.gid);
  }
  const port = await freePort();
  const run = (tool: string, args: string[], input?: string): string => {
    const argv = owner ? ['setpriv', `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups', path.join(bin, tool), ...args] : [path.join(bin, tool), ...args];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', input, cwd: root, env: { ...process.env, PGPASSWORD: password, LC_ALL: 'C' } });
    if (r.status !== 0) throw new Error(`PostgreSQL test server: ${tool} ${args.join(' ')} failed (exit ${r.status}): ${r.error?.message ?? ''}${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  run('initdb', ['-D', dataDir, '-U', user, `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  const conf = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${socketDir}'`,
    'fsync = off',
    'max_connections = 60',
    'shared_buffers = 16MB',
  ];
  let certFile: string | undefined;
  if (opts.tls) {
    certFile = path.join(root, 'server.crt');
    const keyFile = path.join(dataDir, 'server.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'pipe' });
    fs.copyFileSync(certFile, path.join(dataDir, 'server.crt'));
    fs.chmodSync(keyFile, 0o600);
    if (owner) for (const p of [keyFile, path.join(dataDir, 'server.crt')]) fs.chownSync(p, owner.uid, owner.gid);
    conf.push('ssl = on', `ssl_cert_file = 'server.crt'`, `ssl_key_file = 'server.key'`);
    // TLS only over TCP: a plain connection is refused, so a test that connects proves TLS was used.
    fs.writeFileSync(path.join(dataDir, 'pg_hba.conf'), 'local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n');
    if (owner) fs.chownSync(path.join(dataDir, 'pg_hba.conf'), owner.uid, owner.gid);
  }
  fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), '\n' + conf.join('\n') + '\n');
  const logFile = path.join(root, 'server.log');
  let running = false;
  const server: PgServer = {
    host: '127.0.0.1',
    port,
    socketDir,
    user,
    password,
    certFile,
    url: (database = 'postgres', extra = {}) => {
      const u = encodeURIComponent(extra.user ?? user);
      const p = encodeURIComponent(extra.password ?? password);
      return `postgres://${u}:${p}@127.0.0.1:${port}/${database}${extra.query ? `?${extra.query}` : ''}`;
    },
    createDatabase: (name) => {
      run('createdb', ['-h', socketDir, '-p', String(port), '-U', user, name]);
    },
    psql: (sql, database = 'postgres') => run('psql', ['-h', socketDir, '-p', String(port), '-U', user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAt'], sql),
    start: () => {
      run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start']);
      running = true;
    },
    stop: () => {
      if (!running) return;
      run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    destroy: () => {
      try {
        if (running) run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already down
      }
      running = false;
      live.delete(server);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  live.add(server);
  if (!exitHook) {
    exitHook = true;
    // A test file that crashes still stops its servers (after hooks cover ordinary failures).
    process.on('exit', () => {
      for (const s of [...live]) s.destroy();
    });
  }
  try {
    server.start();
  } catch (err) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
    server.destroy();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return server;
}
