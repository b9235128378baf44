/**
 * Luhn (mod 10) check over a digit string whose last digit is the key, as used by
 * FINESS (9 digits) and RPPS (11 digits).
 *
 * @example
 * hasValidLuhnKey('10000123454'); // true
 */
export function hasValidLuhnKey(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    // Every second digit from the right, key excluded, is doubled; 2×d > 9 sums its digits.
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}
