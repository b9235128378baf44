import { once } from 'node:events';
import { connect } from 'node:tls';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryConflict } from '../../gateway/src/errors.js';
import { addPharmacy, issueCertificate } from '../../gateway/src/pharmacies/index.js';
import { certificateFingerprint, createDevCertificateAuthority, issueClientCertificate, type CertificateAndKey, type CertificateAuthority } from '../../gateway/src/pki/index.js';
import { PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { requestOnce } from '../support/mtls-request.js';

// Real handshakes against the intake listener a gateway runs (not a bare TLS server): the
// protocol floor, the suites, certificate validity, rotation overlap and the expiry signal.
const actor = { type: 'user' as const, id: 'cli:tester' };
const DAY_MS = 86_400_000;

let h: Harness;
let signer: CertificateAuthority;
const credentials = (c: CertificateAndKey) => ({ ca: h.pki.ca.certPem, cert: c.certPem, key: c.keyPem });
const pharmacyA = () => h.pki.clients[PHARMACY_A] as CertificateAndKey;

beforeAll(async () => {
  h = await startHarness();
  signer = createDevCertificateAuthority({ ca: h.pki.ca, clientValidityDays: 90, crlValidityDays: 7 });
}, 60_000);
afterAll(() => h?.close());

describe('the intake listener', () => {
  it('answers a pharmacy over TLS 1.3 and TLS 1.2', async () => {
    expect(await requestOnce(h.gateway.intakePort, credentials(pharmacyA()))).toEqual({ status: 200 });
    expect(await requestOnce(h.gateway.intakePort, credentials(pharmacyA()), { maxVersion: 'TLSv1.2' })).toEqual({ status: 200 });
  });

  it.each([
    // SECLEVEL=0 lets the client offer the old protocols at all, so the refusal is the server's.
    ['TLS 1.0', { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, /protocol version/],
    ['TLS 1.1', { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, /protocol version/],
    ['a TLS 1.2 CBC suite', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256' }, /handshake failure/],
    ['a TLS 1.2 static-RSA suite', { maxVersion: 'TLSv1.2', ciphers: 'AES256-GCM-SHA384' }, /handshake failure/],
    ['a TLS 1.3 suite outside the list', { ciphers: 'TLS_AES_128_CCM_SHA256' }, /handshake failure/],
  ] as const)('refuses %s', async (_case, options, reason) => {
    expect(await requestOnce(h.gateway.intakePort, credentials(pharmacyA()), options)).toEqual({ error: expect.stringMatching(reason) });
  });

  it('refuses TLS 1.2 renegotiation, so a connection keeps the certificate of its handshake', async () => {
    const socket = connect({ port: h.gateway.intakePort, host: '127.0.0.1', servername: 'localhost', maxVersion: 'TLSv1.2', ...credentials(pharmacyA()) });
    await once(socket, 'secureConnect');
    // the server answers a renegotiation request with a fatal alert and closes the connection
    const outcome = await new Promise<string>((resolve) => {
      socket.once('error', (e) => resolve(e.message));
      socket.once('close', () => resolve('closed'));
      socket.renegotiate({}, (e) => resolve(e ? e.message : 'renegotiated'));
      // a request drives the renegotiation handshake through the connection
      socket.write('GET /api/v1/openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    socket.destroy();
    expect(outcome).not.toBe('renegotiated');
    expect(await requestOnce(h.gateway.intakePort, credentials(pharmacyA()), { maxVersion: 'TLSv1.2' })).toEqual({ status: 200 });
  });

  it('refuses the handshake of an expired certificate even when its fingerprint is registered', async () => {
    const expired = await issueClientCertificate(h.pki.ca, { commonName: PHARMACY_A, notBefore: new Date(Date.now() - 10 * DAY_MS), validityDays: 1 });
    // registered and not revoked: the only thing wrong with it is its date; no HTTP answer (the
    // fingerprint table would answer 401) shows the handshake refused it
    await h.db.owner
      .insertInto('client_certificates')
      .values({ fingerprint: certificateFingerprint(expired.certPem), pharmacy_id: h.pharmacyIds[PHARMACY_A] as string, subject: 'expired', not_after: new Date(Date.now() - 9 * DAY_MS), revoked_at: null })
      .execute();
    expect(await requestOnce(h.gateway.intakePort, credentials(expired))).toEqual({ error: expect.any(String) });
    expect(await requestOnce(h.gateway.intakePort, credentials(expired), { maxVersion: 'TLSv1.2' })).toEqual({ error: expect.any(String) });
  });

  it('accepts two overlapping certificates of one pharmacy and refuses to issue a third', async () => {
    const { certificate: second } = await issueCertificate(h.db.owner, signer, { pharmacy: PHARMACY_A, actor });
    // the harness certificate and the expired one of the previous test do not count: two valid now
    expect(await requestOnce(h.gateway.intakePort, credentials(pharmacyA()))).toEqual({ status: 200 });
    expect(await requestOnce(h.gateway.intakePort, credentials(second))).toEqual({ status: 200 });
    await expect(issueCertificate(h.db.owner, signer, { pharmacy: PHARMACY_A, actor })).rejects.toEqual(new RegistryConflict('certificate-limit'));
  });

  it('exports days to the nearest expiry per pharmacy and warns 30 days before', async () => {
    const soon = await addPharmacy(h.db.owner, { finess: '759901010', name: 'Pharmacie du renouvellement', actor });
    await issueCertificate(h.db.owner, createDevCertificateAuthority({ ca: h.pki.ca, clientValidityDays: 10, crlValidityDays: 7 }), { pharmacy: soon.finess, actor });
    await h.restartGateway(); // the monitor checks at start, then every minute
    const res = await request(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } });
    const text = await res.body.text();
    const days = (id: string) => Number(new RegExp(`^gateway_certificate_expiry_days\\{pharmacy="${id}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(days(soon.id)).toBeGreaterThan(9);
    expect(days(soon.id)).toBeLessThan(10);
    expect(days(h.pharmacyIds[PHARMACY_A] as string)).toBeGreaterThan(80); // the nearest of its two: the 90-day one
    const warnings = h.logs.filter((l) => l.includes('expires soon')).map((l) => JSON.parse(l) as { pharmacyId: string; level: number });
    expect(warnings).toEqual([expect.objectContaining({ pharmacyId: soon.id, level: 40 })]);
  });
});
