import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { checkpointHash, checkpointSignatureValid, GENESIS, parseCheckpoint, type CheckpointBody } from './checkpoint.js';
import { merkleRoot } from './merkle.js';
import { eventsInXactRange, rowLeaf, type AuditRecord } from './records.js';
import type { SinkEntry } from './sink.js';

/** What `audit verify` found wrong. */
export type AuditFaultKind = 'edited' | 'deleted' | 'inserted' | 'reordered' | 'truncated' | 'unsealed';

export interface AuditFault {
  kind: AuditFaultKind;
  /** The first bad event sequence, when the fault concerns events. */
  seq?: string;
  /** The checkpoint at fault or covering the event. */
  checkpoint?: number;
  /** A stable code: which check failed. */
  check: string;
}

export interface VerifyOptions {
  db: Database;
  publicKeys: Record<number, string>;
  /** The external sink's copy; without it a consistent rewrite of the database cannot show. */
  sink?: Map<number, SinkEntry>;
  since?: Date;
  until?: Date;
  /**
   * The last checkpoint an earlier verify found sound, as the verifier kept it outside the
   * database (`VerifyReport.last`): this one starts after it, so it takes time in proportion to
   * what was sealed since, not to the whole log. The database must still hold that very body.
   */
  after?: VerifiedCheckpoint;
  maxSealLagSeconds: number;
  onProgress?: (done: number, total: number) => void;
}

/** A checkpoint a verify found sound: its number and signed body. */
export interface VerifiedCheckpoint {
  number: number;
  body: string;
}

export interface VerifyReport {
  checkpoints: number;
  events: number;
  /** The last checkpoint found sound (or `after` when nothing was sealed since): where the next verify may start. */
  last?: VerifiedCheckpoint;
  /** The first fault in log order; undefined when everything holds. */
  fault?: AuditFault;
}

interface CheckpointRow {
  number: string;
  xact_from: string;
  xact_to: string;
  size: number;
  seqs: string[];
  leaves: Buffer;
  root: string;
  prev: string;
  body: string;
  key_version: number;
  signature: string;
}

/** The checkpoint a checkpoint chains to (none before the first). */
type Link = { number: number; body: string; xactTo: string } | undefined;

const LEAF_BYTES = 32;
const PAGE = 200;

/**
 * Recomputes the sealed log: each checkpoint's signature, its fields against its signed body,
 * the chain (the previous checkpoint's hash, and a range starting where the previous one ended),
 * the Merkle root over its leaves, the events of its batch against those leaves, the sink's
 * copy, truncation against the sink, and events left unsealed too long. A log whose start
 * was pruned starts from the prune's signed anchor. Stops at the first fault and names it.
 * @example const { fault } = await verifyAuditLog({ db, publicKeys, sink, maxSealLagSeconds: 60 });
 */
