// Where Claude Code keeps its global config (~/.claude.json) for a config dir, read-only.
// It holds each project's last session's totals (`projects[<cwd>].last*`); nothing else in it
// is read, and `.credentials.json` never is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { claudeJsonEntries, type ClaudeJsonEntry } from './records';

/** The file system the reader needs (tests pass a fake). */
export interface ClaudeJsonFs {
  /** "mtime:size", or undefined when the file does not exist. */
  signature(file: string): string | undefined;
  read(file: string): string;
}

export const nodeClaudeJsonFs: ClaudeJsonFs = {
  signature: (file) => {
    try {
      const st = fs.statSync(file);
      return st.isFile() ? `${st.mtimeMs}:${st.size}` : undefined;
    } catch {
      return undefined;
    }
  },
  read: (file) => fs.readFileSync(file, 'utf8'),
};

/**
 * `<home>/.claude.json` for the default config dirs (~/.claude, and ~/.config/claude, which may
 * also keep its own); `<dir>/.claude.json` for a dir named by CLAUDE_CONFIG_DIR or --config-dir.
 */
export function claudeJsonPaths(configRoots: readonly string[], home: string, xdgConfigHome?: string): string[] {
  const out = new Set<string>();
  const homeClaude = path.resolve(home, '.claude');
  const xdgClaude = path.resolve(xdgConfigHome || path.join(home, '.config'), 'claude');
  for (const raw of configRoots) {
    const root = path.resolve(raw);
    if (root === homeClaude) out.add(path.join(home, '.claude.json'));
    else if (root === xdgClaude) {
      out.add(path.join(root, '.claude.json'));
      out.add(path.join(home, '.claude.json'));
    } else out.add(path.join(root, '.claude.json'));
  }
  return [...out];
}

/** The `last*` records of one file; undefined when it cannot be read or parsed (e.g. caught mid-write). */
export function readClaudeJson(file: string, fsPort: ClaudeJsonFs = nodeClaudeJsonFs): ClaudeJsonEntry[] | undefined {
  try {
    return claudeJsonEntries(JSON.parse(fsPort.read(file)), file);
  } catch {
    return undefined;
  }
}
