import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDocument, sealDocument } from '../../gateway/src/crypto/index.js';
import { DecryptionFailed } from '../../gateway/src/errors.js';

const binding = { resultId: randomUUID(), pharmacyId: randomUUID(), keyId: randomUUID() };
const dataKey = randomBytes(32);

describe('a sealed document with any bit changed', () => {
  it('never opens, whichever byte and bit (version, nonce, ciphertext or tag)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.integer({ min: 0, max: 7 }), (doc, at, bit) => {
        const sealed = sealDocument(doc, binding, dataKey);
        const tampered = Buffer.from(sealed);
        const position = at % tampered.length;
        tampered[position] = (tampered[position] ?? 0) ^ (1 << bit);
        expect(() => openDocument(tampered, binding, dataKey)).toThrow(DecryptionFailed);
      }),
      { numRuns: 500 },
    );
  });

  it('never opens when truncated or extended', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 }), (doc, cut, extra) => {
        const sealed = sealDocument(doc, binding, dataKey);
        const truncated = sealed.subarray(0, cut % sealed.length);
        expect(() => openDocument(truncated, binding, dataKey)).toThrow(DecryptionFailed);
        expect(() => openDocument(Buffer.concat([sealed, extra]), binding, dataKey)).toThrow(DecryptionFailed);
      }),
      { numRuns: 200 },
    );
  });
});
