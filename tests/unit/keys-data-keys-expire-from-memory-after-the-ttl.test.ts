import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDataKeyProvider, createKeyManagerGuard, openLocalKeyring } from '../../gateway/src/keys/index.js';
import { fakeClock, inMemoryDataKeyStore, useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();
const TTL_MS = 5 * 60_000;

describe('a cached data key', () => {
  it('is unwrapped again once older than the TTL, for sealing and for opening', async () => {
    const clock = fakeClock();
    const keys = await openLocalKeyring(join(directory(), 'keyring.json'), { create: true });
    const guard = createKeyManagerGuard({ keys, clock: clock.now });
    const dataKeys = createDataKeyProvider({ keys, store: inMemoryDataKeyStore(), guard, clock: clock.now, ttlMs: TTL_MS });
    const pharmacyId = randomUUID();
    // Time passes with the key manager healthy: the guard's probes keep succeeding.
    const wait = async (ms: number) => {
      clock.advance(ms);
      await guard.probeNow();
    };

    const sealing = await dataKeys.forSealing(pharmacyId);
    await wait(TTL_MS - 1);
    await dataKeys.forSealing(pharmacyId);
    await dataKeys.forOpening(sealing.keyId);
    expect(dataKeys.keyManagerCalls()).toBe(1);

    await wait(1);
    const again = await dataKeys.forSealing(pharmacyId);
    expect(again).toEqual(sealing);
    expect(dataKeys.keyManagerCalls()).toBe(2);

    await wait(TTL_MS);
    expect(await dataKeys.forOpening(sealing.keyId)).toEqual(sealing.key);
    expect(dataKeys.keyManagerCalls()).toBe(3);
  });
});
