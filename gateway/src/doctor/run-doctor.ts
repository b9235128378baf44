import os from 'node:os';
import path from 'node:path';
import type { KeyManager } from '../keys/index.js';
import type { CertificateAuthority } from '../pki/index.js';
import type { Settings } from '../config/index.js';
import { createDatabase } from '../db/index.js';
import { checkSettings } from './settings-check.js';
import { checkDatabase } from './database-check.js';
import { checkKeyManager } from './key-manager-check.js';
import { checkAudit } from './audit-check.js';
import { checkCryptoShredding, checkLastBackup } from './backup-check.js';
import { checkCertificates } from './certificates-check.js';
import { checkCertificateAuthority } from './certificate-authority-check.js';
import { checkDisk } from './host-check.js';
import { checkSidep } from './sidep-check.js';
import { checkImages } from './images-check.js';
import { skip, type CheckResult, type DoctorReport } from './report.js';

export interface DoctorDeps {
  env: NodeJS.ProcessEnv;
  /** Opens the key manager the settings name (vault/ `openConfiguredKeys`). */
  openKeys: (s: Readonly<Settings>) => Promise<KeyManager>;
  /** Opens the pharmacies' CA the settings name (vault/ `openSettingsCa`). */
  openCa: (s: Readonly<Settings>) => Promise<CertificateAuthority>;
  /** The owner role's URL, to read which migrations are applied (the runtime role cannot). */
  ownerDatabaseUrl?: string;
  now?: () => Date;
}

/**
 * Runs every check, in order, each one explained; a check that cannot run says why it was
 * skipped. The report never carries a secret or a personal value.
 * @example const report = await runDoctor({ env: process.env, openKeys: (s) => openConfiguredKeys(s.keyManager), openCa: openSettingsCa });
 */
export async function runDoctor(d: DoctorDeps): Promise<DoctorReport> {
  const now = d.now ?? (() => new Date());
  const { results, settings } = checkSettings(d.env);
  const checks: CheckResult[] = [...results];
  if (!settings) {
    checks.push(...['database', 'key-manager', 'tls', 'pki.ca', 'sidep'].map((id) => skip(id, 'settings do not parse')));
  } else {
    const db = createDatabase({ url: settings.database.url, poolSize: 1, applicationName: 'sidep-gateway-doctor' });
    try {
      const database = await checkDatabase(settings, db, now, d.ownerDatabaseUrl);
      checks.push(...database);
      const migrated = database.some((c) => c.id === 'database.reachable' && c.status === 'ok') && !database.some((c) => c.id === 'database.migrations' && c.status === 'fail');
      const unmigrated = 'the database is unreachable or not migrated';
      checks.push(...(migrated ? await checkAudit(settings, db) : [skip('audit', unmigrated)]));
      checks.push(migrated ? await checkLastBackup(settings, db, now()) : skip('backup.last-success', unmigrated));
      const { result, keys } = await checkKeyManager(() => d.openKeys(settings));
      checks.push(result);
      checks.push(migrated && keys ? await checkCryptoShredding(settings, db, keys, now()) : skip('crypto-shredding', keys ? unmigrated : 'the key manager is unavailable'));
    } finally {
      await db.destroy();
    }
    checks.push(...checkCertificates(settings, now()));
    checks.push(await checkCertificateAuthority(settings, () => d.openCa(settings), now()));
    const written = [os.tmpdir(), settings.keyManager.localKeyringFile, settings.audit.sinkFile].filter((p): p is string => Boolean(p));
    checks.push(...(await checkDisk(written.map((p) => (p === os.tmpdir() ? p : path.dirname(p))))));
    checks.push(...(await checkSidep(settings)));
    checks.push(...checkImages(settings.deployment.images));
  }
  return { ok: !checks.some((c) => c.status === 'fail'), checks };
}
