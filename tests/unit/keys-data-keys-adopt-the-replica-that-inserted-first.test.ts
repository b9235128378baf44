import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDataKeyProvider, createKeyManagerGuard, openLocalKeyring, type DataKeyStore } from '../../gateway/src/keys/index.js';
import { fakeClock, inMemoryDataKeyStore, useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();

/** The store as seen by a replica that looked for the window's key just before the winner inserted it. */
function lookedTooEarly(store: DataKeyStore): DataKeyStore {
  let firstLook = true;
  return {
    ...store,
    async findForWindow(window, shard) {
      if (firstLook) {
        firstLook = false;
        return undefined;
      }
      return store.findForWindow(window, shard);
    },
  };
}

async function twoReplicas() {
  const clock = fakeClock();
  const keys = await openLocalKeyring(join(directory(), 'keyring.json'), { create: true });
  const guard = createKeyManagerGuard({ keys, clock: clock.now });
  const store = inMemoryDataKeyStore();
  const replica = (view: DataKeyStore) => createDataKeyProvider({ keys, store: view, guard, clock: clock.now });
  return { store, first: replica(store), late: replica(lookedTooEarly(store)) };
}

describe('two replicas racing to create the same window key', () => {
  it('both seal under the key that was inserted first', async () => {
    const { store, first, late } = await twoReplicas();
    const pharmacyId = randomUUID();

    const winner = await first.forSealing(pharmacyId);
    const loser = await late.forSealing(pharmacyId);

    expect(loser).toEqual(winner);
    expect(store.size()).toBe(1);
    // The loser generated a key it could not store, then unwrapped the winner's.
    expect(late.keyManagerCalls()).toBe(2);
  });

  it('still fail with the insert error when no winner can be found', async () => {
    const clock = fakeClock();
    const keys = await openLocalKeyring(join(directory(), 'keyring.json'), { create: true });
    const broken: DataKeyStore = {
      ...inMemoryDataKeyStore(),
      insert: () => Promise.reject(new Error('connection terminated')),
    };
    const dataKeys = createDataKeyProvider({
      keys,
      store: broken,
      guard: createKeyManagerGuard({ keys, clock: clock.now }),
      clock: clock.now,
    });

    await expect(dataKeys.forSealing(randomUUID())).rejects.toThrow('connection terminated');
  });
});
