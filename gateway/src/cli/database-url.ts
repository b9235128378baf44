import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPOSITORY_ROOT } from './repository-root.js';

/**
 * Where operator commands connect: `--database-url`, else `GATEWAY_DATABASE_URL` (or its
 * `_FILE`), else — outside production — the running demo's owner URL from `.data/demo.json`.
 */
export function operatorDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  if (env.GATEWAY_DATABASE_URL) return env.GATEWAY_DATABASE_URL;
  if (env.GATEWAY_DATABASE_URL_FILE) return readFileSync(env.GATEWAY_DATABASE_URL_FILE, 'utf8').trim();
  if (env.GATEWAY_PROFILE !== 'production') {
    try {
      const demo = JSON.parse(readFileSync(path.join(demoDataDir(env), 'demo.json'), 'utf8')) as { databaseUrl: string };
      return demo.databaseUrl;
    } catch {
      // no demo running here
    }
  }
  throw new Error('No database: pass --database-url, set GATEWAY_DATABASE_URL, or start the demo (npm start).');
}

/** The demo's data directory (`.data`, or `GATEWAY_DEMO_DATA_DIR`): its database, its dev PKI. */
export function demoDataDir(env: NodeJS.ProcessEnv): string {
  return env.GATEWAY_DEMO_DATA_DIR ?? path.join(REPOSITORY_ROOT, '.data');
}
