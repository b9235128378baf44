import { X509Certificate } from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit } from '../audit/append.js';
import { inTransaction, type Database, type RevocationReason, type Tx } from '../db/index.js';
import { NotFound, RegistryConflict, ValidationFailed } from '../errors.js';
import { certificateFingerprint, type CertificateAuthority, type IssuedCertificate } from '../pki/index.js';
import { findPharmacy, type Actor } from './registry.js';

/** Rotation overlap: a pharmacy installs its new certificate before the old one is revoked. */
export const MAX_VALID_CERTIFICATES = 2;

/** A certificate in the registry, without its key (the gateway never keeps one). */
export interface RegisteredCertificate {
  fingerprint: string;
  pharmacyId: string;
  finess: string;
  origin: 'issued' | 'registered';
  serialNumber: string | null;
  notBefore: Date | null;
  notAfter: Date;
  revokedAt: Date | null;
  revocationReason: RevocationReason | null;
}

/**
 * Issues a client certificate (ECDSA P-256, CN = FINESS, EKU clientAuth) with the configured CA
 * for an active pharmacy that has fewer than two valid ones, and registers it by fingerprint and
 * serial. The key is returned once and never stored. Audited as `certificate.issue`.
 *
 * @param db the database, or the caller's transaction (the admin UI's registrar transaction)
 * @throws NotFound, RegistryConflict `pharmacy-inactive` | `certificate-limit` | `ca-issues-nothing` (external CA);
 *   ServiceUnavailable when Vault PKI fails (nothing is registered)
 */
export async function issueCertificate(
  db: Database | Tx,
  ca: CertificateAuthority,
  o: { pharmacy: string; actor: Actor },
): Promise<{ certificate: IssuedCertificate; registered: RegisteredCertificate }> {
  return inTransaction(db, async (tx) => {
    const pharmacy = await lockForNewCertificate(tx, o.pharmacy);
    const certificate = await ca.issueClientCertificate({ commonName: pharmacy.finess });
    const registered = await insertCertificate(tx, pharmacy, certificate.certPem, { origin: 'issued', issuer: ca.issuerFingerprint ?? null, actor: o.actor });
    return { certificate, registered };
  });
}

/**
 * Registers a certificate an external CA issued to a pharmacy, by fingerprint (the intake
 * listener must trust that CA through `intake.clientCaFile`). Audited as `certificate.register`.
 *
 * @throws ValidationFailed `/certificate` (certificate-format, certificate-expired, certificate-not-client)
 * @throws NotFound, RegistryConflict
 */
export async function registerCertificate(db: Database | Tx, o: { pharmacy: string; certPem: string; actor: Actor }): Promise<RegisteredCertificate> {
  const problem = externalCertificateProblem(o.certPem);
  if (problem) throw new ValidationFailed([{ pointer: '/certificate', code: problem }]);
  return inTransaction(db, async (tx) => {
    const pharmacy = await lockForNewCertificate(tx, o.pharmacy);
    return insertCertificate(tx, pharmacy, o.certPem, { origin: 'registered', issuer: null, actor: o.actor });
  });
}

/**
 * Revokes a certificate by fingerprint. Its next request answers 401 and the listener closes
 * its open connections within seconds. When the configured CA issued it, the CA revokes it too
 * (Vault PKI: `revoke` by serial, before the registry commits) and its new CRL is stored in the
 * same transaction, so the next handshake is refused. Audited as `certificate.revoke`.
 *
 * @param ca the configured CA; a certificate of another CA (external, or before a CA change) is refused by fingerprint only
 * @throws NotFound, RegistryConflict `already-revoked`; ServiceUnavailable when Vault PKI fails (nothing changes)
 */
