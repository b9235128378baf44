import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDataKeyProvider, createKeyManagerGuard, openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { fakeClock, inMemoryDataKeyStore, useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();
const CONCURRENT = 100;

async function provider(keys?: KeyManager) {
  const clock = fakeClock();
  const keyring = keys ?? (await openLocalKeyring(join(directory(), 'keyring.json'), { create: true }));
  const store = inMemoryDataKeyStore();
  const guard = createKeyManagerGuard({ keys: keyring, clock: clock.now });
  return { store, dataKeys: createDataKeyProvider({ keys: keyring, store, guard, clock: clock.now }) };
}

describe('concurrent callers on a cold cache', () => {
  it('share one generate call when sealing', async () => {
    const { dataKeys, store } = await provider();
    const pharmacyId = randomUUID();

    const keys = await Promise.all(Array.from({ length: CONCURRENT }, () => dataKeys.forSealing(pharmacyId)));

    expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
    expect(store.size()).toBe(1);
    expect(dataKeys.keyManagerCalls()).toBe(1);
  });

  it('share one unwrap call when opening', async () => {
    const sealer = await provider();
    const { keyId } = await sealer.dataKeys.forSealing(randomUUID());
    const keyring = await openLocalKeyring(join(directory(), 'keyring.json'));
    const relay = createDataKeyProvider({
      keys: keyring,
      store: sealer.store,
      guard: createKeyManagerGuard({ keys: keyring }),
    });

    await Promise.all(Array.from({ length: CONCURRENT }, () => relay.forOpening(keyId)));

    expect(relay.keyManagerCalls()).toBe(1);
  });

  it('share one failure, which is not cached: the next caller tries again', async () => {
    const healthy = await openLocalKeyring(join(directory(), 'keyring.json'), { create: true });
    let down = true;
    const flaky: KeyManager = {
      ...healthy,
      generateDataKey: (context) => (down ? Promise.reject(new KeyManagerUnavailable()) : healthy.generateDataKey(context)),
    };
    const { dataKeys } = await provider(flaky);
    const pharmacyId = randomUUID();

    const outcomes = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => dataKeys.forSealing(pharmacyId)));
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof KeyManagerUnavailable)).toBe(true);
    expect(dataKeys.keyManagerCalls()).toBe(1);

    down = false;
    await expect(dataKeys.forSealing(pharmacyId)).resolves.toMatchObject({ keyId: expect.any(String) });
    expect(dataKeys.keyManagerCalls()).toBe(2);
  });
});
