import { requiredSection } from '../config/index.js';
import { purgeExpired } from '../results/lifecycle/index.js';
import { parseCommandLine, type Command } from './command.js';

/** `gateway purge`: the purge the gateway runs every `retention.purgeIntervalSeconds`, now, under the same settings. */
export const purge: Command = {
  help: `  purge                       Destroy personal data past retention now (GATEWAY_RETENTION_*), then shred the data keys left unused
`,
  async run(argv, ctx) {
    const { values } = parseCommandLine(argv, {});
    const { settings } = ctx.settings();
    // Only the data-key window is read: without key-manager settings (the demo's), its default.
    const keyManager = requiredSection(settings, 'keyManager', { kind: 'local' });
    const { results, dataKeys } = await ctx.withDatabase(values['database-url'], (db) => purgeExpired(db, { retention: settings.retention, keyManager }));
    ctx.out(`Purged personal data of ${results} result(s); deleted ${dataKeys} data key(s).`);
    return 0;
  },
};