export async function verifyAuditLog(o: VerifyOptions): Promise<VerifyReport> {
  const { db } = o;
  let range = db.selectFrom('audit_checkpoints');
  if (o.after) range = range.where('number', '>', String(o.after.number));
  if (o.since) range = range.where('sealed_at', '>=', o.since);
  if (o.until) range = range.where('sealed_at', '<=', o.until);
  const bounds = await range.select([sql<string | null>`min(number)::text`.as('first'), sql<string | null>`max(number)::text`.as('last'), sql<number>`count(*)::int`.as('n')]).executeTakeFirstOrThrow();
  const report: VerifyReport = { checkpoints: 0, events: 0 };
  const resumed = o.after ? await resumeAfter(db, o.after) : undefined;
  if (resumed && 'fault' in resumed) return { ...report, fault: resumed.fault };
  let previous: Link = resumed?.previous;
  if (bounds.first !== null) {
    const start = resumed && o.after && Number(bounds.first) === o.after.number + 1 ? resumed : await predecessor(db, Number(bounds.first), o);
    if ('fault' in start) return { ...report, fault: start.fault };
    previous = start.previous;
    let after = Number(bounds.first) - 1;
    for (;;) {
      const rows = await selectCheckpoints(db, after, Number(bounds.last));
      if (rows.length === 0) break;
      // the next checkpoint's events are read while this one's are hashed
      let next = readEvents(db, rows[0] as CheckpointRow);
      for (const [i, row] of rows.entries()) {
        const records = next;
        const following = rows[i + 1];
        next = following ? readEvents(db, following) : Promise.resolve([]);
        const fault = checkCheckpoint(row, previous, o) ?? (await checkEvents(db, row, await records, report));
        if (fault) await Promise.allSettled([records, next]); // no read left running on the caller's connection
        if (fault?.check === 'checkpoint-missing') return { ...report, fault: { ...fault, ...(await firstSeqBetween(db, previous?.xactTo ?? '0', row.xact_from)) } };
        if (fault) return { ...report, fault };
        report.checkpoints += 1;
        const body = row.body;
        previous = { number: Number(row.number), body, xactTo: row.xact_to };
        o.onProgress?.(report.checkpoints, bounds.n);
      }
      after = Number(rows.at(-1)?.number);
    }
  }
  if (!o.until) {
    const start = bounds.first === null && !resumed ? await predecessor(db, Number.MAX_SAFE_INTEGER, o) : { previous };
    if ('fault' in start) return { ...report, fault: start.fault };
    const last = start.previous;
    const fault = (await checkTruncation(db, last, o)) ?? (await checkUnsealed(db, last, o));
    if (fault) return { ...report, fault };
  }
  return { ...report, ...(previous ? { last: { number: previous.number, body: previous.body } } : {}) };
}

/**
 * The link to resume from: the verifier's own copy of the last checkpoint it found sound, which
 * the database must still hold unchanged (or have pruned under a signed anchor past it).
 */
async function resumeAfter(db: Database, after: VerifiedCheckpoint): Promise<{ previous: Link } | { fault: AuditFault }> {
  const body = parseCheckpoint(after.body);
  const fault = (kind: AuditFaultKind, check: string) => ({ fault: { kind, checkpoint: after.number, check } });
  if (!body || body.number !== after.number) return fault('edited', 'verified-checkpoint-unreadable');
  const row = await db.selectFrom('audit_checkpoints').select('body').where('number', '=', String(after.number)).executeTakeFirst();
  if (row && row.body !== after.body) return fault('edited', 'verified-checkpoint-changed');
  if (!row && !(await db.selectFrom('audit_prunes').select('through').where('through', '>=', String(after.number)).executeTakeFirst())) return fault('deleted', 'verified-checkpoint-missing');
  return { previous: { number: after.number, body: after.body, xactTo: body.xactTo } };
}

async function selectCheckpoints(db: Database, after: number, last: number): Promise<CheckpointRow[]> {
  return db
    .selectFrom('audit_checkpoints')
    .select([sql<string>`number::text`.as('number'), sql<string>`xact_from::text`.as('xact_from'), sql<string>`xact_to::text`.as('xact_to'), 'size', sql<string[]>`seqs::text[]`.as('seqs'), 'leaves', 'root', 'prev', 'body', 'key_version', 'signature'])
    .where('number', '>', String(after))
    .where('number', '<=', String(last))
    .orderBy('audit_checkpoints.number')
    .limit(PAGE)
    .execute();
}

/**
 * The checkpoint the one numbered `number` chains to: the one before it, or, when the start of
 * the log was pruned, the last pruned checkpoint's signed body kept by `audit prune` (trusted
 * from its signature, and against the sink's copy when there is one).
 */
