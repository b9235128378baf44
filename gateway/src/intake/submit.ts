import { randomUUID } from 'node:crypto';
import type { Database } from '../db/index.js';
import { Forbidden, ValidationFailed } from '../errors.js';
import { appendAudit, auditAppender, type AuditAppender } from '../audit/index.js';
import { auditActor, type Principal } from '../auth/principal.js';
import { resultOutcome, type TestResultInput } from '../results/index.js';
import {
  acceptSubmission,
  indexColumns,
  nirIndexes,
  priorAnswerOrNone,
  requestFingerprints,
  requireIdempotencyKey,
  type Accepted,
  type AcceptedAnswer,
  type RequestFingerprint,
  type ResultSealer,
} from '../results/lifecycle/index.js';

export interface SubmitDeps {
  db: Database;
  sealer: ResultSealer<TestResultInput>;
  /** Parses and validates an intake body, throwing `ValidationFailed` with every field at fault. */
  validate: (raw: unknown) => TestResultInput;
  /** Called after each commit that added outbox messages: wakes this replica's relay. */
  onCommit: () => void;
  /** Writes the audit event of an accepted result in its statement; {@link auditAppender} unless a benchmark composition says otherwise. */
  audit?: AuditAppender;
}

export interface SubmitRequest {
  principal: Principal;
  idempotencyKey: string | undefined;
  body: unknown;
  requestId: string;
  sourceIp?: string;
}

/**
 * The one intake path, shared by the mTLS API and the pharmacist's web page: validation,
 * authorization of the pharmacy, sealing, then idempotency claim + result + outbox message +
 * audit event in one statement. Once this returns, the result is durable. The key is not looked
 * up first: only a request that cannot proceed (key taken, duplicate, invalid body, key manager
 * down…) looks for the first answer under its key, and replays it (409 for another body).
 */
export function createSubmitService(deps: SubmitDeps) {
  const { db, sealer } = deps;
  const audit = deps.audit ?? auditAppender;

  async function accept(req: SubmitRequest, key: string, fingerprint: RequestFingerprint): Promise<AcceptedAnswer> {
    const { principal } = req;
    const input = deps.validate(req.body);
    requireOwnResult(principal, input, '');
    const id = randomUUID();
    const { sealed, dataKeyId } = await sealer.seal({ result: input }, { resultId: id, pharmacyId: principal.pharmacyId });
    const answer: AcceptedAnswer = { id, status: 'received' };
    await acceptSubmission(db, {
      id,
      pharmacyId: principal.pharmacyId,
      key,
      fingerprint,
      answer,
      sealed,
      dataKeyId,
      idx: indexColumns(input, sealer.blindIndex, principal.pharmacyId),
      outcome: resultOutcome(input.test.result),
      nirIndexesHeld: nirIndexes(input, sealer.blindIndex, principal.pharmacyId),
      messageId: randomUUID(),
      auditRows: audit.rows([{ actor: auditActor(principal), action: 'result.create', object: { type: 'test-result', id }, outcome: 'success', requestId: req.requestId, sourceIp: req.sourceIp }]),
    });
    return answer;
  }

  return {
    async submit(req: SubmitRequest): Promise<Accepted> {
      const { principal } = req;
      const key = requireIdempotencyKey(req.idempotencyKey);
      const fingerprint = requestFingerprints(sealer.blindIndex, 'submit', '', req.body);
      try {
        const answer = await accept(req, key, fingerprint);
        deps.onCommit();
        return { answer, replayed: false };
      } catch (refusal) {
        const prior = await priorAnswerOrNone({ db, pharmacyId: principal.pharmacyId, key, fingerprint }, refusal);
        if (prior) return { answer: prior, replayed: true };
        await auditFinessMismatch(db, req, 'result.create', refusal);
        throw refusal;
      }
    },
  };
}

/**
 * What a submission and a correction alike may carry, on the API and on the web: a result naming
 * the principal's pharmacy or none (403 `finess-mismatch`, audited by `auditFinessMismatch`);
 * from a person, a result they performed (DOMAIN.md §7, `performer-mismatch` at `pointerPrefix`).
 */
export function requireOwnResult(principal: Principal, input: TestResultInput, pointerPrefix: string): void {
  if (input.pharmacyFiness !== undefined && input.pharmacyFiness !== principal.finess) throw new Forbidden('finess-mismatch');
  if (principal.kind === 'user' && (principal.performerRpps === null || input.performer.rpps !== principal.performerRpps)) {
    throw new ValidationFailed([{ pointer: `${pointerPrefix}/performer/rpps`, code: 'performer-mismatch' }]);
  }
}

/**
 * The audit event of a result refused for naming another pharmacy: `action` (what was attempted)
 * denied, `finess-mismatch`, as the caller, with no object: the same for a submission and a
 * correction. Any other refusal is left to the caller.
 */
export async function auditFinessMismatch(db: Database, req: SubmitRequest, action: 'result.create' | 'result.correct', refusal: unknown): Promise<void> {
  if (refusal instanceof Forbidden && refusal.code === 'finess-mismatch') {
    await appendAudit(db, [{ actor: auditActor(req.principal), action, outcome: 'denied', reason: 'finess-mismatch', requestId: req.requestId, sourceIp: req.sourceIp }]);
  }
}

export type SubmitService = ReturnType<typeof createSubmitService>;
