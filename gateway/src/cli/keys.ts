import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendAudit, type AuditEvent } from '../audit/index.js';
import { envName, settingsFromEnv, settingsSchema, SettingsRefused, type Settings } from '../config/index.js';
import { kekVersionsInUse, rewrapStoredDataKeys, type KeyManager } from '../crypto/index.js';
import type { Database } from '../db/index.js';
import { openConfiguredKeys } from './key-manager-from-settings.js';

// Not imported from demo/: the production image ships without it.
const DEMO_KEYRING = fileURLToPath(new URL('../../../.data/keyring.json', import.meta.url));

export const KEYS_HELP = `  keys status                 KEK versions: current, minimum decryption, data keys and records per version
  keys rotate                 Add a KEK version (Transit rotate); new data keys are wrapped under it
  keys rewrap                 Rewrap every stored data key to the current KEK version (online, resumable)
  keys retire <version>       Refuse to decrypt KEK versions below <version> (crypto-shredding; after rewrap
                              and once backup retention has passed since — see README)
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
}

/**
 * `gateway keys status|rotate|rewrap|retire`. Exit codes: 0 ok, 1 finding (something left to
 * do), 2 usage error. Rotation, rewrap and retirement are audited (`keys.rotate`, …).
 *
 * @example
 * process.exitCode = await runKeysCommand('status', [], deps);
 */
export async function runKeysCommand(sub: string | undefined, args: string[], deps: KeysCliDeps): Promise<number> {
  const version = Number(args[0]);
  if (sub === 'retire' && (!Number.isSafeInteger(version) || version < 1)) return usage(deps, 'keys retire <version>: a positive KEK version');
  if (!['status', 'rotate', 'rewrap', 'retire'].includes(sub ?? '')) return usage(deps, `unknown keys command${sub ? ` "${sub}"` : ''}`);
  const d = { ...deps, keys: await deps.openKeys() };
  switch (sub) {
    case 'status':
      return status(d);
    case 'rotate': {
      const version = await audited(d, 'keys.rotate', () => d.keys.rotate(), (v) => `v${v}`);
      d.out(`Rotated: new data keys are wrapped under KEK version ${version}. Run \`gateway keys rewrap\` to move stored keys.`);
      return 0;
    }
    case 'rewrap': {
      const onProgress = (done: number, total: number) => d.progress(progressBar(done, total), done === total);
      const { rewrapped, current } = await audited(d, 'keys.rewrap', () => rewrapStoredDataKeys(d.db, d.keys, { onProgress }), (r) => `v${r.current}`);
      d.out(`Rewrapped ${rewrapped} data key(s) to KEK version ${current}.`);
      return 0;
    }
    // 'retire', the one command left
    default: {
      const left = (await kekVersionsInUse(d.db)).filter((use) => use.version < version && use.dataKeys > 0);
      if (left.length > 0) {
        d.out(`Refusing: ${left.reduce((n, use) => n + use.dataKeys, 0)} data key(s) are still wrapped below v${version}; run \`gateway keys rewrap\` first.`);
        return 1;
      }
      await audited(d, 'keys.retire', () => d.keys.advanceMinDecryptionVersion(version), () => `v${version}`);
      d.out(`KEK versions below ${version} no longer decrypt: dumps holding data keys wrapped under them cannot be opened.`);
      return 0;
    }
  }
}

type OpenedDeps = Omit<KeysCliDeps, 'openKeys'> & { keys: KeyManager };

async function status(d: OpenedDeps): Promise<number> {
  const [{ current, minDecryption }, uses] = await Promise.all([d.keys.keyVersions(), kekVersionsInUse(d.db)]);
  d.out(`Key manager: ${d.keys.kind}`);
  d.out(`KEK current version: ${current}; minimum decryption version: ${minDecryption}`);
  for (const use of uses) d.out(`  v${use.version}: ${use.dataKeys} data key(s), ${use.records} sealed record(s)`);
  const oldest = uses.find((use) => use.dataKeys > 0);
  d.out(oldest ? `Oldest KEK version in use: ${oldest.version}` : 'No stored data keys.');
  // A finding: stored keys a rewrap would move.
  return oldest && oldest.version < current ? 1 : 0;
}

/**
 * Runs `run` inside an open transaction that then appends its audit event: with the audit log
 * unreachable the transaction never opens and the action never starts.
 */
function audited<T>(d: OpenedDeps, action: string, run: () => Promise<T>, reasonOf: (result: T) => string): Promise<T> {
  return d.db.transaction().execute(async (tx) => {
    const result = await run();
    await appendAudit(tx, [{ actor: d.actor, action, object: { type: 'key-encryption-key', id: d.keys.kind }, outcome: 'success', reason: reasonOf(result) }]);
    return result;
  });
}

function usage(d: KeysCliDeps, problem: string): number {
  d.err(`${problem}\n\n${KEYS_HELP}`);
  return 2;
}

/** `[#########...........]  45% 450/1000 data keys` */
export function progressBar(done: number, total: number, width = 30): string {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${done}/${total} data keys`;
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

/** Opens the key manager for `gateway keys`. */
export function openKeysCliKeyManager(env: NodeJS.ProcessEnv): Promise<KeyManager> {
  return openConfiguredKeys(keyManagerSettingsFromEnv(env));
}
