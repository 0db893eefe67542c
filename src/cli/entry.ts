// The `credit-ledger` bin: a report whose inputs are all unchanged is answered from its stored
// answer (./storedAnswer) before the rest of the CLI, sql.js and the ledger are even loaded.
import * as path from 'node:path';
import { buildIdentity, serveStoredAnswer } from './storedAnswer';

const MAIN = path.join(__dirname, 'cli-main.js');
const build = buildIdentity([__filename, MAIN, path.join(__dirname, 'ingest-worker.js')]);

if (!serveStoredAnswer(process.argv.slice(2), process.env, build)) {
  // A bundle of its own, loaded only on a miss (a literal require would bundle it into this file).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cli = require(MAIN) as typeof import('./main');
  void cli.main(process.argv, build).then((code) => {
    process.exitCode = code;
  });
}
