import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let dir: string;
let blocker: Server;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-demo-port-'));
  await chmod(dir, 0o711);
  blocker = createServer();
  port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
});
afterAll(async () => {
  blocker.close();
  await rm(dir, { recursive: true, force: true });
});

describe('npm start with a port already taken', () => {
  for (const variable of ['GATEWAY_DEMO_POSTGRES_PORT', 'GATEWAY_INTAKE_PORT']) {
    it(`names the port and exits cleanly (${variable})`, async () => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        GATEWAY_DEMO_DATA_DIR: path.join(dir, variable),
        GATEWAY_INTAKE_PORT: '0',
        GATEWAY_METRICS_PORT: '0',
        GATEWAY_WEB_PORT: '0',
        GATEWAY_DEMO_OIDC_PORT: '0',
        GATEWAY_DEMO_POSTGRES_PORT: String(40000 + Math.floor(Math.random() * 20000)),
        [variable]: String(port),
      };
      const err = await run(process.execPath, ['gateway/bin/gateway.js', 'demo'], { env, timeout: 60_000 }).catch((e) => e);
      expect(err.code).toBe(2);
      expect(err.stderr).toContain(`Port ${port}`);
      expect(err.stderr).toContain('already in use');
      const { stdout } = await run('ps', ['-eo', 'args']);
      expect(stdout).not.toContain(path.join(dir, variable));
    }, 60_000);
  }
});