export async function revokeCertificate(
  db: Database | Tx,
  ca: CertificateAuthority,
  o: { fingerprint: string; reason: RevocationReason; actor: Actor },
): Promise<{ revoked: RegisteredCertificate; crlPublished: boolean }> {
  return inTransaction(db, async (tx) => {
    const current = await certificateRows(tx).where('c.fingerprint', '=', o.fingerprint).forUpdate().executeTakeFirst();
    if (!current) throw new NotFound();
    if (current.revoked_at) throw new RegistryConflict('already-revoked');
    await tx
      .updateTable('client_certificates')
      .set({ revoked_at: sql<Date>`now()`, revocation_reason: o.reason, revoked_by: o.actor.id ?? null })
      .where('fingerprint', '=', o.fingerprint)
      .execute();
    await appendAudit(tx, [{ actor: o.actor, action: 'certificate.revoke', object: { type: 'client-certificate', id: o.fingerprint }, outcome: 'success', reason: o.reason }]);
    const ours = ca.issuerFingerprint !== undefined && current.origin === 'issued' && current.issuer === ca.issuerFingerprint;
    if (ours) {
      await ca.revoke(current.serial_number as string);
      await storeCrl(tx, ca, o.actor);
    }
    const revoked = await certificateRows(tx).where('c.fingerprint', '=', o.fingerprint).executeTakeFirstOrThrow();
    return { revoked: toCertificate(revoked), crlPublished: ours };
  });
}

/**
 * Stores the configured CA's current CRL, which the intake listener loads within seconds: the
 * dev CA signs a fresh one (valid `crlValidityDays`) listing what the registry revoked; Vault PKI
 * gives the one it keeps, stored only when it changed. `gateway cert crl` runs this before the
 * stored CRL's nextUpdate; the gateway does it on its own for Vault PKI. Audited as `crl.publish`.
 *
 * @throws RegistryConflict `ca-issues-nothing` for an external CA
 */
export function publishCrl(db: Database | Tx, ca: CertificateAuthority, actor: Actor): Promise<{ entries: number; nextUpdate: Date; stored: boolean }> {
  return inTransaction(db, (tx) => storeCrl(tx, ca, actor));
}

