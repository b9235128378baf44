import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateRequest, OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * The PKI mount deploy/vault/init.sh sets up on a real OpenBao, asked as the gateway asks it
 * (its AppRole token): the pharmacy-client role's limits on key type, names, SANs and TTL, the
 * answer shapes vault-pki.ts reads, the endpoints served without a token, and how revocation
 * reaches the CRL.
 */
const MOUNT = 'pki-pharmacies';
const MAX_TTL_SECONDS = 9528 * 3600; // the role's max_ttl (397 days)

let bao: GatewayOpenBao;
let gateway: string;
const call = (method: string, apiPath: string, body?: unknown, token = gateway) => bao.server.api(method, `/v1/${MOUNT}/${apiPath}`, body, token);
const sign = async (body: Record<string, unknown>) => call('POST', 'sign/pharmacy-client', body);
/** A serial as a number: OpenBao writes `3c:57:…`, node and the CRL plain hex, with or without a leading zero. */
const serialValue = (hex: string) => BigInt(`0x${hex.replaceAll(':', '')}`);
const crlSerials = async () => new x509.X509Crl(((await call('GET', 'cert/crl', undefined, '')).body.data as { certificate: string }).certificate).entries.map((e) => serialValue(e.serialNumber));

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
    gateway = await bao.login('gateway');
  }, 60_000);
  afterAll(() => bao?.stop());

  describe('the pharmacy-client role of a real OpenBao', () => {
    it('signs a CSR into a clientAuth-only certificate, answering certificate, issuing_ca, ca_chain, colon-separated serial and expiration', async () => {
      const { status, body } = await sign({ csr: await certificateRequest('759999907'), common_name: '759999907', ttl: '24h', exclude_cn_from_sans: true });
      expect(status).toBe(200);
      const data = body.data as { certificate: string; issuing_ca: string; serial_number: string; expiration: number };
      expect(data).toMatchObject({ certificate: expect.stringContaining('BEGIN CERTIFICATE'), issuing_ca: expect.stringContaining('BEGIN CERTIFICATE'), ca_chain: [expect.any(String)], serial_number: expect.stringMatching(/^[0-9a-f]{2}(:[0-9a-f]{2})+$/), expiration: expect.any(Number) });
      const cert = new X509Certificate(data.certificate);
      expect(serialValue(cert.serialNumber)).toBe(serialValue(data.serial_number));
      expect(Date.parse(cert.validTo) / 1000).toBe(data.expiration);
      expect(cert.subject).toBe('CN=759999907');
      expect(cert.subjectAltName).toBeUndefined();
      expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
      expect(cert.ca).toBe(false);
      expect(cert.checkIssued(new X509Certificate(data.issuing_ca))).toBe(true);
    });

    it('caps a TTL above the role max_ttl, with a warning', async () => {
      const { status, body } = await sign({ csr: await certificateRequest('759999907'), ttl: '20000h' });
      expect(status).toBe(200);
      expect(body.warnings).toEqual([expect.stringContaining('maxTTL is being used')]);
      expect((body.data as { expiration: number }).expiration - Date.now() / 1000).toBeLessThanOrEqual(MAX_TTL_SECONDS);
    });

    it('refuses what the role forbids (400): RSA keys, wildcard names, IP and URI SANs', async () => {
      const rsa = await certificateRequest('759999907', { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' });
      expect(await sign({ csr: rsa })).toMatchObject({ status: 400, body: { errors: ['role requires keys of type ec'] } });
      expect(await sign({ csr: await certificateRequest('*.pharmacie.example') })).toMatchObject({ status: 400, body: { errors: [expect.stringContaining('not allowed by this role')] } });
      expect(await sign({ csr: await certificateRequest('759999907'), ip_sans: '10.0.0.1' })).toMatchObject({ status: 400, body: { errors: [expect.stringContaining('IP Subject Alternative Names are not allowed in this role')] } });
      expect(await sign({ csr: await certificateRequest('759999907'), uri_sans: 'spiffe://pharmacie/759999907' })).toMatchObject({ status: 400, body: { errors: [expect.stringContaining('URI Subject Alternative Names are not allowed in this role')] } });
    });

    it('answers 403 to sign and revoke without a token, and serves the CA and CRL without one', async () => {
      expect((await call('POST', 'sign/pharmacy-client', { csr: await certificateRequest('759999907') }, '')).status).toBe(403);
      expect((await call('POST', 'revoke', { serial_number: '01:02' }, '')).status).toBe(403);
      const ca = await bao.server.api('GET', `/v1/${MOUNT}/ca/pem`, undefined, '');
      expect(ca).toMatchObject({ status: 200, body: { raw: expect.stringContaining('BEGIN CERTIFICATE') } });
      expect(await call('GET', 'cert/ca', undefined, '')).toMatchObject({ status: 200, body: { data: { certificate: ca.body.raw } } });
      expect(await call('GET', 'crl/pem', undefined, '')).toMatchObject({ status: 200, body: { raw: expect.stringContaining('BEGIN X509 CRL') } });
    });

    it('revokes by serial once (a second revoke answers the same time) and refuses an unknown serial', async () => {
      const serial = ((await sign({ csr: await certificateRequest('759999915') })).body.data as { serial_number: string }).serial_number;
      const first = await call('POST', 'revoke', { serial_number: serial });
      expect(first).toMatchObject({ status: 200, body: { data: { revocation_time: expect.any(Number), state: 'revoked' } } });
      expect((await call('POST', 'revoke', { serial_number: serial })).body.data).toEqual(first.body.data);
      expect(await call('POST', 'revoke', { serial_number: 'ab:cd' })).toMatchObject({ status: 400 });
    });

    it('leaves a revoked serial out of the CRL under auto_rebuild until the CRL is rotated, as the gateway does after each revoke', async () => {
      const serial = ((await sign({ csr: await certificateRequest('759999923') })).body.data as { serial_number: string }).serial_number;
      expect((await call('POST', 'revoke', { serial_number: serial })).status).toBe(200);
      expect(await crlSerials()).not.toContain(serialValue(serial));
      expect((await call('GET', 'crl/rotate')).status).toBe(200);
      expect(await crlSerials()).toContain(serialValue(serial));
    });
  });
} else {
  describe('the pharmacy-client role of a real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
