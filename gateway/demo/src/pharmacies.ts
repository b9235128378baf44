import { X509Certificate } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '@sidep-gateway/gateway/db/index.js';
import { certificateFingerprint } from '@sidep-gateway/gateway/pki/index.js';

/** The demo's two pharmacies (DESIGN, "Demo file"): synthetic FINESS numbers. */
export const DEMO_PHARMACIES = [
  { finess: '759999907', name: 'Pharmacie de démonstration — Paris 1' },
  { finess: '759999915', name: 'Pharmacie de démonstration — Paris 2' },
] as const;

/** Registers a pharmacy and its client certificate (by fingerprint), idempotently. */
export async function registerPharmacy(db: Database, o: { finess: string; name: string; certPem: string }): Promise<string> {
  const row = await db
    .insertInto('pharmacies')
    .values({ finess: o.finess, name: o.name })
    .onConflict((oc) => oc.column('finess').doUpdateSet({ name: sql`excluded.name` }))
    .returning('id')
    .executeTakeFirstOrThrow();
  const cert = new X509Certificate(o.certPem);
  await db
    .insertInto('client_certificates')
    .values({ fingerprint: certificateFingerprint(o.certPem), pharmacy_id: row.id, subject: cert.subject, not_after: new Date(cert.validTo), revoked_at: null })
    .onConflict((oc) => oc.column('fingerprint').doNothing())
    .execute();
  return row.id;
}
