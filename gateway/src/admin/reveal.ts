import { z } from '@hono/zod-openapi';
import type { Database } from '../db/index.js';
import { appendAuditNow, type AuditEvent } from '../audit/index.js';
import { GatewayError, NotFound, ValidationFailed } from '../errors.js';
import type { Metrics } from '../observability/index.js';
import type { ResultSealer } from '../results/lifecycle/index.js';
import type { TestResultInput } from '../results/index.js';
import type { PharmacyScope } from '../auth/rbac.js';
import { isUuid } from '../uuid.js';

/** Why a person opens a sealed result; stored in the audit event (a code, never free text). */
export const REVEAL_PURPOSES = ['receipt-reprint', 'patient-request', 'correction'] as const;
export type RevealPurpose = (typeof REVEAL_PURPOSES)[number];

/**
 * What a reveal shows: enough to reprint the patient's receipt or prepare a correction — names,
 * birth date, sex and the test — never the NIR, contact or address.
 */
export interface RevealedResult {
  id: string;
  pharmacyId: string;
  patient: Pick<TestResultInput['patient'], 'birthName' | 'firstNames' | 'usedName' | 'birthDate' | 'sex'>;
  test: Pick<TestResultInput['test'], 'loinc' | 'result' | 'specimen' | 'collectedAt' | 'resultAt'>;
}

/** The body `parseRevealBody` checks, for the route's declaration (its own checks answer the faults). */
export const REVEAL_BODY = z.object({ purpose: z.enum(REVEAL_PURPOSES) }).strict();

/** Checks the body of a reveal: `{ purpose }` with a known purpose, nothing else. */
export function parseRevealBody(body: unknown): RevealPurpose {
  const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (!fields) throw new ValidationFailed([{ pointer: '', code: 'invalid-type' }]);
  const unknown = Object.keys(fields).filter((k) => k !== 'purpose');
  if (unknown.length) throw new ValidationFailed(unknown.map((k) => ({ pointer: `/${k}`, code: 'unknown-field' })));
  if (!REVEAL_PURPOSES.includes(fields.purpose as RevealPurpose)) throw new ValidationFailed([{ pointer: '/purpose', code: fields.purpose === undefined ? 'required' : 'invalid-type' }]);
  return fields.purpose as RevealPurpose;
}

/** Who reveals, why, and the request's id and client address for the audit. */
export interface RevealRequest {
  purpose: RevealPurpose;
  actor: AuditEvent['actor'];
  requestId?: string;
  sourceIp?: string;
}

/** What a reveal counts: `gateway_reveals_total` by outcome (`success`, or the problem code). */
export type RevealCounter = Pick<Metrics['reveals'], 'inc'>;

/**
 * Opens one sealed result of the caller's pharmacies for a stated purpose, audited with what
 * happened: `success` (reason: the purpose) once the result decrypted, `failure` (reason: the
 * problem code) when it did not. The event is written before anything is answered: if it cannot
 * be, no personal data leaves (`audit-unavailable`). Another pharmacy's result, an unknown id and
 * a purged result all answer 404. Every outcome is counted.
 * @example await revealResult({ db, sealer, reveals: metrics.reveals }, scope, id, { purpose: 'receipt-reprint', actor });
 */
export async function revealResult(
  d: { db: Database; sealer: ResultSealer<TestResultInput>; reveals: RevealCounter },
  scope: PharmacyScope,
  id: string,
  o: RevealRequest,
): Promise<RevealedResult> {
  try {
    const revealed = await openAudited(d, scope, id, o);
    d.reveals.inc({ outcome: 'success' });
    return revealed;
  } catch (e) {
    d.reveals.inc({ outcome: problemCodeOf(e) });
    throw e;
  }
}

const problemCodeOf = (e: unknown) => (e instanceof GatewayError ? e.code : 'internal');

async function openAudited(
  d: { db: Database; sealer: ResultSealer<TestResultInput> },
  scope: PharmacyScope,
  id: string,
  o: RevealRequest,
): Promise<RevealedResult> {
  if (!isUuid(id)) throw new NotFound();
  let q = d.db.selectFrom('test_results').select(['id', 'pharmacy_id', 'sealed', 'data_key_id']).where('id', '=', id.toLowerCase());
  if (!scope.all) q = q.where('pharmacy_id', 'in', scope.pharmacyIds.length ? [...scope.pharmacyIds] : ['00000000-0000-0000-0000-000000000000']);
  const row = await q.executeTakeFirst();
  if (!row?.sealed || !row.data_key_id) throw new NotFound();
  const event = { actor: o.actor, action: 'result.reveal' as const, object: { type: 'test-result', id: row.id }, requestId: o.requestId, sourceIp: o.sourceIp };
  let result: TestResultInput;
  try {
    ({ result } = await d.sealer.open({ id: row.id, pharmacy_id: row.pharmacy_id, sealed: row.sealed, data_key_id: row.data_key_id }));
  } catch (e) {
    await appendAuditNow(d.db, { ...event, outcome: 'failure', reason: problemCodeOf(e) });
    throw e;
  }
  await appendAuditNow(d.db, { ...event, outcome: 'success', reason: o.purpose });
  const { birthName, firstNames, usedName, birthDate, sex } = result.patient;
  const { loinc, result: value, specimen, collectedAt, resultAt } = result.test;
  return { id: row.id, pharmacyId: row.pharmacy_id, patient: { birthName, firstNames, usedName, birthDate, sex }, test: { loinc, result: value, specimen, collectedAt, resultAt } };
}
