import { readKeyStatus, refusalOf, retireReadiness, rewrapStoredDataKeys } from '../keys/index.js';
import { audited, progressBar, type OpenedKeysDeps } from './keys-deps.js';

/** `keys status`: exit 1 when the status names a finding (something left to do). */
export async function status(d: OpenedKeysDeps): Promise<number> {
  const s = await readKeyStatus(d.db, d.keys);
  d.out(`Key manager: ${s.kind}`);
  d.out(`KEK current version: ${s.current}; minimum decryption version: ${s.minDecryption}`);
  for (const use of s.kek) d.out(`  v${use.version}: ${use.dataKeys} data key(s), ${use.records} sealed record(s)`);
  d.out(s.oldestInUse === null ? 'No stored data keys.' : `Oldest KEK version in use: ${s.oldestInUse}`);
  d.out(`Blind-index key versions held: ${s.blindIndex.held.join(', ')}; newest: ${s.blindIndex.newest}`);
  for (const use of s.blindIndex.inUse) d.out(`  v${use.version}: ${use.results} result(s), ${use.idempotencyKeys} idempotency key(s) indexed`);
  return s.findings.length > 0 ? 1 : 0;
}

export async function rotate(d: OpenedKeysDeps): Promise<number> {
  const version = await audited(d, 'keys.rotate', () => d.keys.rotate(), (v) => `v${v}`);
  d.out(`Rotated: new data keys are wrapped under KEK version ${version}. Run \`gateway keys rewrap\` to move stored keys.`);
  return 0;
}

/** `keys rewrap`: exit 1 when keys written meanwhile are still below the current version. */
export async function rewrap(d: OpenedKeysDeps): Promise<number> {
  const onProgress = (done: number, total: number) => d.progress(progressBar(done, total), done === total);
  const { rewrapped, webhookSecrets, current, remaining } = await audited(d, 'keys.rewrap', () => rewrapStoredDataKeys(d.db, d.keys, { onProgress }), (r) => `v${r.current}`);
  d.out(`Rewrapped ${rewrapped} data key(s) and ${webhookSecrets} webhook secret(s) to KEK version ${current}.`);
  if (remaining === 0) return 0;
  d.out(`${remaining} data key(s) or webhook secret(s) are still below version ${current} (written meanwhile): run \`gateway keys rewrap\` again.`);
  return 1;
}

/** `keys retire <version>`: refused (exit 1) until nothing, dumps included, needs the older versions. */
export async function retire(d: OpenedKeysDeps, version: number): Promise<number> {
  const refusal = refusalOf(await retireReadiness(d.db, { version, retentionDays: d.backupRetentionDays }), version, d.backupRetentionDays);
  if (refusal) {
    d.out(`Refusing: ${refusal}`);
    return 1;
  }
  await audited(d, 'keys.retire', () => d.keys.advanceMinDecryptionVersion(version), () => `v${version}`);
  d.out(`KEK versions below ${version} no longer decrypt: dumps holding data keys wrapped under them cannot be opened.`);
  return 0;
}
