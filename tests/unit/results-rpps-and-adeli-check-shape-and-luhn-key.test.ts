import { describe, it, expect } from 'vitest';
import { adeliIssue, rppsIssue } from '../../gateway/src/results/index.js';

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
