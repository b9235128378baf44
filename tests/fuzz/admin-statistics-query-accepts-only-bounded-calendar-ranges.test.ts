import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ValidationFailed } from '../../gateway/src/errors.js';
import { parseStatisticsQuery, statisticsCsv } from '../../gateway/src/admin/statistics.js';

const TODAY = '2025-11-25';
const field = fc.option(fc.oneof(fc.string(), fc.constantFrom('day', 'month', 'csv', 'json', '2025-02-29', '2024-02-29', '2025-01-01', '2025-13-01')), { nil: undefined });

describe('statistics query', () => {
  it('either parses to a valid bounded range or names each field at fault, never its value', () => {
    fc.assert(
      fc.property(fc.record({ period: field, from: field, to: field, format: field }), (raw) => {
        try {
          const q = parseStatisticsQuery(raw, TODAY);
          expect(['day', 'month']).toContain(q.period);
          expect(['json', 'csv']).toContain(q.format);
          for (const d of [q.from, q.to]) expect(new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10)).toBe(d);
          expect(q.from <= q.to).toBe(true);
        } catch (e) {
          if (!(e instanceof ValidationFailed)) throw e;
          expect(e.errors.length).toBeGreaterThan(0);
          for (const issue of e.errors) {
            expect(['/period', '/from', '/to', '/format']).toContain(issue.pointer);
            expect(['invalid-type', 'date-range']).toContain(issue.code);
          }
          expect(JSON.stringify(e.errors)).not.toMatch(/2025-13|2025-02-29/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('defaults to the last 31 days by day, as JSON', () => {
    expect(parseStatisticsQuery({}, TODAY)).toEqual({ period: 'day', from: '2025-10-26', to: TODAY, format: 'json' });
  });

  it('refuses a reversed range and one longer than two years', () => {
    expect(() => parseStatisticsQuery({ from: '2025-02-01', to: '2025-01-01' }, TODAY)).toThrow(ValidationFailed);
    expect(() => parseStatisticsQuery({ from: '2020-01-01', to: '2025-01-01' }, TODAY)).toThrow(ValidationFailed);
  });
});

describe('statistics CSV', () => {
  it('quotes every field a spreadsheet could run as a formula, and round-trips names with quotes and commas', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        const csv = statisticsCsv([{ finess: '759999907', name, period: '2025-11', total: 1, delivered: 1, cancelled: 0, deadLettered: 0, corrections: 0, positive: 1, negative: 0, invalid: 0 }]);
        const line = csv.split('\r\n')[1] as string;
        const nameField = line.slice('759999907,'.length, line.length - ',2025-11,1,1,0,0,0,1,0,0'.length);
        const unquoted = nameField.startsWith('"') ? nameField.slice(1, -1).replace(/""/g, '"') : nameField;
        expect(/^[=+\-@\t\r]/.test(unquoted)).toBe(false);
        expect(unquoted).toBe(/^[=+\-@\t\r]/.test(name) ? `'${name}` : name);
      }),
      { numRuns: 2000 },
    );
  });
});
