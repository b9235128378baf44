import { sql } from 'kysely';
import type { Database } from '../db/index.js';
import { inclusionProof } from './merkle.js';
import { splitLeaves } from './proof.js';
import { eventsInXactRange } from './records.js';

/**
 * Writes the sealed log between two times as JSON Lines for an inspection: per checkpoint, a
 * `checkpoint` line (signed body, key version, signature), then one `event` line per event
 * with its audit path to that checkpoint. Unsealed events are not exported.
 * @example await exportAudit(db, { since, until }, (line) => process.stdout.write(line));
 */
export async function exportAudit(db: Database, range: { since?: Date; until?: Date }, write: (line: string) => void | Promise<void>): Promise<{ checkpoints: number; events: number }> {
  let q = db
    .selectFrom('audit_checkpoints')
    .select([sql<string>`number::text`.as('number'), sql<string>`xact_from::text`.as('from'), sql<string>`xact_to::text`.as('to'), sql<string[]>`seqs::text[]`.as('seqs'), 'leaves', 'body', 'key_version', 'signature'])
    .orderBy('audit_checkpoints.number');
  if (range.since) q = q.where('sealed_at', '>=', range.since);
  if (range.until) q = q.where('sealed_at', '<=', range.until);
  const counts = { checkpoints: 0, events: 0 };
  let after = '0';
  for (;;) {
    const page = await q.where('number', '>', after).limit(100).execute();
    if (page.length === 0) return counts;
    for (const cp of page) {
      const number = Number(cp.number);
      await write(`${JSON.stringify({ type: 'checkpoint', number, body: cp.body, keyVersion: cp.key_version, signature: cp.signature })}\n`);
      const leaves = splitLeaves(cp.leaves);
      const index = new Map(cp.seqs.map((s, i) => [s, i]));
      for (const event of await eventsInXactRange(db, cp.from, cp.to).execute()) {
        const leafIndex = index.get(event.seq);
        // An event the checkpoint does not list has no proof: `audit verify` names it.
        const path = leafIndex === undefined ? null : inclusionProof(leaves, leafIndex).map((h) => h.toString('hex'));
        await write(`${JSON.stringify({ type: 'event', checkpoint: number, event, leafIndex: leafIndex ?? null, treeSize: leaves.length, path })}\n`);
        counts.events += 1;
      }
      counts.checkpoints += 1;
    }
    after = page.at(-1)?.number as string;
  }
}
