import { toFhirBundle, type TestResultInput } from '../results/index.js';
import type { ClaimedMessage, ResultSealer } from '../results/lifecycle/index.js';
import { DecryptionFailed } from '../errors.js';

/**
 * Builds the SI-DEP message of an outbox message: opens the sealed result (the only decrypt on
 * the delivery path, audited with the delivery) and maps it to a FHIR transaction Bundle.
 */
export function createMessageBuilder(o: { sealer: ResultSealer<TestResultInput> }) {
  return async function buildMessage(m: ClaimedMessage): Promise<unknown> {
    const r = m.result;
    if (!r.sealed || !r.dataKeyId) throw new DecryptionFailed();
    const content = await o.sealer.open({ id: m.resultId, pharmacy_id: r.pharmacyId, sealed: r.sealed, data_key_id: r.dataKeyId });
    return toFhirBundle({
      messageId: m.id,
      resultId: m.resultId,
      kind: m.kind,
      result: content.result,
      pharmacy: { finess: r.finess },
      ...(m.kind === 'correction' && r.corrects ? { replaces: r.corrects } : {}),
      issuedAt: r.receivedAt,
    });
  };
}
