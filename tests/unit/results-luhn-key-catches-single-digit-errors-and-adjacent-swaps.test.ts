import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { hasValidLuhnKey } from '../../gateway/src/results/index.js';

const digitString = (minLength: number, maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength, maxLength }).map((digits) => digits.join(''));

/** The one key digit that completes `payload`, found by trying all ten. */
function completed(payload: string): string {
  const keys = [...'0123456789'].filter((key) => hasValidLuhnKey(payload + key));
  expect(keys).toHaveLength(1);
  return payload + keys[0];
}

describe('Luhn key', () => {
  it('accepts published numbers: FINESS of AP-HP, AP-HM, HCL; RPPS of the PSC sandbox; the classic example', () => {
    for (const valid of ['750712184', '130786049', '690781810', '99700771191', '10000123454', '79927398713']) {
      expect(hasValidLuhnKey(valid)).toBe(true);
    }
  });

  it('refuses anything but digits', () => {
    for (const invalid of ['', '7507121a4', ' 750712184', '７５０７１２１８４']) expect(hasValidLuhnKey(invalid)).toBe(false);
  });

  it('has exactly one key digit for any payload, and any single-digit change breaks it', () => {
    fc.assert(
      fc.property(digitString(1, 20), fc.nat(), fc.integer({ min: 1, max: 9 }), (payload, at, shift) => {
        const valid = completed(payload);
        const i = at % valid.length;
        const changed = `${valid.slice(0, i)}${(Number(valid[i]) + shift) % 10}${valid.slice(i + 1)}`;
        expect(hasValidLuhnKey(changed)).toBe(false);
      }),
    );
  });

  it('catches every swap of two different adjacent digits except 0↔9', () => {
    fc.assert(
      fc.property(digitString(2, 20), fc.nat(), (payload, at) => {
        const valid = completed(payload);
        const i = at % (valid.length - 1);
        const [a, b] = [valid[i], valid[i + 1]];
        fc.pre(a !== b && !(`${a}${b}` === '09' || `${a}${b}` === '90'));
        const swapped = `${valid.slice(0, i)}${b}${a}${valid.slice(i + 2)}`;
        expect(hasValidLuhnKey(swapped)).toBe(false);
      }),
    );
  });
});
