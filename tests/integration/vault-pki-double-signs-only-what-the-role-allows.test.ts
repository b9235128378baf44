import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';
import { GATEWAY_PKI, mountGatewayPki } from '../support/vault-pki-double.js';
import { startVaultTransitDouble, type VaultTransitDouble } from '../support/vault-transit-double.js';

// The Vault PKI test double must answer as Vault's PKI API documents, or the gateway's tests
// against it prove nothing: the role's limits on key type, names, SANs and TTL, Vault's answer
// shapes, and the endpoints Vault serves without a token.
let vault: VaultTransitDouble;
let agent: Agent;

beforeAll(async () => {
  vault = await startVaultTransitDouble();
  await mountGatewayPki(vault);
  agent = new Agent({ connect: { ...anssiTlsOptions(), ca: vault.caPem } });
});
afterAll(async () => {
  await agent?.close();
  await vault?.close();
});

async function call(method: 'GET' | 'POST', path: string, o: { body?: unknown; token?: string } = {}) {
  const res = await request(`${vault.address}/v1/${GATEWAY_PKI.mount}/${path}`, {
    method,
    dispatcher: agent,
    headers: { ...(o.token ? { 'x-vault-token': o.token } : {}), ...(o.body ? { 'content-type': 'application/json' } : {}) },
    body: o.body ? JSON.stringify(o.body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, any>) : undefined };
}

async function csr(commonName: string, algorithm: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' }): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const signingAlgorithm = algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : algorithm;
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name: [{ CN: [commonName] }], keys, signingAlgorithm }, webcrypto)).toString('pem');
}

const sign = async (body: Record<string, unknown>) => call('POST', `sign/${GATEWAY_PKI.role}`, { body, token: vault.rootToken });

describe('the Vault PKI test double', () => {
  it("signs a CSR with Vault's answer shape: certificate, issuing_ca, ca_chain, colon-separated serial, expiration", async () => {
    const { status, json } = await sign({ csr: await csr('759999907'), common_name: '759999907', ttl: '24h', exclude_cn_from_sans: true });
    expect(status).toBe(200);
    expect(json).toMatchObject({ lease_id: '', renewable: false, data: { certificate: expect.stringContaining('BEGIN CERTIFICATE'), issuing_ca: expect.stringContaining('BEGIN CERTIFICATE'), ca_chain: [expect.any(String)], serial_number: expect.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2}){19}$/), expiration: expect.any(Number) } });
    const cert = new X509Certificate(json!.data.certificate);
    expect(cert.serialNumber.toLowerCase().padStart(40, '0')).toBe(json!.data.serial_number.replaceAll(':', ''));
    expect(Date.parse(cert.validTo) / 1000).toBe(json!.data.expiration);
  });

  it('caps a TTL above the role max_ttl, with a warning, as Vault does', async () => {
    const { status, json } = await sign({ csr: await csr('759999907'), common_name: '759999907', ttl: '20000h' });
    expect(status).toBe(200);
    expect(json!.warnings).toEqual([expect.stringContaining('maxTTL is being used')]);
    expect(json!.data.expiration - Date.now() / 1000).toBeLessThanOrEqual(GATEWAY_PKI.roleParameters.max_ttl);
  });

  it('refuses what the role forbids: RSA keys, wildcard names, IP SANs, an unknown role', async () => {
    expect((await sign({ csr: await csr('759999907', { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }) })).json).toEqual({ errors: ['role requires keys of type ec'] });
    expect(await sign({ csr: await csr('*.pharmacie.example') })).toMatchObject({ status: 400, json: { errors: [expect.stringContaining('not allowed by this role')] } });
    expect(await sign({ csr: await csr('759999907'), ip_sans: '10.0.0.1' })).toMatchObject({ status: 400, json: { errors: ['IP Subject Alternative Names are not allowed in this role'] } });
    expect((await call('POST', 'sign/other-role', { body: { csr: await csr('759999907') }, token: vault.rootToken })).status).toBe(400);
  });

  it('answers 403 to sign and revoke without a token, and serves the CA and CRL without one', async () => {
    expect((await call('POST', `sign/${GATEWAY_PKI.role}`, { body: { csr: await csr('759999907') } })).status).toBe(403);
    expect((await call('POST', 'revoke', { body: { serial_number: '01:02' } })).status).toBe(403);
    const ca = await call('GET', 'ca/pem');
    expect(ca).toMatchObject({ status: 200, text: expect.stringContaining('BEGIN CERTIFICATE') });
    expect(await call('GET', 'cert/ca')).toMatchObject({ status: 200, json: { data: { certificate: ca.text } } });
    expect(await call('GET', 'crl/pem')).toMatchObject({ status: 200, text: expect.stringContaining('BEGIN X509 CRL') });
  });

  it('revokes by serial once (a second revoke answers the same time), lists it in the CRL, and refuses an unknown serial', async () => {
    const { json } = await sign({ csr: await csr('759999915') });
    const serial = json!.data.serial_number as string;
    const first = await call('POST', 'revoke', { body: { serial_number: serial }, token: vault.rootToken });
    expect(first).toMatchObject({ status: 200, json: { data: { revocation_time: expect.any(Number), state: 'revoked' } } });
    expect((await call('POST', 'revoke', { body: { serial_number: serial }, token: vault.rootToken })).json).toEqual(first.json);
    const crl = new x509.X509Crl((await call('GET', 'cert/crl')).json!.data.certificate);
    expect(crl.entries.map((e) => e.serialNumber.toLowerCase())).toEqual([serial.replaceAll(':', '')]);
    expect(await call('POST', 'revoke', { body: { serial_number: 'ab:cd' }, token: vault.rootToken })).toMatchObject({ status: 400 });
  });
});
