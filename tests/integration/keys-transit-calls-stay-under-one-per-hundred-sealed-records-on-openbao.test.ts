import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDocument, sealDocument } from '../../gateway/src/crypto/index.js';
import { createDataKeyProvider, createKeyManagerGuard } from '../../gateway/src/keys/index.js';
import { inMemoryDataKeyStore } from '../support/keys-doubles.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * Data keys per window and pharmacy shard keep Transit out of the per-record path: counted by a
 * real OpenBao's own audit device, with the gateway's AppRole.
 */
const RECORDS = 2_000;
const PHARMACIES = 100;
let bao: GatewayOpenBao;

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
  }, 60_000);
  afterAll(() => bao?.stop());

  describe('data keys per window and shard', () => {
    it(`seal and open ${RECORDS} records with at most one Transit call per hundred (datakey and decrypt, counted by OpenBao's audit log)`, async () => {
      const keys = await bao.transit();
      const guard = createKeyManagerGuard({ keys });
      await guard.start();
      // A fixed clock: a run crossing an hour boundary would legitimately open a second window.
      const now = Date.now();
      const dataKeys = createDataKeyProvider({ keys, store: inMemoryDataKeyStore(), guard, clock: () => now });
      const pharmacies = Array.from({ length: PHARMACIES }, () => randomUUID());
      const before = (await bao.auditedPaths()).length;

      for (let i = 0; i < RECORDS; i += 1) {
        const binding = { resultId: randomUUID(), pharmacyId: pharmacies[i % PHARMACIES] as string };
        const { keyId, key } = await dataKeys.forSealing(binding.pharmacyId);
        const sealed = sealDocument({ n: i }, { ...binding, keyId }, key);
        expect(openDocument(sealed, { ...binding, keyId }, await dataKeys.forOpening(keyId))).toEqual({ n: i });
      }
      guard.stop();

      const transitCalls = (await bao.auditedPaths()).slice(before).filter((p) => /^transit\/(datakey|decrypt)\//.test(p)).length;
      process.stdout.write(`OpenBao Transit calls for ${RECORDS} records: ${transitCalls} (${(transitCalls / RECORDS).toFixed(4)} per record)\n`);
      expect(transitCalls).toBeGreaterThan(0);
      expect(transitCalls / RECORDS).toBeLessThanOrEqual(0.01);
      expect(dataKeys.keyManagerCalls()).toBe(transitCalls);
    });
  });
} else {
  describe('data keys per window and shard', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
