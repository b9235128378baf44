import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { nirIssue } from '../../gateway/src/results/index.js';

const digits = (length: number, min = 0, max = 10 ** length - 1) =>
  fc.integer({ min, max }).map((n) => String(n).padStart(length, '0'));

/** The key by the formula of DOMAIN.md §2, in BigInt: independent of the code under test. */
function referenceKey(first13: string): string {
  const n = BigInt(first13.replace(/^(.{5})2A/, '$119').replace(/^(.{5})2B/, '$118'));
  return String(97n - (n % 97n)).padStart(2, '0');
}

const validNir = fc
  .tuple(
    fc.constantFrom('1', '2'),
    digits(2),
    digits(2, 1, 12),
    fc.oneof(digits(2, 1, 95), fc.constantFrom('2A', '2B'), digits(2, 97, 99)),
    digits(3),
    digits(3, 1, 999),
  )
  .map((parts) => parts.join(''))
  .map((first13) => first13 + referenceKey(first13));

describe('NIR key', () => {
  it('accepts every well-formed NIR whose key follows the formula', () => {
    fc.assert(
      fc.property(validNir, (nir) => {
        expect(nirIssue(nir)).toBeUndefined();
      }),
    );
  });

  it('refuses any single-digit change; one that keeps the shape valid fails on the key', () => {
    fc.assert(
      fc.property(validNir, fc.nat(), fc.integer({ min: 1, max: 9 }), (nir, at, shift) => {
        const positions = [...nir].flatMap((char, i) => (/\d/.test(char) ? [i] : []));
        const i = positions[at % positions.length] ?? 0;
        const changed = `${nir.slice(0, i)}${(Number(nir[i]) + shift) % 10}${nir.slice(i + 1)}`;
        // 97 is prime and coprime with 10, so d·10^k is never ≡ 0 (mod 97): the key always moves.
        expect(['nir-checksum', 'nir-format']).toContain(nirIssue(changed));
        // Commune, order number and key digits never affect the shape.
        if (i >= 7) expect(nirIssue(changed)).toBe('nir-checksum');
      }),
    );
  });
});
