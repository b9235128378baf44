import canonicalize from 'canonicalize';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/index.js';
import { leafHash } from './merkle.js';

/** An audit event as sealed: every column, in the text form its leaf hash covers. */
export interface AuditRecord {
  seq: string;
  id: string;
  /** RFC 3339 UTC with the microseconds Postgres keeps. */
  at: string;
  xactId: string;
  actorType: string;
  actorId: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  outcome: string;
  reason: string | null;
  requestId: string | null;
  sourceIp: string | null;
}

/**
 * Events whose transaction id lies in [from, to), in sequence order: the batch of one
 * checkpoint. `to` undefined: every event from `from` on (the unsealed tail).
 */
export function eventsInXactRange(db: Kysely<DB>, from: string, to?: string) {
  let q = db
    .selectFrom('audit_events')
    .select([
      sql<string>`seq::text`.as('seq'),
      'id',
      // text, not Date: a Date drops the microseconds, and with them an edit of them
      sql<string>`to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('at'),
      sql<string>`xact_id::text`.as('xactId'),
      'actor_type as actorType',
      'actor_id as actorId',
      'action',
      'object_type as objectType',
      'object_id as objectId',
      'outcome',
      'reason',
      'request_id as requestId',
      'source_ip as sourceIp',
    ])
    .where('xact_id', '>=', sql<string>`${from}::xid8`);
  if (to !== undefined) q = q.where('xact_id', '<', sql<string>`${to}::xid8`);
  return q.orderBy('audit_events.seq');
}

/** The bytes a record's leaf hash covers: its RFC 8785 canonical JSON. */
export function recordBytes(r: AuditRecord): Buffer {
  return Buffer.from(canonicalize(r) as string, 'utf8');
}

/** The RFC 6962 leaf hash of a record. */
export function recordLeaf(r: AuditRecord): Buffer {
  return leafHash(recordBytes(r));
}

/**
 * {@link recordLeaf} of a row read by {@link eventsInXactRange}, which holds exactly the record's
 * columns as text or null: its canonical JSON written field by field in RFC 8785 key order (a
 * string's JSON.stringify is RFC 8785's), without sorting keys anew for each of millions of rows.
 * Not for a record from outside (a proof file): extra keys there must change the leaf.
 */
export function rowLeaf(r: AuditRecord): Buffer {
  const q = JSON.stringify;
  return leafHash(
    Buffer.from(
      `{"action":${q(r.action)},"actorId":${q(r.actorId)},"actorType":${q(r.actorType)},"at":${q(r.at)},"id":${q(r.id)},"objectId":${q(r.objectId)},"objectType":${q(r.objectType)},"outcome":${q(r.outcome)},"reason":${q(r.reason)},"requestId":${q(r.requestId)},"seq":${q(r.seq)},"sourceIp":${q(r.sourceIp)},"xactId":${q(r.xactId)}}`,
      'utf8',
    ),
  );
}
