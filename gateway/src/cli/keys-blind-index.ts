import { setTimeout as sleep } from 'node:timers/promises';
import { appendAudit } from '../audit/index.js';
import { createBlindIndex } from '../crypto/index.js';
import { BLIND_INDEX_ADOPT_AFTER_MS, blindIndexSettledAt, blindIndexVersionsInUse } from '../keys/index.js';
import type { TestResultInput } from '../results/index.js';
import { createKeyedResultSealer, reindexBlindIndexes } from '../results/lifecycle/index.js';
import { UsageError } from './command.js';
import { audited, changedBy, progressBar, type OpenedKeysDeps } from './keys-deps.js';

const BLIND_INDEX_KEY = 'blind-index-key';

export async function rotateBlindIndex(d: OpenedKeysDeps): Promise<number> {
  const added = await audited(d, 'keys.rotate-blind-index', () => d.keys.rotateBlindIndexKey(), (v) => `v${v}`, BLIND_INDEX_KEY);
  const adoptSeconds = adoptAfterMs(d) / 1000;
  d.out(`Blind-index key version ${added} added. Running gateways read it within seconds and index under it ${adoptSeconds} s after; then run \`gateway keys reindex\` (it waits for that itself).`);
  return 0;
}

/** Opens each result still indexed under an older blind-index key, or chain-wide, and indexes it under the newest, per pharmacy. */
export async function reindex(d: OpenedKeysDeps): Promise<number> {
  // Replicas write under a new version only once they all hold it: reindexing earlier would leave
  // results a replica still indexes under the older one behind the run.
  const held = await d.keys.blindIndexKeys();
  const wait = blindIndexSettledAt(held, adoptAfterMs(d)) - Date.now();
  if (wait > 0) {
    d.progress(`waiting ${Math.ceil(wait / 1000)} s until every gateway replica indexes under blind-index key version ${Math.max(...held.map((k) => k.version))}`, true);
    await sleep(wait);
  }
  // The keys held now, fixed for the run (the gateway's blind index follows rotations live).
  const { guard, sealer } = createKeyedResultSealer<TestResultInput>({ keys: d.keys, db: d.db, settings: d.keyManager, blindIndex: createBlindIndex(await d.keys.blindIndexKeys()) });
  await guard.start();
  try {
    const onProgress = (done: number, total: number) => d.progress(progressBar(done, total, 'results'), done === total);
    const options = { batchSize: d.batchSize, stopAfter: d.stopAfter, onProgress };
    const outcome = await audited(
      d,
      'keys.reindex',
      () => reindexBlindIndexes(d.db, sealer, options),
      (o) => `v${o.version}: ${o.reindexed} reindexed, ${o.skipped} purged skipped, ${o.unreadable} unreadable, ${o.remaining} left`,
      BLIND_INDEX_KEY,
    ).catch(async (error: unknown) => {
      // Batches already committed stay done: the failed run is audited too, by error name only.
      const reason = error instanceof Error ? error.name : 'failed';
      await appendAudit(d.db, [{ actor: changedBy(d), action: 'keys.reindex', object: { type: BLIND_INDEX_KEY, id: d.keys.kind }, outcome: 'failure', reason }]);
      throw error;
    });
    d.out(`Reindexed ${outcome.reindexed} result(s) under blind-index key version ${outcome.version}, per pharmacy; ${outcome.skipped} purged result(s) skipped (no ciphertext).`);
    if (outcome.unreadable > 0) d.out(`${outcome.unreadable} sealed result(s) did not open (DecryptionFailed) and keep their older index: check their data keys.`);
    if (outcome.remaining === 0) {
      d.out(`Every result is indexed under version ${outcome.version}, per pharmacy: \`gateway keys retire-blind-index ${outcome.version}\` may retire the older versions.`);
      return 0;
    }
    d.out(`${outcome.remaining} result(s) are still indexed under an older version or chain-wide: run \`gateway keys reindex\` again to continue.`);
    return 1;
  } finally {
    guard.stop();
  }
}

/** `keyManager.blindIndexAdoptSeconds` in milliseconds, as the gateways run with it. */
function adoptAfterMs(d: OpenedKeysDeps): number {
  return d.keyManager ? d.keyManager.blindIndexAdoptSeconds * 1000 : BLIND_INDEX_ADOPT_AFTER_MS;
}

/** `keys retire-blind-index <version>`: refused (exit 1) while results are indexed below it. */
export async function retireBlindIndex(d: OpenedKeysDeps, version: number): Promise<number> {
  const newest = Math.max(...(await d.keys.blindIndexKeys()).map((held) => held.version));
  if (version > newest) throw new UsageError(`keys retire-blind-index <version>: the newest blind-index key version is ${newest}`);
  const below = (await blindIndexVersionsInUse(d.db)).filter((use) => use.version < version);
  const results = below.reduce((n, use) => n + use.results, 0);
  if (results > 0) {
    d.out(`Refusing: ${results} result(s) are still indexed below blind-index key version ${version}; run \`gateway keys reindex\` first.`);
    return 1;
  }
  await audited(d, 'keys.retire-blind-index', () => d.keys.retireBlindIndexKeys(version), () => `v${version}`, BLIND_INDEX_KEY);
  d.out(`Blind-index key versions below ${version} are retired.`);
  const fingerprints = below.reduce((n, use) => n + use.idempotencyKeys, 0);
  // Fingerprints cannot be recomputed: a retry under such a key is refused, never run twice.
  if (fingerprints > 0) d.out(`${fingerprints} idempotency key(s) fingerprinted under them now answer a retry with 409 until purged with their results.`);
  return 0;
}
