import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { auditAppender, auditInsert } from '../../../gateway/src/audit/index.js';
import { createBlindIndex } from '../../../gateway/src/crypto/index.js';
import { openLocalKeyring } from '../../../gateway/src/keys/index.js';
import { createIntakeSchema, parseIntake, type TestResultInput } from '../../../gateway/src/results/index.js';
import { createKeyedResultSealer, indexColumns, requestFingerprints } from '../../../gateway/src/results/lifecycle/index.js';
import { PHARMACIES, type GatewayStack } from '../../crash/gateway-stack.js';
import { bulkAuditEvents, bulkResults } from '../../support/bulk-rows.js';
import { syntheticResult } from '../../support/synthetic-result.js';

/** Pharmacies of a chain at size (the 1,000), the stack's own included. */
export const CHAIN_PHARMACIES = 1_000;
const CHUNK = 1_000;

/** Adds the chain's other pharmacies (as the owner, who needs no registry event), returns every id. */
export async function chainPharmacies(stack: GatewayStack): Promise<string[]> {
  await sql`
    INSERT INTO pharmacies (finess, name)
    SELECT '66' || lpad(i::text, 7, '0'), 'Pharmacie ' || i FROM generate_series(1, ${CHAIN_PHARMACIES - PHARMACIES.length}) i
    ON CONFLICT (finess) DO NOTHING`.execute(stack.owner);
  return (await stack.owner.selectFrom('pharmacies').select('id').execute()).map((r) => r.id);
}

/**
 * The history a chain holds at size, in bulk (tests/support/bulk-rows.ts: receipts, results within
 * retention, dead letters, retries), then `auditEvents` events in transactions of 1,000, sealed
 * afterwards by the gateway's own sealer.
 */
export async function fillHistory(stack: GatewayStack, o: { results: number; auditEvents: number }): Promise<void> {
  const pharmacyIds = await chainPharmacies(stack);
  const from = Number((await stack.owner.selectFrom('test_results').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  await bulkResults(stack.ownerUrl, { pharmacyIds, count: o.results, from });
  if (o.auditEvents > 0) await bulkAuditEvents(stack.ownerUrl, { count: o.auditEvents });
}

/**
 * `count` results as intake leaves them (received, a pending message, an idempotency record, a
 * `result.create` event), each validated, indexed and sealed by the product's own code under the
 * stack's keyring, so that the relay opens and delivers them; written 1,000 a statement.
 */
export async function fillPending(stack: GatewayStack, count: number): Promise<void> {
  const keys = await openLocalKeyring(path.join(stack.dir, 'keyring.json'));
  const blindIndex = createBlindIndex(await keys.blindIndexKeys());
  const { guard, sealer } = createKeyedResultSealer<TestResultInput>({ keys, db: stack.owner, blindIndex });
  await guard.start();
  const schema = createIntakeSchema({ now: () => new Date(), maxPastDays: 7, allowExtendedNir: false });
  const pharmacies = await stack.owner.selectFrom('pharmacies').select(['id', 'finess']).where('finess', 'in', [...PHARMACIES]).execute();
  try {
    for (let done = 0; done < count; done += CHUNK) {
      const rows = await Promise.all(
        Array.from({ length: Math.min(CHUNK, count - done) }, async (_, k) => {
          const pharmacy = pharmacies[(done + k) % pharmacies.length] as { id: string; finess: string };
          // a minute of its own per result (the duplicate rule), within the days intake accepts
          const body = syntheticResult({ pharmacyFiness: pharmacy.finess }, new Date(Date.now() - ((done + k) % 7_000) * 60_000));
          const input = parseIntake(schema, body);
          const id = randomUUID();
          const { sealed, dataKeyId } = await sealer.seal({ result: input }, { resultId: id, pharmacyId: pharmacy.id });
          const idx = indexColumns(input, blindIndex, pharmacy.id);
          return { id, pharmacyId: pharmacy.id, sealed, dataKeyId, idx, fingerprint: requestFingerprints(blindIndex, 'submit', '', body) };
        }),
      );
      const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
      const events = auditAppender.rows(rows.map((r) => ({ actor: { type: 'pharmacy' as const, id: r.pharmacyId }, action: 'result.create', object: { type: 'test-result', id: r.id }, outcome: 'success' as const, requestId: randomUUID(), sourceIp: '127.0.0.1' })));
      await sql`
        WITH r AS (
          SELECT * FROM unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.pharmacyId)}::uuid[], ${col((r) => r.sealed)}::bytea[], ${col((r) => r.dataKeyId)}::uuid[],
            ${col((r) => r.idx.nir_index)}::text[], ${col((r) => r.idx.external_ref_index)}::text[], ${col((r) => r.idx.loinc)}::text[], ${col((r) => r.idx.collected_minute)}::timestamptz[],
            ${col((r) => r.fingerprint.value)}::text[], ${col(() => randomUUID())}::uuid[], ${col(() => randomUUID())}::uuid[])
            AS r(id, pharmacy_id, sealed, data_key_id, nir_index, external_ref_index, loinc, collected_minute, fingerprint, key, message_id)
        ), results AS (
          INSERT INTO test_results (id, pharmacy_id, status, sealed, data_key_id, nir_index, external_ref_index, blind_index_version, loinc, collected_minute)
          SELECT id, pharmacy_id, 'received', sealed, data_key_id, nir_index, external_ref_index, ${blindIndex.version}::int, loinc, collected_minute FROM r
        ), keys AS (
          INSERT INTO idempotency_keys (pharmacy_id, key, fingerprint, blind_index_version, result_id, response)
          SELECT pharmacy_id, key, fingerprint, ${blindIndex.version}::int, id, jsonb_build_object('id', id, 'status', 'received') FROM r
        ), messages AS (
          INSERT INTO outbox_messages (id, result_id, kind) SELECT message_id, id, 'original' FROM r
        ), audited AS (${auditInsert(events)})
        SELECT 1`.execute(stack.owner);
    }
  } finally {
    await guard.stop();
  }
}
