import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, type TestDatabase } from '../support/test-database.js';
import { AGE_HEADER, ageDecrypt, ageKeyPair, backupToolsFit, fileStart, runBackupScript } from '../support/backup-kit.js';

// deploy/backup/backup's refusals and what it writes: nothing readable without an identity.
const fits = await backupToolsFit('backup-*');

describe.skipIf(!fits)('deploy/backup/backup', () => {
  let db: TestDatabase;
  let dir: string;
  let age: Awaited<ReturnType<typeof ageKeyPair>>;
  const keyring = () => path.join(dir, 'keyring.json');
  const runs = () => db.owner.selectFrom('backup_runs').select(['kind', 'outcome', 'encrypted', 'recipients_sha256']).execute();
  const backup = (args: string[], env?: NodeJS.ProcessEnv) => runBackupScript('backup', ['--database-url', db.ownerUrl, ...args], env);

  beforeAll(async () => {
    db = await testDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-backup-age-'));
    age = await ageKeyPair(dir);
    await writeFile(keyring(), '{"kek":"local keyring stand-in"}\n');
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to run without recipients, or with a private key among them, and writes nothing', async () => {
    const out = path.join(dir, 'refused');
    const empty = path.join(dir, 'no-recipients.txt');
    await writeFile(empty, '# nobody yet\n');
    const identityAsRecipients = age.identityFile;
    for (const recipients of [[], ['--recipients-file', empty], ['--recipients-file', path.join(dir, 'missing.txt')], ['--recipients-file', identityAsRecipients]]) {
      await expect(backup(['--out', out, ...recipients])).rejects.toMatchObject({ code: 2 });
    }
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await runs()).toEqual([]);
  });

  it('refuses a key snapshot without its own destination, or with the dump’s or inside it', async () => {
    const out = path.join(dir, 'same');
    for (const keysOut of [[], ['--keys-out', out], ['--keys-out', `${out}/keys`], ['--keys-out', path.dirname(out)]]) {
      await expect(backup(['--recipients-file', age.recipientsFile, '--out', out, '--keyring', keyring(), ...keysOut])).rejects.toMatchObject({ code: 2 });
    }
    // a Vault snapshot is held to the same rule
    await expect(backup(['--recipients-file', age.recipientsFile, '--out', out, '--keys-out', out], { VAULT_ADDR: 'https://vault:8200', VAULT_TOKEN: 'unused' })).rejects.toMatchObject({ code: 2 });
    await expect(readdir(out)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await runs()).toEqual([]);
  });

  it('writes a dump that starts with the age header and decrypts with the identity to a valid pg_dump archive', async () => {
    const out = path.join(dir, 'dumps');
    const keysOut = path.join(dir, 'keys');
    const { stdout } = await backup(['--recipients-file', age.recipientsFile, '--out', out, '--keys-out', keysOut, '--keyring', keyring()]);
    const [dumpDir, keysDir] = stdout.trim().split('\n').slice(-2) as [string, string];
    expect(path.dirname(dumpDir)).toBe(out);
    expect(path.dirname(keysDir)).toBe(keysOut);
    expect((await readdir(dumpDir)).sort()).toEqual(['SHA256SUMS', 'gateway.dump.age']);
    expect((await readdir(keysDir)).sort()).toEqual(['SHA256SUMS', 'keyring.json.age']);

    const dump = path.join(dumpDir, 'gateway.dump.age');
    expect(await fileStart(dump, AGE_HEADER.length)).toBe(AGE_HEADER);
    const clear = path.join(dir, 'gateway.dump');
    await ageDecrypt(age.identityFile, dump, clear);
    expect(await fileStart(clear, 5)).toBe('PGDMP');
    const { stdout: toc } = await promisify(execFile)('pg_restore', ['--list', clear]);
    expect(toc).toMatch(/TABLE public test_results/);

    const keyringCopy = path.join(dir, 'keyring.restored.json');
    expect(await fileStart(path.join(keysDir, 'keyring.json.age'), AGE_HEADER.length)).toBe(AGE_HEADER);
    await ageDecrypt(age.identityFile, path.join(keysDir, 'keyring.json.age'), keyringCopy);
    expect(await readFile(keyringCopy, 'utf8')).toBe(await readFile(keyring(), 'utf8'));

    expect(await runs()).toEqual([
      { kind: 'database+keyring', outcome: 'succeeded', encrypted: true, recipients_sha256: createHash('sha256').update(`${age.recipient}\n`).digest('hex') },
    ]);
  });

  it('pipes the Vault snapshot into age in the key destination, never in clear', async () => {
    // `vault operator raft snapshot save <file>` stands in for a raft Vault: it writes to the path given
    const bin = path.join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'vault'), '#!/bin/sh\n[ "$1 $2 $3 $4" = "operator raft snapshot save" ] && printf raft-snapshot >"$5"\n');
    await chmod(path.join(bin, 'vault'), 0o755);
    const { stdout } = await backup(['--recipients-file', age.recipientsFile, '--out', path.join(dir, 'v-dumps'), '--keys-out', path.join(dir, 'v-keys')], {
      PATH: `${bin}:${process.env.PATH}`,
      VAULT_ADDR: 'https://vault:8200',
      VAULT_TOKEN: 'unused',
    });
    const keysDir = stdout.trim().split('\n').at(-1) as string;
    expect((await readdir(keysDir)).sort()).toEqual(['SHA256SUMS', 'vault.snap.age']);
    await ageDecrypt(age.identityFile, path.join(keysDir, 'vault.snap.age'), path.join(dir, 'vault.snap'));
    expect(await readFile(path.join(dir, 'vault.snap'), 'utf8')).toBe('raft-snapshot');
    expect((await runs()).map((r) => r.kind)).toContain('database+vault');
  });
});
