import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from '@hono/zod-openapi';
import { appendAudit, appendAuditNow, type AuditEvent } from '../audit/index.js';
import { auditActor, type PharmacyPrincipal } from '../auth/principal.js';
import { hashSecret, newSecret } from '../auth/sessions.js';
import { openDocument, sealDocument } from '../crypto/index.js';
import type { Database } from '../db/index.js';
import { NotFound, ValidationFailed } from '../errors.js';
import type { DataKeyProvider } from '../keys/index.js';
import { toFieldIssues, type IntakeSchema, type TestResultInput } from '../results/index.js';

/** A patient's identity as a submission carries it: the intake's own `patient`, normalised. */
export type PrefillIdentity = TestResultInput['patient'];

/** How long a prefill token opens the counter: long enough to walk to the screen, no longer. */
export const PREFILL_LIFETIME_MINUTES = 5;

/** A token as `issue` hands it out: 32 random bytes in base64url (`newSecret`). */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * The body of `POST /api/v1/counter-prefills`: `{patient}`, checked by the very rules of a
 * submission's `patient` (the intake schema's own field), so a prefilled form holds nothing a
 * submission would refuse.
 */
export function prefillBodySchema(intake: IntakeSchema) {
  return z.object({ patient: intake.shape.patient }).strict().openapi('CounterPrefillRequest');
}

/** The body of the web's redemption: the token, as typed, pasted or read from the page's fragment. */
export const RedemptionBodySchema = z.object({ token: z.string().regex(TOKEN_FORMAT) }).strict();

/**
 * Parses a prefill body into the identity, or throws `ValidationFailed` with every field at
 * fault (`/patient/nir`, …), never a value.
 * @example const patient = parsePrefillBody(prefillBodySchema(schema), await c.req.json());
 */
export function parsePrefillBody(schema: ReturnType<typeof prefillBodySchema>, body: unknown): PrefillIdentity {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ValidationFailed(toFieldIssues(parsed.error, body));
  return parsed.data.patient;
}

/** Parses a redemption body into the token, or throws `ValidationFailed` at `/token`. */
export function parseRedemptionBody(body: unknown): string {
  const parsed = RedemptionBodySchema.safeParse(body);
  if (!parsed.success) throw new ValidationFailed(toFieldIssues(parsed.error, body));
  return parsed.data.token;
}

export interface PrefillDeps {
  db: Database;
  dataKeys: DataKeyProvider;
  /** The intake schema: its `patient` field validates the identity. */
  schema: IntakeSchema;
}

/** Who redeems: a person, the pharmacies their `results` right reaches, and the request. */
export interface Redeemer {
  actor: AuditEvent['actor'];
  pharmacyIds: readonly string[];
  requestId: string;
  sourceIp?: string;
}

const OBJECT = 'counter-prefill';

/**
 * One-time prefill tokens, and the one owner of `counter_prefills`. Pharmacy software posts a
 * patient's identity over mTLS and gets a token (256 random bits; only its SHA-256 is stored),
 * valid 5 minutes, for its own pharmacy only; the identity is sealed like a result (AES-256-GCM
 * under the pharmacy's data key, bound to the token's row id and pharmacy id). A person whose
 * `results` right reaches that pharmacy redeems it once: the row is deleted as it is read. Both
 * steps are audited with server-made values only (the row id, never the token or the identity).
 * @example const { token } = await prefills.issue({ principal, body, requestId });
 */
export function createPrefillService(deps: PrefillDeps) {
  const bodySchema = prefillBodySchema(deps.schema);

  return {
    async issue(req: { principal: PharmacyPrincipal; body: unknown; requestId: string; sourceIp?: string }): Promise<{ token: string; expiresAt: string }> {
      const patient = parsePrefillBody(bodySchema, req.body);
      const id = randomUUID();
      const token = newSecret();
      const { keyId, key } = await deps.dataKeys.forSealing(req.principal.pharmacyId);
      const sealed = sealDocument({ patient }, { resultId: id, pharmacyId: req.principal.pharmacyId, keyId }, key);
      return deps.db.transaction().execute(async (tx) => {
        // the database's clock sets and judges the expiry, whichever replica issues or redeems
        const row = await tx
          .insertInto('counter_prefills')
          .values({ id, pharmacy_id: req.principal.pharmacyId, token_hash: hashSecret(token), sealed, data_key_id: keyId, expires_at: sql<Date>`now() + make_interval(mins => ${PREFILL_LIFETIME_MINUTES})` })
          .returning('expires_at')
          .executeTakeFirstOrThrow();
        await appendAudit(tx, [{ actor: auditActor(req.principal), action: 'counter-prefill.create', object: { type: OBJECT, id }, outcome: 'success', requestId: req.requestId, sourceIp: req.sourceIp }]);
        return { token, expiresAt: new Date(row.expires_at).toISOString() };
      });
    },

    /**
     * Redeems a token for a pharmacy the person reaches: the identity and the pharmacy's FINESS.
     * Unknown, used, expired, or of a pharmacy the person does not reach: 404 alike, so nothing
     * tells a token's pharmacy; the last case leaves the token to its own pharmacy (not consumed)
     * and is audited as denied on the token's row.
     */
    async redeem(rawBody: unknown, who: Redeemer): Promise<{ pharmacyFiness: string; patient: PrefillIdentity }> {
      const tokenHash = hashSecret(parseRedemptionBody(rawBody));
      const audit = { actor: who.actor, action: 'counter-prefill.redeem' as const, requestId: who.requestId, sourceIp: who.sourceIp };
      const redeemed = await deps.db.transaction().execute(async (tx) => {
        if (who.pharmacyIds.length === 0) return undefined;
        const row = await tx
          .deleteFrom('counter_prefills')
          .where('token_hash', '=', tokenHash)
          .where('expires_at', '>', sql<Date>`now()`)
          .where('pharmacy_id', 'in', [...who.pharmacyIds])
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        // opened before commit: a key-manager failure leaves the token unspent
        const key = await deps.dataKeys.forOpening(row.data_key_id);
        const { patient } = openDocument(row.sealed, { resultId: row.id, pharmacyId: row.pharmacy_id, keyId: row.data_key_id }, key) as { patient: PrefillIdentity };
        const { finess } = await tx.selectFrom('pharmacies').select('finess').where('id', '=', row.pharmacy_id).executeTakeFirstOrThrow();
        await appendAudit(tx, [{ ...audit, object: { type: OBJECT, id: row.id }, outcome: 'success' }]);
        return { pharmacyFiness: finess, patient };
      });
      if (redeemed) return redeemed;
      const elsewhere = await deps.db.selectFrom('counter_prefills').select('id').where('token_hash', '=', tokenHash).where('expires_at', '>', sql<Date>`now()`).executeTakeFirst();
      await appendAuditNow(deps.db, [{ ...audit, ...(elsewhere ? { object: { type: OBJECT, id: elsewhere.id }, reason: 'other-pharmacy' } : { reason: 'not-found' }), outcome: 'denied' }]);
      throw new NotFound();
    },
  };
}

export type PrefillService = ReturnType<typeof createPrefillService>;

/**
 * Deletes the tokens past their expiry (never redeemed): what the gateway's purge job runs with
 * the results' purge. Returns how many went.
 * @example const prefills = await deleteExpiredPrefills(db);
 */
export async function deleteExpiredPrefills(db: Database): Promise<number> {
  const deleted = await db.deleteFrom('counter_prefills').where('expires_at', '<=', sql<Date>`now()`).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
