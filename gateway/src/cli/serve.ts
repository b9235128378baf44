import { startGateway } from '../app/index.js';
import { completeSettings, environmentProblems, productionProblems, SettingsRefused } from '../config/index.js';
import { createLogger } from '../observability/index.js';
import { openConfiguredCa, openVaultKeys } from '../vault/index.js';
import { parseCommandLine, untilSignal, type Command } from './command.js';

/** `gateway serve`: the production gateway, from GATEWAY_* settings, until SIGINT or SIGTERM. */
export const serve: Command = {
  help: `  serve                       Run the gateway (production profile; settings from GATEWAY_* variables)
`,
  async run(argv, ctx) {
    parseCommandLine(argv, {});
    // Before any setting is read: variables that would change TLS, the Vault token or namespace.
    const unsafe = environmentProblems(ctx.env);
    if (unsafe.length) throw new SettingsRefused(unsafe);
    const settings = completeSettings(ctx.settings().settings);
    const problems = settings.profile === 'production' ? productionProblems(settings) : ['GATEWAY_PROFILE: serve runs the production profile only; use `gateway demo`'];
    if (problems.length) throw new SettingsRefused(problems);
    // Vault Transit: the production rules above refuse the local keyring.
    const { keys, checkpointSigner, receiptSigner, vault } = await openVaultKeys(settings.keyManager);
    const ca = await openConfiguredCa(settings.pki, { vault });
    const log = createLogger({ level: settings.operator.logLevel ?? 'info' });
    const gateway = await startGateway({ settings, log, keys, signer: checkpointSigner, receiptSigner, ca, secretIdExpiry: vault.secretIdExpiry });
    await untilSignal();
    await gateway.stop();
    return 0;
  },
};
