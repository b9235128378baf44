import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevPki, type DevPki } from '../../gateway/src/pki/index.js';

// The documented command, run from the repository root.
const MAIN = 'gateway/simulator/src/main.ts';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the simulator command line', () => {
  let dir: string;
  let pki: DevPki;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'simulator-cli-'));
    pki = await ensureDevPki(dir, { clients: [] });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('prints {"ready":true,"url"} once listening and exits 0 on %s', async (signal) => {
    const args = ['--port', '0', '--ca', pki.ca.certPath, '--cert', pki.server.certPath, '--key', pki.server.keyPath];
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    expect(JSON.parse(line)).toEqual({ ready: true, url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/) });
    child.kill(signal);
    expect(await exited).toEqual([0, null]);
  });

  it('exits 2 with the usage when an argument is missing', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--port', '0'], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^usage:/);
  });
});
