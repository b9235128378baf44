import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, RUNTIME_ROLE, type Database } from '../../gateway/src/db/index.js';
import { RUNTIME_TEST_PASSWORD } from './database-names.js';


export interface TestDatabase {
  /** Owner URL: migrations, test assertions that read everything. */
  ownerUrl: string;
  /** Runtime-role URL: what the gateway itself connects with. */
  runtimeUrl: string;
  owner: Database;
  runtime: Database;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template. */
export async function testDatabase(): Promise<TestDatabase> {
  const [adminUrl, template] = inject('adminDatabaseUrl').split('#template=') as [string, string];
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const ownerUrl = withDatabase(adminUrl, name);
  const runtime = new URL(ownerUrl);
  runtime.username = RUNTIME_ROLE;
  runtime.password = RUNTIME_TEST_PASSWORD;
  const owner = createDatabase({ url: ownerUrl, poolSize: 4 });
  const runtimeDb = createDatabase({ url: runtime.toString(), poolSize: 10 });
  return {
    ownerUrl,
    runtimeUrl: runtime.toString(),
    owner,
    runtime: runtimeDb,
    drop: async () => {
      await owner.destroy();
      await runtimeDb.destroy();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
