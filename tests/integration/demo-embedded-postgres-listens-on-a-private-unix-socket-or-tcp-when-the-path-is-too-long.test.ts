import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@sidep-gateway/demo/free-port.js';
import { startEmbeddedPostgres } from '@sidep-gateway/demo/embedded-postgres.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function start(depth: string) {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'gateway-embedded-'));
  dirs.push(tmp);
  await chmod(tmp, 0o711); // as root, Postgres runs as its own user
  const server = await startEmbeddedPostgres({ dir: path.join(tmp, depth, 'pg', 'data'), port: await freePort(), password: randomBytes(12).toString('hex') });
  const client = new pg.Client({ connectionString: server.url('postgres') });
  await client.connect();
  try {
    const { rows } = await client.query<{ peer: string | null }>('SELECT inet_client_addr()::text AS peer');
    return { url: server.url('postgres'), peer: rows[0]?.peer, dataParent: path.join(tmp, depth, 'pg') };
  } finally {
    await client.end();
    await server.stop();
  }
}

describe('the embedded Postgres', () => {
  it('is reached over a Unix socket in a directory only its own user can enter', async () => {
    const s = await start('.');
    expect(s.peer).toBeNull(); // no client address: not TCP
    expect(new URL(s.url).searchParams.get('host')).toBe(path.join(s.dataParent, 'run'));
    expect((await stat(path.join(s.dataParent, 'run'))).mode & 0o077).toBe(0);
  });

  it('falls back to loopback TCP when the socket path would not fit a socket address', async () => {
    const s = await start('d'.repeat(90));
    expect(s.peer).toBe('127.0.0.1/32');
    expect(new URL(s.url).searchParams.has('host')).toBe(false);
  });
});
