import type { Settings } from '../config/index.js';
import type { Database } from '../db/index.js';
import { createDataKeyStore } from './data-key-store.js';
import { createDataKeyProvider, type DataKeyProvider } from './data-keys.js';
import { createKeyManagerGuard, type KeyManagerGuard } from './guard.js';
import type { KeyManager } from './key-manager.js';

/** The `keyManager` settings the data keys follow; left out, their defaults. */
export type DataKeySettings = Pick<Settings['keyManager'], 'dataKeyWindowMinutes' | 'dataKeyCacheSeconds'>;

/**
 * The fail-closed guard in front of the key manager and the data keys handed out behind it,
 * stored in `data_keys`, as every process that seals or opens results builds them (the
 * gateway's services, `gateway keys reindex`). The guard is the caller's to start and stop.
 *
 * @example
 * const { guard, dataKeys } = createGuardedDataKeys({ keys, db, settings: s.keyManager });
 * await guard.start();
 */
export function createGuardedDataKeys(o: { keys: KeyManager; db: Database; settings?: DataKeySettings }): { guard: KeyManagerGuard; dataKeys: DataKeyProvider } {
  const guard = createKeyManagerGuard({ keys: o.keys });
  const dataKeys = createDataKeyProvider({
    keys: o.keys,
    store: createDataKeyStore(o.db),
    guard,
    ...(o.settings ? { windowMs: o.settings.dataKeyWindowMinutes * 60_000, ttlMs: o.settings.dataKeyCacheSeconds * 1000 } : {}),
  });
  return { guard, dataKeys };
}
