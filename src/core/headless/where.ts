// Where a run happened, from the environment: GitHub Actions and other CI say so (GITHUB_ACTIONS, CI); a run with a
// terminal attached is a person's; anything else is unattended (cron, systemd timers, launchd, scripts).
import type { RunWhere } from './runFact';

const truthy = (v: string | undefined): boolean => v !== undefined && v !== '' && v.toLowerCase() !== 'false' && v !== '0';

export function detectWhere(env: Record<string, string | undefined>, hasTerminal: boolean): RunWhere {
  if (truthy(env.GITHUB_ACTIONS)) return 'github-actions';
  if (truthy(env.CI)) return 'ci';
  return hasTerminal ? 'terminal' : 'cron';
}
