// One simulated machine syncing from a process of its own (the concurrent-push test spawns several).
import { syncMachine, type SimMachine } from './syncBuilders';

const [machineJson, url] = process.argv.slice(2);
syncMachine(JSON.parse(machineJson) as SimMachine, url).then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
