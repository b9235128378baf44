import { randomUUID } from 'node:crypto';
import { NotFound, ValidationFailed, type FieldIssue } from '../errors.js';
import { auditActor } from '../auth/principal.js';
import { resultOutcome, type TestResultInput } from '../results/index.js';
import {
  cancelResult,
  correctResult,
  idempotently,
  indexColumns,
  nirIndexes,
  requestFingerprints,
  requireIdempotencyKey,
  type Accepted,
  type AcceptedAnswer,
  type RequestFingerprint,
  type SealedRow,
} from '../results/lifecycle/index.js';
import { auditFinessMismatch, requireOwnResult, type SubmitDeps, type SubmitRequest } from './submit.js';
import { isUuid } from '../uuid.js';

/** Why a result is corrected or cancelled: enums only, so no free text (and no personal data) is stored in clear. */
export const CORRECTION_REASONS = ['data-entry-error', 'wrong-patient-identity', 'wrong-result', 'wrong-test', 'wrong-collection-time'] as const;
export const CANCELLATION_REASONS = ['entered-in-error', 'duplicate', 'wrong-patient', 'test-not-performed'] as const;

function parseEnvelope(body: unknown, reasons: readonly string[], withResult: boolean): { reason: string; result?: unknown } {
  const errors: FieldIssue[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationFailed([{ pointer: '', code: 'invalid-type' }]);
  const o = body as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'reason' && !(withResult && k === 'result')) errors.push({ pointer: `/${k}`, code: 'unknown-field' });
  if (o.reason === undefined) errors.push({ pointer: '/reason', code: 'required' });
  else if (typeof o.reason !== 'string' || !reasons.includes(o.reason)) errors.push({ pointer: '/reason', code: 'invalid-type' });
  if (withResult && o.result === undefined) errors.push({ pointer: '/result', code: 'required' });
  if (errors.length) throw new ValidationFailed(errors);
  return { reason: o.reason as string, result: o.result };
}

/**
 * Corrections and cancellations of a pharmacy's own results, until purge. A result SI-DEP may
 * already hold gets a new message referencing it, delivered after it; one it never received is
 * withdrawn and, for a correction, replaced by the corrected result sent as an original.
 */
export function createCorrectionService(deps: SubmitDeps) {
  const { db, sealer } = deps;
  const outcomeOf = async (row: SealedRow) => resultOutcome((await sealer.open(row)).result.test.result);

  function idempotent(req: SubmitRequest, op: string, target: string, work: (key: string, fingerprint: RequestFingerprint) => Promise<AcceptedAnswer>): Promise<Accepted> {
    // an id that cannot name a result names none: 404 before anything touches a uuid column
    if (!isUuid(target)) return Promise.reject(new NotFound());
    const key = requireIdempotencyKey(req.idempotencyKey);
    const fingerprint = requestFingerprints(sealer.blindIndex, op, target, req.body);
    return idempotently({ db, pharmacyId: req.principal.pharmacyId, key, fingerprint, onCommit: deps.onCommit }, () => work(key, fingerprint));
  }

  function correction(req: SubmitRequest & { resultId: string }): Promise<Accepted> {
    return idempotent(req, 'correction', req.resultId, async (key, fingerprint) => {
      const envelope = parseEnvelope(req.body, CORRECTION_REASONS, true);
      let input: TestResultInput;
      try {
        input = deps.validate(envelope.result);
      } catch (e) {
        if (e instanceof ValidationFailed) throw new ValidationFailed(e.errors.map((i) => ({ ...i, pointer: `/result${i.pointer}` })));
        throw e;
      }
      requireOwnResult(req.principal, input, '/result');
      const pharmacyId = req.principal.pharmacyId;
      const id = randomUUID();
      const { sealed, dataKeyId } = await sealer.seal({ result: input, correctionReason: envelope.reason }, { resultId: id, pharmacyId });
      const originalId = req.resultId.toLowerCase();
      const answer: AcceptedAnswer = { id, resultId: originalId, status: 'received' };
      await correctResult(db, {
        pharmacyId,
        originalId,
        key,
        fingerprint,
        answer,
        corrected: { id, sealed, dataKeyId, idx: indexColumns(input, sealer.blindIndex, pharmacyId), outcome: resultOutcome(input.test.result), nirIndexesHeld: nirIndexes(input, sealer.blindIndex, pharmacyId) },
        outcomeOf,
        audit: { actor: auditActor(req.principal), action: 'result.correct', object: { type: 'test-result', id: originalId }, outcome: 'success', reason: envelope.reason, requestId: req.requestId, sourceIp: req.sourceIp },
      });
      return answer;
    });
  }

  return {
    async correct(req: SubmitRequest & { resultId: string }): Promise<Accepted> {
      try {
        return await correction(req);
      } catch (refusal) {
        await auditFinessMismatch(db, req, 'result.correct', refusal);
        throw refusal;
      }
    },

    async cancel(req: SubmitRequest & { resultId: string }): Promise<Accepted> {
      return idempotent(req, 'cancellation', req.resultId, async (key, fingerprint) => {
        const envelope = parseEnvelope(req.body, CANCELLATION_REASONS, false);
        const resultId = req.resultId.toLowerCase();
        return cancelResult(db, {
          pharmacyId: req.principal.pharmacyId,
          originalId: resultId,
          key,
          fingerprint,
          answer: { id: randomUUID(), resultId, status: 'received' },
          outcomeOf,
          audit: { actor: auditActor(req.principal), action: 'result.cancel', object: { type: 'test-result', id: resultId }, outcome: 'success', reason: envelope.reason, requestId: req.requestId, sourceIp: req.sourceIp },
        });
      });
    },
  };
}

export type CorrectionService = ReturnType<typeof createCorrectionService>;
