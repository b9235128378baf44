import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDocument, sealDocument } from '../../gateway/src/crypto/index.js';
import { createDataKeyProvider, createKeyManagerGuard, openLocalKeyring, type DataKeyProviderOptions } from '../../gateway/src/keys/index.js';
import { fakeClock, inMemoryDataKeyStore, useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();

async function replica(overrides: Partial<DataKeyProviderOptions> = {}) {
  const clock = fakeClock();
  const keys = await openLocalKeyring(join(directory(), 'keyring.json'), { create: true });
  const store = inMemoryDataKeyStore();
  const guard = createKeyManagerGuard({ keys, clock: clock.now });
  return { clock, keys, store, guard, dataKeys: createDataKeyProvider({ keys, store, guard, clock: clock.now, ...overrides }) };
}

describe('data keys', () => {
  it('seal 1000 results of one pharmacy with one key-manager call', async () => {
    const { dataKeys, store } = await replica();
    const pharmacyId = randomUUID();

    const keyIds = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      const { keyId, key } = await dataKeys.forSealing(pharmacyId);
      sealDocument({ i }, { resultId: randomUUID(), pharmacyId, keyId }, key);
      keyIds.add(keyId);
    }

    expect(keyIds.size).toBe(1);
    expect(store.size()).toBe(1);
    expect(dataKeys.keyManagerCalls()).toBe(1);
  });

  it('share one key between pharmacies of one shard, and spread pharmacies over the shards', async () => {
    const oneShard = await replica({ shards: 1 });
    const sixteen = await replica({ shards: 16 });
    const pharmacies = Array.from({ length: 64 }, () => randomUUID());

    const keyIdsOf = async (dataKeys: typeof oneShard.dataKeys) =>
      new Set(await Promise.all(pharmacies.map(async (id) => (await dataKeys.forSealing(id)).keyId)));

    expect((await keyIdsOf(oneShard.dataKeys)).size).toBe(1);
    const spread = (await keyIdsOf(sixteen.dataKeys)).size;
    expect(spread).toBeGreaterThan(1);
    expect(spread).toBeLessThanOrEqual(16);
  });

  it('take a new key when the window changes', async () => {
    const { dataKeys, clock } = await replica();
    const pharmacyId = randomUUID();

    const first = await dataKeys.forSealing(pharmacyId);
    clock.advance(60 * 60_000);
    const next = await dataKeys.forSealing(pharmacyId);

    expect(next.keyId).not.toBe(first.keyId);
    expect(dataKeys.keyManagerCalls()).toBe(2);
  });

  it('open what this replica sealed without another call, and another replica with one unwrap', async () => {
    const sealer = await replica();
    const pharmacyId = randomUUID();
    const { keyId, key } = await sealer.dataKeys.forSealing(pharmacyId);
    const binding = { resultId: randomUUID(), pharmacyId, keyId };
    const sealed = sealDocument({ nir: '180017512345649' }, binding, key);

    expect(openDocument(sealed, binding, await sealer.dataKeys.forOpening(keyId))).toEqual({ nir: '180017512345649' });
    expect(sealer.dataKeys.keyManagerCalls()).toBe(1);

    const relay = createDataKeyProvider({ keys: sealer.keys, store: sealer.store, guard: sealer.guard, clock: sealer.clock.now });
    expect(openDocument(sealed, binding, await relay.forOpening(keyId))).toEqual({ nir: '180017512345649' });
    expect(relay.keyManagerCalls()).toBe(1);
  });

  it('refuse options that would keep keys in memory longer than 5 minutes', async () => {
    await expect(replica({ ttlMs: 5 * 60_000 + 1 })).rejects.toBeInstanceOf(RangeError);
  });
});
