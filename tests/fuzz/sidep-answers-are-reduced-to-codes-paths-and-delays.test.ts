import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rejectionIssues } from '../../gateway/src/sidep/rejection-issues.js';
import { retryAfterMs } from '../../gateway/src/sidep/retry-after.js';

const NOW = Date.parse('2022-01-10T18:00:00Z');
const ISSUE_CODE = /^[a-z][a-z-]{0,63}$|^unknown$/;
const PATH = /^$|^[A-Za-z][A-Za-z0-9_.[\]()-]{0,255}$/;

/** OperationOutcome-shaped bodies with hostile values where codes, paths and texts go. */
const hostileIssue = fc.record(
  {
    code: fc.oneof(fc.constantFrom('invalid', 'required', 'business-rule'), fc.anything()),
    expression: fc.oneof(fc.array(fc.oneof(fc.constant('Bundle.entry[1].resource.code'), fc.string(), fc.anything())), fc.anything()),
    diagnostics: fc.string(),
    details: fc.record({ text: fc.string() }),
  },
  { requiredKeys: [] },
);
const outcome = fc.record({ resourceType: fc.constant('OperationOutcome'), issue: fc.oneof(fc.array(hostileIssue, { maxLength: 80 }), fc.anything()) });

describe('SI-DEP answer parsing', () => {
  it('keeps at most 50 issues, each a lowercase code and a plain path, and nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(outcome, fc.anything(), fc.jsonValue()), (body) => {
        const issues = rejectionIssues(body);
        expect(issues.length).toBeLessThanOrEqual(50);
        for (const issue of issues) {
          expect(Object.keys(issue).sort()).toEqual(['code', 'expression']);
          expect(issue.code).toMatch(ISSUE_CODE);
          expect(issue.expression).toMatch(PATH);
          expect(issue.expression).not.toMatch(/['" =]/);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads Retry-After as a non-negative delay or nothing, never throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.nat().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()), fc.constant(undefined)), (header) => {
        const ms = retryAfterMs(header, NOW);
        if (ms !== undefined) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads every delay-seconds exactly', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), (s) => {
        expect(retryAfterMs(String(s), NOW)).toBe(s * 1000);
      }),
    );
  });
});
