import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webApiCalls, webHarnessWithAResult } from '../support/web-api-calls.js';

/**
 * HTTP fuzz of today's list at the counter (`GET /api/web/v1/counter/results`): any pharmacy,
 * since, limit and cursor, as a pharmacist sends them. Invariants: never a 5xx, every refusal
 * is problem+json, no value is echoed. `FUZZ_RUNS` raises the count for the long run.
 */
const RUNS = Math.max(1, Math.round(Number(process.env.FUZZ_RUNS ?? 150) / 3));
const SEED = Number(process.env.FUZZ_SEED ?? 20211231);
/** Put into every generated value; an answer containing it echoes input. */
const MARKER = 'Zq7echo';

// per-person limits well above what the runs send
const w = webHarnessWithAResult({ web: { userRatePerSecond: 100_000, userRateBurst: 100_000 } });
const { as } = webApiCalls(w);

const marked = fc.string({ maxLength: 30 }).map((s) => `${MARKER}${s}`);
/** A query value: well-formed or near it, or anything marked. */
const value = (near: fc.Arbitrary<string>) => fc.option(fc.oneof(near, marked), { nil: undefined });
const query = fc.record({
  pharmacy: value(fc.constantFrom('759999907', '759999915', '000000000', '')),
  since: value(fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString())),
  limit: value(fc.oneof(fc.integer({ min: -5, max: 600 }).map(String), fc.constantFrom('1e2', '0x10', '10.5'))),
  cursor: value(fc.oneof(fc.base64String({ maxLength: 60 }), fc.string({ maxLength: 60 }).map((s) => Buffer.from(s).toString('base64url')))),
});

describe("today's list at the counter", () => {
  it('answers any query without a 5xx or an echo', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined));
        const res = await as('pharmacien1', 'GET', `/api/web/v1/counter/results?${params}`);
        expect(res.status, res.text.slice(0, 200)).toBeLessThan(500);
        expect(res.text).not.toContain(MARKER);
        if (res.status >= 400) expect(String(res.headers['content-type'])).toContain('application/problem+json');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
