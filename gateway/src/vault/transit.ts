import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DecryptionFailed, GatewayError, KeyManagerUnavailable } from '../errors.js';
import { createCircuitBreaker, type CircuitBreaker } from './circuit-breaker.js';
import type { BlindIndexKey } from '../crypto/index.js';
import { assertVersionInRange, parseWrappedKey, type KeyManager, type WrappedKey } from '../keys/index.js';
import { statusOf, type VaultResponse, type VaultSession } from './session.js';

export interface VaultTransitOptions {
  vault: VaultSession;
  /** Transit key (aes256-gcm96, derived) wrapping the data keys; default `gateway-data`. */
  dataKeyName?: string;
  /** Transit key wrapping the blind-index key; default `gateway-blind-index`. */
  blindIndexKeyName?: string;
  /**
   * File holding blind-index key version 1 wrapped by Transit (`vault:vN:…`), written by the init
   * script; version N ≥ 2 (`keys rotate-blind-index`) is in `<file>.vN` beside it.
   */
  blindIndexKeyFile: string;
  /** Create the wrapped blind-index key file when missing (tests; production uses the init script). */
  createBlindIndexKey?: boolean;
  breaker?: CircuitBreaker;
}

// The blind-index key's own context: it never unwraps as a data key, nor a data key as it.
const BLIND_INDEX_CONTEXT = 'sidep-gateway/blind-index-key/v1';
const DATA_KEY_BITS = 256;

/**
 * The production key manager: HashiCorp Vault Transit. Key-encryption keys never leave Vault;
 * data keys come from `datakey/plaintext`, are unwrapped with `decrypt` and rewrapped with batch
 * `rewrap`, all under a derived key with the data key's context. The blind-index key is a random
 * key wrapped by its own Transit key, kept wrapped in a file per version shared by every replica
 * and held unwrapped in memory only.
 *
 * Every failure is `KeyManagerUnavailable` (sealed, unreachable, timeout, denied, login failed),
 * except Transit refusing a ciphertext (HTTP 400 on decrypt or rewrap): `DecryptionFailed`.
 * Causes keep only the path, status and error code: a raw client error holds the request body.
 *
 * @example
 * const keys = await openVaultTransit({ vault: createVaultSession(connection), blindIndexKeyFile });
 */
