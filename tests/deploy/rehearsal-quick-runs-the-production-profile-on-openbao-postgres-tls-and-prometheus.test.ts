import { describe, expect, it } from 'vitest';
import { OPENBAO_SKIP_REASON, openBaoBinary } from '../support/openbao.js';
import { systemTool } from '../support/system-tool.js';
import { startRehearsal } from '../rehearsal/rehearsal.js';

// `npm run rehearse -- --quick`: compose.yaml's production profile on real OpenBao, PostgreSQL
// with TLS and SCRAM, the SI-DEP simulator and Debian's Prometheus, every step a named check, all
// but the minutes-long waits for alerts (`npm run rehearse` waits for those). Under
// REQUIRE_SYSTEM_TOOLS=1 (CI) a missing bao, prometheus or gpg fails instead of skipping.
const missing = [
  openBaoBinary() ? undefined : OPENBAO_SKIP_REASON,
  systemTool('prometheus') ? undefined : "needs Debian's prometheus package",
  systemTool('gpg') ? undefined : 'needs gpg (the custodians of the unseal shares)',
].filter(Boolean);

describe('npm run rehearse -- --quick', () => {
  it.skipIf(missing.length > 0)(`passes every check of the production rehearsal${missing.length ? ` (skipped: ${missing.join('; ')})` : ''}`, async () => {
    const lines: string[] = [];
    const { finished } = startRehearsal({ quick: true, print: (line) => lines.push(line) });
    const { passed, failed } = await finished;
    expect(lines.filter((l) => l.startsWith('FAIL')), lines.join('\n')).toEqual([]);
    expect(failed).toBe(0);
    expect(passed).toBeGreaterThanOrEqual(15);
    expect(lines.at(-1)).toBe(`rehearsal: ${passed} passed, 0 failed`);
  }, 300_000);
});
