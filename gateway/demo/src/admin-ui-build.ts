import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_UI_ROOT, REPOSITORY_ROOT } from '@sidep-gateway/gateway/repository-root.js';

// the gateway modules the UI compiles in (roles, NIR rules, statuses); its type-only imports change no output
const SHARED_SOURCES = ['auth/rbac.ts', 'results/nir.ts', 'results/lifecycle/statuses.ts', 'results/lifecycle/scope.ts', 'db/column-types.ts'].map((f) => path.join(REPOSITORY_ROOT, 'gateway', 'src', f));

async function newestMtime(p: string): Promise<number> {
  const s = await stat(p);
  if (!s.isDirectory()) return s.mtimeMs;
  const entries = await readdir(p);
  const times = await Promise.all(entries.map((e) => newestMtime(path.join(p, e))));
  return Math.max(s.mtimeMs, ...times);
}

/**
 * Builds the admin UI when `dist/index.html` is missing or older than a source: `npm start`
 * and the browser tests always serve the current UI. Here, in the demo, because Vite is a
 * development dependency: `gateway serve` serves the prebuilt `dist/` of its image.
 * @example await ensureAdminUiBuilt(); // 'fresh' | 'built'
 */
export async function ensureAdminUiBuilt(root: string = ADMIN_UI_ROOT): Promise<'fresh' | 'built'> {
  const built = await stat(path.join(root, 'dist', 'index.html')).then((s) => s.mtimeMs, () => 0);
  const sources = await Promise.all([path.join(root, 'src'), path.join(root, 'index.html'), path.join(root, 'vite.config.ts'), ...SHARED_SOURCES].map(newestMtime));
  if (built > Math.max(...sources)) return 'fresh';
  const { build } = await import('vite');
  await build({ root, configFile: path.join(root, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  return 'built';
}
