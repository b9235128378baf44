import { calculateJwkThumbprint, type JWK } from 'jose';
import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { KeyManagerUnavailable, NotFound } from '../errors.js';
import type { CheckpointSigner } from '../keys/index.js';
import type { PharmacyScope } from '../results/lifecycle/index.js';

/** The claims of a delivery receipt: identifiers and instants, never a personal value. */
export interface ReceiptClaims {
  /** The result's id. */
  sub: string;
  /** The pharmacy's FINESS. */
  finess: string;
  receivedAt: string;
  deliveredAt: string;
  sidepAckId: string;
  contractVersion: string;
  /** HMAC-SHA256 of the message bytes sent, under the blind-index key version named (`receipts/digest.ts`). */
  deliveredDigest: string;
  /** When the receipt was signed (seconds since the epoch). */
  iat: number;
}

/** The public receipt-signing keys, one per version still held, as a JWKS (RFC 7517). */
export interface Jwks {
  keys: (JWK & { kid: string; alg: 'EdDSA'; use: 'sig' })[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const b64url = (base64: string) => Buffer.from(base64, 'base64').toString('base64url');

/**
 * The JWK of each key version, its `kid` the RFC 7638 thumbprint: stable for a version, and
 * computable by anyone from the public key alone.
 */
async function jwksOf(publicKeys: Record<number, string>): Promise<Map<number, Jwks['keys'][number]>> {
  const entries = await Promise.all(
    Object.entries(publicKeys).map(async ([version, raw]) => {
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) };
      return [Number(version), { ...jwk, kid: await calculateJwkThumbprint(jwk, 'sha256'), alg: 'EdDSA', use: 'sig' } as const] as const;
    }),
  );
  return new Map(entries);
}

/**
 * The JWKS of a signer's public keys (`CheckpointSigner.publicKeys`), newest version first.
 *
 * @example
 * const { keys } = await receiptJwks(await receiptSigner.publicKeys());
 */
export async function receiptJwks(publicKeys: Record<number, string>): Promise<Jwks> {
  return { keys: [...(await jwksOf(publicKeys)).entries()].sort(([a], [b]) => b - a).map(([, key]) => key) };
}

/**
 * Issues signed delivery receipts: a compact JWS (EdDSA) over the claims the delivery wrote,
 * signed by the receipt key in the key manager (Transit in production, a local key file in
 * the demo) on first request and kept in `test_results.receipt_jws`, so the relay never waits
 * for the key manager and a receipt is signed once. The key manager down: `KeyManagerUnavailable` (503).
 *
 * @example
 * const receipts = createReceipts({ db, signer });
 * const jws = await receipts.receipt({ all: false, pharmacyIds: [pharmacyId] }, resultId);
 */
export function createReceipts({ db, signer }: { db: Database; signer: CheckpointSigner }) {
  const jwks = async () => receiptJwks(await signer.publicKeys());

  async function sign(claims: ReceiptClaims): Promise<string> {
    const keys = await jwksOf(await signer.publicKeys());
    const newest = Math.max(...keys.keys());
    const key = keys.get(newest);
    if (!key) throw new KeyManagerUnavailable({ cause: new Error('no receipt-signing key held') });
    const input = `${Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: key.kid, typ: 'sidep-receipt+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const { signature, keyVersion } = await signer.sign(Buffer.from(input));
    // a rotation between reading the keys and signing: the header would name another key
    if (keyVersion !== newest) throw new KeyManagerUnavailable({ cause: new Error('receipt key rotated while signing; retry') });
    return `${input}.${b64url(signature)}`;
  }

  /** The receipt of a delivered result of `scope`; `NotFound` for another pharmacy's or before delivery. */
  async function receipt(scope: PharmacyScope, id: string): Promise<string> {
    if (!UUID.test(id) || (!scope.all && scope.pharmacyIds.length === 0)) throw new NotFound();
    let query = db
      .selectFrom('test_results as r')
      .innerJoin('pharmacies as p', 'p.id', 'r.pharmacy_id')
      .select(['r.id', 'p.finess', 'r.received_at', 'r.delivered_at', 'r.sidep_ack_id', 'r.delivered_contract_version', 'r.delivered_digest', 'r.receipt_jws'])
      .where('r.id', '=', id.toLowerCase());
    if (!scope.all) query = query.where('r.pharmacy_id', 'in', scope.pharmacyIds);
    const row = await query.executeTakeFirst();
    if (!row?.delivered_at || !row.sidep_ack_id || !row.delivered_contract_version || !row.delivered_digest) throw new NotFound();
    if (row.receipt_jws) return row.receipt_jws;
    const jws = await sign({
      sub: row.id,
      finess: row.finess,
      receivedAt: row.received_at.toISOString(),
      deliveredAt: row.delivered_at.toISOString(),
      sidepAckId: row.sidep_ack_id,
      contractVersion: row.delivered_contract_version,
      deliveredDigest: row.delivered_digest,
      iat: Math.floor(Date.now() / 1000),
    });
    // two first requests at once: the first stored wins, and both answer it
    const stored = await db
      .updateTable('test_results')
      .set({ receipt_jws: sql`coalesce(receipt_jws, ${jws})` })
      .where('id', '=', row.id)
      .returning('receipt_jws')
      .executeTakeFirst();
    return stored?.receipt_jws ?? jws;
  }

  return { receipt, jwks };
}

export type Receipts = ReturnType<typeof createReceipts>;
