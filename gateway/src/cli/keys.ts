import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readKeyStatus } from '../admin/key-status.js';
import { appendAudit, type AuditEvent } from '../audit/index.js';
import { envName, settingsFromEnv, settingsSchema, SettingsRefused, type Settings } from '../config/index.js';
import {
  BLIND_INDEX_ADOPT_AFTER_MS,
  blindIndexSettledAt,
  createBlindIndex,
  createDataKeyProvider,
  createKeyManagerGuard,
  refusalOf,
  retireReadiness,
  rewrapStoredDataKeys,
  type KeyManager,
} from '../crypto/index.js';
import { createDataKeyStore, type Database } from '../db/index.js';
import { blindIndexVersionsInUse, reindexBlindIndexes } from '../intake/blind-index-reindex.js';
import { createResultSealer } from '../intake/result-sealer.js';
import type { TestResultInput } from '../results/index.js';
import { openConfiguredKeys } from './key-manager-from-settings.js';

// Not imported from demo/: the production image ships without it.
const DEMO_KEYRING = fileURLToPath(new URL('../../../.data/keyring.json', import.meta.url));

export const KEYS_HELP = `  keys status                 KEK versions: current, minimum decryption, data keys and records per version
  keys rotate                 Add a KEK version (Transit rotate); new data keys are wrapped under it
  keys rewrap                 Rewrap every stored data key to the current KEK version (online, resumable)
  keys retire <version>       Refuse to decrypt KEK versions below <version> (crypto-shredding): refused
                              until a rewrap left no key below it and every dump taken before that
                              rewrap is past GATEWAY_BACKUP_RETENTION_DAYS (see README)
  keys rotate-blind-index     Add a blind-index (HMAC) key version (running gateways follow it), then reindex
  keys reindex                Recompute stored blind indexes under the newest blind-index key (online,
                              resumable)  [--batch-size N] [--stop-after N]
  keys retire-blind-index <version>
                              Forget blind-index key versions below <version> (after reindex)
`;

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
  /** `keys reindex` options, as typed. */
  batchSize?: string | undefined;
  stopAfter?: string | undefined;
}

/**
 * `gateway keys status|rotate|rewrap|retire|rotate-blind-index|reindex|retire-blind-index`.
 * Exit codes: 0 ok, 1 finding (something left to do), 2 usage error. Every change is audited
 * (`keys.rotate`, `keys.reindex`, …).
 *
 * @example
 * process.exitCode = await runKeysCommand('status', [], deps);
 */
export async function runKeysCommand(sub: string | undefined, args: string[], deps: KeysCliDeps): Promise<number> {
  const version = Number(args[0]);
  if (sub === 'retire' && !isPositive(version)) return usage(deps, 'keys retire <version>: a positive KEK version');
  if (sub === 'retire-blind-index' && !isPositive(version)) return usage(deps, 'keys retire-blind-index <version>: a positive blind-index key version');
  const batchSize = Number(deps.batchSize ?? 100);
  const stopAfter = deps.stopAfter === undefined ? undefined : Number(deps.stopAfter);
  if (!isPositive(batchSize) || (stopAfter !== undefined && !isPositive(stopAfter))) return usage(deps, '--batch-size and --stop-after: positive integers');
  if (!['status', 'rotate', 'rewrap', 'retire', 'rotate-blind-index', 'reindex', 'retire-blind-index'].includes(sub ?? '')) {
    return usage(deps, `unknown keys command${sub ? ` "${sub}"` : ''}`);
  }
  const d = { ...deps, keys: await deps.openKeys() };
  switch (sub) {
    case 'rotate-blind-index': {
      const added = await audited(d, 'keys.rotate-blind-index', () => d.keys.rotateBlindIndexKey(), (v) => `v${v}`, BLIND_INDEX_KEY);
      const adoptSeconds = (d.blindIndexAdoptAfterMs ?? BLIND_INDEX_ADOPT_AFTER_MS) / 1000;
      d.out(`Blind-index key version ${added} added. Running gateways read it within seconds and index under it ${adoptSeconds} s after; then run \`gateway keys reindex\` (it waits for that itself).`);
      return 0;
    }
    case 'reindex':
      return reindex(d, { batchSize, stopAfter });
    case 'retire-blind-index':
      return retireBlindIndex(d, version);
    case 'status':
      return status(d);
    case 'rotate': {
      const version = await audited(d, 'keys.rotate', () => d.keys.rotate(), (v) => `v${v}`);
      d.out(`Rotated: new data keys are wrapped under KEK version ${version}. Run \`gateway keys rewrap\` to move stored keys.`);
      return 0;
    }
    case 'rewrap': {
      const onProgress = (done: number, total: number) => d.progress(progressBar(done, total), done === total);
      const { rewrapped, current, remaining } = await audited(d, 'keys.rewrap', () => rewrapStoredDataKeys(d.db, d.keys, { onProgress }), (r) => `v${r.current}`);
      d.out(`Rewrapped ${rewrapped} data key(s) to KEK version ${current}.`);
      if (remaining === 0) return 0;
      d.out(`${remaining} data key(s) are still below version ${current} (written meanwhile): run \`gateway keys rewrap\` again.`);
      return 1;
    }
    // 'retire', the one command left
    default: {
      const refusal = refusalOf(await retireReadiness(d.db, { version, retentionDays: d.backupRetentionDays }), version, d.backupRetentionDays);
      if (refusal) {
        d.out(`Refusing: ${refusal}`);
        return 1;
      }
      await audited(d, 'keys.retire', () => d.keys.advanceMinDecryptionVersion(version), () => `v${version}`);
      d.out(`KEK versions below ${version} no longer decrypt: dumps holding data keys wrapped under them cannot be opened.`);
      return 0;
    }
  }
}

