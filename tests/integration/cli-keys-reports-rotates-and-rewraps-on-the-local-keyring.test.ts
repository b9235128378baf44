import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataKeyProvider, createDataKeyStore, createKeyManagerGuard, openLocalKeyring } from '../../gateway/src/keys/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
let db: TestDatabase;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await testDatabase();
  dir = await mkdtemp(join(tmpdir(), 'keys-cli-'));
  const keyringFile = join(dir, 'keyring.json');
  const keys = await openLocalKeyring(keyringFile, { create: true });
  const guard = createKeyManagerGuard({ keys });
  await guard.start();
  // Two stored data keys under KEK v1, as the gateway would leave them.
  for (const shards of [1, 2]) await createDataKeyProvider({ keys, store: createDataKeyStore(db.owner), guard, shards }).forSealing(randomUUID());
  guard.stop();
  env = { PATH: process.env.PATH, GATEWAY_KEY_MANAGER_KIND: 'local', GATEWAY_KEY_MANAGER_LOCAL_KEYRING_FILE: keyringFile, USER: 'tester' };
});
afterAll(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

const gateway = (...args: string[]) =>
  run(process.execPath, ['gateway/bin/gateway.js', 'keys', ...args, '--database-url', db.ownerUrl], { env }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('`gateway keys` on the local keyring', () => {
  // Each run starts a process (about 3 s through tsx): four runs cover the wiring in main.ts.
  it('status, rotate, rewrap with progress on stderr, status again', async () => {
    const before = await gateway('status');
    expect(before.stdout).toMatch(/KEK current version: 1; minimum decryption version: 1/);
    expect(before.stdout).toMatch(/v1: \d+ data key/);
    expect(before.code).toBe(0);

    const rotated = await gateway('rotate');
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/KEK version 2/);

    const rewrapped = await gateway('rewrap');
    expect(rewrapped.code).toBe(0);
    expect(rewrapped.stderr).toMatch(/100% (\d+)\/\1 data keys/);
    const after = await gateway('status');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/KEK current version: 2/);
    expect(after.stdout).toMatch(/Oldest KEK version in use: 2/);
  }, 60_000);
});
