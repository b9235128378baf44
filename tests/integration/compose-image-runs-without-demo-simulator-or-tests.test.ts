import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The production image's file set, rebuilt without an engine the way the Dockerfile's `source`
// and `runtime` stages do: if the gateway still reached demo/ or the simulator through a static
// import, `serve` would fail to load here exactly as it would in the image.
const ROOT = path.resolve(import.meta.dirname, '../..');
const EXCLUDED = ['gateway/src/demo', 'gateway/src/sidep/simulator'];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-image-'));
  for (const p of ['package.json', 'gateway/package.json', 'gateway/bin', 'gateway/src', 'gateway/data', 'migrations']) {
    await cp(path.join(ROOT, p), path.join(dir, p), { recursive: true });
  }
  for (const p of EXCLUDED) await rm(path.join(dir, p), { recursive: true, force: true });
  // node_modules as the image has it: no devDependencies, minus the packages the deps stage removes
  const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
  const removed = [...dockerfile.matchAll(/node_modules\/((?:@[\w.-]+\/)?[\w.-]+)/g)].map((m) => m[1] as string).filter((n) => n !== 'node_modules');
  const dev = Object.keys((JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
  const absent = new Set([...removed, ...dev]);
  await mkdir(path.join(dir, 'node_modules'));
  for (const entry of await readdir(path.join(ROOT, 'node_modules'))) {
    if (entry.startsWith('@')) {
      await mkdir(path.join(dir, 'node_modules', entry));
      for (const sub of await readdir(path.join(ROOT, 'node_modules', entry))) {
        if (!absent.has(`${entry}/${sub}`)) await symlink(path.join(ROOT, 'node_modules', entry, sub), path.join(dir, 'node_modules', entry, sub));
      }
    } else if (!absent.has(entry)) {
      await symlink(path.join(ROOT, 'node_modules', entry), path.join(dir, 'node_modules', entry));
    }
  }
  expect(absent.has('oidc-provider')).toBe(true);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const gateway = (...args: string[]) =>
  spawnSync(process.execPath, ['gateway/bin/gateway.js', ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, GATEWAY_PROFILE: 'production' }, timeout: 20_000 });

describe('the production image', () => {
  it('removes the demo and the simulator in a stage of its own, and runs as a non-root user', async () => {
    const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
    const source = dockerfile.split(/^FROM /m).find((stage) => /AS source\b/.test(stage)) ?? '';
    expect(source).toContain(`rm -rf ${EXCLUDED.join(' ')}`);
    const runtime = dockerfile.split(/^FROM /m).find((stage) => /AS runtime\b/.test(stage)) ?? '';
    expect(runtime).toMatch(/^USER [1-9]\d*:[1-9]\d*$/m);
    expect(runtime).not.toMatch(/^COPY (?!--from)[^\n]*gateway\/src/m);
    // what the test copies below is what the source stage copies
    for (const p of ['gateway/bin/', 'gateway/src/', 'gateway/data/']) expect(source).toContain(`COPY ${p} ${p}`);
    const ignore = await readFile(path.join(ROOT, '.dockerignore'), 'utf8');
    for (const line of ['gateway/src/demo/', '**/*.test.ts', 'deploy/secrets/', '.data/']) expect(ignore.split('\n')).toContain(line);
  });

  it('loads `serve` without them, and refuses to start on missing settings', () => {
    for (const p of EXCLUDED) expect(existsSync(path.join(dir, p))).toBe(false);
    const r = gateway('serve');
    expect(r.stderr).toContain('Refusing to start');
    expect(r.stderr).toContain('GATEWAY_DATABASE_URL');
    expect(r.status).toBe(2);
  });

  it('cannot run the demo', () => {
    const r = gateway('demo');
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain('intake');
  });
});
