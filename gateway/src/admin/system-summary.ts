import type { SystemSummary } from '../api-types.js';
import type { Settings } from '../config/index.js';
import type { Database } from '../db/index.js';
import { kekVersionsInUse, type KeyManager } from '../keys/index.js';
import { checkAudit } from '../doctor/audit-check.js';
import { checkLastBackup } from '../doctor/backup-check.js';
import { checkCertificates } from '../doctor/certificates-check.js';
import { checkDatabase } from '../doctor/database-check.js';
import type { CheckResult } from '../doctor/index.js';
import { DEVICE_LIST_VERSION } from '../results/index.js';

/**
 * The settings an operator may read. A list of what to show, never of what to hide: a setting
 * added later (a secret, perhaps) stays out until someone names it here.
 */
function shownSettings(s: Settings): SystemSummary['config'] {
  const sidep = new URL(s.sidep.url);
  return [
    { key: 'profile', value: s.profile },
    { key: 'intake.port', value: s.intake.port },
    { key: 'intake.bodyLimitBytes', value: s.intake.bodyLimitBytes },
    { key: 'intake.ratePerSecond', value: s.intake.ratePerSecond },
    { key: 'keyManager.kind', value: s.keyManager.kind },
    { key: 'keyManager.dataKeyWindowMinutes', value: s.keyManager.dataKeyWindowMinutes },
    // origin only: a URL may carry credentials or tokens in its user part or query
    { key: 'sidep.origin', value: sidep.origin },
    { key: 'sidep.timeoutMs', value: s.sidep.timeoutMs },
    { key: 'relay.enabled', value: s.relay.enabled },
    { key: 'relay.concurrency', value: s.relay.concurrency },
    { key: 'relay.maxAttempts', value: s.relay.maxAttempts },
    { key: 'relay.maxAgeHours', value: s.relay.maxAgeHours },
    { key: 'retention.deliveredDays', value: s.retention.deliveredDays },
    { key: 'retention.deadLetteredDays', value: s.retention.deadLetteredDays },
    { key: 'validation.maxPastDays', value: s.validation.maxPastDays },
    { key: 'validation.allowExtendedNir', value: s.validation.allowExtendedNir },
    { key: 'devices.listVersion', value: DEVICE_LIST_VERSION },
  ];
}

/**
 * What `gateway doctor` says from inside the running gateway (certificates, database, role,
 * backlog, audit sealing and sink, last backup, and the key manager as its fail-closed guard
 * sees it), and a configuration summary without secrets, file paths or database URLs. The
 * checks that reach outside (SI-DEP handshake, disk) stay with `gateway doctor`.
 */
export async function readSystemSummary(d: {
  db: Database;
  settings: Settings;
  keys: Pick<KeyManager, 'kind' | 'keyVersions'>;
  keyManagerAvailable: () => boolean;
  now: () => Date;
}): Promise<SystemSummary> {
  const keyManager: CheckResult = d.keyManagerAvailable()
    ? { id: 'key-manager.available', status: 'ok', summary: 'the last call or probe succeeded within 5 s' }
    : { id: 'key-manager.available', status: 'fail', summary: 'no successful call or probe for 5 s: intake and relay answer 503', hint: 'check the key manager (Vault) and `gateway doctor`' };
  const [database, audit, backup, versions, inUse] = await Promise.all([
    checkDatabase(d.settings, d.db, d.now),
    checkAudit(d.settings, d.db),
    checkLastBackup(d.settings, d.db, d.now()),
    d.keys.keyVersions().catch(() => null),
    kekVersionsInUse(d.db),
  ]);
  return {
    checks: [...checkCertificates(d.settings, d.now()), ...database, ...audit, backup, keyManager],
    config: shownSettings(d.settings),
    keys: versions ? { kind: d.keys.kind, ...versions, inUse } : null,
  };
}
