// Stored answers: a report run whose inputs are all unchanged prints what the last such run
// printed, without loading the ledger. Exact, not a cache that may go stale: the answer is keyed
// by the command line, the working folder, the environment the CLI reads, the terminal and the
// build, and served only while every input it was computed from is as it was then:
//   - every transcript (path, size, mtime, dev:ino, in discovery order) under the config dirs read,
//     and the folders' existence: the same test the ledger's own incremental ingest trusts;
//   - the settings file (by content: rate overrides, folders, time zone live there), every other
//     file beside it and beside the journal (imported rates, the journal itself), each
//     ~/.claude.json the corrections read, and the ledger file (after this run's save);
//   - no other process writing the ledger (its lock file absent);
//   - the clock: until the next local midnight of the report's time zone (the answer does not
//     depend on "today", but a run that writes the balance snapshot does, through the cycle).
// Only a run that read nothing new is stored, so its notes on stderr are what an unchanged run
// prints. This module stays small (node built-ins and discovery only): the bin entry loads it
// before anything else, and loads the rest of the CLI only on a miss.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { discover, type ConfigDir, type Discovery } from '../core/transcripts/discovery';
import { userPaths, type Env, type UserPaths } from '../core/state/paths';

/** The commands whose output is a pure function of the inputs above (the balance depends on the hour). */
export const STORED_ANSWER_COMMANDS: readonly string[] = ['daily', 'weekly', 'monthly', 'session'];
/** `CREDIT_LEDGER_STORED_ANSWERS=off` always runs the ledger (the bench measures both). */
export const STORED_ANSWERS_ENV = 'CREDIT_LEDGER_STORED_ANSWERS';
const FORMAT = 1;
/** Answers kept per user: the most recently written ones. */
const KEEP = 16;
/** Outputs of the CLI and the extension in the per-user folders: never inputs of a report. */
const NOT_INPUTS = new Set(['balance.json', 'answers']);

export interface StoredAnswer {
  format: number;
  key: string;
  /** Epoch ms after which the answer is not served. */
  validUntil: number;
  configDirs: { root: string; projects: string }[];
  discovery: string;
  /** Path → signature ("absent", "s:size:mtime:ino", or "h:<sha1 of the content>"). */
  files: Record<string, string>;
  /** Folders whose regular files (besides NOT_INPUTS) are all listed in `files`. */
  folders: string[];
  ledger: string;
  stdout: string;
  stderr: string;
}

/** What decides which answer a run gets: everything the run reads besides files. */
export function answerKey(argv: readonly string[], env: Env, build: string, io: { cwd: string; stdoutTty: boolean; stderrTty: boolean; columns: number | undefined }): string {
  const read = Object.keys(env)
    .filter((k) => k !== STORED_ANSWERS_ENV && (/^(CLAUDE_|CREDIT_LEDGER_|XDG_|LC_)/.test(k) || ENV_READ.has(k)))
    .sort()
    .map((k) => [k, env[k]]);
  return createHash('sha1')
    .update(JSON.stringify({ FORMAT, argv, read, build, home: os.homedir(), io, node: process.version, platform: process.platform }))
    .digest('hex');
}
const ENV_READ = new Set(['COLUMNS', 'HOME', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'TZ', 'NO_COLOR', 'FORCE_COLOR', 'CI', 'GITHUB_ACTIONS', 'LANG', 'NODE_OPTIONS', 'NODE_ICU_DATA']);

/** The build: the bundles that produce the answer (a rebuilt CLI or rate card misses). */
export function buildIdentity(files: readonly string[]): string {
  return files.map((f) => statSignature(f)).join('|');
}

export function answersDir(paths: UserPaths): string {
  return path.join(paths.dataDir, 'answers');
}

