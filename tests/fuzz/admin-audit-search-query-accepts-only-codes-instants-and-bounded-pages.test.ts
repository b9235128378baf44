import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAuditRange, parseAuditSearchQuery } from '../../gateway/src/admin/audit-search.js';
import { ValidationFailed } from '../../gateway/src/errors.js';

/** Values shaped like personal data or markup: none may come back in an error. */
const SECRET = '1850775123456 <script>';
const field = fc.option(
  fc.oneof(
    fc.string(),
    fc.constantFrom('success', 'denied', 'failure', 'result.create', '2026-01-31T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-31T00:00:00.1234567Z', '0', '1', '500', '501', '18446744073709551616', SECRET),
  ),
  { nil: undefined },
);
const KNOWN = ['/since', '/until', '/action', '/actor', '/outcome', '/object', '/limit', '/cursor'];

describe('audit search query', () => {
  it('parses to exact printable codes, instants and a page of 1 to 500, or names each field at fault without its value', () => {
    fc.assert(
      fc.property(
        fc.record({ since: field, until: field, action: field, actor: field, outcome: field, object: field, limit: field, cursor: field }, { requiredKeys: [] }),
        fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
        (raw, extra) => {
          const query: Record<string, string | undefined> = { ...raw, ...(extra !== undefined ? { [extra]: SECRET } : {}) };
          try {
            const q = parseAuditSearchQuery(query);
            expect(q.limit).toBeGreaterThanOrEqual(1);
            expect(q.limit).toBeLessThanOrEqual(500);
            for (const text of [q.action, q.actor, q.object]) if (text !== undefined) expect(text).toMatch(/^[\x21-\x7e][\x20-\x7e]{0,199}$/);
            if (q.outcome) expect(['success', 'failure', 'denied']).toContain(q.outcome);
            if (q.cursor) expect(BigInt(q.cursor) > 0n && BigInt(q.cursor) < 2n ** 63n).toBe(true);
            for (const t of [q.since, q.until]) if (t) expect(Number.isNaN(t.getTime())).toBe(false);
            if (q.since && q.until) expect(q.since <= q.until).toBe(true);
          } catch (e) {
            if (!(e instanceof ValidationFailed)) throw e;
            expect(e.errors.length).toBeGreaterThan(0);
            for (const issue of e.errors) {
              if (!KNOWN.includes(issue.pointer)) expect(issue).toEqual({ pointer: `/${extra}`, code: 'unknown-field' });
              expect(['invalid-type', 'time-range', 'unknown-field']).toContain(issue.code);
            }
            expect(JSON.stringify(e.errors.map((i) => i.code))).not.toContain('1850775123456');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('defaults to the newest 100 events of the whole log', () => {
    expect(parseAuditSearchQuery({})).toEqual({ limit: 100 });
  });

  it('refuses a reversed range and an unknown parameter', () => {
    expect(() => parseAuditRange({ since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' })).toThrow(ValidationFailed);
    expect(() => parseAuditRange({ limit: '10' })).toThrow(ValidationFailed);
    expect(parseAuditRange({ since: '2026-01-01T00:00:00+01:00' })).toEqual({ since: new Date('2025-12-31T23:00:00Z') });
  });
});
