import { statfs } from 'node:fs/promises';
import { fail, ok, reason, warn, type CheckResult } from './report.js';

const WARN_FREE = 0.1;
const FAIL_FREE = 0.02;

/** Free space on each directory the gateway writes to (keyring, audit sink, temp). */
export async function checkDisk(paths: string[]): Promise<CheckResult[]> {
  return Promise.all(
    [...new Set(paths)].map(async (p) => {
      const id = `disk ${p}`;
      try {
        const s = await statfs(p);
        const free = s.bavail / s.blocks;
        const text = `${(free * 100).toFixed(0)}% free (${((s.bavail * s.bsize) / 2 ** 30).toFixed(1)} GiB)`;
        if (free < FAIL_FREE) return fail(id, text, 'free space now: Postgres and the audit sink stop when the disk fills');
        if (free < WARN_FREE) return warn(id, text, 'free space or grow the volume');
        return ok(id, text);
      } catch (e) {
        return fail(id, `cannot stat: ${reason(e)}`, 'check the path and its permissions');
      }
    }),
  );
}
