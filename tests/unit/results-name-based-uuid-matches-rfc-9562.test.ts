import { describe, it, expect } from 'vitest';
import { nameBasedUuid } from '../../gateway/src/results/name-based-uuid.js';

describe('name-based UUID', () => {
  it('matches the RFC 9562 version 5 example (DNS namespace, www.example.com)', () => {
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('differs for another name', () => {
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.org')).not.toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});
