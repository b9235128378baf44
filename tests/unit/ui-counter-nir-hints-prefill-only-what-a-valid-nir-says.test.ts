import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nirMismatch, readNir } from '../../admin-ui/src/counter/nir-hints.js';
import { nirKey } from '../../gateway/src/results/index.js';

const THIS_YEAR = 2025;

/** A NIR with a correct key: sex 1/2, any year, a calendar month, a mainland place. */
const validNir = fc
  .record({ sex: fc.constantFrom('1', '2'), yy: fc.integer({ min: 0, max: 99 }), mm: fc.integer({ min: 1, max: 12 }), place: fc.integer({ min: 1000, max: 95999 }), order: fc.integer({ min: 1, max: 999 }) })
  .map(({ sex, yy, mm, place, order }) => {
    const first13 = `${sex}${String(yy).padStart(2, '0')}${String(mm).padStart(2, '0')}${String(place).padStart(5, '0')}${String(order).padStart(3, '0')}`;
    return `${first13}${String(nirKey(first13)).padStart(2, '0')}`;
  });

describe('the counter’s NIR hints', () => {
  it('read sex, birth year (never in the future) and month from any valid NIR, spaced or not', () => {
    fc.assert(
      fc.property(validNir, fc.boolean(), (nir, spaced) => {
        const typed = spaced ? nir.replace(/^(.)(..)(..)(..)(...)(...)(..)$/, '$1 $2 $3 $4 $5 $6 $7') : nir;
        const h = readNir(typed, THIS_YEAR);
        expect(h.issue).toBeUndefined();
        expect(h.sex).toBe(nir[0] === '1' ? 'M' : 'F');
        expect(Number(h.birthYear) % 100).toBe(Number(nir.slice(1, 3)));
        expect(Number(h.birthYear)).toBeLessThanOrEqual(THIS_YEAR);
        expect(Number(h.birthYear)).toBeGreaterThan(THIS_YEAR - 100);
        expect(h.birthMonth).toBe(nir.slice(3, 5));
        // what the hints fill in never disagrees with the NIR
        expect(nirMismatch(typed, h.sex as string, `${h.birthYear}-${h.birthMonth}-01`)).toBeUndefined();
      }),
    );
  });

  it('fill nothing while the number is incomplete or its key is wrong', () => {
    fc.assert(
      fc.property(validNir, fc.integer({ min: 1, max: 14 }), (nir, cut) => {
        expect(readNir(nir.slice(0, cut), THIS_YEAR)).toEqual({ issue: 'nir-length' });
        const wrongKey = `${nir.slice(0, 13)}${String((Number(nir.slice(13)) % 97) + 1).padStart(2, '0')}`;
        expect(readNir(wrongKey, THIS_YEAR)).toEqual({ issue: 'nir-checksum' });
      }),
    );
  });

  it('flag a sex or birth date typed against the NIR, as the server would', () => {
    expect(nirMismatch('185036912345609', 'F', undefined)).toBe('nir-sex-mismatch');
    expect(nirMismatch('185036912345609', 'M', '1986-03-14')).toBe('nir-birthdate-mismatch');
    expect(nirMismatch('185036912345609', 'M', '1985-04-14')).toBe('nir-birthdate-mismatch');
    expect(nirMismatch('185036912345609', 'U', '1985-03-14')).toBeUndefined();
    expect(readNir('2 91 11 2A 004 017 11', THIS_YEAR)).toEqual({ sex: 'F', birthYear: '1991', birthMonth: '11' });
  });
});
