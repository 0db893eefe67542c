// Where the shared ledger is and how to reach it: a postgres:// URL from the CLI option, the
// CREDIT_LEDGER_DATABASE_URL environment variable or the settings (in that order), and a password
// from VS Code's SecretStorage, the URL (environment only), PGPASSWORD or a PGPASSFILE (~/.pgpass).
// Errors say what went wrong in words and never echo the password.
import * as os from 'node:os';
import pgpass from 'pgpass';
import { Client, types, type ClientConfig } from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import type { Env } from '../state/paths';

export const DATABASE_URL_ENV = 'CREDIT_LEDGER_DATABASE_URL';

export interface SharedLedgerTarget {
  /** The URL as given (may hold a password when it came from the environment). */
  url: string;
  /** Where it came from, for messages: "--database-url", the env variable, "settings". */
  source: string;
}

/** Raised for every connection or server problem, with a message for people. */
export class SyncError extends Error {
  constructor(message: string, readonly code: string = 'sync') {
    super(message);
  }
}

/** The shared ledger this run should use, or undefined when none is configured (sync is opt-in). */
export function resolveTarget(option: string | undefined, env: Env, settingsUrl: unknown): SharedLedgerTarget | undefined {
  if (option && option.trim()) return { url: option.trim(), source: '--database-url' };
  const fromEnv = env[DATABASE_URL_ENV];
  if (fromEnv && fromEnv.trim()) return { url: fromEnv.trim(), source: DATABASE_URL_ENV };
  if (typeof settingsUrl === 'string' && settingsUrl.trim()) return { url: settingsUrl.trim(), source: 'settings' };
  return undefined;
}

/** The URL with its password masked (for logs and messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** Checks the URL's shape; returns a problem in words, or undefined when it is usable. */
export function urlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${redactUrl(url)}" is not a URL; use postgres://user@host:5432/database`;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return `the shared ledger URL must start with postgres:// (got ${u.protocol}//)`;
  if (!u.pathname || u.pathname === '/') return 'the shared ledger URL names no database (postgres://user@host:5432/database)';
  return undefined;
}

/** A password stored in settings.json would be readable by every extension and every backup: refused. */
export function settingsUrlProblem(url: string): string | undefined {
  try {
    if (new URL(url).password) return 'the shared ledger URL in settings holds a password: remove it and store the password with "Credit Ledger: Set Shared Ledger Password" (or a PGPASSFILE / PGPASSWORD)';
  } catch {
    // urlProblem reports it
  }
  return undefined;
}

// BIGINT (int8) comes back as a JS number: counts and nanodollars are integers well under 2^53; a larger value is an error, never rounded.
const int8 = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new SyncError(`the shared ledger holds an integer too large to read exactly (${v})`);
  return n;
};
const typeParsers = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 ? int8 : types.getTypeParser(oid, format as 'text'))) as typeof types.getTypeParser,
};

/** The password a PGPASSFILE (default ~/.pgpass) gives for this URL, through pg's own `pgpass` reader. */
function pgpassPassword(url: URL, env: Env): () => Promise<string> {
  const conn = { host: url.hostname || 'localhost', port: Number(url.port || 5432), database: decodeURIComponent(url.pathname.slice(1)), user: decodeURIComponent(url.username || env.PGUSER || os.userInfo().username) };
  return () => new Promise((resolve) => pgpass(conn, (pw) => resolve(pw ?? '')));
}

export interface ConnectOptions {
  /** A password from VS Code's SecretStorage (wins over every other source). */
  password?: string;
  env?: Env;
  connectTimeoutMs?: number;
  /** Per statement, on the server and in the client. */
  statementTimeoutMs?: number;
}

export function clientConfig(target: SharedLedgerTarget, opts: ConnectOptions = {}): ClientConfig {
  const problem = urlProblem(target.url);
  if (problem) throw new SyncError(problem, 'config');
  const env = opts.env ?? process.env;
  const url = new URL(target.url);
  // Parsed here, not passed as connectionString: pg would let the URL's empty password override the one given.
  const config: ClientConfig = {
    ...parseIntoClientConfig(target.url),
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    statement_timeout: opts.statementTimeoutMs ?? 120_000,
    query_timeout: (opts.statementTimeoutMs ?? 120_000) + 5000,
    application_name: 'credit-ledger',
    types: typeParsers,
  };
  if (opts.password !== undefined) config.password = opts.password;
  else if (!url.password && env.PGPASSWORD) config.password = env.PGPASSWORD;
  else if (!url.password) config.password = pgpassPassword(url, env);
  return config;
}

/** Connects, turning the driver's errors into messages for people. */
export async function connect(target: SharedLedgerTarget, opts: ConnectOptions = {}): Promise<Client> {
  const client = new Client(clientConfig(target, opts));
  // A dropped connection must not crash the process: the pending query fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw describeError(err, target);
  }
}

/** The driver's error as a SyncError for people (where, what, what to do). */
export function describeError(err: unknown, target: SharedLedgerTarget): SyncError {
  if (err instanceof SyncError) return err;
  const e = err as Error & { code?: string; errno?: string };
  let where = redactUrl(target.url);
  try {
    const u = new URL(target.url);
    where = `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    // keep the redacted URL
  }
  const code = e.code ?? '';
  const msg = e.message ?? String(err);
  const lead = `shared ledger ${where} (from ${target.source})`;
  if (code === 'ECONNREFUSED') return new SyncError(`${lead}: connection refused (is PostgreSQL running and listening there?)`, 'unreachable');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new SyncError(`${lead}: host not found`, 'unreachable');
  if (code === 'ETIMEDOUT' || /timeout/i.test(msg)) return new SyncError(`${lead}: no answer in time (${msg})`, 'unreachable');
  if (code === 'ECONNRESET' || /Connection terminated/i.test(msg)) return new SyncError(`${lead}: the connection was closed (${msg})`, 'unreachable');
  if (code === '28P01') return new SyncError(`${lead}: password authentication failed for user "${new URL(target.url).username || '(default)'}"; check the password (SecretStorage, PGPASSWORD or PGPASSFILE)`, 'auth');
  if (code === '28000') return new SyncError(`${lead}: the server refused this user or host (${msg}); check pg_hba.conf and the user`, 'auth');
  if (code === '3D000') return new SyncError(`${lead}: ${msg}; create it first (createdb)`, 'config');
  if (code === '42501') return new SyncError(`${lead}: permission denied (${msg}); see the README's GRANTs for a machine's role`, 'auth');
  if (/self[- ]signed|certificate|SSL|TLS/i.test(msg) || code.startsWith('ERR_TLS') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return new SyncError(`${lead}: TLS problem: ${msg}; for a self-signed server certificate add sslmode=verify-full&sslrootcert=/path/to/its/certificate.pem to the URL`, 'tls');
  }
  if (/password/i.test(msg) && /SASL|string|client password/i.test(msg)) return new SyncError(`${lead}: the server asks for a password and none was given (SecretStorage, PGPASSWORD or PGPASSFILE)`, 'auth');
  return new SyncError(`${lead}: ${msg}${code ? ` (${code})` : ''}`);
}
