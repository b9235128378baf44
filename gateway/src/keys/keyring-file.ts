import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { AES_KEY_BYTES, type BlindIndexKey } from '../crypto/index.js';

const KEYRING_FORMAT = 'sidep-gateway-keyring/v1';
// Group or other permission bits: a key file anyone else can read is a leaked key.
const SHARED_PERMISSION_BITS = 0o077;

const base64Key = z
  .base64()
  .refine((text) => Buffer.from(text, 'base64').length === AES_KEY_BYTES, 'must hold 32 bytes');

const keyringDocument = z
  .object({
    format: z.literal(KEYRING_FORMAT),
    keks: z
      .array(z.object({ version: z.int().positive(), key: base64Key }).strict())
      .min(1)
      .refine((keks) => new Set(keks.map((kek) => kek.version)).size === keks.length, 'duplicate version'),
    /** Blind-index key version 1, where keyrings kept their only one; absent once retired. */
    blindIndexKey: base64Key.optional(),
    /** Blind-index key versions added by `keys rotate-blind-index` (2, 3, …), with when (replicas index under one from 10 s after). */
    blindIndexKeys: z.array(z.object({ version: z.int().min(2), key: base64Key, createdAt: z.iso.datetime().optional() }).strict()).optional(),
  })
  .strict()
  .refine((document) => blindIndexVersions(document).length > 0, 'no blind-index key')
  .refine((document) => new Set(blindIndexVersions(document)).size === blindIndexVersions(document).length, 'duplicate blind-index version');

/** The keyring file's content: versioned key-encryption keys and blind-index keys, base64. */
export type KeyringDocument = z.infer<typeof keyringDocument>;

interface BlindIndexEntry {
  version: number;
  key: string;
  createdAt?: string | undefined;
}

interface BlindIndexEntries {
  blindIndexKey?: string | undefined;
  blindIndexKeys?: BlindIndexEntry[] | undefined;
}

function blindIndexEntries(document: BlindIndexEntries): BlindIndexEntry[] {
  return [...(document.blindIndexKey ? [{ version: 1, key: document.blindIndexKey }] : []), ...(document.blindIndexKeys ?? [])];
}

function blindIndexVersions(document: BlindIndexEntries): number[] {
  return blindIndexEntries(document).map((entry) => entry.version);
}

/**
 * Every blind-index key version of the document, decoded.
 *
 * @example
 * const keys = blindIndexKeysOf(await readKeyringFile(file)); // [{ version: 1, key: <Buffer …> }]
 */
export function blindIndexKeysOf(document: KeyringDocument): BlindIndexKey[] {
  return blindIndexEntries(document).map(({ version, key, createdAt }) => ({ version, key: Buffer.from(key, 'base64'), ...(createdAt ? { createdAt: new Date(createdAt) } : {}) }));
}

/**
 * The document with one more blind-index key version, numbered after the highest.
 *
 * @example
 * const { document, version } = withNewBlindIndexKey(await readKeyringFile(file));
 */
export function withNewBlindIndexKey(document: KeyringDocument): { document: KeyringDocument; version: number } {
  const version = Math.max(...blindIndexVersions(document)) + 1;
  const added = { version, key: randomKey(), createdAt: new Date().toISOString() };
  return { document: { ...document, blindIndexKeys: [...(document.blindIndexKeys ?? []), added] }, version };
}

/**
 * The document without the blind-index key versions below `version`; `RangeError` outside
 * 1…newest (the newest is never dropped).
 *
 * @example
 * await replaceKeyringFile(file, withoutBlindIndexKeysBelow(document, 2));
 */
export function withoutBlindIndexKeysBelow(document: KeyringDocument, version: number): KeyringDocument {
  const newest = Math.max(...blindIndexVersions(document));
  if (!Number.isSafeInteger(version) || version < 1 || version > newest) {
    throw new RangeError(`The blind-index key version must be between 1 and the newest version ${newest}.`);
  }
  const { blindIndexKey, blindIndexKeys, ...rest } = document;
  return {
    ...rest,
    ...(blindIndexKey && version <= 1 ? { blindIndexKey } : {}),
    ...(blindIndexKeys ? { blindIndexKeys: blindIndexKeys.filter((entry) => entry.version >= version) } : {}),
  };
}

/**
 * A keyring with KEK version 1 and a blind-index key, both random 256-bit.
 *
 * @example
 * await createKeyringFile('.data/keyring.json', newKeyringDocument());
 */
export function newKeyringDocument(): KeyringDocument {
  return {
    format: KEYRING_FORMAT,
    keks: [{ version: 1, key: randomKey() }],
    blindIndexKey: randomKey(),
  };
}

/**
 * The document with one more KEK version, numbered after the highest.
 *
 * @example
 * const { document, version } = withNewKek(await readKeyringFile(file));
 */
export function withNewKek(document: KeyringDocument): { document: KeyringDocument; version: number } {
  const version = Math.max(...document.keks.map((kek) => kek.version)) + 1;
  return { document: { ...document, keks: [...document.keks, { version, key: randomKey() }] }, version };
}

/**
 * Reads and validates the keyring file; refuses one that group or others may access, and
 * names what is wrong without ever quoting the content.
 *
 * @example
 * const document = await readKeyringFile('.data/keyring.json');
 */
export async function readKeyringFile(file: string): Promise<KeyringDocument> {
  const handle = await open(file, 'r');
  try {
    // fstat on the open descriptor: the mode checked is the mode of the bytes read.
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error(`keyring ${file} is not a regular file`);
    if ((stats.mode & SHARED_PERMISSION_BITS) !== 0) {
      throw new Error(`keyring ${file} must not be accessible by group or others (chmod 600)`);
    }
    return parseKeyring(file, await handle.readFile('utf8'));
  } finally {
    await handle.close();
  }
}

/**
 * Writes a new keyring file (and its directory, 0700) unless one exists: concurrent first
 * starts keep the first file.
 *
 * @example
 * await createKeyringFile('.data/keyring.json', newKeyringDocument());
 */
export async function createKeyringFile(file: string, document: KeyringDocument): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // link() publishes the complete file atomically and fails if the name exists.
  await writeThenPublish(file, document, (temporary) =>
    link(temporary, file).catch((error: unknown) => {
      if (!isAlreadyExists(error)) throw error;
    }),
  );
}

/**
 * Atomically replaces the keyring file: readers see the old or the new file, never a mix.
 *
 * @example
 * await replaceKeyringFile(file, withNewKek(await readKeyringFile(file)).document);
 */
export async function replaceKeyringFile(file: string, document: KeyringDocument): Promise<void> {
  await writeThenPublish(file, document, (temporary) => rename(temporary, file));
}

async function writeThenPublish(
  file: string,
  document: KeyringDocument,
  publish: (temporary: string) => Promise<void>,
): Promise<void> {
  const directory = dirname(file);
  const temporary = join(directory, `.${basename(file)}.${randomUUID()}.tmp`);
  // Mode 0600 at creation (the umask can only remove bits): the key is never readable by others.
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await publish(temporary);
  } finally {
    await rm(temporary, { force: true });
  }
  // A KEK lost in a crash would make every key it wrapped unrecoverable: sync the directory too.
  await syncDirectory(directory);
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function parseKeyring(file: string, text: string): KeyringDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`keyring ${file} is not JSON`);
  }
  const parsed = keyringDocument.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `/${issue.path.join('/')}`).join(', ');
    throw new Error(`keyring ${file} is malformed at ${where}`);
  }
  return parsed.data;
}

function randomKey(): string {
  return randomBytes(AES_KEY_BYTES).toString('base64');
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EEXIST';
}