export async function openVaultTransit(o: VaultTransitOptions): Promise<KeyManager> {
  const { vault, dataKeyName = 'gateway-data', blindIndexKeyName = 'gateway-blind-index' } = o;
  // A 400 is Vault answering (a bad ciphertext): only other failures open the circuit.
  const breaker = o.breaker ?? createCircuitBreaker({ isFailure: (error) => statusOf(error) !== 400 });

  async function call(path: string, body?: Record<string, unknown>, opening = false): Promise<Record<string, unknown>> {
    try {
      const answer: VaultResponse = await breaker.run(() => (body ? vault.write(path, body) : vault.read(path)));
      return answer.data ?? {};
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      const status = statusOf(error);
      if (opening && status === 400) throw new DecryptionFailed();
      throw new KeyManagerUnavailable({ cause: new VaultCallFailed(path, status, error) });
    }
  }

  async function decrypt(keyName: string, wrapped: WrappedKey, context: string): Promise<Buffer> {
    if (parseWrappedKey(wrapped).kind !== 'vault') throw new DecryptionFailed();
    const data = await call(`transit/decrypt/${keyName}`, { ciphertext: wrapped, context: base64(context) }, true);
    return Buffer.from(stringField(data, 'plaintext'), 'base64');
  }

  async function rewrapAll(items: { wrapped: WrappedKey; context: string }[]): Promise<WrappedKey[]> {
    if (items.length === 0) return [];
    for (const { wrapped } of items) if (parseWrappedKey(wrapped).kind !== 'vault') throw new DecryptionFailed();
    const data = await call(
      `transit/rewrap/${dataKeyName}`,
      {
        batch_input: items.map(({ wrapped, context }) => ({ ciphertext: wrapped, context: base64(context) })),
        // One bad item must not hide the others' results behind a 400.
        partial_failure_response_code: 200,
      },
      true,
    );
    const results = Array.isArray(data.batch_results) ? (data.batch_results as Record<string, unknown>[]) : [];
    if (results.length !== items.length) throw new KeyManagerUnavailable({ cause: new Error('rewrap: batch size mismatch') });
    return results.map((result) => {
      if (typeof result.error === 'string' && result.error !== '') throw new DecryptionFailed();
      return stringField(result, 'ciphertext');
    });
  }

  async function keyVersions(): Promise<{ current: number; minDecryption: number }> {
    const data = await call(`transit/keys/${dataKeyName}`);
    return { current: Number(data.latest_version), minDecryption: Number(data.min_decryption_version) };
  }

  // Unwrapped once per version and file content: a rescan costs no Transit call unless a file changed.
  const unwrapped = new Map<string, Buffer>();

  async function newWrappedBlindIndexKey(version: number): Promise<void> {
    const data = await call(`transit/datakey/wrapped/${blindIndexKeyName}`, { context: base64(BLIND_INDEX_CONTEXT), bits: DATA_KEY_BITS });
    // Another replica or CLI run may write first: what the file holds wins.
    await writeWrappedFileOnce(blindIndexKeyFileOf(o.blindIndexKeyFile, version), stringField(data, 'ciphertext'));
  }

  async function loadBlindIndexKeys(): Promise<BlindIndexKey[]> {
    let files = await blindIndexKeyFiles(o.blindIndexKeyFile);
    if (files.length === 0 && o.createBlindIndexKey) {
      await newWrappedBlindIndexKey(1);
      files = await blindIndexKeyFiles(o.blindIndexKeyFile);
    }
    if (files.length === 0) {
      throw new KeyManagerUnavailable({ cause: new Error(`blind-index key file ${o.blindIndexKeyFile} is missing (run deploy/vault/init.sh)`) });
    }
    const loaded = await Promise.all(
      files.map(async ({ version, file }) => {
        const { text, modifiedAt } = await readWrappedFile(file);
        const cacheKey = `${version}:${text}`;
        const key = unwrapped.get(cacheKey) ?? (await decrypt(blindIndexKeyName, text, BLIND_INDEX_CONTEXT));
        return { cacheKey, held: { version, key, createdAt: modifiedAt } };
      }),
    );
    // A retired version's key leaves memory with its file.
    unwrapped.clear();
    for (const { cacheKey, held } of loaded) unwrapped.set(cacheKey, held.key);
    return loaded.map(({ held }) => held);
  }

  // Refuses to open without a usable blind-index key (init script not run, file unreadable).
  await loadBlindIndexKeys();

  return {
    kind: 'vault',
    async wrapDataKey(plaintext, context) {
      const data = await call(`transit/encrypt/${dataKeyName}`, { plaintext: plaintext.toString('base64'), context: base64(context) });
      return stringField(data, 'ciphertext');
    },
    unwrapDataKey: (wrapped, context) => decrypt(dataKeyName, wrapped, context),
    async generateDataKey(context) {
      const data = await call(`transit/datakey/plaintext/${dataKeyName}`, { context: base64(context), bits: DATA_KEY_BITS });
      return { plaintext: Buffer.from(stringField(data, 'plaintext'), 'base64'), wrapped: stringField(data, 'ciphertext') };
    },
    async rewrapDataKey(wrapped, context) {
      const [rewrapped] = await rewrapAll([{ wrapped, context }]);
      return rewrapped as WrappedKey;
    },
    rewrapDataKeys: rewrapAll,
    async rotate() {
      await call(`transit/keys/${dataKeyName}/rotate`, {});
      return (await keyVersions()).current;
    },
    async advanceMinDecryptionVersion(version) {
      const { current } = await keyVersions();
      assertVersionInRange(version, current);
      await call(`transit/keys/${dataKeyName}/config`, { min_decryption_version: version });
    },
    // Read again at each call: a version added by `keys rotate-blind-index` elsewhere is seen without restart.
    blindIndexKeys: loadBlindIndexKeys,
    async rotateBlindIndexKey() {
      const version = Math.max(...(await loadBlindIndexKeys()).map((held) => held.version)) + 1;
      await newWrappedBlindIndexKey(version);
      return version;
    },
    async retireBlindIndexKeys(version) {
      const newest = Math.max(...(await loadBlindIndexKeys()).map((held) => held.version));
      if (!Number.isSafeInteger(version) || version < 1 || version > newest) {
        throw new RangeError(`The blind-index key version must be between 1 and the newest version ${newest}.`);
      }
      for (const held of await blindIndexKeyFiles(o.blindIndexKeyFile)) {
        if (held.version < version) await rm(held.file).catch((error: unknown) => { throw new KeyManagerUnavailable({ cause: error }); });
      }
    },
    async probe() {
      await keyVersions();
    },
    keyVersions,
  };
}

/** A Vault call that failed, without the request or response body. */
class VaultCallFailed extends Error {
  constructor(path: string, status: number | undefined, error: unknown) {
    const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    super(`vault ${path}: ${status ? `HTTP ${status}` : (code ?? (error instanceof Error ? error.name : 'failed'))}`);
    this.name = 'VaultCallFailed';
  }
}

function stringField(data: Record<string, unknown>, name: string): string {
  const value = data[name];
  if (typeof value !== 'string') throw new KeyManagerUnavailable({ cause: new Error(`vault answer lacks ${name}`) });
  return value;
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function blindIndexKeyFileOf(file: string, version: number): string {
  return version === 1 ? file : `${file}.v${version}`;
}

/** The wrapped blind-index key files present, by version. */
async function blindIndexKeyFiles(file: string): Promise<{ version: number; file: string }[]> {
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch (error) {
    throw new KeyManagerUnavailable({ cause: error });
  }
  const base = basename(file);
  return names.flatMap((name) => {
    if (name === base) return [{ version: 1, file }];
    const version = name.startsWith(`${base}.v`) ? Number(name.slice(base.length + 2)) : NaN;
    return Number.isSafeInteger(version) && version >= 2 && name === `${base}.v${version}` ? [{ version, file: join(dirname(file), name) }] : [];
  });
}

/** A wrapped key file's text and modification time (when the version was added). */
async function readWrappedFile(file: string): Promise<{ text: string; modifiedAt: Date }> {
  try {
    const [text, { mtime }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text: text.trim(), modifiedAt: mtime };
  } catch (error) {
    throw new KeyManagerUnavailable({ cause: error });
  }
}

async function writeWrappedFileOnce(file: string, wrapped: string): Promise<void> {
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${wrapped}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw new KeyManagerUnavailable({ cause: error });
  }
}
