import { runDoctor, formatReport } from '../doctor/index.js';
import { openConfiguredKeys, openSettingsCa } from '../vault/index.js';
import { parseCommandLine, type Command } from './command.js';

/**
 * `gateway doctor [--json] [--database-url <owner URL>]`: checks the deployment as `gateway serve`
 * would see it and explains each finding with a fix. Exit 0 when nothing failed (warnings
 * allowed), 1 otherwise. It reads the settings itself: a setting that does not parse is a finding.
 */
export const doctor: Command = {
  help: `  doctor                      Check settings, database, audit, key manager, certificates, clock, disk, SI-DEP, images; explain fixes  [--json] [--database-url owner]
`,
  async run(argv, ctx) {
    const { values } = parseCommandLine(argv, { json: { type: 'boolean' } });
    const ownerDatabaseUrl = values['database-url'];
    const report = await runDoctor({ env: ctx.env, openKeys: (s) => openConfiguredKeys(s.keyManager), openCa: openSettingsCa, ...(ownerDatabaseUrl ? { ownerDatabaseUrl } : {}) });
    ctx.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.ok ? 0 : 1;
  },
};
