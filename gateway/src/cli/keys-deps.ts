import { appendAudit, type AuditEvent } from '../audit/index.js';
import type { Database } from '../db/index.js';
import type { KeyManager } from '../keys/index.js';

/** What `runKeysCommand` needs: the operator's database, output, and the key manager to open. */
export interface KeysCliDeps {
  db: Database;
  /** Opened only once the command line is known to be valid. */
  openKeys: () => Promise<KeyManager>;
  /** Who runs the command, for the audit log (`cli:<user>`). */
  actor: AuditEvent['actor'];
  out: (line: string) => void;
  /** Usage errors, on stderr. */
  err: (line: string) => void;
  /** A progress line, on stderr; `final` after the last batch. */
  progress: (text: string, final: boolean) => void;
  /** `backup.retentionDays`: `keys retire` waits this long after the rewrap it relies on. */
  backupRetentionDays: number;
  /** `keyManager.blindIndexAdoptSeconds` in milliseconds, as the gateways run with it; 10 s by default. */
  blindIndexAdoptAfterMs?: number;
  /** `keys reindex --batch-size` (100 by default) and `--stop-after`. */
  batchSize?: number;
  stopAfter?: number;
}

/** The deps once the command line checked out and the key manager is open. */
export type OpenedKeysDeps = Omit<KeysCliDeps, 'openKeys'> & { keys: KeyManager };

/**
 * Runs `run` inside an open transaction that then appends its audit event: with the audit log
 * unreachable the transaction never opens and the action never starts.
 */
export function audited<T>(
  d: OpenedKeysDeps,
  action: string,
  run: () => Promise<T>,
  reasonOf: (result: T) => string,
  objectType = 'key-encryption-key',
): Promise<T> {
  return d.db.transaction().execute(async (tx) => {
    const result = await run();
    await appendAudit(tx, [{ actor: d.actor, action, object: { type: objectType, id: d.keys.kind }, outcome: 'success', reason: reasonOf(result) }]);
    return result;
  });
}

/** `[#########...........]  45% 450/1000 data keys` */
export function progressBar(done: number, total: number, unit = 'data keys', width = 30): string {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${done}/${total} ${unit}`;
}
