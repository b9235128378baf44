import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { initRoles } from '../../gateway/src/db/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '@sidep-gateway/demo/embedded-postgres.js';

/** An embedded Postgres of the campaign's or the benchmark's own, with the gateway's roles. */
export interface OwnPostgres {
  adminUrl: string;
  runtimePassword: string;
  /** Stop (fast shutdown) and start again on the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'gateway-own-pg-'));
  // as root, Postgres runs as its own user, which must be able to traverse into the dir
  await chmod(tmp, 0o711);
  const options = { dir: path.join(tmp, 'pg', 'data'), port: 20000 + Math.floor(Math.random() * 20000), password: randomBytes(12).toString('hex') };
  let server: EmbeddedServer = await startEmbeddedPostgres(options);
  const adminUrl = server.url('postgres');
  const runtimePassword = randomBytes(12).toString('hex');
  await initRoles({ url: adminUrl, runtimePassword });
  return {
    adminUrl,
    runtimePassword,
    async restart() {
      await server.stop();
      server = await startEmbeddedPostgres(options);
    },
    async stop() {
      await server.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
