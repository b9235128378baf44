import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { initRoles, migrate } from '../../gateway/src/db/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '@sidep-gateway/demo/embedded-postgres.js';
import { AUDIT_ADMIN_TEST_PASSWORD, TEMPLATE_DATABASE, RUNTIME_TEST_PASSWORD } from './database-names.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/**
 * One Postgres for the whole run: `DATABASE_URL` when set, else an embedded server in a temp
 * dir. A migrated template database is made once; each test file clones it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: EmbeddedServer | undefined;
  let tmp: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'gateway-test-'));
    // As root, Postgres runs as its own user, which must be able to traverse into the dir.
    await chmod(tmp, 0o711);
    server = await startEmbeddedPostgres({
      dir: path.join(tmp, 'pg', 'data'),
      port: 20000 + Math.floor(Math.random() * 20000),
      password: randomBytes(12).toString('hex'),
    });
    adminUrl = server.url('postgres');
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const template = `${TEMPLATE_DATABASE}_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  await initRoles({ url: adminUrl, runtimePassword: RUNTIME_TEST_PASSWORD, auditAdminPassword: AUDIT_ADMIN_TEST_PASSWORD });
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  await migrate({ url: templateUrl.toString() });
  project.provide('adminDatabaseUrl', `${adminUrl}#template=${template}`);
  return async () => {
    if (server) {
      await server.stop();
      await rm(tmp as string, { recursive: true, force: true });
    } else {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await c.end();
    }
  };
}
