import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdempotencyKeyInvalid, IdempotencyKeyMissing } from '../../gateway/src/errors.js';
import { requireIdempotencyKey } from '../../gateway/src/results/lifecycle/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requireIdempotencyKey', () => {
  it('accepts any UUID, in any case with surrounding blanks, as its lowercase form', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.boolean(), fc.stringMatching(/^[ \t]{0,3}$/), (uuid, upper, pad) => {
        expect(requireIdempotencyKey(`${pad}${upper ? uuid.toUpperCase() : uuid}${pad}`)).toBe(uuid.toLowerCase());
      }),
    );
  });

  it('answers only typed errors for any other header, and never returns a non-UUID', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uuid().map((u) => `${u}x`), fc.uuid().map((u) => u.replaceAll('-', ''))), (header) => {
        try {
          expect(requireIdempotencyKey(header)).toMatch(UUID);
        } catch (e) {
          expect(e instanceof IdempotencyKeyMissing || e instanceof IdempotencyKeyInvalid).toBe(true);
          if (header.trim() === '') expect(e).toBeInstanceOf(IdempotencyKeyMissing);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
