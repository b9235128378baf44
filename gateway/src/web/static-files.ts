import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Handler } from 'hono';
import { NotFound } from '../errors.js';
import type { WebEnv } from './env.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built admin UI and nothing else: regular files under `root` with a known type,
 * no dotfile or dot-directory, no listing, no path leaving `root` (symlinks resolved). A path
 * without an extension is a UI route and gets `index.html`. Without a build, everything is 404.
 */
export function staticFiles(o: { root: string | undefined }): Handler<WebEnv> {
  return async function staticFiles(c) {
    if (!o.root) throw new NotFound();
    const root = await realpath(o.root).catch(() => undefined);
    if (!root) throw new NotFound();
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      throw new NotFound();
    }
    const segments = rel.split('/').filter(Boolean);
    if (segments.some((s) => s.startsWith('.') || s.includes('\\') || s.includes('\0'))) throw new NotFound();
    // an unknown API or sign-in path is a 404 problem, never the UI's page
    if (segments[0] === 'api' || segments[0] === 'auth') throw new NotFound();
    let file = path.join(root, ...segments);
    if (!path.extname(file)) file = path.join(root, 'index.html');
    const type = TYPES[path.extname(file)];
    if (!type) throw new NotFound();
    const real = await realpath(file).catch(() => undefined);
    if (!real || !real.startsWith(root + path.sep) || !(await stat(real)).isFile()) throw new NotFound();
    const body = await readFile(real);
    // content-hashed build assets never change; the HTML that names them always revalidates
    const cache = segments[0] === 'assets' ? 'public, max-age=31536000, immutable' : 'no-cache';
    return c.body(body, 200, { 'content-type': type, 'cache-control': cache });
  };
}
