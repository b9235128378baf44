import { runDoctor, formatReport } from '../doctor/index.js';
import { openConfiguredKeys } from './key-manager-from-settings.js';
import { openSettingsCa } from './signing-ca.js';

/**
 * `gateway doctor [--json] [--database-url <owner URL>]`: checks the deployment as `gateway serve` would see it and explains
 * each finding with a fix. Exit 0 when nothing failed (warnings allowed), 1 otherwise.
 */
export async function doctorCommand(o: { env: NodeJS.ProcessEnv; json: boolean; ownerDatabaseUrl?: string; write: (s: string) => void }): Promise<number> {
  const { ownerDatabaseUrl } = o;
  const report = await runDoctor({ env: o.env, openKeys: (s) => openConfiguredKeys(s.keyManager), openCa: openSettingsCa, ...(ownerDatabaseUrl ? { ownerDatabaseUrl } : {}) });
  o.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}
