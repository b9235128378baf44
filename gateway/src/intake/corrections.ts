import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../db/index.js';
import { NotFound, ResultNotModifiable, ValidationFailed, type FieldIssue } from '../errors.js';
import { appendAudit } from '../audit/index.js';
import { auditActor } from '../auth/principal.js';
import { enqueueMessage } from '../outbox/enqueue.js';
import type { TestResultInput } from '../results/index.js';
import { claimKey, idempotently, KeyTaken, requestFingerprints, requireIdempotencyKey, type RequestFingerprint, type AcceptedAnswer } from './idempotency.js';
import { findDuplicate, indexColumns, nirIndexes, requireOwnPerformer, statusUrl, type Accepted, type SubmitDeps, type SubmitRequest } from './submit.js';

/** Why a result is corrected or cancelled: enums only, so no free text (and no personal data) is stored in clear. */
export const CORRECTION_REASONS = ['data-entry-error', 'wrong-patient-identity', 'wrong-result', 'wrong-test', 'wrong-collection-time'] as const;
export const CANCELLATION_REASONS = ['entered-in-error', 'duplicate', 'wrong-patient', 'test-not-performed'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/** Locks the original and its latest message; only the owner's live, unpurged results qualify. */
async function lockOriginal(tx: Tx, pharmacyId: string, id: string) {
  if (!UUID.test(id)) throw new NotFound();
  const original = await tx
    .selectFrom('test_results')
    .select(['id', 'status', 'superseded_by', 'purged_at', 'nir_index'])
    .where('id', '=', id.toLowerCase())
    .where('pharmacy_id', '=', pharmacyId)
    .forUpdate()
    .executeTakeFirst();
  if (!original) throw new NotFound();
  if (original.purged_at || original.superseded_by || original.status === 'cancelled') throw new ResultNotModifiable();
  const message = await tx
    .selectFrom('outbox_messages')
    .select(['id', 'state', 'lease_until', 'kind'])
    .where('result_id', '=', original.id)
    .orderBy('created_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (message.kind === 'cancellation') throw new ResultNotModifiable();
  // SI-DEP has never seen it (or refused it): it can simply be withdrawn
  const withdrawable = (message.state === 'pending' && (!message.lease_until || message.lease_until < new Date())) || message.state === 'dead';
  return { original, message, withdrawable };
}

/**
 * Corrections and cancellations of a pharmacy's own results, until purge. A result SI-DEP may
 * already hold gets a new message referencing it, delivered after it; one it never received is
 * withdrawn and, for a correction, replaced by the corrected result sent as an original.
 */
export function createCorrectionService(deps: SubmitDeps) {
  const { db, sealer } = deps;

  function idempotent(req: SubmitRequest, op: string, target: string, work: (key: string, fingerprint: RequestFingerprint) => Promise<AcceptedAnswer>): Promise<Accepted> {
    // an id that cannot name a result names none: 404 before anything touches a uuid column
    if (!UUID.test(target)) return Promise.reject(new NotFound());
    const key = requireIdempotencyKey(req.idempotencyKey);
    const fingerprint = requestFingerprints(sealer.blindIndex, op, target, req.body);
    return idempotently({ db, pharmacyId: req.principal.pharmacyId, key, fingerprint, onCommit: deps.onCommit }, () => work(key, fingerprint));
  }

  return {
    async correct(req: SubmitRequest & { resultId: string }): Promise<Accepted> {
      return idempotent(req, 'correction', req.resultId, async (key, fingerprint) => {
        const envelope = parseEnvelope(req.body, CORRECTION_REASONS, true);
        let input: TestResultInput;
        try {
          input = deps.validate(envelope.result);
        } catch (e) {
          if (e instanceof ValidationFailed) throw new ValidationFailed(e.errors.map((i) => ({ ...i, pointer: `/result${i.pointer}` })));
          throw e;
        }
        requireOwnPerformer(req.principal, input, '/result');
        const pharmacyId = req.principal.pharmacyId;
        const id = randomUUID();
        const { sealed, dataKeyId } = await sealer.seal({ result: input, correctionReason: envelope.reason }, { resultId: id, pharmacyId });
        const idx = indexColumns(input, sealer.blindIndex);
        const answer: AcceptedAnswer = { id, resultId: req.resultId.toLowerCase(), status: 'received', statusUrl: statusUrl(id) };
        await db.transaction().execute(async (tx) => {
          if (!(await claimKey(tx, { pharmacyId, key, fingerprint, resultId: id, answer }))) throw new KeyTaken();
          const { original, message, withdrawable } = await lockOriginal(tx, pharmacyId, req.resultId);
          if (withdrawable) await tx.updateTable('outbox_messages').set({ state: 'superseded', updated_at: sql`now()` }).where('id', '=', message.id).execute();
          // the corrected result takes over the duplicate-detection slot
          await tx
            .updateTable('test_results')
            .set({ nir_index: null, ...(withdrawable && original.status !== 'dead-lettered' ? { status: 'cancelled' as const, cancelled_at: sql<Date>`now()` } : {}), updated_at: sql`now()` })
            .where('id', '=', original.id)
            .execute();
          const existing = await findDuplicate(tx, pharmacyId, idx, nirIndexes(input, sealer.blindIndex));
          if (existing) throw new ResultNotModifiable();
          await tx
            .insertInto('test_results')
            .values({ id, pharmacy_id: pharmacyId, status: 'received', corrects: original.id, superseded_by: null, sealed, data_key_id: dataKeyId, ...idx, sidep_ack_id: null, problem_code: null })
            .execute();
          await tx.updateTable('test_results').set({ superseded_by: id }).where('id', '=', original.id).execute();
          await enqueueMessage(tx, withdrawable ? { resultId: id, kind: 'original' } : { resultId: id, kind: 'correction', dependsOn: message.id });
          await appendAudit(tx, [{ actor: auditActor(req.principal), action: 'result.correct', object: { type: 'test-result', id: original.id }, outcome: 'success', reason: envelope.reason, requestId: req.requestId, sourceIp: req.sourceIp }]);
        });
        return answer;
      });
    },

    async cancel(req: SubmitRequest & { resultId: string }): Promise<Accepted> {
      return idempotent(req, 'cancellation', req.resultId, async (key, fingerprint) => {
        const envelope = parseEnvelope(req.body, CANCELLATION_REASONS, false);
        const pharmacyId = req.principal.pharmacyId;
        const cancellationId = randomUUID();
        const resultId = req.resultId.toLowerCase();
        const answer: AcceptedAnswer = { id: cancellationId, resultId, status: 'received', statusUrl: statusUrl(resultId) };
        await db.transaction().execute(async (tx) => {
          // the key first: a concurrent retry waits here and then replays, instead of finding the result cancelled
          if (!(await claimKey(tx, { pharmacyId, key, fingerprint, resultId, answer }))) throw new KeyTaken();
          const { original, message, withdrawable } = await lockOriginal(tx, pharmacyId, req.resultId);
          if (withdrawable) {
            answer.status = 'cancelled';
            await tx.updateTable('outbox_messages').set({ state: 'superseded', updated_at: sql`now()` }).where('id', '=', message.id).execute();
            await tx.updateTable('test_results').set({ status: 'cancelled', cancelled_at: sql`now()`, nir_index: null, updated_at: sql`now()` }).where('id', '=', original.id).execute();
            await tx.updateTable('idempotency_keys').set({ response: JSON.stringify(answer) }).where('pharmacy_id', '=', pharmacyId).where('key', '=', key).execute();
          } else {
            await enqueueMessage(tx, { id: cancellationId, resultId: original.id, kind: 'cancellation', dependsOn: message.id });
          }
          await appendAudit(tx, [{ actor: auditActor(req.principal), action: 'result.cancel', object: { type: 'test-result', id: original.id }, outcome: 'success', reason: envelope.reason, requestId: req.requestId, sourceIp: req.sourceIp }]);
        });
        return answer;
      });
    },
  };
}

export type CorrectionService = ReturnType<typeof createCorrectionService>;
