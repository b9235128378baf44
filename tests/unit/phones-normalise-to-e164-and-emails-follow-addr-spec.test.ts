import { describe, it, expect } from 'vitest';
import { isEmailAddress, toE164 } from '../../gateway/src/results/index.js';

describe('phone numbers', () => {
  it.each([
    ['0639981234', '+33639981234'],
    ['06 39 98 12 34', '+33639981234'],
    ['06.39.98.12.34', '+33639981234'],
    ['06-39-98-12-34', '+33639981234'],
    ['+33 6 39 98 12 34', '+33639981234'],
    ['+33 (0)6 39 98 12 34', '+33639981234'],
    ['0033639981234', '+33639981234'],
    ['+44 20 7946 0000', '+442079460000'],
    ['0044 20 7946 0000', '+442079460000'],
    ['+1 (555) 010-0199', '+15550100199'],
  ])('normalises %s to %s', (raw, e164) => {
    expect(toE164(raw)).toBe(e164);
  });

  it.each(['', '639981234', '06399812345', '00 0639981234', '+33 06 39 98 12 34', '+3363998123', '+0123456789', '+1234567', '+1234567890123456', 'phone', '06 39 98 12 3a'])(
    'refuses %s',
    (raw) => {
      expect(toE164(raw)).toBeUndefined();
    },
  );
});

describe('e-mail addresses', () => {
  it.each(['jean.testeur@example.org', 'j+tag@example.co.uk', "o'neil@example.fr", 'a@b.fr', `${'a'.repeat(64)}@example.org`])('accepts %s', (email) => {
    expect(isEmailAddress(email)).toBe(true);
  });

  it.each(['jean@', '@example.org', 'jean@example', 'jean..testeur@example.org', '.jean@example.org', 'jean testeur@example.org', '"jean"@example.org', 'jean@-example.org', 'jean@[192.0.2.1]', `${'a'.repeat(65)}@example.org`, 'jean@exam_ple.org'])(
    'refuses %s',
    (email) => {
      expect(isEmailAddress(email)).toBe(false);
    },
  );
});
