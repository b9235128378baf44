import { requiredSection } from '../config/index.js';
import { purgePersonalData } from '../app/purge.js';
import { parseCommandLine, type Command } from './command.js';

/** `gateway purge`: the purge the gateway runs every `retention.purgeIntervalSeconds`, now, under the same settings. */
export const purge: Command = {
  help: `  purge                       Destroy personal data past retention now (GATEWAY_RETENTION_*), shred the data keys left unused,
                              delete expired counter-prefill tokens, forget staff names without a live enrolment
`,
  async run(argv, ctx) {
    const { values } = parseCommandLine(argv, {});
    const { settings } = ctx.settings();
    // Only the data-key window is read: without key-manager settings (the demo's), its default.
    const keyManager = requiredSection(settings, 'keyManager', { kind: 'local' });
    const { results, dataKeys, prefills, signIns } = await ctx.withDatabase(values['database-url'], (db) => purgePersonalData(db, { retention: settings.retention, keyManager }));
    ctx.out(`Purged personal data of ${results} result(s); deleted ${dataKeys} data key(s), ${prefills} expired counter-prefill token(s); forgot the names of ${signIns} person(s) with no live enrolment.`);
    return 0;
  },
};
