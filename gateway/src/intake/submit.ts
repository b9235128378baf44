import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Tx } from '../db/index.js';
import { DuplicateResult, Forbidden, ValidationFailed } from '../errors.js';
import { appendAudit, auditAppender, type AuditAppender, type AuditRow } from '../audit/index.js';
import { auditActor, type Principal } from '../auth/principal.js';
import type { TestResultInput } from '../results/index.js';
import { KeyTaken, priorAnswerOrNone, requestFingerprints, requireIdempotencyKey, type Accepted, type AcceptedAnswer, type RequestFingerprint } from './idempotency.js';

export type { Accepted };
import type { ResultSealer } from './result-sealer.js';

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
export async function findDuplicate(tx: Database | Tx, pharmacyId: string, idx: ReturnType<typeof indexColumns>, nirIndexesHeld: readonly string[]): Promise<string | undefined> {
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

/** What the intake statement writes for one accepted result. */
export interface Submission {
  id: string;
  pharmacyId: string;
  key: string;
  fingerprint: RequestFingerprint;
  answer: AcceptedAnswer;
  sealed: Buffer;
  dataKeyId: string | null;
  idx: ReturnType<typeof indexColumns>;
  /** The NIR's index under every blind-index version held ({@link nirIndexes}). */
  nirIndexesHeld: readonly string[];
  messageId: string;
  auditRows: AuditRow[];
}

/**
 * The intake transaction as one statement, so one round trip (it was eight: lookup, BEGIN, five
 * statements, COMMIT): unless a live result of this pharmacy has the same person, test and
 * minute, claim the key; only a claim that wins inserts the result, its outbox message and its
 * audit event. A concurrent request holding the key makes the claim wait for its commit (then
 * nothing is written) or its rollback (then this one wins). Nothing is written unless all is.
 */
export function submissionStatement(s: Submission) {
  const audited = s.auditRows.length
    ? sql`, audited AS (
      INSERT INTO audit_events (actor_type, actor_id, action, object_type, object_id, outcome, reason, request_id, source_ip)
      SELECT e.actor_type, e.actor_id, e.action, e.object_type, e.object_id, e.outcome, e.reason, e.request_id, e.source_ip
      FROM created, jsonb_to_recordset(${JSON.stringify(s.auditRows)}::jsonb)
        AS e(actor_type text, actor_id text, action text, object_type text, object_id text, outcome text, reason text, request_id text, source_ip text)
    )`
    : sql``;
  return sql<{ created: boolean; duplicate_of: string | null }>`
    WITH duplicate AS (
      SELECT id FROM test_results
      WHERE pharmacy_id = ${s.pharmacyId}::uuid AND nir_index = ANY(${s.idx.nir_index ? s.nirIndexesHeld : []}::text[])
        AND loinc = ${s.idx.loinc} AND collected_minute = ${s.idx.collected_minute}::timestamptz
      LIMIT 1
    ), claimed AS (
      INSERT INTO idempotency_keys (pharmacy_id, key, fingerprint, blind_index_version, result_id, response)
      SELECT ${s.pharmacyId}::uuid, ${s.key}::uuid, ${s.fingerprint.value}, ${s.fingerprint.version}::int, ${s.id}::uuid, ${JSON.stringify(s.answer)}::jsonb
      WHERE NOT EXISTS (SELECT 1 FROM duplicate)
      ON CONFLICT (pharmacy_id, key) DO NOTHING
      RETURNING result_id
    ), created AS (
      INSERT INTO test_results (id, pharmacy_id, status, sealed, data_key_id, nir_index, external_ref_index, blind_index_version, loinc, collected_minute)
      SELECT result_id, ${s.pharmacyId}::uuid, 'received', ${s.sealed}::bytea, ${s.dataKeyId}::uuid, ${s.idx.nir_index}::text, ${s.idx.external_ref_index}::text,
        ${s.idx.blind_index_version}::int, ${s.idx.loinc}, ${s.idx.collected_minute}::timestamptz
      FROM claimed
      RETURNING id
    ), enqueued AS (
      INSERT INTO outbox_messages (id, result_id, kind) SELECT ${s.messageId}::uuid, id, 'original' FROM created
    )${audited}
    SELECT EXISTS (SELECT 1 FROM created) AS created, (SELECT id FROM duplicate) AS duplicate_of`;
}

/**
 * Runs {@link submissionStatement}: returns when the result is committed; throws `KeyTaken`
 * when another request holds the key, `DuplicateResult` for a live result of the same person,
 * test and minute.
 */
export async function insertSubmission(db: Database, s: Submission): Promise<void> {
  let outcome: { created: boolean; duplicate_of: string | null } | undefined;
  try {
    outcome = (await submissionStatement(s).execute(db)).rows[0];
  } catch (e) {
    if (isUniqueViolation(e, 'test_results_duplicate')) {
      // two requests with different keys raced for the same person, test and minute
      const existing = await findDuplicate(db, s.pharmacyId, s.idx, s.nirIndexesHeld);
      if (existing) throw new DuplicateResult(existing);
    }
    throw e;
  }
  if (outcome?.created) return;
  throw outcome?.duplicate_of ? new DuplicateResult(outcome.duplicate_of) : new KeyTaken();
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
    if (input.pharmacyFiness !== undefined && input.pharmacyFiness !== principal.finess) throw new Forbidden('finess-mismatch');
    requireOwnPerformer(principal, input, '');
    const id = randomUUID();
    const { sealed, dataKeyId } = await sealer.seal({ result: input }, { resultId: id, pharmacyId: principal.pharmacyId });
    const answer: AcceptedAnswer = { id, status: 'received', statusUrl: statusUrl(id) };
    await insertSubmission(db, {
      id,
      pharmacyId: principal.pharmacyId,
      key,
      fingerprint,
      answer,
      sealed,
      dataKeyId,
      idx: indexColumns(input, sealer.blindIndex),
      nirIndexesHeld: nirIndexes(input, sealer.blindIndex),
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
        if (refusal instanceof Forbidden && refusal.code === 'finess-mismatch') {
          await appendAudit(db, [{ actor: auditActor(principal), action: 'result.create', outcome: 'denied', reason: 'finess-mismatch', requestId: req.requestId, sourceIp: req.sourceIp }]);
        }
        throw refusal;
      }
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
