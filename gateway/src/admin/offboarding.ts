import { sql, type RawBuilder } from 'kysely';
import { readStatistics } from './statistics.js';
import type { StatisticsRow } from '../api-types.js';
import { appendAudit } from '../audit/append.js';
import { revokeEnrolment } from '../auth/enrolments.js';
import { inTransaction, type Database, type Tx } from '../db/index.js';
import { RegistryConflict } from '../errors.js';
import type { CertificateAuthority } from '../pki/index.js';
import { IN_FLIGHT_STATUSES } from '../results/lifecycle/index.js';
import { revokeCertificate } from '../pharmacies/certificates.js';
import { deactivatePharmacy, findPharmacy, type Actor, type Pharmacy } from '../pharmacies/registry.js';

/** Where an offboarding stands after a run. */
export interface OffboardingProgress {
  pharmacyId: string;
  finess: string;
  name: string;
  /** `offboarding` while deliveries are pending (run it again later), `offboarded` once none is. */
  state: 'offboarding' | 'offboarded';
  /** Results whose delivery, correction or cancellation the relay has yet to settle. */
  pending: number;
  /** Revoked by this run (a run again finds none left). */
  certificatesRevoked: number;
  enrolmentsRevoked: number;
}

/** A result's receipt as the export gives it: no personal or health value. */
export interface OffboardingReceipt {
  id: string;
  status: string;
  corrects: string | null;
  receivedAt: Date;
  deliveredAt: Date | null;
  cancelledAt: Date | null;
  sidepAckId: string | null;
}

/** What a pharmacy leaving the chain takes with it: its receipts and its monthly volumes. */
export interface OffboardingExport {
  finess: string;
  name: string;
  exportedAt: Date;
  receipts: OffboardingReceipt[];
  statistics: StatisticsRow[];
}

export interface OffboardingDeps {
  /** Reads, and enrolment revocations (`revoke_enrolment`). */
  db: Database;
  /** The configured CA: a certificate it issued is revoked there too, with a new CRL. */
  ca: CertificateAuthority;
  /** Runs one registry change: as is for the CLI (owner), as the registrar role for the admin UI. */
  registry: <T>(change: (tx: Database | Tx) => Promise<T>) => Promise<T>;
}

/**
 * Offboards a pharmacy, each step through the path that already does it and audits it: intake
 * stops (deactivation: its certificates answer 401 at once), the offboarding is marked started
 * (`pharmacy.offboard` reason `started`), every certificate is revoked (`certificate.revoke`,
 * `cessationOfOperation`, with a new CRL when the configured CA issued it) and every enrolment
 * on the pharmacy (`enrolment.revoke`). The relay keeps delivering its queue; once no delivery
 * is pending the offboarding completes (`pharmacy.offboard` reason `completed`) and the purge
 * destroys the personal data of its settled results at its next run, retention or not.
 * Idempotent: a run again does only what is left, so an operator re-runs it until `offboarded`.
 *
 * @param reference FINESS or pharmacy id
 * @throws NotFound; ServiceUnavailable when the CA fails (what was done stays done; run again)
 */
export async function offboardPharmacy(d: OffboardingDeps, o: { reference: string; actor: Actor }): Promise<OffboardingProgress> {
  const pharmacy = await d.registry((tx) => startOffboarding(tx, o));
  let certificatesRevoked = 0;
  for (const { fingerprint } of await d.db.selectFrom('client_certificates').select('fingerprint').where('pharmacy_id', '=', pharmacy.id).where('revoked_at', 'is', null).execute()) {
    if (await alreadyRevokedIsFine(() => d.registry((tx) => revokeCertificate(tx, d.ca, { fingerprint, reason: 'cessationOfOperation', actor: o.actor })))) certificatesRevoked++;
  }
  let enrolmentsRevoked = 0;
  for (const { id } of await d.db.selectFrom('enrolments').select('id').where('pharmacy_id', '=', pharmacy.id).where('revoked_at', 'is', null).execute()) {
    if (await revokeEnrolment(d.db, id, o.actor)) enrolmentsRevoked++;
  }
  const pending = await pendingResults(d.db, pharmacy.id);
  if (pending === 0) await d.registry((tx) => completeOffboarding(tx, pharmacy.id, o.actor));
  return { pharmacyId: pharmacy.id, finess: pharmacy.finess, name: pharmacy.name, state: pending === 0 ? 'offboarded' : 'offboarding', pending, certificatesRevoked, enrolmentsRevoked };
}

