import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { DatabaseNewerThanCode, migrate } from '../../gateway/src/db/index.js';

const adminUrl = inject('adminDatabaseUrl').split('#')[0] as string;
const name = `gw_migrate_${randomBytes(5).toString('hex')}`;
let url: string;
let dir: string;

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(sql);
  await c.end();
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  url = u.toString();
  dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
});
afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await rm(dir, { recursive: true, force: true });
});

describe('gateway migrate', () => {
  it('applies files in order, once, including one that landed after a higher number', async () => {
    await writeFile(path.join(dir, '0001_first.sql'), 'CREATE TABLE first (id int);');
    await writeFile(path.join(dir, '0003_third.sql'), 'CREATE TABLE third (id int);');
    expect(await migrate({ url, dir })).toEqual([1, 3]);
    expect(await migrate({ url, dir })).toEqual([]);
    await writeFile(path.join(dir, '0002_second.sql'), 'CREATE TABLE second (id int);');
    expect(await migrate({ url, dir })).toEqual([2]);
  });

  it('rolls back a failing file entirely and applies it once fixed', async () => {
    await writeFile(path.join(dir, '0004_broken.sql'), 'CREATE TABLE fourth (id int); SELECT no_such_function();');
    await expect(migrate({ url, dir })).rejects.toThrow();
    await writeFile(path.join(dir, '0004_broken.sql'), 'CREATE TABLE fourth (id int);');
    expect(await migrate({ url, dir })).toEqual([4]);
  });

  it('refuses a database migrated by a newer gateway', async () => {
    await rm(path.join(dir, '0004_broken.sql'));
    await expect(migrate({ url, dir })).rejects.toBeInstanceOf(DatabaseNewerThanCode);
  });

  it('lets concurrent replicas migrate at once without applying a file twice', async () => {
    await writeFile(path.join(dir, '0004_broken.sql'), 'CREATE TABLE fourth (id int);');
    await writeFile(path.join(dir, '0005_fifth.sql'), 'CREATE TABLE fifth (id int);');
    const results = await Promise.allSettled([migrate({ url, dir }), migrate({ url, dir }), migrate({ url, dir })]);
    const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    expect(applied).toEqual([5]);
  });
});
