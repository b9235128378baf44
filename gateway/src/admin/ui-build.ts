import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPOSITORY_ROOT } from '../repository-root.js';

/** The admin UI's folder; its build lands in `dist/`, which the web listener serves. */
export const ADMIN_UI_ROOT = path.join(REPOSITORY_ROOT, 'admin-ui');

// the gateway modules the UI compiles in (roles, NIR rules, statuses); its type-only imports change no output
const SHARED_SOURCES = ['../auth/rbac.ts', '../results/nir.ts', '../results/lifecycle/statuses.ts', '../results/lifecycle/scope.ts', '../db/column-types.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url)));

async function newestMtime(p: string): Promise<number> {
  const s = await stat(p);
  if (!s.isDirectory()) return s.mtimeMs;
  const entries = await readdir(p);
  const times = await Promise.all(entries.map((e) => newestMtime(path.join(p, e))));
  return Math.max(s.mtimeMs, ...times);
}

/**
 * Builds the admin UI when `dist/index.html` is missing or older than a source: `npm start`
 * and the browser tests always serve the current UI. Vite is a development dependency and is
 * loaded only here; a production image ships a prebuilt `dist/`.
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
