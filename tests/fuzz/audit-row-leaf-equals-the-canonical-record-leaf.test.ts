import { describe, it } from 'vitest';
import fc from 'fast-check';
import { recordLeaf, rowLeaf, type AuditRecord } from '../../gateway/src/audit/records.js';

/**
 * The sealer and `audit verify` hash rows with `rowLeaf`, written field by field for speed;
 * `audit prove` and anyone checking a proof hash with RFC 8785 canonical JSON (`recordLeaf`).
 * A difference on any text would seal leaves no proof can match.
 */
// what a Postgres text can hold: well-formed Unicode (never a lone surrogate) without NUL
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('', '"', '\\', '\u2028', '\u007f', 'é', '😀')).filter((t) => !/[\ud800-\udfff]/u.test(t) && !t.includes('\u0000'));
const record: fc.Arbitrary<AuditRecord> = fc.record({
  seq: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String),
  id: fc.uuid(),
  at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '123Z')),
  xactId: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String),
  actorType: text,
  actorId: fc.option(text),
  action: text,
  objectType: fc.option(text),
  objectId: fc.option(text),
  outcome: text,
  reason: fc.option(text),
  requestId: fc.option(text),
  sourceIp: fc.option(text),
});

describe('an audit row’s leaf', () => {
  it('is the leaf of its RFC 8785 canonical JSON, whatever its texts', () => {
    fc.assert(fc.property(record, (r) => rowLeaf(r).equals(recordLeaf(r))), { numRuns: 2_000 });
  });
});
