import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pgClientToolsFitServer } from './pg-client-tools.js';
import { systemTool } from './system-tool.js';

const run = promisify(execFile);
const SCRIPTS = path.resolve(import.meta.dirname, '../../deploy/backup');

/** The header every age file starts with (age-encryption.org/v1 spec). */
export const AGE_HEADER = 'age-encryption.org/v1';

/** Whether deploy/backup's tools are here: pg client tools fitting the server, age and age-keygen. */
export async function backupToolsFit(suite: string): Promise<boolean> {
  const age = [systemTool('age'), systemTool('age-keygen')];
  return (await pgClientToolsFitServer(suite)) && !age.includes(undefined);
}

/** The URL of another database on the same server (a restore's target), as `role` if given. */
export function withDatabase(url: string, name: string, role?: { user: string; password: string }): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  if (role) {
    u.username = role.user;
    u.password = role.password;
  }
  return u.toString();
}

/** Runs deploy/backup/<script> as an operator would; the environment is the test's plus `env`. */
export function runBackupScript(script: 'backup' | 'restore' | 'record-drill', args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(path.join(SCRIPTS, script), args, { env: { ...process.env, ...env } });
}

/** An operator's age key pair: the identity (kept offline) and a recipients file listing its public key. */
export async function ageKeyPair(dir: string): Promise<{ identityFile: string; recipientsFile: string; recipient: string }> {
  const identityFile = path.join(dir, 'backup-identity.txt');
  await run('age-keygen', ['-o', identityFile]);
  const recipient = (await run('age-keygen', ['-y', identityFile])).stdout.trim();
  const recipientsFile = path.join(dir, 'backup-recipients.txt');
  await writeFile(recipientsFile, `# the backup custodian\n${recipient}\n`);
  return { identityFile, recipientsFile, recipient };
}

/** The first bytes of a file, as text: the age header or pg_dump's `PGDMP`. */
export async function fileStart(file: string, length: number): Promise<string> {
  return (await readFile(file)).subarray(0, length).toString('latin1');
}

/** Decrypts an age file with an identity, as the restore does. */
export async function ageDecrypt(identityFile: string, file: string, out: string): Promise<void> {
  await run('age', ['--decrypt', '--identity', identityFile, '--output', out, file]);
}
