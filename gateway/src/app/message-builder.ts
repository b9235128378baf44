import type { Database } from '../db/index.js';
import type { ClaimedMessage } from '../outbox/index.js';
import { toFhirBundle, type TestResultInput } from '../results/index.js';
import type { ResultSealer } from '../intake/result-sealer.js';
import { DecryptionFailed } from '../errors.js';

/**
 * Builds the SI-DEP message of an outbox message: opens the sealed result (the only decrypt on
 * the delivery path, audited with the delivery) and maps it to a FHIR transaction Bundle.
 */
export function createMessageBuilder(o: { db: Database; sealer: ResultSealer<TestResultInput> }) {
  return async function buildMessage(m: ClaimedMessage): Promise<unknown> {
    const row = await o.db
      .selectFrom('test_results as r')
      .innerJoin('pharmacies as p', 'p.id', 'r.pharmacy_id')
      .select(['r.id', 'r.pharmacy_id', 'r.sealed', 'r.data_key_id', 'r.corrects', 'r.received_at', 'p.finess'])
      .where('r.id', '=', m.resultId)
      .executeTakeFirstOrThrow();
    if (!row.sealed || !row.data_key_id) throw new DecryptionFailed();
    const content = await o.sealer.open({ id: row.id, pharmacy_id: row.pharmacy_id, sealed: row.sealed, data_key_id: row.data_key_id });
    return toFhirBundle({
      messageId: m.id,
      resultId: row.id,
      kind: m.kind,
      result: content.result,
      pharmacy: { finess: row.finess },
      ...(m.kind === 'correction' && row.corrects ? { replaces: row.corrects } : {}),
      issuedAt: row.received_at,
    });
  };
}
