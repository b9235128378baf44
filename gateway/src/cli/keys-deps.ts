import { auditedAction, type AuditAction, type AuditEvent } from '../audit/index.js';
import type { Settings } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { KeyManager } from '../keys/index.js';

/** What `runKeysCommand` needs: the operator's database, output, and the key manager to open. */
export interface KeysCliDeps {
  db: Database;
  /** Opened only once the command line is known to be valid. */
  openKeys: () => Promise<KeyManager>;
  /** Who runs the command, for the audit log (`cli:<user>`); `keys status`, which changes nothing, runs without. */
  actor: AuditEvent['actor'] | undefined;
  out: (line: string) => void;
  /** Usage errors, on stderr. */
  err: (line: string) => void;
  /** A progress line, on stderr; `final` after the last batch. */
  progress: (text: string, final: boolean) => void;
  /** `backup.retentionDays`: `keys retire` waits this long after the rewrap it relies on. */
  backupRetentionDays: number;
  /**
   * The `keyManager` settings the gateways run with: when they index under a new blind-index key,
   * and the data keys `keys reindex` opens results with; their defaults when left out.
   */
  keyManager?: Pick<Settings['keyManager'], 'blindIndexAdoptSeconds' | 'dataKeyWindowMinutes' | 'dataKeyCacheSeconds'>;
  /** `keys reindex --batch-size` (100 by default) and `--stop-after`. */
  batchSize?: number;
  stopAfter?: number;
}

/** The deps once the command line checked out and the key manager is open. */
export type OpenedKeysDeps = Omit<KeysCliDeps, 'openKeys'> & { keys: KeyManager };

/** Runs `run` as an audited action (`auditedAction`) on the key manager the command opened. */
export function audited<T>(
  d: OpenedKeysDeps,
  action: AuditAction,
  run: () => Promise<T>,
  reasonOf: (result: T) => string,
  objectType = 'key-encryption-key',
): Promise<T> {
  const actor = changedBy(d);
  return auditedAction(d.db, run, (result) => ({ actor, action, object: { type: objectType, id: d.keys.kind }, outcome: 'success', reason: reasonOf(result) }));
}

/** The actor of a change: a subcommand that changes something never runs without one. */
export function changedBy(d: Pick<KeysCliDeps, 'actor'>): AuditEvent['actor'] {
  if (!d.actor) throw new Error('keys: a change needs the operator identity');
  return d.actor;
}

/** `[#########...........]  45% 450/1000 data keys` */
export function progressBar(done: number, total: number, unit = 'data keys', width = 30): string {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${done}/${total} ${unit}`;
}
