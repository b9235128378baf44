/**
 * `npm run rehearse [-- --quick]`: the production profile from the deploy files, on this machine
 * (tests/rehearsal/rehearsal.ts). One line per check, then `rehearsal: N passed, N failed`;
 * exit 0 only when none failed, 2 on a usage error, 130 on Ctrl-C (everything stopped first).
 */
import { parseArgs } from 'node:util';
import { startRehearsal } from './rehearsal.js';

let quick = false;
try {
  quick = parseArgs({ options: { quick: { type: 'boolean', default: false } }, strict: true }).values.quick;
} catch {
  process.stderr.write('usage: npm run rehearse [-- --quick]\n');
  process.exit(2);
}
const rehearsal = startRehearsal({ quick, print: (line) => process.stdout.write(`${line}\n`) });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    rehearsal.interrupt().finally(() => process.exit(130));
  });
}
const { failed } = await rehearsal.finished;
process.exit(failed === 0 ? 0 : 1);
