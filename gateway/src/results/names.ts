/** Person names as the INS traits carry them (DOMAIN.md §7 settled details). */

// Letters of any script plus space, hyphen and both apostrophes; at least one letter.
const NAME = /^(?=\P{L}*\p{L})[\p{L} '’-]+$/u;

/**
 * Unicode NFC, so that "é" typed as e + combining accent compares equal to "é".
 *
 * @example
 * normalizeName('E\u0301milie'); // 'Émilie'
 */
export function normalizeName(raw: string): string {
  return raw.normalize('NFC');
}

/**
 * Whether an NFC name holds only letters (`\p{L}`), spaces, `-`, `'` and `’`, with at least
 * one letter.
 *
 * @example
 * isValidName("N’Guessan-D'Arc"); // true
 * isValidName('R2D2'); // false
 */
export function isValidName(name: string): boolean {
  return NAME.test(name);
}