async function predecessor(db: Database, number: number, o: VerifyOptions): Promise<{ previous: Link } | { fault: AuditFault }> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .select([sql<string>`number::text`.as('number'), 'body', sql<string>`xact_to::text`.as('xact_to')])
    .where('number', '<', String(number))
    .orderBy('audit_checkpoints.number', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row) return { previous: { number: Number(row.number), body: row.body, xactTo: row.xact_to } };
  const anchor = await db
    .selectFrom('audit_prunes')
    .select(['through', 'body', 'key_version', 'signature'])
    .where('through', '<', String(number))
    .orderBy('through', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!anchor) return { previous: undefined };
  const through = Number(anchor.through);
  const fault = (check: string) => ({ fault: { kind: 'edited' as const, checkpoint: through, check } });
  const body = parseCheckpoint(anchor.body);
  if (!body || body.number !== through || !checkpointSignatureValid({ body: anchor.body, keyVersion: anchor.key_version, signature: anchor.signature }, o.publicKeys)) return fault('prune-anchor-signature');
  const copy = o.sink?.get(through);
  if (copy && (copy.body !== anchor.body || copy.signature !== anchor.signature)) return fault('sink-copy-differs');
  return { previous: { number: through, body: anchor.body, xactTo: body.xactTo } };
}

/** The checkpoint on its own and in the chain: signature, fields, sink copy, link, root. */
function checkCheckpoint(row: CheckpointRow, previous: Link, o: VerifyOptions): AuditFault | undefined {
  const number = Number(row.number);
  const fault = (kind: AuditFaultKind, check: string): AuditFault => ({ kind, checkpoint: number, check, ...(row.seqs[0] ? { seq: row.seqs[0] } : {}) });
  const copy = o.sink?.get(number);
  const signed = checkpointSignatureValid({ body: row.body, keyVersion: row.key_version, signature: row.signature }, o.publicKeys);
  const body = parseCheckpoint(row.body);
  if (!signed || !body) return fault(copy || !o.sink ? 'edited' : 'inserted', 'checkpoint-signature');
  if (body.number !== number) return fault('reordered', 'checkpoint-number');
  if (!sameFields(body, row)) return fault('edited', 'checkpoint-fields');
  if (copy && (copy.body !== row.body || copy.signature !== row.signature)) return fault('edited', 'sink-copy-differs');
  // Sealed but never sent outside within the allowed lag: a rewrite of it could not show.
  if (o.sink && !copy && Date.parse(body.sealedAt) < Date.now() - o.maxSealLagSeconds * 1000) return fault('unsealed', 'sink-copy-missing');
  const expectedNumber = previous ? previous.number + 1 : 1;
  if (number > expectedNumber) return { kind: 'deleted', checkpoint: expectedNumber, check: 'checkpoint-missing' };
  if (body.prev !== (previous ? checkpointHash(previous.body) : GENESIS)) return fault('reordered', 'checkpoint-chain');
  // Ranges follow each other with neither gap (events no checkpoint covers) nor overlap.
  if (body.xactFrom !== (previous?.xactTo ?? '0')) return fault('reordered', 'checkpoint-range');
  if (row.leaves.length !== body.size * LEAF_BYTES || row.seqs.length !== body.size) return fault('edited', 'checkpoint-leaves');
  const leaves = Array.from({ length: body.size }, (_, i) => row.leaves.subarray(i * LEAF_BYTES, (i + 1) * LEAF_BYTES));
  if (merkleRoot(leaves).toString('hex') !== body.root) return fault('edited', 'checkpoint-leaves');
  return undefined;
}

function sameFields(b: CheckpointBody, row: CheckpointRow): boolean {
  return b.xactFrom === row.xact_from && b.xactTo === row.xact_to && b.size === row.size && b.root === row.root && b.prev === row.prev;
}

/** A checkpoint's events, being read; a failure shows where it is awaited, not as unhandled. */
function readEvents(db: Database, row: CheckpointRow): Promise<AuditRecord[]> {
  const records = eventsInXactRange(db, row.xact_from, row.xact_to).execute();
  records.catch(() => undefined);
  return records;
}

/** True when the events are the checkpoint's sealed ones, in order, each matching its leaf: the common case, without building maps. */
function allMatch(row: CheckpointRow, records: AuditRecord[]): boolean {
  if (records.length !== row.seqs.length) return false;
  return records.every((r, i) => r.seq === row.seqs[i] && row.leaves.compare(rowLeaf(r), 0, LEAF_BYTES, i * LEAF_BYTES, (i + 1) * LEAF_BYTES) === 0);
}

