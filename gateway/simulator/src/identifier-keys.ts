/**
 * The check keys of French identifiers, written here again rather than imported from the
 * gateway: the simulator plays SI-DEP, an independent party, and must catch a gateway whose own
 * checks are wrong.
 */

/**
 * A NIR (INS-NIR matricule): 15 characters, 13 then a key `97 − (N mod 97)`; for the key only,
 * Corsica's `2A` reads `19` and `2B` reads `18` (CNAM).
 *
 * @example
 * isNir('185036912345609'); // true
 */
export function isNir(value: string): boolean {
  const match = /^([1-478]\d{4})(\d{2}|2A|2B)(\d{6})(\d{2})$/.exec(value);
  if (match === null) return false;
  const [, head = '', place = '', tail = '', key = ''] = match;
  const digits = `${head}${place.replace('2A', '19').replace('2B', '18')}${tail}`;
  return 97 - Number(BigInt(digits) % 97n) === Number(key);
}

/**
 * Luhn (mod 10) over a digit string whose last digit is the key, as FINESS (9) and RPPS (11)
 * numbers carry it.
 *
 * @example
 * hasLuhnKey('759999907'); // true
 */
export function hasLuhnKey(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  const sum = [...digits].reverse().reduce((total, char, i) => {
    const d = Number(char) * (i % 2 === 1 ? 2 : 1);
    return total + (d > 9 ? d - 9 : d);
  }, 0);
  return sum % 10 === 0;
}

/** FINESS: 9 characters, département first (`2A`/`2B` possible, whose key rule is unverified and not checked). */
export function isFiness(value: string): boolean {
  if (/^2[AB]\d{7}$/.test(value)) return true;
  return /^\d{9}$/.test(value) && hasLuhnKey(value);
}

/** RPPS: 11 digits with a Luhn key. */
export function isRpps(value: string): boolean {
  return /^\d{11}$/.test(value) && hasLuhnKey(value);
}

/** idNatPs: `8` + RPPS, or `0` + ADELI (9 digits, key unpublished). */
export function isIdNatPs(value: string): boolean {
  return /^0\d{9}$/.test(value) || (value.startsWith('8') && isRpps(value.slice(1)));
}
