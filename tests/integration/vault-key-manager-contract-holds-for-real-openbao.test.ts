import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createVaultSession, openVaultTransit } from '../../gateway/src/vault/index.js';
import { runKeyManagerContract } from '../support/key-manager-contract.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * The key-manager contract against a real OpenBao (Vault's API), set up by deploy/vault/init.sh.
 * The keys-admin-like contract role rotates and advances min_decryption_version on a key of its
 * own, so the gateway's keys are never touched.
 */
if (openBaoBinary()) {
  let bao: GatewayOpenBao;
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
  }, 60_000);
  afterAll(() => bao?.stop());

  runKeyManagerContract('real OpenBao', () =>
    openVaultTransit({
      vault: createVaultSession(bao.connection('gateway-contract-test')),
      dataKeyName: 'gateway-contract-test',
      blindIndexKeyFile: path.join(bao.dir, 'contract-blind-index-key.wrapped'),
      createBlindIndexKey: true,
    }),
  );
} else {
  describe('KeyManager contract: real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
