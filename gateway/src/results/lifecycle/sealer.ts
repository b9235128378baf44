import { openDocument, sealDocument, type BlindIndex } from '../../crypto/index.js';
import type { Database } from '../../db/index.js';
import { createGuardedDataKeys, type DataKeyProvider, type DataKeySettings, type KeyManager } from '../../keys/index.js';

/** What is sealed with a result: the validated submission, and for a correction its reason. */
export interface SealedContent<T> {
  result: T;
  correctionReason?: string;
}

/**
 * Seals and opens result documents: AES-256-GCM under the data key of the pharmacy's current
 * window, bound to the result id, pharmacy id and key id.
 */
export function createResultSealer<T>(o: { dataKeys: DataKeyProvider; blindIndex: BlindIndex }) {
  return {
    async seal(content: SealedContent<T>, binding: { resultId: string; pharmacyId: string }): Promise<{ sealed: Buffer; dataKeyId: string }> {
      const { keyId, key } = await o.dataKeys.forSealing(binding.pharmacyId);
      return { sealed: sealDocument(content, { ...binding, keyId }, key), dataKeyId: keyId };
    },
    async open(row: { id: string; pharmacy_id: string; sealed: Buffer; data_key_id: string }): Promise<SealedContent<T>> {
      const key = await o.dataKeys.forOpening(row.data_key_id);
      return openDocument(row.sealed, { resultId: row.id, pharmacyId: row.pharmacy_id, keyId: row.data_key_id }, key) as SealedContent<T>;
    },
    blindIndex: o.blindIndex,
  };
}

export type ResultSealer<T> = ReturnType<typeof createResultSealer<T>>;

/**
 * The result sealer over a key manager, with the guard and data keys under it, from the
 * `keyManager` settings: the gateway's follows blind-index rotations (`createLiveBlindIndex`),
 * `gateway keys reindex` indexes under the keys held when it starts. The guard is the caller's
 * to start and stop.
 *
 * @example
 * const { guard, sealer } = createKeyedResultSealer<TestResultInput>({ keys, db, settings: s.keyManager, blindIndex });
 */
export function createKeyedResultSealer<T>(o: { keys: KeyManager; db: Database; settings?: DataKeySettings; blindIndex: BlindIndex }) {
  const { guard, dataKeys } = createGuardedDataKeys(o);
  return { guard, dataKeys, sealer: createResultSealer<T>({ dataKeys, blindIndex: o.blindIndex }) };
}