/**
 * The pharmacy's receipts (ids, statuses, instants, SI-DEP acknowledgements) and its statistics
 * by month since its first result, as the statistics page counts them. Receipts outlive the
 * purge, so the export stays whole after it.
 * @throws NotFound
 */
export async function exportOffboarding(db: Database, reference: string): Promise<OffboardingExport> {
  const pharmacy = await findPharmacy(db, reference);
  const receipts = await db
    .selectFrom('test_results')
    .select(['id', 'status', 'corrects', 'received_at as receivedAt', 'delivered_at as deliveredAt', 'cancelled_at as cancelledAt', 'sidep_ack_id as sidepAckId'])
    .where('pharmacy_id', '=', pharmacy.id)
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  const paris = (t: RawBuilder<unknown>) => sql<string>`to_char(${t} at time zone 'Europe/Paris', 'YYYY-MM-DD')`;
  const span = await db
    .selectFrom('test_results')
    .select([paris(sql`coalesce(min(received_at), now())`).as('from'), paris(sql`now()`).as('to')])
    .where('pharmacy_id', '=', pharmacy.id)
    .executeTakeFirstOrThrow();
  const statistics = await readStatistics(db, { all: false, pharmacyIds: [pharmacy.id] }, { period: 'month', from: span.from, to: span.to, format: 'csv' });
  return { finess: pharmacy.finess, name: pharmacy.name, exportedAt: new Date(), receipts, statistics };
}

async function startOffboarding(db: Database | Tx, o: { reference: string; actor: Actor }): Promise<Pharmacy> {
  return inTransaction(db, async (tx) => {
    const pharmacy = await findPharmacy(tx, o.reference, { forUpdate: true });
    if (pharmacy.active) await deactivatePharmacy(tx, o);
    const started = await tx
      .updateTable('pharmacies')
      .set({ offboarding_started_at: sql<Date>`now()` })
      .where('id', '=', pharmacy.id)
      .where('offboarding_started_at', 'is', null)
      .executeTakeFirst();
    if (started.numUpdatedRows > 0n) await appendAudit(tx, [{ actor: o.actor, action: 'pharmacy.offboard', object: { type: 'pharmacy', id: pharmacy.id }, outcome: 'success', reason: 'started' }]);
    return pharmacy;
  });
}

async function completeOffboarding(db: Database | Tx, pharmacyId: string, actor: Actor): Promise<void> {
  return inTransaction(db, async (tx) => {
    const done = await tx
      .updateTable('pharmacies')
      .set({ offboarded_at: sql<Date>`now()` })
      .where('id', '=', pharmacyId)
      .where('offboarded_at', 'is', null)
      .executeTakeFirst();
    if (done.numUpdatedRows > 0n) await appendAudit(tx, [{ actor, action: 'pharmacy.offboard', object: { type: 'pharmacy', id: pharmacyId }, outcome: 'success', reason: 'completed' }]);
  });
}

/** Results still on their way to SI-DEP, or with a correction or cancellation to deliver. */
async function pendingResults(db: Database, pharmacyId: string): Promise<number> {
  const row = await db
    .selectFrom('test_results as r')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('r.pharmacy_id', '=', pharmacyId)
    .where((eb) =>
      eb.or([
        eb('r.status', 'in', IN_FLIGHT_STATUSES),
        eb.exists(eb.selectFrom('outbox_messages as m').select('m.id').whereRef('m.result_id', '=', 'r.id').where('m.state', '=', 'pending')),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A certificate revoked meanwhile by someone else is as good as revoked by this run: false. */
async function alreadyRevokedIsFine(revoke: () => Promise<unknown>): Promise<boolean> {
  try {
    await revoke();
    return true;
  } catch (e) {
    if (e instanceof RegistryConflict && e.reason === 'already-revoked') return false;
    throw e;
  }
}
