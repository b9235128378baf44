import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFound, RegistryConflict, ValidationFailed } from '../../gateway/src/errors.js';
import { addPharmacy, issueCertificate, listCertificates, publishCrl, registerCertificate, revokeCertificate } from '../../gateway/src/pharmacies/index.js';
import { createDevCa, createDevCertificateAuthority, issueClientCertificate, type CertificateAuthority } from '../../gateway/src/pki/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const actor = { type: 'user' as const, id: 'cli:tester' };
const FINESS = '759901002';
let db: TestDatabase;
let signer: CertificateAuthority;
let caPem: string;

beforeAll(async () => {
  db = await testDatabase();
  const ca = await createDevCa();
  caPem = ca.certPem;
  signer = createDevCertificateAuthority({ ca, clientValidityDays: 45, crlValidityDays: 7 });
  await addPharmacy(db.owner, { finess: FINESS, name: 'Pharmacie des certificats', actor });
});
afterAll(() => db.drop());

const latestCrl = () => db.owner.selectFrom('certificate_revocation_lists').selectAll().orderBy('crl_number', 'desc').executeTakeFirstOrThrow();

describe('the certificate registry', () => {
  it('issues ECDSA P-256 client certificates for the FINESS with the configured validity', async () => {
    const { certificate, registered } = await issueCertificate(db.owner, signer, { pharmacy: FINESS, actor });
    const cert = new X509Certificate(certificate.certPem);
    expect(cert.subject).toBe(`CN=${FINESS}`);
    expect(cert.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(Math.round((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000)).toBe(45);
    expect(registered).toMatchObject({ finess: FINESS, origin: 'issued', serialNumber: cert.serialNumber.toLowerCase(), revokedAt: null });
    // the key leaves once, to the caller: the registry has no column for it
    expect(JSON.stringify(await db.owner.selectFrom('client_certificates').selectAll().execute())).not.toContain('PRIVATE KEY');
  });

  it('signs a CRL listing a revoked certificate by serial and reason, verifiable with the CA key', async () => {
    const [issued] = await listCertificates(db.owner, { pharmacy: FINESS });
    const { revoked, crlPublished } = await revokeCertificate(db.owner, signer, { fingerprint: issued!.fingerprint, reason: 'keyCompromise', actor });
    expect(crlPublished).toBe(true);
    expect(revoked).toMatchObject({ revokedAt: expect.any(Date), revocationReason: 'keyCompromise' });
    const row = await latestCrl();
    const crl = new x509.X509Crl(row.pem);
    expect(await crl.verify({ publicKey: new x509.X509Certificate(caPem) }, webcrypto)).toBe(true);
    expect(crl.entries.map((e) => ({ serial: e.serialNumber, reason: e.reason }))).toEqual([{ serial: issued!.serialNumber, reason: x509.X509CrlReason.keyCompromise }]);
    expect(row.next_update.getTime() - row.this_update.getTime()).toBe(7 * 86_400_000);
    await expect(revokeCertificate(db.owner, signer, { fingerprint: issued!.fingerprint, reason: 'superseded', actor })).rejects.toEqual(new RegistryConflict('already-revoked'));
    await expect(revokeCertificate(db.owner, signer, { fingerprint: 'ab'.repeat(32), reason: 'superseded', actor })).rejects.toBeInstanceOf(NotFound);
  });

  it('re-signs the CRL on demand (`gateway cert crl`) with the same entries and a later number', async () => {
    const before = await latestCrl();
    expect(await publishCrl(db.owner, signer, actor)).toMatchObject({ entries: 1 });
    const after = await latestCrl();
    expect(Number(after.crl_number)).toBeGreaterThan(Number(before.crl_number));
    expect(new x509.X509Crl(after.pem).entries.map((e) => e.serialNumber)).toEqual(new x509.X509Crl(before.pem).entries.map((e) => e.serialNumber));
  });

  it('registers an external CA certificate by fingerprint and revokes it without a CRL', async () => {
    const external = await issueClientCertificate(await createDevCa(), { commonName: FINESS });
    const registered = await registerCertificate(db.owner, { pharmacy: FINESS, certPem: external.certPem, actor });
    expect(registered).toMatchObject({ origin: 'registered', serialNumber: null });
    await expect(registerCertificate(db.owner, { pharmacy: FINESS, certPem: external.certPem, actor })).rejects.toEqual(new RegistryConflict('certificate-exists'));
    const before = await latestCrl();
    expect(await revokeCertificate(db.owner, signer, { fingerprint: registered.fingerprint, reason: 'cessationOfOperation', actor })).toMatchObject({ crlPublished: false });
    expect((await latestCrl()).crl_number).toBe(before.crl_number);
  });

  it('refuses to register a CA certificate, an expired one, or text that is no certificate', async () => {
    const ca = await createDevCa();
    const expired = await issueClientCertificate(ca, { commonName: FINESS, notBefore: new Date(Date.now() - 3 * 86_400_000), validityDays: 1 });
    for (const [certPem, code] of [
      [ca.certPem, 'certificate-not-client'],
      [expired.certPem, 'certificate-expired'],
      ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'certificate-format'],
    ] as const) {
      const refused = await registerCertificate(db.owner, { pharmacy: FINESS, certPem, actor }).catch((e: unknown) => e);
      expect((refused as ValidationFailed).errors).toEqual([{ pointer: '/certificate', code }]);
    }
  });

  it('audits every change with the operator as actor', async () => {
    const events = await db.owner.selectFrom('audit_events').select(['action', 'actor_id']).where('action', 'like', 'c%').orderBy('seq').execute();
    expect(events.map((e) => e.action)).toEqual(['certificate.issue', 'certificate.revoke', 'crl.publish', 'crl.publish', 'certificate.register', 'certificate.revoke']);
    expect(new Set(events.map((e) => e.actor_id))).toEqual(new Set(['cli:tester']));
  });

  it('lets the runtime role read CRLs but never write them', async () => {
    expect((await db.runtime.selectFrom('certificate_revocation_lists').select('crl_number').execute()).length).toBeGreaterThan(0);
    await expect(
      db.runtime.insertInto('certificate_revocation_lists').values({ issuer_fingerprint: 'ab'.repeat(32), this_update: new Date(), next_update: new Date(), pem: 'x', entries: 0 }).execute(),
    ).rejects.toThrow(/permission denied/);
    await expect(db.runtime.updateTable('client_certificates').set({ revoked_at: null }).execute()).rejects.toThrow(/permission denied/);
  });
});