export function statSignature(file: string): string {
  try {
    const st = fs.statSync(file);
    return `s:${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return 'absent';
  }
}

export function contentSignature(file: string): string {
  try {
    return 'h:' + createHash('sha1').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return 'absent';
  }
}

/** A fingerprint of what discovery found: folders, every file's size, mtime and identity, and the problems. */
export function discoveryFingerprint(found: Discovery): string {
  const h = createHash('sha1');
  for (const d of found.configDirs) h.update(`D${d.projects}\0${d.exists ? 1 : 0}\n`);
  for (const f of found.files) h.update(`${f.path}\0${f.size}\0${f.mtimeMs}\0${f.identity}\n`);
  for (const p of found.problems) h.update(`P${p.path}\0${p.problem}\n`);
  return h.digest('hex');
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Regular files directly in a folder, but for the CLI's own outputs. */
function folderFiles(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => !NOT_INPUTS.has(e.name) && !e.isDirectory())
      .map((e) => path.join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** True when `answer` may be printed now: every input as it was when it was stored. */
export function answerHolds(answer: StoredAnswer, now: number): boolean {
  if (answer.format !== FORMAT || now >= answer.validUntil) return false;
  if (fs.existsSync(`${answer.ledger}.lock`)) return false; // another run is writing: it may change the answer
  for (const [file, sig] of Object.entries(answer.files)) {
    if ((sig.startsWith('h:') ? contentSignature(file) : statSignature(file)) !== sig) return false;
  }
  for (const dir of answer.folders) {
    for (const f of folderFiles(dir)) if (!(f in answer.files)) return false; // a new file beside the settings
  }
  const dirs: ConfigDir[] = answer.configDirs.map((d) => ({ ...d, exists: isDirectory(d.projects) }));
  return discoveryFingerprint(discover(dirs)) === answer.discovery;
}

function readAnswer(file: string): StoredAnswer | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredAnswer;
  } catch {
    return undefined;
  }
}

/** The bin entry's fast path: prints the stored answer and returns true, or returns false (run the CLI). */
export function serveStoredAnswer(argv: readonly string[], env: Env, build: string, now: number = Date.now()): boolean {
  if (env[STORED_ANSWERS_ENV] === 'off' || !STORED_ANSWER_COMMANDS.includes(argv[0] ?? '')) return false;
  try {
    const key = answerKey(argv, env, build, ioOf());
    const answer = readAnswer(path.join(answersDir(userPaths(env)), `${key}.json`));
    if (!answer || answer.key !== key || !answerHolds(answer, now)) return false;
    if (answer.stderr) process.stderr.write(answer.stderr);
    process.stdout.write(answer.stdout);
    return true;
  } catch {
    return false; // never fail a run over its shortcut
  }
}

export function ioOf(): { cwd: string; stdoutTty: boolean; stderrTty: boolean; columns: number | undefined } {
  return { cwd: process.cwd(), stdoutTty: !!process.stdout.isTTY, stderrTty: !!process.stderr.isTTY, columns: process.stdout.columns };
}

/**
 * Collects a run's inputs as it reads them (each file's signature taken before the run reads it),
 * then stores the answer. Created by the CLI before it reads the settings.
 */
export class InputRecord {
  private readonly files: Record<string, string> = {};
  private readonly folders: string[] = [];
  private discoveryPrint: string | undefined;
  private configDirs: { root: string; projects: string }[] = [];
  private unstorable = false;

  constructor(
    private readonly key: string | undefined,
    private readonly paths: UserPaths,
  ) {
    this.content(paths.settings);
    for (const dir of new Set([paths.configDir, paths.dataDir])) {
      this.folders.push(dir);
      for (const f of folderFiles(dir)) if (!(f in this.files)) this.stat(f);
    }
    this.stat(paths.journal);
  }

  /** A file read by content (small, edited by people: an edit within the file system's mtime tick still counts). */
  content(file: string): void {
    this.files[file] = contentSignature(file);
  }

  stat(file: string): void {
    this.files[file] = statSignature(file);
  }

  discovered(found: Discovery): void {
    this.configDirs = found.configDirs.map((d) => ({ root: d.root, projects: d.projects }));
    this.discoveryPrint = discoveryFingerprint(found);
  }

  /** Something in this run makes its output differ from an unchanged run's (it read new lines, recovered...). */
  notStorable(): void {
    this.unstorable = true;
  }

  /** Stores the answer (best effort: a failure only costs the next run its shortcut). */
  store(ledgerFile: string, validUntil: number, stdout: string, stderr: string): void {
    if (!this.key || this.unstorable || this.discoveryPrint === undefined) return;
    const answer: StoredAnswer = {
      format: FORMAT, key: this.key, validUntil, configDirs: this.configDirs, discovery: this.discoveryPrint,
      files: { ...this.files, [ledgerFile]: statSignature(ledgerFile) }, folders: this.folders, ledger: ledgerFile, stdout, stderr,
    };
    const dir = answersDir(this.paths);
    try {
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${this.key}.json`);
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(answer));
      fs.renameSync(tmp, file);
      prune(dir);
    } catch {
      // the shortcut is a convenience; the ledger is the truth
    }
  }
}

/** Keeps the newest answers; drops temp files a killed run left (older than a minute). */
function prune(dir: string): void {
  const entries = fs.readdirSync(dir).map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs }));
  const answers = entries.filter((e) => e.n.endsWith('.json')).sort((a, b) => b.t - a.t);
  const stale = entries.filter((e) => e.n.endsWith('.tmp') && Date.now() - e.t > 60_000);
  for (const e of [...answers.slice(KEEP), ...stale]) fs.rmSync(path.join(dir, e.n), { force: true });
}
