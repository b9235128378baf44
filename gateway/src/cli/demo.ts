import { createLogger } from '../observability/index.js';
import { parseCommandLine, UsageError, untilSignal, type Command } from './command.js';

// The demo is a workspace package of its own, deliberately not a dependency of this one: the
// production image installs the gateway's dependencies only, so there it is absent.
const DEMO_PACKAGE = '@sidep-gateway/demo';

/** `gateway demo [--key-manager local|openbao]`: the whole appliance on embedded defaults, until SIGINT or SIGTERM. */
export const demo: Command = {
  help: `  demo                        Run the whole appliance on embedded defaults (npm start)  [--key-manager local|openbao]
`,
  async run(argv, ctx) {
    const { values } = parseCommandLine(argv, { 'key-manager': { type: 'string' } });
    const demoPackage = await import('@sidep-gateway/demo').catch((e: unknown) => {
      if (isMissingPackage(e, DEMO_PACKAGE)) return undefined;
      throw e;
    });
    if (!demoPackage) {
      ctx.err(`The demo is not installed here (the ${DEMO_PACKAGE} package is absent, as in the production image): run \`npm start\` in a checkout.`);
      return 2;
    }
    const { DEMO_KEY_MANAGERS, DemoRefused, isDemoKeyManagerKind, runDemo } = demoPackage;
    const keyManager = values['key-manager'] ?? 'local';
    if (!isDemoKeyManagerKind(keyManager)) throw new UsageError(`--key-manager takes ${DEMO_KEY_MANAGERS.join(' or ')}.`);
    // not ctx.settings(): the demo makes its own settings, and the variables it takes (ports, data
    // directory) would make the operator's refuse for a section given in part
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

/** The package itself cannot be found (not one of its own imports: that is a broken install). */
function isMissingPackage(e: unknown, name: string): boolean {
  return e instanceof Error && 'code' in e && e.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes(`'${name}'`);
}
