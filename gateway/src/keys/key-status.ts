import type { KeyStatus } from '../api-types.js';
import type { Database } from '../db/index.js';
import { blindIndexVersionsInUse } from './blind-index-inventory.js';
import { kekVersionsInUse, webhookSecretsBelow } from './data-key-inventory.js';
import type { KeyManager } from './key-manager.js';

/**
 * What `gateway keys status` reports, as data: KEK versions (current, minimum decryption, data
 * keys and sealed records per version, the oldest in use) and blind-index versions, with the
 * findings that make the command exit 1 (stored keys or webhook secrets under an older KEK, results indexed under
 * an older blind-index key).
 * @example const s = await readKeyStatus(db, keys); if (s.findings.includes('rewrap-needed')) …
 */
export async function readKeyStatus(db: Database, keys: Pick<KeyManager, 'kind' | 'keyVersions' | 'blindIndexKeys'>): Promise<KeyStatus> {
  const [{ current, minDecryption }, kek, blindKeys, blindUses] = await Promise.all([keys.keyVersions(), kekVersionsInUse(db), keys.blindIndexKeys(), blindIndexVersionsInUse(db)]);
  const oldestInUse = kek.find((use) => use.dataKeys > 0)?.version ?? null;
  const held = blindKeys.map((key) => key.version).sort((a, b) => a - b);
  const newest = Math.max(...held);
  const findings: KeyStatus['findings'] = [];
  if ((oldestInUse !== null && oldestInUse < current) || (await webhookSecretsBelow(db, current)) > 0) findings.push('rewrap-needed');
  if (blindUses.some((use) => use.version < newest && use.results > 0)) findings.push('reindex-needed');
  return { kind: keys.kind, current, minDecryption, kek, oldestInUse, blindIndex: { held, newest, inUse: blindUses }, findings };
}