async function storeCrl(db: Tx, ca: CertificateAuthority, actor: Actor): Promise<{ entries: number; nextUpdate: Date; stored: boolean }> {
  const issuer = ca.issuerFingerprint;
  if (issuer === undefined) throw new RegistryConflict('ca-issues-nothing');
  // One writer at a time per CA, until commit: a later-numbered CRL then always includes every
  // revocation committed before it (two concurrent revokes could otherwise each miss the other's).
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`crl:${issuer}`}, 0))`.execute(db);
  const revoked = await db
    .selectFrom('client_certificates')
    .select(['serial_number', 'revoked_at', 'revocation_reason'])
    .where('issuer', '=', issuer)
    .where('origin', '=', 'issued')
    .where('revoked_at', 'is not', null)
    // an expired certificate fails the handshake anyway: keep the CRL short
    .where('not_after', '>', sql<Date>`now()`)
    .execute();
  const crl = await ca.currentCrl(revoked.map((r) => ({ serialNumber: r.serial_number as string, revokedAt: r.revoked_at as Date, reason: r.revocation_reason ?? 'unspecified' })));
  if (!crl) throw new RegistryConflict('ca-issues-nothing');
  const latest = await db.selectFrom('certificate_revocation_lists').select('pem').where('issuer_fingerprint', '=', issuer).orderBy('crl_number', 'desc').limit(1).executeTakeFirst();
  if (latest?.pem === crl.pem) return { entries: crl.entries, nextUpdate: crl.nextUpdate, stored: false };
  const row = await db
    .insertInto('certificate_revocation_lists')
    .values({ issuer_fingerprint: issuer, this_update: crl.thisUpdate, next_update: crl.nextUpdate, pem: crl.pem, entries: crl.entries })
    .returning('crl_number')
    .executeTakeFirstOrThrow();
  await appendAudit(db, [{ actor, action: 'crl.publish', object: { type: 'crl', id: String(row.crl_number) }, outcome: 'success' }]);
  return { entries: crl.entries, nextUpdate: crl.nextUpdate, stored: true };
}

/** Certificates, newest first; of one pharmacy (FINESS or id) when given. */
export async function listCertificates(db: Database, o: { pharmacy?: string } = {}): Promise<RegisteredCertificate[]> {
  let query = certificateRows(db).orderBy('c.created_at', 'desc');
  if (o.pharmacy !== undefined) query = query.where('c.pharmacy_id', '=', (await findPharmacy(db, o.pharmacy)).id);
  return (await query.execute()).map(toCertificate);
}

/** Per active pharmacy, the nearest expiry among its valid certificates (`null`: none valid). */
export async function nearestExpiryByPharmacy(db: Database): Promise<{ pharmacyId: string; finess: string; notAfter: Date | null }[]> {
  return db
    .selectFrom('pharmacies as p')
    .leftJoin('client_certificates as c', (j) => j.onRef('c.pharmacy_id', '=', 'p.id').on('c.revoked_at', 'is', null).on('c.not_after', '>', sql<Date>`now()`))
    .select(['p.id as pharmacyId', 'p.finess', (eb) => eb.fn.min('c.not_after').as('notAfter')])
    .where('p.active', '=', true)
    .groupBy(['p.id', 'p.finess'])
    .execute();
}

function certificateRows(db: Database | Tx) {
  return db
    .selectFrom('client_certificates as c')
    .innerJoin('pharmacies as p', 'p.id', 'c.pharmacy_id')
    .select(['c.fingerprint', 'c.pharmacy_id', 'p.finess', 'c.origin', 'c.serial_number', 'c.issuer', 'c.not_before', 'c.not_after', 'c.revoked_at', 'c.revocation_reason']);
}

type CertificateRow = Awaited<ReturnType<ReturnType<typeof certificateRows>['executeTakeFirstOrThrow']>>;

function toCertificate(r: CertificateRow): RegisteredCertificate {
  return {
    fingerprint: r.fingerprint,
    pharmacyId: r.pharmacy_id,
    finess: r.finess,
    origin: r.origin,
    serialNumber: r.serial_number,
    notBefore: r.not_before,
    notAfter: r.not_after,
    revokedAt: r.revoked_at,
    revocationReason: r.revocation_reason,
  };
}

/** The pharmacy, locked so two concurrent issues cannot both pass the two-certificate limit. */
async function lockForNewCertificate(tx: Tx, reference: string) {
  const pharmacy = await findPharmacy(tx, reference, { forUpdate: true });
  if (!pharmacy.active) throw new RegistryConflict('pharmacy-inactive');
  const { valid } = await tx
    .selectFrom('client_certificates')
    .select((eb) => eb.fn.countAll<string>().as('valid'))
    .where('pharmacy_id', '=', pharmacy.id)
    .where('revoked_at', 'is', null)
    .where('not_after', '>', sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  if (Number(valid) >= MAX_VALID_CERTIFICATES) throw new RegistryConflict('certificate-limit');
  return pharmacy;
}

async function insertCertificate(
  tx: Tx,
  pharmacy: { id: string },
  certPem: string,
  o: { origin: 'issued' | 'registered'; issuer: string | null; actor: Actor },
): Promise<RegisteredCertificate> {
  const cert = new X509Certificate(certPem);
  const fingerprint = certificateFingerprint(certPem);
  const inserted = await tx
    .insertInto('client_certificates')
    .values({
      fingerprint,
      pharmacy_id: pharmacy.id,
      subject: cert.subject,
      origin: o.origin,
      // node prints the serial in uppercase hex; the CRL and the unique index use lowercase
      serial_number: o.origin === 'issued' ? evenHex(cert.serialNumber) : null,
      issuer: o.issuer,
      not_before: new Date(cert.validFrom),
      not_after: new Date(cert.validTo),
      revoked_at: null,
      created_by: o.actor.id ?? null,
    })
    .onConflict((oc) => oc.column('fingerprint').doNothing())
    .returning('fingerprint')
    .executeTakeFirst();
  if (!inserted) throw new RegistryConflict('certificate-exists');
  await appendAudit(tx, [
    { actor: o.actor, action: o.origin === 'issued' ? 'certificate.issue' : 'certificate.register', object: { type: 'client-certificate', id: fingerprint }, outcome: 'success' },
  ]);
  return toCertificate(await certificateRows(tx).where('c.fingerprint', '=', fingerprint).executeTakeFirstOrThrow());
}

/** Node prints serials in uppercase hex without a leading zero; the CRL wants whole octets. */
function evenHex(serial: string): string {
  const hex = serial.toLowerCase();
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

function externalCertificateProblem(certPem: string): string | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return 'certificate-format';
  }
  if (cert.ca) return 'certificate-not-client';
  return Date.parse(cert.validTo) <= Date.now() ? 'certificate-expired' : undefined;
}
