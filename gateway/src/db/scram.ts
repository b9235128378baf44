import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** RFC 7677's minimum, and what Postgres itself uses (`scram_iterations`). */
const ITERATIONS = 4096;
const SALT_BYTES = 16;

/**
 * The SCRAM-SHA-256 verifier Postgres stores for `password` (RFC 5802 §3, RFC 7677), in the
 * form `CREATE ROLE … PASSWORD` accepts as already encrypted:
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64). Computed here so that
 * the password itself never travels in a statement a server log or statistics view may keep.
 * Postgres SASLprep-normalises passwords and node-postgres does not: a non-ASCII password could
 * verify on one side only, so it is refused (printable ASCII is unchanged by SASLprep), as are an
 * empty one and control characters.
 * @example await client.query(`ALTER ROLE gateway_runtime PASSWORD '${scramVerifier(password)}'`);
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  if (!/^[\x20-\x7e]+$/.test(password)) throw new Error('A database role password must be printable ASCII and not empty.');
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
