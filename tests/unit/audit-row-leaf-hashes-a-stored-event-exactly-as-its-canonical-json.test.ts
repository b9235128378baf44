import fc from 'fast-check';
import { describe, it } from 'vitest';
import { recordLeaf, rowLeaf, type AuditRecord } from '../../gateway/src/audit/records.js';

// verify hashes millions of stored events with rowLeaf; the sealer and the proofs with recordLeaf
// (RFC 8785 over whatever keys the record has): for a stored event's columns they must agree.
// text as Postgres stores it: UTF-8, so never a lone surrogate (which RFC 8785 refuses)
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', '"', '\\', '\u2028', '\u001f', 'é', '\ud83d\ude00'));
const nullable = fc.option(text, { nil: null });
const record: fc.Arbitrary<AuditRecord> = fc.record({
  seq: text, id: text, at: text, xactId: text, actorType: text, actorId: nullable, action: text,
  objectType: nullable, objectId: nullable, outcome: text, reason: nullable, requestId: nullable, sourceIp: nullable,
});

describe('the leaf of a stored audit event', () => {
  it('is the leaf of its RFC 8785 canonical JSON, whatever text or null its columns hold', () => {
    fc.assert(fc.property(record, (r) => rowLeaf(r).equals(recordLeaf(r))), { numRuns: 2_000 });
  });

  it('changes with any one column', () => {
    fc.assert(
      fc.property(record, fc.constantFrom<keyof AuditRecord>('seq', 'id', 'at', 'xactId', 'actorType', 'actorId', 'action', 'objectType', 'objectId', 'outcome', 'reason', 'requestId', 'sourceIp'), text, (r, key, v) => {
        fc.pre(r[key] !== v);
        return !rowLeaf({ ...r, [key]: v }).equals(rowLeaf(r));
      }),
    );
  });
});
