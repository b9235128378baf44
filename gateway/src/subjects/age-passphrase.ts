import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/*
 * The age file format (https://age-encryption.org/v1) with its passphrase (scrypt) recipient,
 * what `age --passphrase` writes and `age --decrypt` opens: a standard, audited format the
 * controller and the person can open with any age implementation, made here from Node's own
 * primitives (scrypt, HKDF-SHA-256, HMAC-SHA-256, ChaCha20-Poly1305) with no new dependency.
 */

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

const VERSION_LINE = 'age-encryption.org/v1';
const SCRYPT_LABEL = 'age-encryption.org/v1/scrypt';
const CHUNK = 64 * 1024;
const TAG = 16;
/** age's own default work factor: about a second, 256 MiB of memory. */
const DEFAULT_LOG_N = 18;
/** Refuse files asking for more work than this (age's own bound): a crafted header cannot exhaust memory. */
const MAX_LOG_N = 22;

/** The file does not open with this passphrase, or is no age passphrase file. */
export class AgeOpenFailed extends Error {
  constructor(why: string) {
    super(`age: ${why}`);
    this.name = 'AgeOpenFailed';
  }
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
const unb64 = (s: string) => {
  if (!/^[A-Za-z0-9+/]*$/.test(s)) throw new AgeOpenFailed('malformed header');
  return Buffer.from(s, 'base64');
};
const hkdf = (ikm: Buffer, salt: Buffer, info: string) => Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));

function chacha(key: Buffer, nonce: Buffer, data: Buffer): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
}

function unchacha(key: Buffer, nonce: Buffer, data: Buffer): Buffer {
  if (data.length < TAG) throw new AgeOpenFailed('truncated');
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  d.setAuthTag(data.subarray(data.length - TAG));
  try {
    return Buffer.concat([d.update(data.subarray(0, data.length - TAG)), d.final()]);
  } catch {
    throw new AgeOpenFailed('wrong passphrase or damaged file');
  }
}

const wrapKey = (passphrase: string, salt: Buffer, logN: number) =>
  scryptAsync(passphrase, Buffer.concat([Buffer.from(SCRYPT_LABEL), salt]), 32, { N: 2 ** logN, r: 8, p: 1, maxmem: 2 ** logN * 1024 + 2 ** 20 });

/** STREAM nonce: 11-byte big-endian chunk counter, then 1 on the last chunk. */
function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/**
 * Encrypts `plaintext` under `passphrase` as `age --passphrase` does.
 * @example const file = await ageEncryptWithPassphrase(Buffer.from(json), secret);
 */
export async function ageEncryptWithPassphrase(plaintext: Buffer, passphrase: string, logN = DEFAULT_LOG_N): Promise<Buffer> {
  const fileKey = randomBytes(16);
  const salt = randomBytes(16);
  const body = chacha(await wrapKey(passphrase, salt, logN), Buffer.alloc(12), fileKey);
  const header = `${VERSION_LINE}\n-> scrypt ${b64(salt)} ${logN}\n${b64(body)}\n---`;
  const mac = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(header).digest();
  const nonce = randomBytes(16);
  const payloadKey = hkdf(fileKey, nonce, 'payload');
  const chunks: Buffer[] = [Buffer.from(`${header} ${b64(mac)}\n`), nonce];
  const count = Math.max(1, Math.ceil(plaintext.length / CHUNK));
  for (let i = 0; i < count; i++) chunks.push(chacha(payloadKey, chunkNonce(i, i === count - 1), plaintext.subarray(i * CHUNK, (i + 1) * CHUNK)));
  return Buffer.concat(chunks);
}

/**
 * Opens a file `age --passphrase` (or `ageEncryptWithPassphrase`) wrote.
 * @throws AgeOpenFailed on a wrong passphrase, another recipient type, or a damaged file
 */
export async function ageDecryptWithPassphrase(file: Buffer, passphrase: string): Promise<Buffer> {
  const macAt = file.indexOf('\n--- ');
  const end = macAt < 0 ? -1 : file.indexOf('\n', macAt + 5);
  if (end < 0) throw new AgeOpenFailed('malformed header');
  const header = file.subarray(0, macAt + 4).toString('latin1');
  const lines = header.split('\n');
  const stanza = /^-> scrypt ([A-Za-z0-9+/]{22}) ([1-9][0-9]?)$/.exec(lines[1] ?? '');
  if (lines[0] !== VERSION_LINE || !stanza || lines.length !== 4 || lines[3] !== '---') throw new AgeOpenFailed('not a file encrypted with a passphrase alone');
  const logN = Number(stanza[2]);
  if (logN > MAX_LOG_N) throw new AgeOpenFailed('work factor too high');
  const fileKey = unchacha(await wrapKey(passphrase, unb64(stanza[1]!), logN), Buffer.alloc(12), unb64(lines[2]!));
  const mac = unb64(file.subarray(macAt + 5, end).toString('latin1'));
  const expected = createHmac('sha256', hkdf(fileKey, Buffer.alloc(0), 'header')).update(header).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new AgeOpenFailed('header altered');
  const nonce = file.subarray(end + 1, end + 17);
  if (nonce.length !== 16) throw new AgeOpenFailed('truncated');
  const payloadKey = hkdf(fileKey, nonce, 'payload');
  const payload = file.subarray(end + 17);
  const parts: Buffer[] = [];
  const count = Math.max(1, Math.ceil(payload.length / (CHUNK + TAG)));
  for (let i = 0; i < count; i++) parts.push(unchacha(payloadKey, chunkNonce(i, i === count - 1), payload.subarray(i * (CHUNK + TAG), (i + 1) * (CHUNK + TAG))));
  return Buffer.concat(parts);
}

/** A one-time passphrase: 120 random bits, in groups easy to read out and type. */
export function oneTimePassphrase(): string {
  return (randomBytes(15).toString('base64url').match(/.{5}/g) ?? []).join('-');
}
