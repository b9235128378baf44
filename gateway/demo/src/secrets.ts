import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

export interface DemoSecrets {
  postgresPassword: string;
  runtimePassword: string;
}

/** Generated on first start, kept in `.data/` (mode 0600), reused afterwards. Never committed. */
export async function demoSecrets(file: string): Promise<DemoSecrets> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DemoSecrets;
  } catch {
    const secrets = { postgresPassword: randomBytes(18).toString('base64url'), runtimePassword: randomBytes(18).toString('base64url') };
    await writeFile(file, JSON.stringify(secrets), { mode: 0o600, flag: 'wx' });
    return secrets;
  }
}

/** A file holding one random token (mode 0600), created if missing. */
export async function tokenFile(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const token = randomBytes(32).toString('base64url');
    await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return token;
  }
}
