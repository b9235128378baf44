/**
 * The SI-DEP simulator as its own process:
 *
 *   node --import tsx gateway/simulator/src/main.ts --ca <client CA pem> \
 *     --cert <server cert pem> --key <server key pem> [--port 0] [--host 127.0.0.1] [--journal <file.jsonl>]
 *     [--exit-with-stdin]   (exit when stdin closes: the parent that spawned it has gone)
 *
 * Prints one line, `{"ready":true,"url":"https://127.0.0.1:PORT"}`, once listening; stops
 * cleanly on SIGINT or SIGTERM. Exit codes: 0 stopped, 1 failure, 2 usage error.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createSimulator } from './simulator.js';

const USAGE = 'usage: main.ts --ca <pem> --cert <pem> --key <pem> [--port <n>] [--host <addr>] [--journal <file>] [--exit-with-stdin]\n';

function parseCommandLine(): { ca: string; cert: string; key: string; port: number; host: string; exitWithStdin: boolean; journal?: string } {
  try {
    const { values } = parseArgs({
      options: {
        ca: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        journal: { type: 'string' },
        'exit-with-stdin': { type: 'boolean', default: false },
      },
      strict: true,
    });
    const port = Number(values.port);
    const { ca, cert, key, host, journal } = values;
    if (ca && cert && key && Number.isInteger(port) && port >= 0 && port < 65_536) {
      return { ca, cert, key, port, host, exitWithStdin: values['exit-with-stdin'], ...(journal === undefined ? {} : { journal }) };
    }
  } catch {
    // unknown option or missing value: same answer as a missing argument
  }
  process.stderr.write(USAGE);
  process.exit(2);
}

const args = parseCommandLine();
try {
  const [clientCa, cert, key] = await Promise.all([readFile(args.ca), readFile(args.cert), readFile(args.key)]);
  const simulator = await createSimulator({ clientCa, cert, key, ...(args.journal === undefined ? {} : { journalFile: args.journal }) });
  const url = await simulator.listen(args.port, args.host);
  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (args.exitWithStdin) process.stdin.on('end', stop).resume();
  process.stdout.write(`${JSON.stringify({ ready: true, url })}\n`);
} catch (error) {
  console.error('SI-DEP simulator failed to start:', error instanceof Error ? error.message : 'unknown error');
  process.exit(1);
}
