import { describe, it, expect } from 'vitest';
import { finessIssue } from '../../gateway/src/results/index.js';

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
