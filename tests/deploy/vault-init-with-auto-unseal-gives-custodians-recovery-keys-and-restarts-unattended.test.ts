import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultSession, openVaultTransit } from '../../gateway/src/vault/index.js';
import { startOpenBaoDevServer, type OpenBaoServer } from '@sidep-gateway/demo/openbao.js';
import type { Ran } from '../support/child-process.js';
import { OPENBAO_SKIP_REASON, openBaoBinary } from '../support/openbao.js';
import { composeInitBench, type ComposeInitBench } from '../support/openbao-compose-init.js';
import { systemTool } from '../support/system-tool.js';

/**
 * deploy/compose/vault-init.sh with the documented alternative to Shamir shares: auto-unseal
 * through another OpenBao's Transit (a `seal "transit"` stanza, as an HSM or cloud KMS stanza
 * would be). The custodians then hold recovery keys, and a restart needs none of them.
 */
const bao = openBaoBinary();
const gpg = systemTool('gpg');
const CUSTODIANS = ['alice', 'bob', 'carol'] as const;

if (bao && gpg) {
  let central: OpenBaoServer;
  let centralDir: string;
  let bench: ComposeInitBench;
  let seal: string;
  let firstRun: Ran;

  async function gatewayCreatesADataKey(): Promise<void> {
    const vault = createVaultSession({
      address: bench.address,
      caPem: bench.caPem,
      roleIdFile: path.join(bench.state('vault-approle'), 'gateway-role-id'),
      secretIdFile: path.join(bench.state('vault-approle'), 'gateway-secret-id'),
      timeoutMs: 5_000,
    });
    const transit = await openVaultTransit({ vault, blindIndexKeyFile: path.join(bench.state('vault-approle'), 'blind-index-key.wrapped') });
    expect((await transit.generateDataKey('sidep-gateway/data-key/v1/auto-unseal')).plaintext).toHaveLength(32);
  }

  beforeAll(async () => {
    // the chain's central key manager: a Transit key and a token that may only use it
    centralDir = await mkdtemp(path.join(tmpdir(), 'openbao-central-'));
    central = await startOpenBaoDevServer({ dir: centralDir, binary: bao });
    const must = async (apiPath: string, body: unknown) => {
      const answer = await central.api('POST', apiPath, body);
      if (answer.status >= 300) throw new Error(`${apiPath}: HTTP ${answer.status}`);
      return answer.body;
    };
    await must('/v1/sys/mounts/transit', { type: 'transit' });
    await must('/v1/transit/keys/sidep-gateway-seal', {});
    await must('/v1/sys/policies/acl/sidep-gateway-seal', {
      policy: 'path "transit/encrypt/sidep-gateway-seal" { capabilities = ["update"] }\npath "transit/decrypt/sidep-gateway-seal" { capabilities = ["update"] }\n',
    });
    const sealToken = ((await must('/v1/auth/token/create-orphan', { policies: ['sidep-gateway-seal'], period: '24h' })).auth as { client_token: string }).client_token;
    seal = `seal "transit" {\n  address = "${central.address}"\n  token = "${sealToken}"\n  key_name = "sidep-gateway-seal"\n  mount_path = "transit/"\n  tls_ca_cert = "${central.caFile}"\n}\n`;

    bench = await composeInitBench({ bao, gpg, custodians: CUSTODIANS });
    await bench.start(seal);
    firstRun = await bench.vaultInit();
  }, 120_000);
  afterAll(async () => {
    await bench?.close();
    await central?.stop();
    if (centralDir) await rm(centralDir, { recursive: true, force: true });
  });

  it('gives each custodian a recovery key share, unseals by itself, sets up the gateway and revokes its root token', async () => {
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(firstRun.stdout).toMatch(/Recovery key shares in .* for: alice bob carol/);
    expect(firstRun.stdout).not.toContain('Vault is sealed');
    expect(firstRun.stdout).toContain('initial root token revoked');
    expect(await bench.api('GET', '/v1/sys/seal-status')).toMatchObject({ body: { type: 'transit', recovery_seal: true, sealed: false, t: 2, n: 3 } });
    for (const c of CUSTODIANS) expect((await bench.decryptShare(c, await bench.share(c))).stdout.trim()).toMatch(/^[0-9a-f]{66}$/);
    await gatewayCreatesADataKey();
  });

  it('comes back unsealed after a restart: the next run needs no custodian and no token', async () => {
    await bench.stop();
    await bench.start(seal);
    const second = await bench.vaultInit({ waitSeconds: 10 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('Vault is sealed');
    await gatewayCreatesADataKey();
  });
} else {
  describe('compose init with auto-unseal on a real OpenBao', () => {
    it.skip(bao ? 'needs gpg (custodians encrypt their recovery keys)' : OPENBAO_SKIP_REASON, () => undefined);
  });
}
