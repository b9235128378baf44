import { describe, it, expect } from 'vitest';
import { adeliIssue, finessIssue, rppsIssue } from '../../gateway/src/results/index.js';

describe('FINESS (DOMAIN.md §4)', () => {
  it('accepts public and synthetic numbers whose 9th digit is the Luhn key', () => {
    for (const finess of ['750712184', '130786049', '690781810', '759999907', '759999915']) expect(finessIssue(finess)).toBeUndefined();
  });

  it('refuses a wrong key, a wrong length, stray characters and letters outside Corsica', () => {
    expect(finessIssue('759999908')).toBe('finess-checksum');
    for (const finess of ['75999990', '7599999070', '75999990X', ' 759999907', '2C0000000', '75A999907', '']) {
      expect(finessIssue(finess)).toBe('finess-format');
    }
  });

  it('skips the key for Corsica (2A/2B), whose substitution is unverified', () => {
    expect(finessIssue('2A0000001')).toBeUndefined();
    expect(finessIssue('2B0000009')).toBeUndefined();
  });
});

describe('RPPS and ADELI', () => {
  it('accepts an 11-digit RPPS with its Luhn key', () => {
    expect(rppsIssue('10000123454')).toBeUndefined();
    expect(rppsIssue('99700771191')).toBeUndefined();
  });

  it('refuses a wrong RPPS key as rpps-checksum and a wrong shape as rpps-format', () => {
    expect(rppsIssue('10000123455')).toBe('rpps-checksum');
    for (const rpps of ['1000012345', '100001234540', '1000012345A', '899700771191']) expect(rppsIssue(rpps)).toBe('rpps-format');
  });

  it('accepts 9-digit ADELI numbers and nothing else', () => {
    expect(adeliIssue('691234567')).toBeUndefined();
    for (const adeli of ['69123456', '6912345678', '2A1234567']) expect(adeliIssue(adeli)).toBe('adeli-format');
  });
});
