import { execFileSync } from 'node:child_process';

/**
 * The path of a Debian tool a test needs (promtool, docker-compose, pg_dump…), or undefined so
 * the test skips with the reason. Under `REQUIRE_SYSTEM_TOOLS=1` (set by `.ci/run`, which
 * installs them) a missing tool fails instead: CI cannot pass by skipping.
 * @example const promtool = systemTool('promtool'); describe.skipIf(!promtool)(…)
 */
export function systemTool(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    if (process.env.REQUIRE_SYSTEM_TOOLS === '1') throw new Error(`${name} is required (REQUIRE_SYSTEM_TOOLS=1); .ci/run installs it.`);
    return undefined;
  }
}
