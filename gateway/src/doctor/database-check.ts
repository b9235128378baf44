import { readdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Settings } from '../config/index.js';
import { backlog } from '../results/lifecycle/index.js';
import { REPOSITORY_ROOT } from '../repository-root.js';
import type { Database } from '../db/index.js';
import { fail, ok, reason, skip, warn, type CheckResult } from './report.js';

const MIGRATIONS_DIR = path.join(REPOSITORY_ROOT, 'migrations');
const CLOCK_WARN_SECONDS = 1;
const CLOCK_FAIL_SECONDS = 5;
const BACKLOG_WARN_AGE_SECONDS = 15 * 60;

/** Tables the runtime role must never change after insert (audit is append-only). */
const INSERT_ONLY = ['audit_events'];

/**
 * Postgres as the gateway sees it, with the gateway's own (runtime) role: reachable, over TLS,
 * migrated, least privilege, clock in step, outbox draining.
 */
export async function checkDatabase(s: Readonly<Settings>, db: Database, now: () => Date, ownerUrl?: string): Promise<CheckResult[]> {
  const client = new pg.Client({ connectionString: s.database.url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (e) {
    return [
      fail('database.reachable', `cannot connect: ${reason(e)}`, 'check GATEWAY_DATABASE_URL (host, port, role, password, sslmode) and that Postgres accepts this host'),
      skip('database.tls', 'not connected'),
      skip('database.migrations', 'not connected'),
      skip('database.role', 'not connected'),
      skip('clock.skew', 'not connected'),
      skip('outbox.backlog', 'not connected'),
    ];
  }
  try {
    const sent = now().getTime();
    const { rows } = await client.query<{ version: string; role: string; ssl: boolean | null; now: Date; super: boolean; createrole: boolean; createdb: boolean; ddl: boolean }>(
      `SELECT current_setting('server_version') AS version, current_user AS role, now() AS now,
              (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl,
              r.rolsuper AS super, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb,
              has_schema_privilege(current_user, 'public', 'CREATE') AS ddl
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const received = now().getTime();
    const row = rows[0] as (typeof rows)[number];
    const results = [ok('database.reachable', `connected as ${row.role} to PostgreSQL ${row.version}`)];
    results.push(
      row.ssl
        ? ok('database.tls', 'the connection is encrypted (TLS)')
        : (s.profile === 'production' ? fail : warn)('database.tls', 'the connection is not encrypted', 'use sslmode=verify-full with the server CA in GATEWAY_DATABASE_URL, and ssl=on in Postgres'),
    );
    const migrations = await checkMigrations(client, ownerUrl);
    results.push(migrations);
    results.push(await checkRole(client, row));
    // the database's clock, halfway through the round trip
    const skew = Math.abs(row.now.getTime() - (sent + received) / 2) / 1000;
    results.push(
      skew > CLOCK_FAIL_SECONDS
        ? fail('clock.skew', `this host and Postgres differ by ${skew.toFixed(1)} s`, 'synchronise both clocks with NTP (chrony); timestamps and certificate checks depend on them')
        : skew > CLOCK_WARN_SECONDS
          ? warn('clock.skew', `this host and Postgres differ by ${skew.toFixed(1)} s`, 'synchronise both clocks with NTP (chrony)')
          : ok('clock.skew', `within ${CLOCK_WARN_SECONDS} s of Postgres`),
    );
    results.push(migrations.status === 'fail' ? skip('outbox.backlog', 'the schema is not migrated') : await checkBacklog(db));
    return results;
  } catch (e) {
    return [fail('database.queries', `a check query failed: ${reason(e)}`, 'run `gateway migrate` with the owner role, then `gateway doctor` again')];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The runtime role cannot read the migrations' bookkeeping (least privilege), so this check
 * reads it with the owner URL when the operator gives one (`--database-url`).
 */
async function checkMigrations(runtime: pg.Client, ownerUrl: string | undefined): Promise<CheckResult> {
  const latest = Math.max(0, ...readdirSync(MIGRATIONS_DIR).map((n) => Number(/^(\d{4})_.*\.sql$/.exec(n)?.[1] ?? 0)));
  const exists = await runtime.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists.rows[0]?.t) return fail('database.migrations', 'no migration has been applied', 'run `gateway migrate` with the owner role');
  const readable = await runtime.query<{ r: boolean }>(`SELECT has_table_privilege('schema_migrations', 'SELECT') AS r`);
  let current: number;
  if (readable.rows[0]?.r) {
    current = await appliedVersion(runtime);
  } else if (ownerUrl) {
    const owner = new pg.Client({ connectionString: ownerUrl, connectionTimeoutMillis: 5_000 });
    await owner.connect();
    current = await appliedVersion(owner).finally(() => owner.end());
  } else {
    return warn('database.migrations', 'the runtime role cannot read schema_migrations (as intended)', 'pass --database-url with the owner role to check the applied migrations');
  }
  if (current < latest) return fail('database.migrations', `database at migration ${current}, this gateway ships ${latest}`, 'run `gateway migrate` with the owner role');
  if (current > latest) return fail('database.migrations', `database at migration ${current}, newer than this gateway (${latest})`, 'upgrade the gateway image to the version that migrated the database');
  return ok('database.migrations', `all ${latest} migrations applied`);
}

async function appliedVersion(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}

async function checkRole(client: pg.Client, r: { role: string; super: boolean; createrole: boolean; createdb: boolean; ddl: boolean }): Promise<CheckResult> {
  const excess = [r.super && 'superuser', r.createrole && 'CREATEROLE', r.createdb && 'CREATEDB', r.ddl && 'CREATE on schema public'].filter(Boolean);
  for (const table of INSERT_ONLY) {
    const { rows } = await client.query<{ u: boolean; d: boolean; t: boolean }>(
      `SELECT has_table_privilege(current_user, t, 'UPDATE') AS u, has_table_privilege(current_user, t, 'DELETE') AS d, has_table_privilege(current_user, t, 'TRUNCATE') AS t
         FROM (SELECT to_regclass($1) AS t) x WHERE t IS NOT NULL`,
      [table],
    );
    const p = rows[0];
    if (p?.u || p?.d || p?.t) excess.push(`UPDATE/DELETE/TRUNCATE on ${table}`);
  }
  const owns = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user`);
  if (Number(owns.rows[0]?.n) > 0) excess.push('owns the tables');
  return excess.length
    ? fail('database.role', `role ${r.role} has more than the gateway needs: ${excess.join(', ')}`, 'connect the gateway as gateway_runtime (created by `gateway db init-roles`), never as the owner')
    : ok('database.role', `role ${r.role} has least privilege (no DDL, insert-only audit)`);
}

async function checkBacklog(db: Database): Promise<CheckResult> {
  const b = await backlog(db);
  return b.oldestAgeSeconds > BACKLOG_WARN_AGE_SECONDS
    ? warn('outbox.backlog', `${b.pending} message(s) waiting, the oldest for ${Math.round(b.oldestAgeSeconds / 60)} min`, 'check SI-DEP reachability below and `gateway outbox list --state dead`')
    : ok('outbox.backlog', `${b.pending} message(s) waiting`);
}
