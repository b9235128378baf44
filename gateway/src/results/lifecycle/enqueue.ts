import { randomUUID } from 'node:crypto';
import type { MessageKind, Tx } from '../../db/index.js';

/**
 * Adds a message to the outbox inside the caller's transaction. The payload is ids only; the
 * relay decrypts at send time. The caller wakes the relay after commit (`onCommit`), never with
 * a NOTIFY inside the transaction: those serialise every commit on one lock.
 * @example const messageId = await enqueueMessage(tx, { resultId, kind: 'original' });
 */
export async function enqueueMessage(
  tx: Tx,
  o: { resultId: string; kind: MessageKind; dependsOn?: string | null; id?: string },
): Promise<string> {
  const id = o.id ?? randomUUID();
  await tx
    .insertInto('outbox_messages')
    .values({ id, result_id: o.resultId, kind: o.kind, depends_on: o.dependsOn ?? null, lease_token: null, lease_until: null, last_error_code: null, dead_reason: null, ack_id: null, delivered_at: null })
    .execute();
  return id;
}
