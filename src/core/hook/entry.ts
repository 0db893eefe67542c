// Entry of dist/hook.js (the launcher runs `node hook.js hook|statusline ...`). Kept apart from main.ts so the
// CLI bundle, which imports main.ts, never runs it on load.
import { hookMain } from './main';

void hookMain(process.argv.slice(2)).catch(() => {
  process.exitCode = 0;
});
