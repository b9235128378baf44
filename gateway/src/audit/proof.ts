import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { checkpointSignatureValid, parseCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { inclusionProof, verifyInclusion } from './merkle.js';
import { eventsInXactRange, recordLeaf, type AuditRecord } from './records.js';

/** An event, its RFC 6962 audit path and the signed checkpoint it leads to. */
export interface EventProof {
  event: AuditRecord;
  leafIndex: number;
  treeSize: number;
  /** Sibling hashes, hex, leaf to root. */
  path: string[];
  checkpoint: SignedCheckpoint & { number: number };
}

const LEAF_BYTES = 32;

/** The checkpoint's leaf hashes, as sealed. */
export function splitLeaves(leaves: Buffer): Buffer[] {
  return Array.from({ length: leaves.length / LEAF_BYTES }, (_, i) => leaves.subarray(i * LEAF_BYTES, (i + 1) * LEAF_BYTES));
}

/**
 * Proves that the event with this id was sealed; undefined when it does not exist or is not
 * sealed yet. The proof is built from the checkpoint's own leaves, so it verifies only if the
 * event row still matches what was sealed.
 * @example const proof = await proveEvent(db, eventId);
 */
export async function proveEvent(db: Database, eventId: string): Promise<EventProof | undefined> {
  const located = await db
    .selectFrom('audit_events as e')
    .innerJoin('audit_checkpoints as c', (j) => j.on(sql`e.xact_id`, '>=', sql`c.xact_from`).on(sql`e.xact_id`, '<', sql`c.xact_to`))
    .select([sql<string>`c.xact_from::text`.as('from'), sql<string>`c.xact_to::text`.as('to'), sql<string>`e.seq::text`.as('seq')])
    .where('e.id', '=', eventId)
    .executeTakeFirst();
  if (!located) return undefined;
  const event = (await eventsInXactRange(db, located.from, located.to).where('seq', '=', located.seq).executeTakeFirst()) as AuditRecord;
  const cp = await db
    .selectFrom('audit_checkpoints')
    .select([sql<string>`number::text`.as('number'), sql<string[]>`seqs::text[]`.as('seqs'), 'leaves', 'body', 'key_version', 'signature'])
    .where('xact_from', '=', sql<string>`${located.from}::xid8`)
    .executeTakeFirstOrThrow();
  const leaves = splitLeaves(cp.leaves);
  const leafIndex = cp.seqs.indexOf(located.seq);
  if (leafIndex < 0) return undefined;
  return {
    event,
    leafIndex,
    treeSize: leaves.length,
    path: inclusionProof(leaves, leafIndex).map((h) => h.toString('hex')),
    checkpoint: { number: Number(cp.number), body: cp.body, keyVersion: cp.key_version, signature: cp.signature },
  };
}

/**
 * Verifies a proof offline: the checkpoint's signature under the exported public keys, then
 * the event's leaf up its audit path to the signed root. Needs no database and no gateway.
 * @example verifyEventProof(JSON.parse(proofJson), { 1: publicKeyBase64 }); // true
 */
export function verifyEventProof(proof: EventProof, publicKeys: Record<number, string>): boolean {
  if (!checkpointSignatureValid(proof.checkpoint, publicKeys)) return false;
  const body = parseCheckpoint(proof.checkpoint.body);
  if (!body || body.number !== proof.checkpoint.number || body.size !== proof.treeSize) return false;
  if (!proof.path.every((h) => /^[0-9a-f]{64}$/.test(h))) return false;
  return verifyInclusion(
    recordLeaf(proof.event),
    proof.leafIndex,
    proof.treeSize,
    proof.path.map((h) => Buffer.from(h, 'hex')),
    Buffer.from(body.root, 'hex'),
  );
}
