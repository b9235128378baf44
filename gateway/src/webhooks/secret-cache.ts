import type { KeyManager } from '../keys/index.js';
import { openSecrets, sealedInUse, type SealedSecrets } from './secrets.js';

/** How long opened secrets stay in memory: one unwrap per endpoint a minute instead of one per send. */
export const SECRET_CACHE_TTL_MS = 60_000;

/** Opened endpoint secrets, briefly kept in memory. */
export interface SecretCache {
  /** The secrets that sign this endpoint's callbacks now (`sealedInUse`), unwrapped once per TTL. */
  open(endpoint: SealedSecrets, now: Date): Promise<Buffer[]>;
  /** Forgets every opened secret: the worker calls it whenever the key-manager guard fails. */
  clear(): void;
}

/**
 * Keeps each endpoint's opened secrets for `ttlMs`, keyed by the sealed secrets they came from:
 * a rotation (another process's: the CLI, the web) or a rewrap changes what is stored, so the
 * next send opens the new ones and the old ones leave memory. A removed endpoint's callbacks are
 * no longer claimed; its entry goes at the next sweep. Concurrent sends to one endpoint share one
 * unwrap; a failed one is not kept.
 *
 * @example
 * const cache = createSecretCache({ keys });
 * const secrets = await cache.open(claimed.endpoint, new Date());
 */
export function createSecretCache(o: { keys: Pick<KeyManager, 'unwrapDataKey'>; ttlMs?: number; clock?: () => number }): SecretCache {
  const ttlMs = o.ttlMs ?? SECRET_CACHE_TTL_MS;
  const clock = o.clock ?? Date.now;
  const entries = new Map<string, { sealed: string; secrets: Buffer[]; expiresAt: number }>();
  const opening = new Map<string, Promise<Buffer[]>>();
  // bumped by clear(): an unwrap that started before a guard failure is not kept after it
  let generation = 0;

  function keep(endpointId: string, sealed: string, secrets: Buffer[]): void {
    const now = clock();
    for (const [id, entry] of entries) if (entry.expiresAt <= now) entries.delete(id);
    entries.set(endpointId, { sealed, secrets, expiresAt: now + ttlMs });
  }

  return {
    open(endpoint, now) {
      const inUse = sealedInUse(endpoint, now);
      const sealed = inUse.join(' ');
      const entry = entries.get(endpoint.id);
      if (entry && entry.sealed === sealed && entry.expiresAt > clock()) return Promise.resolve(entry.secrets);
      const key = `${endpoint.id} ${sealed}`;
      let pending = opening.get(key);
      if (!pending) {
        const started = generation;
        pending = openSecrets(o.keys, endpoint.id, inUse)
          .then((secrets) => {
            if (started === generation) keep(endpoint.id, sealed, secrets);
            return secrets;
          })
          .finally(() => opening.delete(key));
        opening.set(key, pending);
      }
      return pending;
    },
    clear() {
      generation += 1;
      entries.clear();
    },
  };
}
