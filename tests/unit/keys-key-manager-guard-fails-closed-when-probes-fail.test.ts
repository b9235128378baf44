import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDataKeyProvider, createKeyManagerGuard, openLocalKeyring, type KeyManager } from '../../gateway/src/keys/index.js';
import { KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { fakeClock, inMemoryDataKeyStore, useTemporaryDirectory } from '../support/keys-doubles.js';

const directory = useTemporaryDirectory();

/** A key manager whose probe answers or throws as the test decides. */
function switchableProbe() {
  const state = { healthy: true, probes: 0 };
  const keys: Pick<KeyManager, 'probe'> = {
    probe: async () => {
      state.probes += 1;
      if (!state.healthy) throw new KeyManagerUnavailable({ cause: new Error('connect ECONNREFUSED') });
    },
  };
  return { state, keys };
}

describe('the key-manager guard', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is unavailable before any success', () => {
    const guard = createKeyManagerGuard({ keys: switchableProbe().keys, clock: fakeClock().now });
    expect(guard.isAvailable()).toBe(false);
    expect(() => guard.assertAvailable()).toThrow(KeyManagerUnavailable);
  });

  it('fails closed once the last success is older than 5 s, and recovers with the next good probe', async () => {
    const clock = fakeClock();
    const { state, keys } = switchableProbe();
    const guard = createKeyManagerGuard({ keys, clock: clock.now });

    await guard.probeNow();
    state.healthy = false;
    clock.advance(5_000);
    await guard.probeNow();
    expect(guard.isAvailable()).toBe(true);

    clock.advance(1);
    expect(guard.isAvailable()).toBe(false);
    expect(() => guard.assertAvailable()).toThrow(KeyManagerUnavailable);

    state.healthy = true;
    await guard.probeNow();
    expect(() => guard.assertAvailable()).not.toThrow();
  });

  it('makes data keys refuse even cached keys while the key manager is down', async () => {
    const clock = fakeClock();
    const keyring = await openLocalKeyring(join(directory(), 'keyring.json'), { create: true });
    const { state, keys } = switchableProbe();
    const guard = createKeyManagerGuard({ keys, clock: clock.now });
    const dataKeys = createDataKeyProvider({ keys: keyring, store: inMemoryDataKeyStore(), guard, clock: clock.now });
    const pharmacyId = randomUUID();
    const { keyId } = await dataKeys.forSealing(pharmacyId);

    state.healthy = false;
    clock.advance(5_001);
    await guard.probeNow();

    await expect(dataKeys.forSealing(pharmacyId)).rejects.toBeInstanceOf(KeyManagerUnavailable);
    await expect(dataKeys.forOpening(keyId)).rejects.toBeInstanceOf(KeyManagerUnavailable);

    state.healthy = true;
    await guard.probeNow();
    await expect(dataKeys.forSealing(pharmacyId)).resolves.toMatchObject({ keyId });
    expect(dataKeys.keyManagerCalls()).toBe(1);
  });

  it('probes at start and every 2 s until stopped, without keeping the process alive', async () => {
    vi.useFakeTimers();
    const { state, keys } = switchableProbe();
    const guard = createKeyManagerGuard({ keys });

    await guard.start();
    expect(state.probes).toBe(1);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(state.probes).toBe(4);

    guard.stop();
    await vi.advanceTimersByTimeAsync(6_000);
    expect(state.probes).toBe(4);
  });

  it('fails closed when a probe hangs, without stacking more probes on it', async () => {
    vi.useFakeTimers();
    let probes = 0;
    const guard = createKeyManagerGuard({
      keys: {
        probe: () => {
          probes += 1;
          return probes === 1 ? Promise.resolve() : new Promise<void>(() => {});
        },
      },
    });

    await guard.start();
    await vi.advanceTimersByTimeAsync(10_000);

    expect(probes).toBe(2);
    expect(guard.isAvailable()).toBe(false);
    guard.stop();
  });
});
