import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBlindIndex } from '../../gateway/src/crypto/index.js';

const NIR = '180017512345649';
const index = createBlindIndex(randomBytes(32));

describe('the NIR blind index', () => {
  it('differs between two pharmacies for the same person, so a dump does not link them', () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(index.nir(a, NIR)).not.toBe(index.nir(b, NIR));
    expect(index.nir(a, NIR)).not.toBe(index.chainNir(NIR));
  });

  it('is deterministic per pharmacy, whatever the case the pharmacy id is written in', () => {
    const pharmacy = randomUUID();
    expect(index.nir(pharmacy, NIR)).toBe(index.nir(pharmacy, NIR));
    expect(index.nir(pharmacy.toUpperCase(), NIR)).toBe(index.nir(pharmacy, NIR));
  });

  it('gives distinct indexes to distinct (pharmacy, NIR) pairs, even when their concatenations agree', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (p1, p2, n1, n2) => {
        fc.pre(p1 !== p2 || n1 !== n2);
        expect(index.nir(p1, n1)).not.toBe(index.nir(p2, n2));
      }),
    );
    // no value can move between the two parts: the id has a fixed length and is checked
    expect(() => index.nir(`${randomUUID()}:1`, NIR)).toThrow(RangeError);
    expect(() => index.nir('pharmacy-1', NIR)).toThrow(RangeError);
  });
});
