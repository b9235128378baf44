import { describe, it, expect } from 'vitest';
import { isValidName, normalizeName } from '../../gateway/src/results/index.js';

describe('person names (DOMAIN.md §7)', () => {
  it.each(['Testeur', 'Émile', 'Jean-Émile', "D'Arc", 'N’Guessan', 'De La Fontaine', 'Øyvind', 'Łukasz', 'Ἀθηνᾶ', 'Иван', '李', "'t Hooft"])('accepts %s', (name) => {
    expect(isValidName(normalizeName(name))).toBe(true);
  });

  it.each(['', ' ', '-', "'", 'R2D2', 'Jean_Émile', 'Jean.', 'Jean\u0000', 'Jean\n', 'Jean😀', 'Jean,Émile'])('refuses %j', (name) => {
    expect(isValidName(normalizeName(name))).toBe(false);
  });

  it('composes to NFC, so that decomposed accents are letters', () => {
    const decomposed = 'E\u0301mile';
    expect(normalizeName(decomposed)).toBe('Émile');
    expect(isValidName(normalizeName(decomposed))).toBe(true);
  });
});
