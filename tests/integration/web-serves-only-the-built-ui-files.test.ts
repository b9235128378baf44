import { mkdir, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/**
 * The web listener serves the built admin UI and nothing else: no dotfile, no listing, no path
 * outside the build (`..`, encoded or not, symlinks), and unknown API paths are 404 problems.
 */
let w: WebHarness;
let agent: Agent;
let dist: string;

beforeAll(async () => {
  dist = await mkdtemp(path.join(os.tmpdir(), 'ui-dist-'));
  await mkdir(path.join(dist, 'assets'));
  await mkdir(path.join(dist, '.git'));
  await mkdir(path.join(dist, 'docs'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>UI</title><script type="module" src="/assets/app.js"></script>');
  await writeFile(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dist, '.env'), 'SECRET=1');
  await writeFile(path.join(dist, '.git', 'config'), '[core]');
  await writeFile(path.join(dist, 'docs', 'notes.md'), '# notes');
  await writeFile(path.join(path.dirname(dist), `outside-${path.basename(dist)}.txt`), 'outside');
  await symlink('/etc/hostname', path.join(dist, 'assets', 'link.txt'));
  w = await startWebHarness({ web: { uiDir: dist } });
  agent = new Agent({ connect: { ...anssiTlsOptions(), ca: w.h.pki.ca.certPem } });
});
afterAll(async () => {
  await agent?.close();
  await w?.close();
});

async function get(p: string) {
  // the dispatcher sends the path as written: a URL object would resolve `..` first
  const res = await agent.request({ origin: w.webUrl, path: p, method: 'GET' });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

describe('static files of the web listener', () => {
  it('serves the UI, its assets, and index.html for UI routes', async () => {
    expect((await get('/')).text).toContain('<title>UI</title>');
    expect((await get('/results/new')).text).toContain('<title>UI</title>');
    const js = await get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
  });

  // a path without an extension is a UI route: the UI page, never a listing or the file named
  it.each(['/docs/', '/docs', '/assets/%2e%2e/%2e%2e/etc/hostname', '/assets/'])('answers %s with the UI page only', async (p) => {
    const res = await get(p);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<title>UI</title>');
    expect(res.text).not.toContain('notes.md');
  });

  it.each(['/.env', '/.git/config', '/assets/../.env', '/%2e%2e/outside.txt', '/..%2f..%2fetc%2fhostname', '/assets/link.txt', '/docs/notes.md', '/index.html%00.js', '/api/web/v1/nope', '/auth/nope'])('refuses %s', async (p) => {
    const res = await get(p);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('SECRET');
    expect(res.text).not.toContain('[core]');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });
});
