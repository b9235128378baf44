import { describe, it, expect } from 'vitest';
import { isEmailAddress } from '../../gateway/src/results/index.js';

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
