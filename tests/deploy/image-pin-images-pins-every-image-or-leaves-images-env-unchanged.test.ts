import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// deploy/pin-images and deploy/check-images run for real under bash, with a PATH holding only the
// few tools they use and a fake `crane` or `docker` (no registry is reachable here): the fakes
// answer for the tags they know, as the real tools do, and log each call.
const ROOT = path.resolve(import.meta.dirname, '../..');
const COMMITTED = path.join(ROOT, 'deploy/images.env');
const TOOLS = ['mktemp', 'chmod', 'mv', 'rm', 'dirname'];
const which = (tool: string) => execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
const BASH = which('bash');

let dir: string;
let bin: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pin-images-'));
  bin = path.join(dir, 'bin');
  await mkdir(bin);
  for (const tool of TOOLS) await symlink(which(tool), path.join(bin, tool));
  file = path.join(dir, 'images.env');
  await copyFile(COMMITTED, file);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const committedLines = async () => (await readFile(COMMITTED, 'utf8')).split('\n');
const entries = async () => (await committedLines()).filter((l) => /^[A-Z]/.test(l)).map((l) => l.split('=') as [string, string]);
const digestOf = (tag: string, round = 1) => `sha256:${createHash('sha256').update(`${tag}#${round}`).digest('hex')}`;

function run(script: 'pin-images' | 'check-images') {
  const r = spawnSync(BASH, [path.join(ROOT, 'deploy', script), file], { env: { PATH: bin }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fake tool on the PATH: `answers` maps an image tag to what it prints (exit 1 for others). */
async function fake(name: 'crane' | 'docker', answers: Record<string, string>, o: { buildx?: boolean } = {}): Promise<void> {
  const cases = Object.entries(answers).map(([tag, out]) => `  '${tag}') echo '${out}' ;;`).join('\n');
  // crane digest REF | docker buildx imagetools inspect REF --format … (docker buildx version first)
  const ref = name === 'crane' ? '$2' : '$4';
  const guard = name === 'crane' ? '[ "$1" = digest ] || exit 2' : `[ "$1 $2" = "buildx version" ] && exit ${o.buildx === false ? 1 : 0}\n[ "$1 $2 $3" = "buildx imagetools inspect" ] || exit 2`;
  await writeFile(path.join(bin, name), `#!/bin/sh\necho "$*" >>'${dir}/calls'\n${guard}\ncase "${ref}" in\n${cases}\n  *) echo "MANIFEST_UNKNOWN: ${ref}" >&2; exit 1 ;;\nesac\n`);
  await chmod(path.join(bin, name), 0o755);
}
const knowing = async (round = 1) => Object.fromEntries((await entries()).map(([, tag]) => [tag, digestOf(tag, round)]));

describe('deploy/images.env as committed', () => {
  it('holds tags only: no digest that nobody resolved', async () => {
    expect((await entries()).length).toBeGreaterThan(0);
    for (const [name, reference] of await entries()) expect(reference, name).toMatch(/^[^@\s]+:[\w.-]+$/);
  });
});

describe('deploy/check-images', () => {
  it('names each unpinned image on a line of its own and exits 1', async () => {
    const r = run('check-images');
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual((await entries()).map(([name, tag]) => `unpinned image: ${name}=${tag} (run deploy/pin-images)`));
  });

  it('counts a hand-edited, truncated digest as unpinned', async () => {
    const pinned = (await entries()).map(([name, tag]) => `${name}=${tag}@${digestOf(tag)}`);
    await writeFile(file, `${[...pinned, 'POSTGRES_IMAGE=postgres:15-bookworm@sha256:0123abcd'].join('\n')}\n`);
    expect(run('check-images')).toMatchObject({ code: 1, stdout: 'unpinned image: POSTGRES_IMAGE=postgres:15-bookworm@sha256:0123abcd (run deploy/pin-images)\n' });
  });
});

describe('deploy/pin-images', () => {
  it('pins every image with the digest crane resolves, keeps the comments, and then check-images passes', async () => {
    await fake('crane', await knowing());
    const r = run('pin-images');
    expect(r.stderr).not.toMatch(/could not|needs/);
    expect(r.code).toBe(0);
    const expected = (await committedLines()).map((l) => (/^[A-Z]/.test(l) ? `${l}@${digestOf(l.split('=')[1] as string)}` : l));
    expect((await readFile(file, 'utf8')).split('\n')).toEqual(expected);
    expect(run('check-images')).toMatchObject({ code: 0, stdout: '' });
  });

  it('resolves the tags again on a later run, so a moved tag gets its new digest', async () => {
    await fake('crane', await knowing(1));
    run('pin-images');
    await fake('crane', await knowing(2));
    expect(run('pin-images').code).toBe(0);
    for (const [name, tag] of await entries()) expect(await readFile(file, 'utf8')).toContain(`${name}=${tag}@${digestOf(tag, 2)}\n`);
  });

  it('resolves with docker buildx imagetools when crane is absent', async () => {
    await fake('docker', await knowing());
    expect(run('pin-images').code).toBe(0);
    expect(run('check-images').code).toBe(0);
    expect(await readFile(path.join(dir, 'calls'), 'utf8')).toMatch(/^buildx imagetools inspect postgres:15-bookworm --format \{\{\.Manifest\.Digest\}\}$/m);
  });

  it('without crane or docker buildx, says what to install and leaves the file unchanged', async () => {
    await fake('docker', await knowing(), { buildx: false });
    const r = run('pin-images');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs crane .* or docker buildx/);
    expect(await readFile(file, 'utf8')).toBe(await readFile(COMMITTED, 'utf8'));
  });

  it('leaves the file unchanged, naming the image, when one tag does not resolve', async () => {
    const answers = await knowing();
    delete answers['postgres:15-bookworm'];
    await fake('crane', answers);
    const r = run('pin-images');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not resolve postgres:15-bookworm \(POSTGRES_IMAGE\)/);
    expect(await readFile(file, 'utf8')).toBe(await readFile(COMMITTED, 'utf8'));
    expect(await readdir(dir)).toEqual(expect.not.arrayContaining([expect.stringMatching(/^images\.env\./)]));
  });

  it('refuses an answer that is not a sha256 digest', async () => {
    await fake('crane', { ...(await knowing()), 'postgres:15-bookworm': 'sha256:not-a-digest' });
    const r = run('pin-images');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/postgres:15-bookworm \(POSTGRES_IMAGE\) did not resolve to a sha256 digest/);
    expect(await readFile(file, 'utf8')).toBe(await readFile(COMMITTED, 'utf8'));
  });
});
