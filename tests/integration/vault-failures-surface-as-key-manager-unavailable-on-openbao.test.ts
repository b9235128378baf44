import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyManager } from '../../gateway/src/keys/index.js';
import { createCircuitBreaker, createVaultSession, openVaultTransit, statusOf } from '../../gateway/src/vault/index.js';
import { DecryptionFailed, KeyManagerUnavailable } from '../../gateway/src/errors.js';
import { createDevCa } from '../../gateway/src/pki/index.js';
import { startNetworkRelay, type NetworkRelay } from '../support/network-relay.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * How the Transit key manager fails against a real OpenBao set up by deploy/vault/init.sh, with
 * the gateway's AppRole: sealed, its policy withdrawn (403), slow or cut on the network between
 * them, stopped. Every failure is KeyManagerUnavailable; a ciphertext the server refuses (400) is
 * DecryptionFailed and leaves the circuit closed; three failures open it. The breaker's clock is
 * the test's.
 */
const KEY = 'transit/keys/gateway-data';
let bao: GatewayOpenBao;
let network: NetworkRelay;
let keys: KeyManager;
let clock = Date.now();

const audited = async (path: string) => (await bao.auditedPaths()).filter((p) => p === path).length;

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
    network = await startNetworkRelay(bao.server.address);
    keys = await openVaultTransit({
      vault: createVaultSession({ ...bao.connection('gateway', 300), address: network.address }),
      blindIndexKeyFile: join(bao.gatewayDir, 'blind-index-key.wrapped'),
      breaker: createCircuitBreaker({ isFailure: (e) => statusOf(e) !== 400, clock: () => clock }),
    });
  }, 60_000);
  afterAll(async () => {
    await network?.close();
    await bao?.stop();
  });

  /** Past any open circuit, and working again. */
  async function healed(): Promise<void> {
    clock += 10_000;
    await expect(keys.probe()).resolves.toBeUndefined();
  }

  describe('Vault Transit failures on a real OpenBao', () => {
    /** Each fault, and what heals it. */
    const faults: [string, () => Promise<() => Promise<void>>][] = [
      ['sealed', async () => {
        await bao.seal();
        return () => bao.unseal();
      }],
      ["denying the gateway's token (policy withdrawn: 403)", () => bao.withdrawPolicy('gateway')],
      ['slower than the per-call timeout (network delay)', async () => {
        network.delay(1_000);
        return async () => network.delay(0);
      }],
      ['unreachable (network cut)', async () => {
        await network.cut();
        return () => network.restore();
      }],
    ];
    it.each(faults)('when %s, every call is KeyManagerUnavailable, and the next one after it heals works', async (_name, breakIt) => {
      const { wrapped } = await keys.generateDataKey('ctx');
      const heal = await breakIt();
      try {
        await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
        clock += 10_000;
        await expect(keys.generateDataKey('ctx')).rejects.toBeInstanceOf(KeyManagerUnavailable);
        clock += 10_000;
        await expect(keys.unwrapDataKey(wrapped, 'ctx')).rejects.toBeInstanceOf(KeyManagerUnavailable);
      } finally {
        await heal();
      }
      await healed();
    });

    it('trusts only the pinned CA: an OpenBao whose certificate another CA signed is unavailable', async () => {
      const pinnedElsewhere = createVaultSession({ ...bao.connection('gateway'), caPem: (await createDevCa()).certPem });
      await expect(pinnedElsewhere.read(KEY)).rejects.toMatchObject({ cause: { code: expect.stringMatching(/CERT|SIGNATURE|UNABLE_TO_VERIFY/) } });
      await expect(openVaultTransit({ vault: pinnedElsewhere, blindIndexKeyFile: join(bao.gatewayDir, 'blind-index-key.wrapped') })).rejects.toBeInstanceOf(KeyManagerUnavailable);
    });

    it('a ciphertext Transit refuses (400) is DecryptionFailed, and does not open the circuit', async () => {
      const { wrapped } = await keys.generateDataKey('ctx');
      for (let i = 0; i < 5; i += 1) await expect(keys.unwrapDataKey(wrapped, 'other')).rejects.toBeInstanceOf(DecryptionFailed);
      await expect(keys.probe()).resolves.toBeUndefined();
    });

    it('after three failures the circuit opens: no request reaches OpenBao until the trial', async () => {
      // refused requests are audited (a sealed server audits nothing): the audit log counts them
      const restore = await bao.withdrawPolicy('gateway');
      try {
        for (let i = 0; i < 3; i += 1) await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
        const reached = await audited(KEY);
        for (let i = 0; i < 20; i += 1) await expect(keys.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
        expect(await audited(KEY)).toBe(reached);
      } finally {
        await restore();
      }
      const beforeTrial = await audited(KEY);
      clock += 1_000;
      await expect(keys.probe()).resolves.toBeUndefined();
      expect(await audited(KEY)).toBe(beforeTrial + 1);
    });

    // last: a stopped dev server keeps nothing (its storage is in memory), so nothing runs after it
    it('when OpenBao is stopped, every call is KeyManagerUnavailable', async () => {
      const direct = await bao.transit('gateway', 300);
      await direct.probe();
      await bao.server.stop();
      await expect(direct.probe()).rejects.toBeInstanceOf(KeyManagerUnavailable);
      await expect(direct.generateDataKey('ctx')).rejects.toBeInstanceOf(KeyManagerUnavailable);
    });
  });
} else {
  describe('Vault Transit failures on a real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