/** The batch's events against the checkpoint's leaves, in sequence order. */
async function checkEvents(db: Database, row: CheckpointRow, records: AuditRecord[], report: VerifyReport): Promise<AuditFault | undefined> {
  report.events += records.length;
  if (allMatch(row, records)) return undefined;
  const stored = new Map(row.seqs.map((seq, i) => [seq, row.leaves.subarray(i * LEAF_BYTES, (i + 1) * LEAF_BYTES)]));
  const actual = new Map(records.map((r) => [r.seq, r]));
  const allSeqs = [...new Set([...row.seqs, ...actual.keys()])].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const number = Number(row.number);
  for (const seq of allSeqs) {
    const leaf = stored.get(seq);
    const record = actual.get(seq);
    if (leaf && record && rowLeaf(record).equals(leaf)) continue;
    const fault = (kind: AuditFaultKind, check: string): AuditFault => ({ kind, seq, checkpoint: number, check });
    if (record && movedFrom(record, stored)) return fault('reordered', 'event-sequence');
    if (!record) {
      // Gone from the batch: deleted, or edited so that it left it (its transaction id).
      const elsewhere = await db.selectFrom('audit_events').select('seq').where('seq', '=', seq).executeTakeFirst();
      return fault(elsewhere ? 'edited' : 'deleted', elsewhere ? 'event-moved' : 'event-missing');
    }
    return leaf ? fault('edited', 'event-leaf') : fault('inserted', 'event-unsealed-in-batch');
  }
  return undefined;
}

/** True when the record, under another sealed sequence of the batch, is that sequence's leaf. */
function movedFrom(record: AuditRecord, stored: Map<string, Buffer>): boolean {
  for (const [seq, leaf] of stored) {
    if (seq !== record.seq && rowLeaf({ ...record, seq }).equals(leaf)) return true;
  }
  return false;
}

/** The first event of a gap in the chain: what the missing checkpoint sealed. */
async function firstSeqBetween(db: Database, from: string, to: string): Promise<{ seq?: string }> {
  const row = await db
    .selectFrom('audit_events')
    .select(sql<string | null>`min(seq)::text`.as('seq'))
    .where('xact_id', '>=', sql<string>`${from}::xid8`)
    .where('xact_id', '<', sql<string>`${to}::xid8`)
    .executeTakeFirst();
  return row?.seq ? { seq: row.seq } : {};
}

/** Checkpoints the sink holds beyond the database's last one: the database lost its tail. */
async function checkTruncation(db: Database, last: Link, o: VerifyOptions): Promise<AuditFault | undefined> {
  if (!o.sink) return undefined;
  const lastNumber = last?.number ?? 0;
  const lost = o.sink.get(lastNumber + 1);
  if (!lost) return undefined;
  const body = parseCheckpoint(lost.body);
  const first = body && (await db.selectFrom('audit_events').select(sql<string>`min(seq)::text`.as('seq')).where('xact_id', '>=', sql<string>`${body.xactFrom}::xid8`).executeTakeFirst());
  return { kind: 'truncated', checkpoint: lastNumber + 1, check: 'sink-has-more', ...(first?.seq ? { seq: first.seq } : {}) };
}

/** Events past the last checkpoint and older than the allowed lag. */
async function checkUnsealed(db: Database, last: { xactTo: string } | undefined, o: VerifyOptions): Promise<AuditFault | undefined> {
  const row = await db
    .selectFrom('audit_events')
    .select(sql<string>`seq::text`.as('seq'))
    .where('xact_id', '>=', sql<string>`${last?.xactTo ?? '0'}::xid8`)
    .where('at', '<', sql<Date>`now() - make_interval(secs => ${o.maxSealLagSeconds})`)
    .orderBy('audit_events.seq')
    .limit(1)
    .executeTakeFirst();
  return row ? { kind: 'unsealed', seq: row.seq, check: 'seal-lag' } : undefined;
}
