import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateRequest, OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * Least privilege on a real OpenBao set up by deploy/vault/init.sh, asked over HTTP with each
 * identity's own AppRole token: the gateway uses its keys and the pharmacy-client role and can
 * do nothing else with them; keys-admin rotates and configures and opens nothing. Every refusal
 * is the server's 403 (its ACL, before any route runs), never a 400 or 404 that could hide a grant.
 */
const base64 = (text: string) => Buffer.from(text).toString('base64');
const CONTEXT = base64('sidep-gateway/data-key/v1/least-privilege');

let bao: GatewayOpenBao;
let gateway: string;
let keysAdmin: string;
// GET and DELETE go without a body: after one sent with a body (chunked, by node), OpenBao answers
// the next request on the kept-alive connection with a bare 400.
const call = (token: string, method: string, apiPath: string, body?: unknown) => bao.server.api(method, `/v1/${apiPath}`, body, token);

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
    await bao.issueSecretId('gateway-keys-admin');
    [gateway, keysAdmin] = await Promise.all([bao.login('gateway'), bao.login('gateway-keys-admin')]);
    // Another role on the mount, able to issue server certificates: refused to the gateway all the same.
    expect((await bao.server.api('POST', '/v1/pki-pharmacies/roles/any-server', { allow_any_name: true, server_flag: true, key_type: 'ec', key_bits: 256 })).status).toBe(200);
  }, 60_000);
  afterAll(() => bao?.stop());

  describe("the gateway's AppRole token (gateway.hcl)", () => {
    it('creates data keys, decrypts and rewraps them, and unwraps the blind-index key init.sh wrote', async () => {
      const created = await call(gateway, 'POST', 'transit/datakey/plaintext/gateway-data', { context: CONTEXT, bits: 256 });
      expect(created.status).toBe(200);
      const { plaintext, ciphertext } = created.body.data as { plaintext: string; ciphertext: string };
      expect(await call(gateway, 'POST', 'transit/decrypt/gateway-data', { ciphertext, context: CONTEXT })).toMatchObject({ status: 200, body: { data: { plaintext } } });
      expect(await call(gateway, 'POST', 'transit/rewrap/gateway-data', { ciphertext, context: CONTEXT })).toMatchObject({ status: 200, body: { data: { ciphertext: expect.stringMatching(/^vault:v1:/) } } });
      const wrapped = (await readFile(path.join(bao.gatewayDir, 'blind-index-key.wrapped'), 'utf8')).trim();
      expect((await call(gateway, 'POST', 'transit/decrypt/gateway-blind-index', { ciphertext: wrapped, context: base64('sidep-gateway/blind-index-key/v1') })).status).toBe(200);
    });

    it('signs audit checkpoints and reads their public keys', async () => {
      expect(await call(gateway, 'POST', 'transit/sign/gateway-audit-checkpoints', { input: base64('checkpoint') })).toMatchObject({ status: 200, body: { data: { signature: expect.stringMatching(/^vault:v1:/) } } });
      expect(await call(gateway, 'GET', 'transit/keys/gateway-audit-checkpoints')).toMatchObject({ status: 200, body: { data: { keys: { 1: { public_key: expect.any(String) } } } } });
    });

    it('signs a CSR through pharmacy-client, revokes the certificate and rotates the CRL', async () => {
      const signed = await call(gateway, 'POST', 'pki-pharmacies/sign/pharmacy-client', { csr: await certificateRequest('759999907'), ttl: '24h', exclude_cn_from_sans: true });
      expect(signed.status).toBe(200);
      const serial = (signed.body.data as { serial_number: string }).serial_number;
      expect(await call(gateway, 'POST', 'pki-pharmacies/revoke', { serial_number: serial })).toMatchObject({ status: 200, body: { data: { state: 'revoked' } } });
      expect((await call(gateway, 'GET', 'pki-pharmacies/crl/rotate')).status).toBe(200);
    });

    it.each([
      ['export the data key', 'GET', 'transit/export/encryption-key/gateway-data'],
      ['export the blind-index key', 'GET', 'transit/export/encryption-key/gateway-blind-index'],
      ['export the checkpoint signing key', 'GET', 'transit/export/signing-key/gateway-audit-checkpoints'],
      ['back up the data key (plaintext backup)', 'GET', 'transit/backup/gateway-data'],
      ['restore a key over the data key', 'POST', 'transit/restore/gateway-data', { backup: 'AAAA', force: true }],
      ['raise min_decryption_version', 'POST', 'transit/keys/gateway-data/config', { min_decryption_version: 1 }],
      ['allow deleting the data key', 'POST', 'transit/keys/gateway-data/config', { deletion_allowed: true }],
      ['make the checkpoint key exportable', 'POST', 'transit/keys/gateway-audit-checkpoints/config', { exportable: true }],
      ['delete the data key', 'DELETE', 'transit/keys/gateway-data'],
      ['trim the data key', 'POST', 'transit/keys/gateway-data/trim', { min_available_version: 1 }],
      ['create a key', 'POST', 'transit/keys/gateway-other', { type: 'aes256-gcm96' }],
      ['encrypt chosen data', 'POST', 'transit/encrypt/gateway-data', { plaintext: base64('x'), context: CONTEXT }],
      ['take plaintext data keys from the blind-index key', 'POST', 'transit/datakey/plaintext/gateway-blind-index', { context: CONTEXT }],
      ['read the role id of keys-admin', 'GET', 'auth/approle/role/gateway-keys-admin/role-id'],
      ['mint a secret id for keys-admin', 'POST', 'auth/approle/role/gateway-keys-admin/secret-id'],
      ['mint a secret id for itself', 'POST', 'auth/approle/role/gateway/secret-id'],
      ['issue from pharmacy-client with a key OpenBao generates', 'POST', 'pki-pharmacies/issue/pharmacy-client', { common_name: '759999907' }],
      ['sign through another role', 'POST', 'pki-pharmacies/sign/any-server', { csr: 'csr', common_name: 'intake.example' }],
      ['issue from another role', 'POST', 'pki-pharmacies/issue/any-server', { common_name: 'intake.example' }],
      ['sign verbatim', 'POST', 'pki-pharmacies/sign-verbatim', { csr: 'csr' }],
      ['sign verbatim through the role', 'POST', 'pki-pharmacies/sign-verbatim/pharmacy-client', { csr: 'csr' }],
      ['change the pharmacy-client role', 'POST', 'pki-pharmacies/roles/pharmacy-client', { allow_ip_sans: true }],
      ['generate a new root', 'POST', 'pki-pharmacies/root/generate/internal', { common_name: 'rogue' }],
      ['sign an intermediate CA', 'POST', 'pki-pharmacies/root/sign-intermediate', { csr: 'csr' }],
      ['import a CA', 'POST', 'pki-pharmacies/config/ca', { pem_bundle: 'pem' }],
      ['change the CRL configuration', 'POST', 'pki-pharmacies/config/crl', { disable: true }],
      ['tidy the certificate store', 'POST', 'pki-pharmacies/tidy', { tidy_revoked_certs: true }],
      ['rewrite its own policy', 'PUT', 'sys/policy/gateway', { policy: 'path "*" { capabilities = ["sudo"] }' }],
    ])('cannot %s (403)', async (_what, method, apiPath, body?: unknown) => {
      expect((await call(gateway, method, apiPath, body)).status).toBe(403);
    });
  });

  describe('the keys-admin AppRole token (keys-admin.hcl)', () => {
    it('rotates the data key and rewraps under the new version', async () => {
      const { ciphertext } = (await call(gateway, 'POST', 'transit/datakey/plaintext/gateway-data', { context: CONTEXT })).body.data as { ciphertext: string };
      expect((await call(keysAdmin, 'POST', 'transit/keys/gateway-data/rotate')).status).toBe(200);
      expect(await call(keysAdmin, 'POST', 'transit/rewrap/gateway-data', { ciphertext, context: CONTEXT })).toMatchObject({ status: 200, body: { data: { ciphertext: expect.stringMatching(/^vault:v2:/) } } });
    });

    it('configures min_decryption_version, which the gateway then obeys', async () => {
      const old = (await call(gateway, 'POST', 'transit/datakey/plaintext/gateway-data', { context: CONTEXT })).body.data as { ciphertext: string };
      expect((await call(keysAdmin, 'POST', 'transit/keys/gateway-data/rotate')).status).toBe(200);
      const { latest_version: latest } = (await call(keysAdmin, 'GET', 'transit/keys/gateway-data')).body.data as { latest_version: number };
      expect((await call(keysAdmin, 'POST', 'transit/keys/gateway-data/config', { min_decryption_version: latest })).status).toBe(200);
      expect(await call(keysAdmin, 'GET', 'transit/keys/gateway-data')).toMatchObject({ body: { data: { min_decryption_version: latest } } });
      expect(await call(gateway, 'POST', 'transit/decrypt/gateway-data', { ciphertext: old.ciphertext, context: CONTEXT })).toMatchObject({ status: 400 });
    });

    it.each([
      ['decrypt a data key', 'POST', 'transit/decrypt/gateway-data', { ciphertext: 'vault:v1:AAAA', context: CONTEXT }],
      ['create a data key with its plaintext', 'POST', 'transit/datakey/plaintext/gateway-data', { context: CONTEXT }],
      ['encrypt chosen data', 'POST', 'transit/encrypt/gateway-data', { plaintext: base64('x'), context: CONTEXT }],
      ['export the data key', 'GET', 'transit/export/encryption-key/gateway-data'],
      ['back up the data key', 'GET', 'transit/backup/gateway-data'],
      ['delete the data key', 'DELETE', 'transit/keys/gateway-data'],
      ['trim the data key', 'POST', 'transit/keys/gateway-data/trim', { min_available_version: 1 }],
      ['sign a pharmacy certificate', 'POST', 'pki-pharmacies/sign/pharmacy-client', { csr: 'csr' }],
      ['read the gateway role id', 'GET', 'auth/approle/role/gateway/role-id'],
    ])('cannot %s (403)', async (_what, method, apiPath, body?: unknown) => {
      expect((await call(keysAdmin, method, apiPath, body)).status).toBe(403);
    });
  });
} else {
  describe('OpenBao policies', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
