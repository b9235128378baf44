import { describe, it, expect } from 'vitest';
import { looksLikePersonalData } from '../../gateway/src/results/index.js';

describe('externalRef privacy guard', () => {
  it.each([
    '185036912345609',
    '1 85 03 69 123 456 09',
    '1850369123456',
    '291112a00401711',
    'ref:185036912345609',
    '0639981234',
    '06 39 98 12 34',
    '06.39.98.12.34',
    '+33639981234',
    '+33 6 39 98 12 34',
    '0033639981234',
    'ORD-0639981234',
    'jean.testeur@example.org',
    'ref jean@example.org',
  ])('refuses %s', (value) => {
    expect(looksLikePersonalData(value)).toBe(true);
  });

  it.each(['LGO-2021-000042', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'A1B2C3', '2021-12-31T10:20', '42', 'ORD0639981234X', 'batch 7 / 12', '1712345678901'])(
    'accepts %s',
    (value) => {
      expect(looksLikePersonalData(value)).toBe(false);
    },
  );
});
