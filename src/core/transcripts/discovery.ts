// Finds every config dir and every transcript under its projects/ folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface ConfigDir {
  /** The config dir as the user named it (or its default). */
  root: string;
  /** Its projects/ folder. */
  projects: string;
  exists: boolean;
}

export interface TranscriptFile {
  /** Absolute path. */
  path: string;
  /** `<configDir projects>` it was found under. */
  projectsDir: string;
  /** Path relative to projects/ with forward slashes: the file's identity in the ledger. */
  relative: string;
  projectKey: string;
  /** `agent-<id>` files: the subagent id; else "". */
  agentId: string;
  size: number;
  mtimeMs: number;
  /** `dev:ino`: a replaced file gets a new identity. */
  identity: string;
}

export interface DiscoveryProblem {
  path: string;
  problem: string;
}

export interface Discovery {
  configDirs: ConfigDir[];
  files: TranscriptFile[];
  problems: DiscoveryProblem[];
}

/** CLAUDE_CONFIG_DIR (comma-separated; each entry a config dir or its projects/), else the two defaults. */
export function resolveConfigDirs(explicit: string[] | undefined, env: Record<string, string | undefined> = process.env, home: string = os.homedir()): ConfigDir[] {
  let roots: string[];
  if (explicit && explicit.length) roots = explicit;
  else if (env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR.trim()) roots = env.CLAUDE_CONFIG_DIR.split(',');
  else roots = [path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'claude'), path.join(home, '.claude')];
  const seen = new Set<string>();
  const dirs: ConfigDir[] = [];
  for (const raw of roots) {
    const trimmed = raw.trim();
    if (!trimmed) continue;
    const abs = path.resolve(trimmed.startsWith('~') ? path.join(home, trimmed.slice(1)) : trimmed);
    // The same folder under another spelling (a symlink to ~/.claude) is the same folder: one real path.
    const projects = realPathOf(path.basename(abs) === 'projects' ? abs : path.join(abs, 'projects'));
    if (seen.has(projects)) continue;
    seen.add(projects);
    dirs.push({ root: abs, projects, exists: isDirectory(projects) });
  }
  return dirs;
}

/** The real path of `p`, or of its deepest existing ancestor with the rest joined on (a folder not created yet). */
export function realPathOf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    const parent = path.dirname(p);
    return parent === p ? p : path.join(realPathOf(parent), path.basename(p));
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const AGENT_FILE = /^agent-(.+)\.jsonl$/;

/** Walks projects/**\/*.jsonl of every config dir; symlink loops and unreadable entries become problems. */
export function discover(configDirs: ConfigDir[]): Discovery {
  const files: TranscriptFile[] = [];
  const problems: DiscoveryProblem[] = [];
  const seenFiles = new Set<string>();
  for (const dir of configDirs) {
    if (!dir.exists) continue;
    const visited = new Set<string>();
    walk(dir.projects, dir.projects, visited, files, problems, seenFiles);
  }
  return { configDirs, files, problems };
}

// Every warm run and every stored answer walks this: one stat per folder and per file, no more
// (a folder is known by dev:ino, not its resolved path; a file's readability shows when it is read).
function walk(dir: string, projectsDir: string, visited: Set<string>, out: TranscriptFile[], problems: DiscoveryProblem[], seenFiles: Set<string>): void {
  let real: string;
  try {
    const st = fs.statSync(dir);
    real = `${st.dev}:${st.ino}`;
  } catch (err) {
    problems.push({ path: dir, problem: `cannot resolve: ${(err as Error).message}` });
    return;
  }
  if (visited.has(real)) {
    problems.push({ path: dir, problem: 'symlink loop (folder already visited), skipped' });
    return;
  }
  visited.add(real);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ path: dir, problem: `unreadable folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return;
  }
  // Paths relative to projects/ by concatenation (path.relative per file is most of a walk's cost).
  const rel = dir === projectsDir ? '' : dir.slice(projectsDir.length + 1).split(path.sep).join('/') + '/';
  for (const e of entries) {
    const full = dir + path.sep + e.name;
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const st = fs.statSync(full);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch (err) {
        problems.push({ path: full, problem: `broken symlink: ${(err as NodeJS.ErrnoException).code ?? ''}` });
        continue;
      }
    }
    if (isDir) {
      walk(full, projectsDir, visited, out, problems, seenFiles);
    } else if (isFile && e.name.endsWith('.jsonl')) {
      let st: fs.Stats;
      try {
        st = fs.statSync(full);
      } catch (err) {
        problems.push({ path: full, problem: `unreadable file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
        continue;
      }
      const identity = `${st.dev}:${st.ino}`;
      if (seenFiles.has(identity)) continue; // the same file reached through two links
      seenFiles.add(identity);
      const relative = rel + e.name;
      const m = AGENT_FILE.exec(e.name);
      out.push({
        path: full,
        projectsDir,
        relative,
        projectKey: relative.includes('/') ? relative.slice(0, relative.indexOf('/')) : '',
        agentId: m ? m[1] : '',
        size: st.size,
        mtimeMs: st.mtimeMs,
        identity,
      });
    }
  }
}

/** Describes one transcript path (from a file event) the way discovery would, or undefined if it is not one. */
export function describeFile(file: string, configDirs: ConfigDir[]): TranscriptFile | undefined {
  if (!file.endsWith('.jsonl')) return undefined;
  let abs = path.resolve(file);
  let dir = configDirs.find((d) => abs.startsWith(d.projects + path.sep));
  if (!dir) {
    abs = realPathOf(abs); // an event named through a symlinked spelling of the folder
    dir = configDirs.find((d) => abs.startsWith(d.projects + path.sep));
  }
  if (!dir) return undefined;
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return undefined;
  const relative = path.relative(dir.projects, abs).split(path.sep).join('/');
  const m = AGENT_FILE.exec(path.basename(abs));
  return {
    path: abs,
    projectsDir: dir.projects,
    relative,
    projectKey: relative.includes('/') ? relative.slice(0, relative.indexOf('/')) : '',
    agentId: m ? m[1] : '',
    size: st.size,
    mtimeMs: st.mtimeMs,
    identity: `${st.dev}:${st.ino}`,
  };
}
