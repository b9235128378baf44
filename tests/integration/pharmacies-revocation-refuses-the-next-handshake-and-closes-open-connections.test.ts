import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPharmacy, deactivatePharmacy, issueCertificate, revokeCertificate } from '../../gateway/src/pharmacies/index.js';
import { createDevCertificateAuthority, type CertificateAndKey, type CertificateAuthority } from '../../gateway/src/pki/index.js';
import { eventually, startHarness, type Harness } from '../support/gateway-harness.js';
import { keepAliveConnection, requestOnce } from '../support/mtls-request.js';

// A pharmacy added and its certificates issued through the registry, against a live gateway:
// revocation must reach the next handshake (CRL reloaded) and the open keep-alive connection
// (closed) within seconds, without a restart, and leave the other certificate working.
const FINESS = '759901002';
const actor = { type: 'user' as const, id: 'cli:tester' };

let h: Harness;
let signer: CertificateAuthority;
const issued: { certificate: CertificateAndKey; fingerprint: string }[] = [];
const credentials = (c: CertificateAndKey) => ({ ca: h.pki.ca.certPem, cert: c.certPem, key: c.keyPem });

beforeAll(async () => {
  h = await startHarness({ pki: { revocationPollMs: 250 } });
  signer = createDevCertificateAuthority({ ca: h.pki.ca, clientValidityDays: 30, crlValidityDays: 7 });
  await addPharmacy(h.db.owner, { finess: FINESS, name: 'Pharmacie de la révocation', actor });
  for (let i = 0; i < 2; i++) {
    const { certificate, registered } = await issueCertificate(h.db.owner, signer, { pharmacy: FINESS, actor });
    issued.push({ certificate, fingerprint: registered.fingerprint });
  }
}, 60_000);
afterAll(() => h?.close());

describe('revoking a certificate on a live intake listener', () => {
  it('refuses its next handshake, closes its open connection, and keeps the overlapping certificate working', async () => {
    const [revoked, kept] = issued as [(typeof issued)[0], (typeof issued)[0]];
    const connection = await keepAliveConnection(h.gateway.intakePort, credentials(revoked.certificate));
    expect(connection.status).toBe(200);
    expect(await connection.get()).toBe(200); // the same socket, reused

    const { crlPublished } = await revokeCertificate(h.db.owner, signer, { fingerprint: revoked.fingerprint, reason: 'keyCompromise', actor });
    expect(crlPublished).toBe(true);

    await connection.closed(); // the listener ended it; no timeout wrapper: the test's own limit applies
    // No HTTP answer at all: the reloaded CRL refuses the handshake. (The fingerprint table alone
    // answers 401, as intake-authenticates-every-caller-by-certificate shows.)
    await eventually(async () => ('error' in (await requestOnce(h.gateway.intakePort, credentials(revoked.certificate))) ? true : undefined));
    expect(await requestOnce(h.gateway.intakePort, credentials(revoked.certificate), { maxVersion: 'TLSv1.2' })).toEqual({ error: expect.any(String) });
    expect(await requestOnce(h.gateway.intakePort, credentials(kept.certificate))).toEqual({ status: 200 });
    connection.destroy();
  }, 30_000);

  it('does not load a CRL past its nextUpdate: every certificate still handshakes, the revoked one answers 401', async () => {
    const [revoked, kept] = issued as [(typeof issued)[0], (typeof issued)[0]];
    const expired = await h.db.owner.selectFrom('certificate_revocation_lists').selectAll().orderBy('crl_number', 'desc').executeTakeFirstOrThrow();
    await h.db.owner
      .insertInto('certificate_revocation_lists')
      .values({ issuer_fingerprint: expired.issuer_fingerprint, this_update: new Date(Date.now() - 2 * 86_400_000), next_update: new Date(Date.now() - 86_400_000), pem: expired.pem, entries: expired.entries })
      .execute();
    // OpenSSL would refuse every certificate of the CA with an expired CRL loaded
    const answer = await eventually(async () => {
      const outcome = await requestOnce(h.gateway.intakePort, credentials(revoked.certificate));
      return 'status' in outcome ? outcome : undefined;
    });
    expect(answer).toEqual({ status: 401 });
    expect(await requestOnce(h.gateway.intakePort, credentials(kept.certificate))).toEqual({ status: 200 });
    expect(h.logs.some((l) => l.includes('past its nextUpdate'))).toBe(true);
  });

  it('closes the open connections of a pharmacy when it is deactivated', async () => {
    const kept = issued[1] as (typeof issued)[0];
    const connection = await keepAliveConnection(h.gateway.intakePort, credentials(kept.certificate));
    expect(connection.status).toBe(200);
    await deactivatePharmacy(h.db.owner, { reference: FINESS, actor });
    await connection.closed();
    expect(await requestOnce(h.gateway.intakePort, credentials(kept.certificate))).toEqual({ status: 401 });
    connection.destroy();
  });
});
