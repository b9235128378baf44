import { randomBytes } from 'node:crypto';
import { GatewayError, KeyManagerUnavailable, DecryptionFailed } from '../errors.js';
import { AES_KEY_BYTES, aesGcmOpen, aesGcmSeal, type BlindIndexKey } from '../crypto/index.js';
import { assertVersionInRange, parseWrappedKey, type KeyManager, type WrappedKey } from './key-manager.js';
import {
  createKeyringFile,
  newKeyringDocument,
  readKeyringFile,
  replaceKeyringFile,
  blindIndexKeysOf,
  withNewBlindIndexKey,
  withNewKek,
  withoutBlindIndexKeysBelow,
  type KeyringDocument,
} from './keyring-file.js';

interface Keyring {
  keks: Map<number, Buffer>;
  current: { version: number; kek: Buffer };
  blindIndexKeys: BlindIndexKey[];
}

/**
 * The embedded default key manager: a JSON keyring file (mode 0600) holding versioned
 * key-encryption keys and blind-index keys. Wrapping is AES-256-GCM with the context as AAD.
 *
 * Every call reads the file again (key-manager calls are rare: data keys are cached), so a
 * rotation by `gateway keys rotate` in another process is seen at once, and a file that
 * disappears or becomes group/other-accessible makes calls fail with `KeyManagerUnavailable`.
 *
 * @param opts.create - create the file (KEK v1 and blind-index key, random) when it is missing.
 *   Off by default: a mistyped path must not silently start a new, empty keyring.
 * @example
 * const keys = await openLocalKeyring('.data/keyring.json', { create: true });
 */
export async function openLocalKeyring(file: string, opts: { create?: boolean } = {}): Promise<KeyManager> {
  const load = () => throughBackend(async () => keyringOf(await readKeyringFile(file)));
  await throughBackend(async () => {
    if (opts.create) await createKeyringFile(file, newKeyringDocument());
  });
  await load();

  async function wrapDataKey(plaintext: Buffer, context: string): Promise<WrappedKey> {
    return wrapUnder(await load(), plaintext, context);
  }

  // One keyring change at a time in this process: two rotations at once would both write N+1.
  let rotation: Promise<unknown> = Promise.resolve();
  function change<T>(edit: (document: KeyringDocument) => { document: KeyringDocument; result: T }): Promise<T> {
    const next = rotation.then(() =>
      throughBackend(async () => {
        const { document, result } = edit(await readKeyringFile(file));
        await replaceKeyringFile(file, document);
        return result;
      }),
    );
    rotation = next.catch(() => undefined);
    return next;
  }
  const rotate = () => change((current) => {
    const { document, version } = withNewKek(current);
    return { document, result: version };
  });

  return {
    kind: 'local',
    wrapDataKey,
    async unwrapDataKey(wrapped, context) {
      return unwrapWith(await load(), wrapped, context);
    },
    async generateDataKey(context) {
      const plaintext = randomBytes(AES_KEY_BYTES);
      return { plaintext, wrapped: await wrapDataKey(plaintext, context) };
    },
    async rewrapDataKey(wrapped, context) {
      const keyring = await load();
      return wrapUnder(keyring, unwrapWith(keyring, wrapped, context), context);
    },
    async rewrapDataKeys(items) {
      const keyring = await load();
      return items.map(({ wrapped, context }) => wrapUnder(keyring, unwrapWith(keyring, wrapped, context), context));
    },
    rotate,
    advanceMinDecryptionVersion(version) {
      return change((document) => {
        assertVersionInRange(version, Math.max(...document.keks.map((kek) => kek.version)));
        return { document: { ...document, keks: document.keks.filter((kek) => kek.version >= version) }, result: undefined };
      });
    },
    async blindIndexKeys() {
      return (await load()).blindIndexKeys;
    },
    rotateBlindIndexKey: () => change((current) => {
      const { document, version } = withNewBlindIndexKey(current);
      return { document, result: version };
    }),
    retireBlindIndexKeys: (version) => change((document) => ({ document: withoutBlindIndexKeysBelow(document, version), result: undefined })),
    async probe() {
      await load();
    },
    async keyVersions() {
      const { keks, current } = await load();
      return { current: current.version, minDecryption: Math.min(...keks.keys()) };
    },
  };
}

function keyringOf(document: KeyringDocument): Keyring {
  const keks = new Map(document.keks.map((kek) => [kek.version, Buffer.from(kek.key, 'base64')]));
  const [current] = [...keks].sort(([a], [b]) => b - a);
  if (!current) throw new Error('keyring holds no key-encryption key');
  return {
    keks,
    current: { version: current[0], kek: current[1] },
    blindIndexKeys: blindIndexKeysOf(document),
  };
}

function wrapUnder(keyring: Keyring, plaintext: Buffer, context: string): WrappedKey {
  const { version, kek } = keyring.current;
  const payload = aesGcmSeal(kek, plaintext, Buffer.from(context, 'utf8'));
  return `local:v${version}:${payload.toString('base64')}`;
}

function unwrapWith(keyring: Keyring, wrapped: WrappedKey, context: string): Buffer {
  const { kind, version, payload } = parseWrappedKey(wrapped);
  const kek = keyring.keks.get(version);
  if (kind !== 'local' || !kek) throw new DecryptionFailed();
  return aesGcmOpen(kek, payload, Buffer.from(context, 'utf8'));
}

/** File-system and format failures are the backend being unavailable; our own errors pass. */
async function throughBackend<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof GatewayError || error instanceof RangeError) throw error;
    throw new KeyManagerUnavailable({ cause: error });
  }
}