type OpenedDeps = Omit<KeysCliDeps, 'openKeys'> & { keys: KeyManager };

const BLIND_INDEX_KEY = 'blind-index-key';

/** Opens each result still indexed under an older blind-index key and indexes it under the newest. */
async function reindex(d: OpenedDeps, options: { batchSize: number; stopAfter: number | undefined }): Promise<number> {
  // Replicas write under a new version only once they all hold it: reindexing earlier would leave
  // results a replica still indexes under the older one behind the run.
  const held = await d.keys.blindIndexKeys();
  const wait = blindIndexSettledAt(held, d.blindIndexAdoptAfterMs) - Date.now();
  if (wait > 0) {
    d.progress(`waiting ${Math.ceil(wait / 1000)} s until every gateway replica indexes under blind-index key version ${Math.max(...held.map((k) => k.version))}`, true);
    await sleep(wait);
  }
  const guard = createKeyManagerGuard({ keys: d.keys });
  await guard.start();
  try {
    const dataKeys = createDataKeyProvider({ keys: d.keys, store: createDataKeyStore(d.db), guard });
    const sealer = createResultSealer<TestResultInput>({ dataKeys, blindIndex: createBlindIndex(await d.keys.blindIndexKeys()) });
    const onProgress = (done: number, total: number) => d.progress(progressBar(done, total, 'results'), done === total);
    const outcome = await audited(
      d,
      'keys.reindex',
      () => reindexBlindIndexes(d.db, sealer, { ...options, onProgress }),
      (o) => `v${o.version}: ${o.reindexed} reindexed, ${o.skipped} purged skipped, ${o.unreadable} unreadable, ${o.remaining} left`,
      BLIND_INDEX_KEY,
    ).catch(async (error: unknown) => {
      // Batches already committed stay done: the failed run is audited too, by error name only.
      const reason = error instanceof Error ? error.name : 'failed';
      await appendAudit(d.db, [{ actor: d.actor, action: 'keys.reindex', object: { type: BLIND_INDEX_KEY, id: d.keys.kind }, outcome: 'failure', reason }]);
      throw error;
    });
    d.out(`Reindexed ${outcome.reindexed} result(s) under blind-index key version ${outcome.version}; ${outcome.skipped} purged result(s) skipped (no ciphertext).`);
    if (outcome.unreadable > 0) d.out(`${outcome.unreadable} sealed result(s) did not open (DecryptionFailed) and keep their older index: check their data keys.`);
    if (outcome.remaining === 0) {
      d.out(`Every result is indexed under version ${outcome.version}: \`gateway keys retire-blind-index ${outcome.version}\` may retire the older versions.`);
      return 0;
    }
    d.out(`${outcome.remaining} result(s) are still indexed under an older version: run \`gateway keys reindex\` again to continue.`);
    return 1;
  } finally {
    guard.stop();
  }
}

