import { sql } from 'kysely';
import { AUDIT_ADMIN_ROLE, type Database } from '../db/index.js';
import { appendAudit } from './append.js';
import { checkpointSignatureValid } from './checkpoint.js';
import { exportAudit } from './export.js';
import { verifyAuditLog } from './verify.js';

/** CNIL: audit traces are kept 6 months at least (and 1 year at most, 12 months by default). */
export const MIN_AUDIT_RETENTION_DAYS = 183;
const DAY_MS = 86_400_000;
// pg_advisory_xact_lock key: one prune at a time per database.
const PRUNE_LOCK_KEY = 6_962_002;

/** Why a prune deleted nothing. */
export type PruneRefusal = 'not-audit-admin' | 'retention-too-short' | 'not-old-enough' | 'log-does-not-verify' | 'anchor-signature' | 'concurrent-prune';

/** A prune refused before anything was deleted. */
export class PruneRefused extends Error {
  constructor(readonly reason: PruneRefusal, detail?: string) {
    super(`audit prune refused: ${reason}${detail ? ` (${detail})` : ''}`);
  }
}

export interface PruneOptions {
  /** Logged in as `gateway_audit_admin`: no other role may prune. */
  db: Database;
  /** Delete the batches of checkpoints sealed before this time. */
  before: Date;
  retentionDays: number;
  publicKeys: Record<number, string>;
  /** Who runs it, for the prune's audit event (e.g. `cli:alice`). */
  actor: string;
  /** Receives the JSON Lines export of what is about to be deleted (`exportAudit`). */
  exportTo: (line: string) => void | Promise<void>;
  now?: Date;
}

export interface PruneReport {
  /** Checkpoints 1..through are gone (0: nothing was old enough). */
  through: number;
  checkpoints: number;
  events: number;
}

interface Anchor {
  number: string;
  body: string;
  key_version: number;
  signature: string;
  sealed_at: Date;
  xact_to: string;
}

/**
 * Deletes whole sealed batches from the start of the audit log once they are past retention:
 * refuses a `before` within retention, a log that does not verify up to the cut, and any role
 * but the audit admin. It exports what it deletes first, keeps the last deleted checkpoint's
 * signed body in `audit_prunes` (the anchor `audit verify` chains the oldest retained checkpoint
 * to), never deletes the newest checkpoint nor one not yet copied to the sink, and records an
 * `audit.prune` event in the same transaction.
 * @example await pruneAuditLog({ db: adminDb, before, retentionDays: 365, publicKeys, actor: 'cli:alice', exportTo });
 */
export async function pruneAuditLog(o: PruneOptions): Promise<PruneReport> {
  const now = o.now ?? new Date();
  if (o.retentionDays < MIN_AUDIT_RETENTION_DAYS) throw new PruneRefused('retention-too-short', `${o.retentionDays} < ${MIN_AUDIT_RETENTION_DAYS} days`);
  if (o.before.getTime() > now.getTime() - o.retentionDays * DAY_MS) throw new PruneRefused('not-old-enough', `retention is ${o.retentionDays} days`);
  const role = (await sql<{ role: string }>`SELECT current_user AS role`.execute(o.db)).rows[0]?.role;
  if (role !== AUDIT_ADMIN_ROLE) throw new PruneRefused('not-audit-admin', `connected as ${role}`);
  const anchor = await cut(o.db, o.before);
  if (!anchor) return { through: 0, checkpoints: 0, events: 0 };
  if (!checkpointSignatureValid({ body: anchor.body, keyVersion: anchor.key_version, signature: anchor.signature }, o.publicKeys)) throw new PruneRefused('anchor-signature', `checkpoint ${anchor.number}`);
  // Pruning a tampered log would destroy the evidence: what goes must verify first.
  const { fault } = await verifyAuditLog({ db: o.db, publicKeys: o.publicKeys, until: anchor.sealed_at, maxSealLagSeconds: Number.MAX_SAFE_INTEGER });
  if (fault) throw new PruneRefused('log-does-not-verify', `${fault.kind} at checkpoint ${fault.checkpoint ?? '?'}: ${fault.check}`);
  await exportAudit(o.db, { until: anchor.sealed_at }, o.exportTo);
  return o.db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${PRUNE_LOCK_KEY})`.execute(tx);
    const through = anchor.number;
    // Another prune may have gone past this cut since it was chosen.
    if (!(await tx.selectFrom('audit_checkpoints').select('number').where('number', '=', through).executeTakeFirst())) throw new PruneRefused('concurrent-prune');
    await tx.deleteFrom('audit_sink_copies').where('number', '<=', through).execute();
    const events = await tx.deleteFrom('audit_events').where('xact_id', '<', sql<string>`${anchor.xact_to}::xid8`).executeTakeFirst();
    const checkpoints = await tx.deleteFrom('audit_checkpoints').where('number', '<=', through).executeTakeFirst();
    await tx.insertInto('audit_prunes').values({ through, body: anchor.body, key_version: anchor.key_version, signature: anchor.signature, before: o.before }).execute();
    await appendAudit(tx, [{ actor: { type: 'user', id: o.actor }, action: 'audit.prune', object: { type: 'audit-checkpoint', id: through }, outcome: 'success', reason: 'retention' }]);
    return { through: Number(through), checkpoints: Number(checkpoints.numDeletedRows), events: Number(events.numDeletedRows) };
  });
}

/**
 * The last checkpoint to delete: every checkpoint up to it was sealed before `before`, and it is
 * older than the newest one copied to the sink (the sealer chains on, and the sink shows it).
 */
async function cut(db: Database, before: Date): Promise<Anchor | undefined> {
  const { rows } = await sql<Anchor>`
    SELECT number::text, body, key_version, signature, sealed_at, xact_to::text FROM audit_checkpoints
    WHERE number = least(
      coalesce((SELECT min(number) FROM audit_checkpoints WHERE sealed_at >= ${before}), 9223372036854775807),
      (SELECT coalesce(max(number), 0) FROM audit_sink_copies)) - 1`.execute(db);
  return rows[0];
}
