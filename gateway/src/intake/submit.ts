import { randomUUID } from 'node:crypto';
import type { Database, Tx } from '../db/index.js';
import { DuplicateResult, Forbidden, ValidationFailed } from '../errors.js';
import { appendAudit } from '../audit/index.js';
import { auditActor, type Principal } from '../auth/principal.js';
import { enqueueMessage } from '../outbox/enqueue.js';
import type { TestResultInput } from '../results/index.js';
import { claimKey, idempotently, KeyTaken, requestFingerprints, requireIdempotencyKey, type Accepted, type AcceptedAnswer } from './idempotency.js';

export type { Accepted };
import type { ResultSealer } from './result-sealer.js';

export interface SubmitDeps {
  db: Database;
  sealer: ResultSealer<TestResultInput>;
  /** Parses and validates an intake body, throwing `ValidationFailed` with every field at fault. */
  validate: (raw: unknown) => TestResultInput;
  /** Called after each commit that added outbox messages: wakes this replica's relay. */
  onCommit: () => void;
}

export interface SubmitRequest {
  principal: Principal;
  idempotencyKey: string | undefined;
  body: unknown;
  requestId: string;
  sourceIp?: string;
}


export const statusUrl = (id: string) => `/api/v1/test-results/${id}`;

/** Columns that index a result without revealing it. */
export function indexColumns(input: TestResultInput, blindIndex: ResultSealer<TestResultInput>['blindIndex']) {
  const minute = new Date(input.test.collectedAt);
  minute.setUTCSeconds(0, 0);
  return {
    nir_index: input.patient.nir ? blindIndex.nir(input.patient.nir) : null,
    external_ref_index: input.externalRef ? blindIndex.externalRef(input.externalRef) : null,
    blind_index_version: blindIndex.version,
    loinc: input.test.loinc,
    collected_minute: minute,
  };
}

/**
 * The NIR's index under every blind-index key version held: a result indexed before a key
 * rotation and not yet moved by `keys reindex` is still found as a duplicate.
 */
export function nirIndexes(input: TestResultInput, blindIndex: ResultSealer<TestResultInput>['blindIndex']): string[] {
  const nir = input.patient.nir;
  return nir ? blindIndex.versions.map((held) => held.nir(nir)) : [];
}

/** The id of the live result of this pharmacy for the same person, test and collection minute. */
export async function findDuplicate(tx: Tx, pharmacyId: string, idx: ReturnType<typeof indexColumns>, nirIndexesHeld: readonly string[]): Promise<string | undefined> {
  if (!idx.nir_index || nirIndexesHeld.length === 0) return undefined;
  const row = await tx
    .selectFrom('test_results')
    .select('id')
    .where('pharmacy_id', '=', pharmacyId)
    .where('nir_index', 'in', nirIndexesHeld)
    .where('loinc', '=', idx.loinc)
    .where('collected_minute', '=', idx.collected_minute)
    .executeTakeFirst();
  return row?.id;
}

/**
 * The one intake path, shared by the mTLS API and the pharmacist's web page: idempotency,
 * validation, authorization of the pharmacy, sealing, then result + outbox message + audit
 * event in one transaction. Once this returns, the result is durable.
 */
export function createSubmitService(deps: SubmitDeps) {
  const { db, sealer } = deps;

  return {
    async submit(req: SubmitRequest): Promise<Accepted> {
      const { principal } = req;
      const key = requireIdempotencyKey(req.idempotencyKey);
      const fingerprint = requestFingerprints(sealer.blindIndex, 'submit', '', req.body);
      return idempotently({ db, pharmacyId: principal.pharmacyId, key, fingerprint, onCommit: deps.onCommit }, async () => {
        const input = deps.validate(req.body);
        if (input.pharmacyFiness !== undefined && input.pharmacyFiness !== principal.finess) {
          await appendAudit(db, [{ actor: auditActor(principal), action: 'result.create', outcome: 'denied', reason: 'finess-mismatch', requestId: req.requestId, sourceIp: req.sourceIp }]);
          throw new Forbidden('finess-mismatch');
        }
        requireOwnPerformer(principal, input, '');
        const id = randomUUID();
        const { sealed, dataKeyId } = await sealer.seal({ result: input }, { resultId: id, pharmacyId: principal.pharmacyId });
        const idx = indexColumns(input, sealer.blindIndex);
        const lookup = nirIndexes(input, sealer.blindIndex);
        const answer: AcceptedAnswer = { id, status: 'received', statusUrl: statusUrl(id) };
        try {
          await db.transaction().execute(async (tx) => {
            if (!(await claimKey(tx, { pharmacyId: principal.pharmacyId, key, fingerprint, resultId: id, answer }))) throw new KeyTaken();
            const existing = await findDuplicate(tx, principal.pharmacyId, idx, lookup);
            if (existing) throw new DuplicateResult(existing);
            await tx
              .insertInto('test_results')
              .values({ id, pharmacy_id: principal.pharmacyId, status: 'received', corrects: null, superseded_by: null, sealed, data_key_id: dataKeyId, ...idx, sidep_ack_id: null, problem_code: null })
              .execute();
            await enqueueMessage(tx, { resultId: id, kind: 'original' });
            await appendAudit(tx, [{ actor: auditActor(principal), action: 'result.create', object: { type: 'test-result', id }, outcome: 'success', requestId: req.requestId, sourceIp: req.sourceIp }]);
          });
        } catch (e) {
          if (isUniqueViolation(e, 'test_results_duplicate')) {
            // two requests with different keys raced for the same person, test and minute
            const existing = await db.transaction().execute((tx) => findDuplicate(tx, principal.pharmacyId, idx, lookup));
            if (existing) throw new DuplicateResult(existing);
          }
          throw e;
        }
        return answer;
      });
    },
  };
}

/** A person on the web path submits and corrects only as the performer (DOMAIN.md §7, `performer-mismatch`). */
export function requireOwnPerformer(principal: Principal, input: TestResultInput, pointerPrefix: string): void {
  if (principal.kind === 'user' && (principal.performerRpps === null || input.performer.rpps !== principal.performerRpps)) {
    throw new ValidationFailed([{ pointer: `${pointerPrefix}/performer/rpps`, code: 'performer-mismatch' }]);
  }
}

export function isUniqueViolation(e: unknown, constraint: string): boolean {
  const err = e as { code?: string; constraint?: string };
  return err?.code === '23505' && err.constraint === constraint;
}

export type SubmitService = ReturnType<typeof createSubmitService>;
