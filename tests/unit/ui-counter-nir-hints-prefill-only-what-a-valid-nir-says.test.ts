import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nirMismatch, readNir } from '../../admin-ui/src/counter/nir-hints.js';
import { nirKey } from '../../gateway/src/results/index.js';

const TODAY = new Date(2026, 11, 6);
const THIS_YEAR = TODAY.getFullYear();

/** A NIR with a correct key: sex 1/2, any year, a calendar month, a mainland place. */
const validNir = fc
  .record({ sex: fc.constantFrom('1', '2'), yy: fc.integer({ min: 0, max: 99 }), mm: fc.integer({ min: 1, max: 12 }), place: fc.integer({ min: 1000, max: 95999 }), order: fc.integer({ min: 1, max: 999 }) })
  .map(({ sex, yy, mm, place, order }) => {
    const first13 = `${sex}${String(yy).padStart(2, '0')}${String(mm).padStart(2, '0')}${String(place).padStart(5, '0')}${String(order).padStart(3, '0')}`;
    return `${first13}${String(nirKey(first13)).padStart(2, '0')}`;
  });

describe('the counter’s NIR hints', () => {
  it('read sex, birth year (a past date, aged 3 or more) and month from any valid NIR, spaced or not', () => {
    fc.assert(
      fc.property(validNir, fc.boolean(), (nir, spaced) => {
        const typed = spaced ? nir.replace(/^(.)(..)(..)(..)(...)(...)(..)$/, '$1 $2 $3 $4 $5 $6 $7') : nir;
        const h = readNir(typed, TODAY);
        expect(h.issue).toBeUndefined();
        expect(h.sex).toBe(nir[0] === '1' ? 'M' : 'F');
        expect(Number(h.birthYear) % 100).toBe(Number(nir.slice(1, 3)));
        // a past birth month, and an age the counter sees: at least 3, at most 103
        expect(`${h.birthYear}-${h.birthMonth}` <= '2026-12').toBe(true);
        expect(Number(h.birthYear)).toBeLessThanOrEqual(THIS_YEAR - 3);
        expect(Number(h.birthYear)).toBeGreaterThanOrEqual(THIS_YEAR - 103);
        // the other century is offered only when it too is in the past
        if (h.otherBirthYear !== undefined) expect(Number(h.otherBirthYear)).toBeLessThanOrEqual(THIS_YEAR);
        expect(h.birthMonth).toBe(nir.slice(3, 5));
        // what the hints fill in never disagrees with the NIR
        expect(nirMismatch(typed, h.sex as string, `${h.birthYear}-${h.birthMonth}-01`)).toBeUndefined();
      }),
    );
  });

  it('fill nothing while the number is incomplete or its key is wrong', () => {
    fc.assert(
      fc.property(validNir, fc.integer({ min: 1, max: 14 }), (nir, cut) => {
        expect(readNir(nir.slice(0, cut), TODAY)).toEqual({ issue: 'nir-length' });
        const wrongKey = `${nir.slice(0, 13)}${String((Number(nir.slice(13)) % 97) + 1).padStart(2, '0')}`;
        expect(readNir(wrongKey, TODAY)).toEqual({ issue: 'nir-checksum' });
      }),
    );
  });

  it('flag a sex or birth date typed against the NIR, as the server would', () => {
    expect(nirMismatch('185036912345609', 'F', undefined)).toBe('nir-sex-mismatch');
    expect(nirMismatch('185036912345609', 'M', '1986-03-14')).toBe('nir-birthdate-mismatch');
    expect(nirMismatch('185036912345609', 'M', '1985-04-14')).toBe('nir-birthdate-mismatch');
    expect(nirMismatch('185036912345609', 'U', '1985-03-14')).toBeUndefined();
    expect(readNir('2 91 11 2A 004 017 11', TODAY)).toEqual({ sex: 'F', birthYear: '1991', birthMonth: '11' });
  });

  it('read a two-year-old’s digits as a centenarian, a future year as the last century, and offer the other century', () => {
    const nirOf = (first13: string) => `${first13}${String(nirKey(first13)).padStart(2, '0')}`;
    // born in '24: 2024 would make a 2-year-old; '26 in May: 2026 would be months ago, under 3
    expect(readNir(nirOf('1240575123456'), TODAY)).toMatchObject({ birthYear: '1924', otherBirthYear: '2024' });
    expect(readNir(nirOf('2260575123456'), TODAY)).toMatchObject({ birthYear: '1926', otherBirthYear: '2026' });
    expect(readNir(nirOf('2271275123456'), TODAY)).toMatchObject({ birthYear: '1927', otherBirthYear: undefined });
    expect(readNir(nirOf('1200575123456'), TODAY)).toMatchObject({ birthYear: '2020', otherBirthYear: '1920' });
  });
});