async function retireBlindIndex(d: OpenedDeps, version: number): Promise<number> {
  const newest = Math.max(...(await d.keys.blindIndexKeys()).map((held) => held.version));
  if (version > newest) return usage(d, `keys retire-blind-index <version>: the newest blind-index key version is ${newest}`);
  const below = (await blindIndexVersionsInUse(d.db)).filter((use) => use.version < version);
  const results = below.reduce((n, use) => n + use.results, 0);
  if (results > 0) {
    d.out(`Refusing: ${results} result(s) are still indexed below blind-index key version ${version}; run \`gateway keys reindex\` first.`);
    return 1;
  }
  await audited(d, 'keys.retire-blind-index', () => d.keys.retireBlindIndexKeys(version), () => `v${version}`, BLIND_INDEX_KEY);
  d.out(`Blind-index key versions below ${version} are retired.`);
  const fingerprints = below.reduce((n, use) => n + use.idempotencyKeys, 0);
  // Fingerprints cannot be recomputed: a retry under such a key is refused, never run twice.
  if (fingerprints > 0) d.out(`${fingerprints} idempotency key(s) fingerprinted under them now answer a retry with 409 until purged with their results.`);
  return 0;
}

async function status(d: OpenedDeps): Promise<number> {
  const s = await readKeyStatus(d.db, d.keys);
  d.out(`Key manager: ${s.kind}`);
  d.out(`KEK current version: ${s.current}; minimum decryption version: ${s.minDecryption}`);
  for (const use of s.kek) d.out(`  v${use.version}: ${use.dataKeys} data key(s), ${use.records} sealed record(s)`);
  d.out(s.oldestInUse === null ? 'No stored data keys.' : `Oldest KEK version in use: ${s.oldestInUse}`);
  d.out(`Blind-index key versions held: ${s.blindIndex.held.join(', ')}; newest: ${s.blindIndex.newest}`);
  for (const use of s.blindIndex.inUse) d.out(`  v${use.version}: ${use.results} result(s), ${use.idempotencyKeys} idempotency key(s) indexed`);
  return s.findings.length > 0 ? 1 : 0;
}

/**
 * Runs `run` inside an open transaction that then appends its audit event: with the audit log
 * unreachable the transaction never opens and the action never starts.
 */
function audited<T>(
  d: OpenedDeps,
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

function isPositive(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

function usage(d: Pick<KeysCliDeps, 'err'>, problem: string): number {
  d.err(`${problem}\n\n${KEYS_HELP}`);
  return 2;
}

/** `[#########...........]  45% 450/1000 data keys` */
export function progressBar(done: number, total: number, unit = 'data keys', width = 30): string {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${done}/${total} ${unit}`;
}

/**
 * The key-manager settings of the environment (`GATEWAY_KEY_MANAGER_*`); outside production,
 * with none given, the running demo's keyring.
 *
 * @example
 * const keys = await openConfiguredKeys(keyManagerSettingsFromEnv(process.env));
 */
export function keyManagerSettingsFromEnv(env: NodeJS.ProcessEnv): Settings['keyManager'] {
  const given = settingsFromEnv(env).keyManager as Record<string, unknown> | undefined;
  const input = given?.kind === undefined && env.GATEWAY_PROFILE !== 'production'
    ? { ...given, kind: 'local', localKeyringFile: env.GATEWAY_DEMO_DATA_DIR ? path.join(env.GATEWAY_DEMO_DATA_DIR, 'keyring.json') : DEMO_KEYRING }
    : given;
  const parsed = settingsSchema.shape.keyManager.safeParse(input);
  if (!parsed.success) throw new SettingsRefused(parsed.error.issues.map((issue) => `${envName(['keyManager', ...issue.path])}: ${issue.code}`));
  return parsed.data;
}

/**
 * The `backup` settings of the environment (`GATEWAY_BACKUP_*`), defaults otherwise.
 *
 * @example
 * const { retentionDays } = backupSettingsFromEnv(process.env);
 */
export function backupSettingsFromEnv(env: NodeJS.ProcessEnv): Settings['backup'] {
  const parsed = settingsSchema.shape.backup.safeParse(settingsFromEnv(env).backup);
  if (!parsed.success) throw new SettingsRefused(parsed.error.issues.map((issue) => `${envName(['backup', ...issue.path])}: ${issue.code}`));
  return parsed.data;
}

/** Opens the key manager for `gateway keys`. */
export function openKeysCliKeyManager(env: NodeJS.ProcessEnv): Promise<KeyManager> {
  return openConfiguredKeys(keyManagerSettingsFromEnv(env));
}
