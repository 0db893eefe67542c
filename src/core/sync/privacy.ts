// What leaves the machine: token facts, never prompt text. Project paths (the projects/ folder name,
// the cwd, the git branch) are hashed or dropped unless the user allows labels (`allowPromptLabels`).
import { createHash } from 'node:crypto';
import type { Fact } from '../state/journal';

/** The same project hashes the same on every machine, so reports still group its rows together. */
export function hashProject(projectKey: string): string {
  if (!projectKey || projectKey.startsWith('h-')) return projectKey;
  return `h-${createHash('sha256').update(projectKey).digest('hex').slice(0, 16)}`;
}

/** A journal fact as it is shared: no prompt label, and its paths hashed unless labels are allowed. */
export function shareableFact(fact: Fact, allowLabels: boolean): Fact {
  const out: Fact = { ...fact };
  delete out.label;
  if (!allowLabels) {
    if (typeof out.cwd === 'string') out.cwd = out.cwd ? hashProject(out.cwd) : '';
    if (out.target === 'project' && typeof out.targetId === 'string') out.targetId = hashProject(out.targetId);
    if (typeof out.projectKey === 'string') out.projectKey = hashProject(out.projectKey);
  }
  return out;
}
