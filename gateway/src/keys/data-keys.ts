import { createHash, randomUUID } from 'node:crypto';
import { DecryptionFailed } from '../errors.js';
import type { KeyManagerGuard } from './guard.js';
import { createExpiringCache } from './expiring-cache.js';
import type { KeyManager, WrappedKey } from './key-manager.js';

/**
 * Where wrapped data keys are kept (the `data_keys` table). `insert` throws when the
 * (window, shard) pair already has a key: another replica won the race.
 */
export interface DataKeyStore {
  insert(key: { id: string; wrapped: WrappedKey; window: string; shard: number }): Promise<void>;
  find(id: string): Promise<{ wrapped: WrappedKey } | undefined>;
  findForWindow(window: string, shard: number): Promise<{ id: string; wrapped: WrappedKey } | undefined>;
}

export interface DataKeyProviderOptions {
  keys: Pick<KeyManager, 'generateDataKey' | 'unwrapDataKey'>;
  store: DataKeyStore;
  guard: Pick<KeyManagerGuard, 'assertAvailable' | 'recordSuccess'>;
  /** Milliseconds since the epoch. */
  clock?: () => number;
  /** Length of a key's sealing window; default 1 h. */
  windowMs?: number;
  /** Pharmacies are spread over this many keys per window; default 16. */
  shards?: number;
  /** How long an unwrapped key stays in memory; default and maximum 5 min. */
  ttlMs?: number;
}

export interface DataKeyProvider {
  /** The key to seal a new result of this pharmacy under, and its id to store beside it. */
  forSealing(pharmacyId: string): Promise<{ keyId: string; key: Buffer }>;
  /** The key a stored result was sealed under; `DecryptionFailed` if the id is unknown. */
  forOpening(keyId: string): Promise<Buffer>;
  /** Key-manager calls made so far (metrics, benchmarks). */
  keyManagerCalls(): number;
}

// DESIGN: cached data keys live at most 5 minutes.
const MAX_TTL_MS = 5 * 60_000;

/**
 * Hands out data keys: one per time window and pharmacy shard, so the key manager is called
 * about once per key per TTL instead of once per result, while one key still covers a bounded
 * slice of results. Keys are cached in memory only; a cached key is handed out only while the
 * guard says the key manager is reachable.
 *
 * Returned buffers are shared with the cache: callers must not modify them.
 *
 * @example
 * const dataKeys = createDataKeyProvider({ keys, store, guard });
 * const { keyId, key } = await dataKeys.forSealing(pharmacyId);
 */
export function createDataKeyProvider({
  keys,
  store,
  guard,
  clock = Date.now,
  windowMs = 60 * 60_000,
  shards = 16,
  ttlMs = MAX_TTL_MS,
}: DataKeyProviderOptions): DataKeyProvider {
  assertPositiveInteger('windowMs', windowMs);
  assertPositiveInteger('shards', shards);
  assertPositiveInteger('ttlMs', ttlMs);
  if (ttlMs > MAX_TTL_MS) throw new RangeError('ttlMs must not exceed 5 minutes.');

  const sealingKeys = createExpiringCache<{ keyId: string; key: Buffer }>({ ttlMs, clock });
  const openingKeys = createExpiringCache<Buffer>({ ttlMs, clock });
  let calls = 0;

  async function callKeyManager<T>(call: () => Promise<T>): Promise<T> {
    calls += 1;
    const result = await call();
    guard.recordSuccess();
    return result;
  }

  function unwrap(id: string, wrapped: WrappedKey): Promise<Buffer> {
    return callKeyManager(() => keys.unwrapDataKey(wrapped, dataKeyContext(id)));
  }

  async function findOrCreate(window: string, shard: number): Promise<{ keyId: string; key: Buffer }> {
    const existing = await store.findForWindow(window, shard);
    if (existing) return { keyId: existing.id, key: await unwrap(existing.id, existing.wrapped) };
    const id = randomUUID();
    const { plaintext, wrapped } = await callKeyManager(() => keys.generateDataKey(dataKeyContext(id)));
    try {
      await store.insert({ id, wrapped, window, shard });
    } catch (insertFailure) {
      // Another replica inserted this window's key first: seal under theirs, drop ours.
      const winner = await store.findForWindow(window, shard);
      if (!winner) throw insertFailure;
      return { keyId: winner.id, key: await unwrap(winner.id, winner.wrapped) };
    }
    return { keyId: id, key: plaintext };
  }

  async function obtainSealingKey(window: string, shard: number): Promise<{ keyId: string; key: Buffer }> {
    const sealing = await findOrCreate(window, shard);
    // What this replica seals, it soon opens (relay): no second unwrap for it.
    openingKeys.put(sealing.keyId, sealing.key);
    return sealing;
  }

  return {
    async forSealing(pharmacyId) {
      const window = windowOf(clock(), windowMs);
      const shard = shardOf(pharmacyId, shards);
      const slot = `${window}/${shard}`;
      const cached = sealingKeys.get(slot);
      if (cached) {
        guard.assertAvailable();
        return cached;
      }
      return sealingKeys.load(slot, () => obtainSealingKey(window, shard));
    },
    async forOpening(keyId) {
      const cached = openingKeys.get(keyId);
      if (cached) {
        guard.assertAvailable();
        return cached;
      }
      return openingKeys.load(keyId, async () => {
        const row = await store.find(keyId);
        if (!row) throw new DecryptionFailed();
        return unwrap(keyId, row.wrapped);
      });
    },
    keyManagerCalls: () => calls,
  };
}

/**
 * The context a data key is wrapped under: a wrapped key moved to another row does not unwrap.
 *
 * @example
 * await keys.rewrapDataKey(row.wrapped, dataKeyContext(row.id));
 */
export function dataKeyContext(id: string): string {
  return `sidep-gateway/data-key/v1/${id}`;
}

/**
 * The context a webhook endpoint's signing secret is wrapped under: it unwraps for that endpoint
 * only. Kept beside the data keys' because `keys rewrap` reseals both.
 */
export function webhookSecretContext(endpointId: string): string {
  return `sidep-gateway/webhook-secret/v1/${endpointId}`;
}

/** The window's start as an ISO timestamp, e.g. `2025-03-01T10:00:00.000Z` for 1 h windows. */
function windowOf(now: number, windowMs: number): string {
  return new Date(Math.floor(now / windowMs) * windowMs).toISOString();
}

function shardOf(pharmacyId: string, shards: number): number {
  return createHash('sha256').update(pharmacyId).digest().readUInt32BE(0) % shards;
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer.`);
}
