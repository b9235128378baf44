import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/index.js';
import { createLoginLink } from '../auth/break-glass.js';
import { demoDataDir } from './database-url.js';

/** The web listener's origin: `--origin`, else `GATEWAY_WEB_PUBLIC_ORIGIN`, else the running demo's. */
function webOrigin(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag) return flag;
  if (env.GATEWAY_WEB_PUBLIC_ORIGIN) return env.GATEWAY_WEB_PUBLIC_ORIGIN;
  try {
    return (JSON.parse(readFileSync(path.join(demoDataDir(env), 'demo.json'), 'utf8')) as { webUrl?: string }).webUrl;
  } catch {
    return undefined;
  }
}

/**
 * `gateway admin login-link [--origin URL]`: break-glass for the host operator — a single-use
 * link valid 5 minutes to a chain-admin session of `host:<user>` (enrolment for 1 hour), audited.
 * Returns the exit code (2: usage error).
 */
export async function adminCommand(db: Database, sub: string | undefined, o: { origin?: string; user: string; env: NodeJS.ProcessEnv; out: (s: string) => void }): Promise<number> {
  if (sub !== 'login-link') return 2;
  const origin = webOrigin(o.origin, o.env);
  if (!origin) {
    o.out('Name the web listener with --origin or GATEWAY_WEB_PUBLIC_ORIGIN.');
    return 2;
  }
  const token = await createLoginLink(db, { user: o.user });
  o.out(`Single-use link (5 minutes, audited): ${new URL(origin).origin}/auth/break-glass?token=${token}`);
  return 0;
}
