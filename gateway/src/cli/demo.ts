import { createLogger } from '../observability/index.js';
import { parseCommandLine, UsageError, untilSignal, type Command } from './command.js';

/** `gateway demo [--key-manager local|openbao]`: the whole appliance on embedded defaults, until SIGINT or SIGTERM. */
export const demo: Command = {
  help: `  demo                        Run the whole appliance on embedded defaults (npm start)  [--key-manager local|openbao]
`,
  async run(argv, ctx) {
    const { values } = parseCommandLine(argv, { 'key-manager': { type: 'string' } });
    // Loaded on demand: the production image ships without demo/ and the simulator.
    const { DemoRefused, runDemo } = await import('../demo/run-demo.js');
    const { DEMO_KEY_MANAGERS, isDemoKeyManagerKind } = await import('../demo/key-manager.js');
    const keyManager = values['key-manager'] ?? 'local';
    if (!isDemoKeyManagerKind(keyManager)) throw new UsageError(`--key-manager takes ${DEMO_KEY_MANAGERS.join(' or ')}.`);
    const log = createLogger({ level: ctx.env.GATEWAY_LOG_LEVEL ?? 'warn' });
    const started = await runDemo({ env: ctx.env, log, dataDir: ctx.env.GATEWAY_DEMO_DATA_DIR, keyManager, print: ctx.out }).catch((e: unknown) => {
      if (!(e instanceof DemoRefused)) throw e;
      ctx.err(e.message);
      return undefined;
    });
    if (!started) return 2;
    await untilSignal();
    ctx.out('Stopping…');
    await started.stop();
    return 0;
  },
};
