import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWebhookBody } from '../../gateway/src/admin/registry-bodies.js';
import { WEBHOOK_EVENT_TYPES } from '../../gateway/src/db/column-types.js';
import { ValidationFailed } from '../../gateway/src/errors.js';
import { registrationProblem } from '../../gateway/src/webhooks/registry.js';

// a value the parsers must never repeat back
const MARK = 'ZZMARK';
const anyValue = fc.oneof(fc.string({ maxLength: 300 }).map((s) => `${MARK}${s}`), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const field = <T>(good: fc.Arbitrary<T>) => fc.option(fc.oneof(good, anyValue), { nil: undefined });
const asBody = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
const FIELDS = /^\/(url|events|caPem|allowNetworks|secret|pharmacyId)(\/\d+)?$/;

describe('the body of a callback endpoint to register', () => {
  it('takes a bounded URL, known events (each once), a bounded CA text and networks, and nothing else; or names the fields at fault', () => {
    fc.assert(
      fc.property(
        fc.record({
          url: field(fc.oneof(fc.webUrl(), fc.string({ maxLength: 2100 }))),
          events: field(fc.array(fc.oneof(fc.constantFrom(...WEBHOOK_EVENT_TYPES), fc.constantFrom('test', `${MARK}.x`)), { maxLength: 8 })),
          caPem: field(fc.string({ maxLength: 100 })),
          allowNetworks: field(fc.array(fc.oneof(fc.constantFrom('127.0.0.0/8', '10.0.0.0/33'), fc.string({ maxLength: 70 })), { maxLength: 20 })),
        }),
        fc.option(fc.constantFrom('secret', 'pharmacyId'), { nil: undefined }),
        (raw, extraKey) => {
          const body = { ...asBody(raw), ...(extraKey ? { [extraKey]: `${MARK}` } : {}) };
          let parsed: ReturnType<typeof parseWebhookBody>;
          try {
            parsed = parseWebhookBody(body);
          } catch (e) {
            if (!(e instanceof ValidationFailed)) throw e;
            for (const issue of e.errors) {
              expect(issue.pointer).toMatch(FIELDS);
              expect(issue.code).toMatch(/^[a-z-]+$/);
            }
            expect(JSON.stringify(e.errors)).not.toContain(MARK);
            return;
          }
          expect(extraKey).toBeUndefined();
          expect(parsed.url.length).toBeGreaterThan(0);
          expect(parsed.url.length).toBeLessThanOrEqual(2048);
          if (parsed.events) {
            expect(new Set(parsed.events).size).toBe(parsed.events.length);
            for (const e of parsed.events) expect(WEBHOOK_EVENT_TYPES).toContain(e);
          }
          expect((parsed.allowNetworks ?? []).length).toBeLessThanOrEqual(16);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('is checked for the SSRF guard and the CA by field and code, never by value', async () => {
    // every name resolves to a public address: only the URL's form, the networks and the CA decide
    const lookup = async () => [{ address: '93.184.215.14', family: 4 }];
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.webUrl(), fc.string({ maxLength: 80 }).map((s) => `https://${MARK}${s}`)), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), fc.option(fc.string({ maxLength: 60 }), { nil: undefined }), async (url, allowNetworks, caPem) => {
        const problem = await registrationProblem({ url, allowNetworks, ...(caPem === undefined ? {} : { caPem: `${MARK}${caPem}` }) }, lookup);
        // a CA text that holds no certificate is always refused
        if (caPem !== undefined) expect(problem).toEqual({ field: 'caPem', code: 'ca-invalid' });
        if (problem) {
          expect(['url', 'allowNetworks', 'caPem']).toContain(problem.field);
          expect(problem.code).toMatch(/^[a-z0-9-]+$/);
          expect(JSON.stringify(problem)).not.toContain(MARK);
        }
      }),
      { numRuns: 500 },
    );
  });
});
