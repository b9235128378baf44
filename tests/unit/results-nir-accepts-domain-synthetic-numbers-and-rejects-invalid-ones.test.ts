import { describe, it, expect } from 'vitest';
import { nirIssue, nirKey, nirMatchesBirthDate, nirMatchesSex, normalizeNir } from '../../gateway/src/results/index.js';

describe('NIR (DOMAIN.md §2)', () => {
  it('accepts the synthetic examples, spaced or not, and the stdnum cross-checks', () => {
    for (const nir of ['1 85 03 69 123 456 09', '2 91 11 2A 004 017 11', '1 03 07 2B 033 201 81', '253072B07300470', '253072A07300443']) {
      expect(nirIssue(normalizeNir(nir))).toBeUndefined();
    }
  });

  it('computes the documented keys, Corsica counting 2A as 19 and 2B as 18', () => {
    expect(nirKey('1850369123456')).toBe(9);
    expect(nirKey('291112A004017')).toBe(11);
    expect(nirKey('103072B033201')).toBe(81);
  });

  it('normalises by removing spaces and upper-casing', () => {
    expect(normalizeNir(' 2 91 11 2a 004 017 11 ')).toBe('291112A00401711');
  });

  it.each([
    ['185036912345610', 'nir-checksum', 'wrong key'],
    ['185136912345672', 'nir-format', 'month 13 with a correct key'],
    ['18503691234560', 'nir-length', '14 characters'],
    ['1850369123456090', 'nir-length', '16 characters'],
    ['291112B00401711', 'nir-checksum', 'the 2A key on a 2B number'],
    ['291112C00401711', 'nir-format', 'a Corsica letter other than A or B'],
    ['2911A2B00401711', 'nir-format', 'a letter outside the département'],
    ['385036912345609', 'nir-format', 'sex digit 3 without the flag'],
    ['785036912345609', 'nir-format', 'sex digit 7 without the flag'],
    ['185206912345609', 'nir-format', 'month 20 without the flag'],
  ])('refuses %s with %s (%s)', (nir, code) => {
    expect(nirIssue(nir)).toBe(code);
  });

  it('accepts sex digits 3, 4, 7, 8 and incomplete-civil-status months only with allowExtendedNir', () => {
    const withKey = (first13: string) => `${first13}${String(nirKey(first13)).padStart(2, '0')}`;
    for (const first13 of ['3850369123456', '4850369123456', '7850369123456', '8850369123456', '1852069123456', '1853569123456', '1854269123456', '1855069123456', '1859969123456']) {
      expect(nirIssue(withKey(first13))).toBe('nir-format');
      expect(nirIssue(withKey(first13), { allowExtendedNir: true })).toBeUndefined();
    }
    for (const first13 of ['1850069123456', '1851369123456', '1851969123456', '1854369123456', '1854969123456', '5850369123456']) {
      expect(nirIssue(withKey(first13), { allowExtendedNir: true })).toBe('nir-format');
    }
  });

  it('matches the sex digit: odd digits are men, even digits women, U matches both', () => {
    expect(nirMatchesSex('185036912345609', 'M')).toBe(true);
    expect(nirMatchesSex('185036912345609', 'F')).toBe(false);
    expect(nirMatchesSex('291112A00401711', 'F')).toBe(true);
    expect(nirMatchesSex('291112A00401711', 'M')).toBe(false);
    expect(nirMatchesSex('785036912345609', 'M')).toBe(true);
    expect(nirMatchesSex('885036912345609', 'F')).toBe(true);
    expect(nirMatchesSex('185036912345609', 'U')).toBe(true);
  });

  it('matches the year digits always and the month only when it is a calendar month', () => {
    expect(nirMatchesBirthDate('185036912345609', '1985-03-14')).toBe(true);
    expect(nirMatchesBirthDate('185036912345609', '2085-03-14')).toBe(true);
    expect(nirMatchesBirthDate('185036912345609', '1986-03-14')).toBe(false);
    expect(nirMatchesBirthDate('185036912345609', '1985-04-14')).toBe(false);
    expect(nirMatchesBirthDate('185206912345609', '1985-07-01')).toBe(true);
    expect(nirMatchesBirthDate('185506912345609', '1985-12-31')).toBe(true);
    expect(nirMatchesBirthDate('185506912345609', '1984-12-31')).toBe(false);
  });
});
