import canonicalize from 'canonicalize';
import { IdempotencyConflict, IdempotencyKeyInvalid, IdempotencyKeyMissing } from '../../errors.js';
import type { BlindIndex } from '../../crypto/index.js';
import type { Database, Tx } from '../../db/index.js';
import type { ResultStatus } from './statuses.js';
import { isUuid } from '../../uuid.js';

/**
 * The first answer given under a key, replayed verbatim. Ids only: no personal data. Each
 * listener adds the status URL under its own prefix (`intake/results-routes.ts`).
 */
export interface AcceptedAnswer {
  id: string;
  resultId?: string;
  status: Extract<ResultStatus, 'received' | 'cancelled'>;
}

/** A write route's answer, and whether it is the replay of an earlier one. */
export interface Accepted {
  answer: AcceptedAnswer;
  replayed: boolean;
}

/** Thrown inside a transaction when another request already holds the key: rolls back, then replays. */
export class KeyTaken extends Error {}

/**
 * The idempotent shell of every write route: replay the first answer under this key (or refuse
 * another body), else run `work`, which claims the key in its transaction with `claimKey` and
 * throws `KeyTaken` when a concurrent request won it.
 */
export async function idempotently(
  o: { db: Database; pharmacyId: string; key: string; fingerprint: RequestFingerprint; onCommit: () => void },
  work: () => Promise<AcceptedAnswer>,
): Promise<Accepted> {
  const prior = await findPriorAnswer(o.db, o.pharmacyId, o.key, o.fingerprint);
  if (prior) return { answer: prior, replayed: true };
  try {
    const answer = await work();
    o.onCommit();
    return { answer, replayed: false };
  } catch (e) {
    if (e instanceof KeyTaken) {
      const first = await findPriorAnswer(o.db, o.pharmacyId, o.key, o.fingerprint);
      if (first) return { answer: first, replayed: true };
    }
    throw e;
  }
}

/**
 * For a write that claims its key in its own statement, without looking it up first: once it
 * could not proceed (`refusal`: key taken, duplicate, invalid body, key manager down…), the first
 * answer under its key, if any, is the answer (`IdempotencyConflict` for another body); none
 * means the refusal stands. A failing lookup leaves the refusal as it was.
 */
export async function priorAnswerOrNone(
  o: { db: Database; pharmacyId: string; key: string; fingerprint: RequestFingerprint },
  refusal: unknown,
): Promise<AcceptedAnswer | undefined> {
  try {
    return await findPriorAnswer(o.db, o.pharmacyId, o.key, o.fingerprint);
  } catch (e) {
    if (e instanceof IdempotencyConflict) throw e;
    throw refusal;
  }
}

/** Checks the `Idempotency-Key` header: required, a UUID. */
export function requireIdempotencyKey(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw new IdempotencyKeyMissing();
  if (!isUuid(header.trim())) throw new IdempotencyKeyInvalid();
  return header.trim().toLowerCase();
}

/**
 * "Same body" means equal after RFC 8785 canonicalisation; what is stored is a keyed HMAC of
 * it (the body holds personal data). The operation and its target are part of the fingerprint,
 * so a key reused on another route is a conflict too.
 */
export function requestFingerprint(hmac: (canonical: string) => string, op: string, target: string, body: unknown): string {
  return hmac(canonicalize({ op, target, body }) ?? 'null');
}

/** A request's fingerprint to store, and every fingerprint an earlier equal request may have stored. */
export interface RequestFingerprint {
  /** Under the newest blind-index key, stored with its `version`. */
  value: string;
  version: number;
  /**
   * Under every blind-index key version held. Fingerprints cannot be recomputed (the body is not
   * stored): one stored under an older version matches until that version is retired.
   */
  accepted: readonly string[];
}

/**
 * {@link requestFingerprint} under each blind-index key version held.
 *
 * @example
 * const fingerprint = requestFingerprints(sealer.blindIndex, 'submit', '', body);
 */
export function requestFingerprints(blindIndex: BlindIndex, op: string, target: string, body: unknown): RequestFingerprint {
  return {
    value: requestFingerprint(blindIndex.fingerprint, op, target, body),
    version: blindIndex.version,
    accepted: blindIndex.versions.map((held) => requestFingerprint(held.fingerprint, op, target, body)),
  };
}

/** The earlier answer under this key, or a conflict when the body differs. */
export async function findPriorAnswer(
  db: Database | Tx,
  pharmacyId: string,
  key: string,
  fingerprint: RequestFingerprint,
): Promise<AcceptedAnswer | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'response'])
    .where('pharmacy_id', '=', pharmacyId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  if (!fingerprint.accepted.includes(row.fingerprint)) throw new IdempotencyConflict();
  return row.response as AcceptedAnswer;
}

/**
 * Claims the key inside the intake transaction. A concurrent request with the same key blocks
 * on the primary key until the first commits (then this returns false and the caller replays)
 * or rolls back (then this claim wins): a retried request never creates a second result.
 */
export async function claimKey(
  tx: Tx,
  o: { pharmacyId: string; key: string; fingerprint: RequestFingerprint; resultId: string; answer: AcceptedAnswer },
): Promise<boolean> {
  const inserted = await tx
    .insertInto('idempotency_keys')
    .values({
      pharmacy_id: o.pharmacyId,
      key: o.key,
      fingerprint: o.fingerprint.value,
      blind_index_version: o.fingerprint.version,
      result_id: o.resultId,
      response: JSON.stringify(o.answer),
    })
    .onConflict((oc) => oc.columns(['pharmacy_id', 'key']).doNothing())
    .executeTakeFirst();
  return inserted.numInsertedOrUpdatedRows === 1n;
}
