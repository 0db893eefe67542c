// Where a run happened: GitHub Actions and other CI say so (GITHUB_ACTIONS, CI); a run with a terminal attached is a
// person's; one started by a scheduler (cron, anacron, at, a systemd timer's service) is `cron`; any other run
// without a terminal (a script, a pipe from another tool) is a `script` — never called cron on a guess.
import type { RunWhere } from './runFact';

const truthy = (v: string | undefined): boolean => v !== undefined && v !== '' && v.toLowerCase() !== 'false' && v !== '0';

/** Process names of the schedulers that start jobs (their own name, as /proc/<pid>/comm shows it). */
const SCHEDULERS = /^(cron|crond|anacron|cronie|fcron|atd|busybox-cron)$/;

/**
 * @param ancestors names of the parent processes, nearest first (empty where the platform does not tell)
 */
export function detectWhere(env: Record<string, string | undefined>, hasTerminal: boolean, ancestors: readonly string[] = []): RunWhere {
  if (truthy(env.GITHUB_ACTIONS)) return 'github-actions';
  if (truthy(env.CI)) return 'ci';
  if (hasTerminal) return 'terminal';
  // systemd starts a timer's service with INVOCATION_ID and no terminal; launchd's agents carry XPC_SERVICE_NAME
  if (ancestors.some((a) => SCHEDULERS.test(a)) || (env.INVOCATION_ID && ancestors[0] === 'systemd') || (env.XPC_SERVICE_NAME && env.XPC_SERVICE_NAME !== '0')) return 'cron';
  return 'script';
}
