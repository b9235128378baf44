/**
 * The NIR ("numéro de sécurité sociale") rules of DOMAIN.md §2: 15 characters = sex, birth
 * year, birth month, birth place (département `2A`/`2B` for Corsica), order number, key.
 */

/** Why a NIR is refused on its own; the cross-checks with sex and birth date are separate. */
export type NirIssue = 'nir-length' | 'nir-format' | 'nir-checksum';

export interface NirOptions {
  /**
   * Also accept sex digits 3/4 and 7/8 (provisional numbers) and the months of incomplete
   * civil status (20, 30–42, 50–99). CNAM's own validator accepts neither, so it is off by
   * default (DOMAIN.md §2).
   */
  allowExtendedNir?: boolean;
}

const CNAM_SEX_DIGITS = '[12]';
const EXTENDED_SEX_DIGITS = '[123478]';
const CALENDAR_MONTHS = '0[1-9]|1[0-2]';
const EXTENDED_MONTHS = `${CALENDAR_MONTHS}|20|3\\d|4[0-2]|[5-9]\\d`;

// sex · year (2) · month (2) · département (2, or 2A/2B) · commune (3) · order (3) · key (2)
const nirShape = (sexDigits: string, months: string): RegExp =>
  new RegExp(`^${sexDigits}\\d{2}(?:${months})(?:\\d{2}|2[AB])\\d{8}$`);

const CNAM_NIR = nirShape(CNAM_SEX_DIGITS, CALENDAR_MONTHS);
const CALENDAR_MONTH = new RegExp(`^(?:${CALENDAR_MONTHS})$`);
const EXTENDED_NIR = nirShape(EXTENDED_SEX_DIGITS, EXTENDED_MONTHS);

/**
 * The form the gateway stores and compares: spaces removed, letters upper-cased.
 *
 * @example
 * normalizeNir('1 85 03 69 123 456 09'); // '185036912345609'
 */
export function normalizeNir(raw: string): string {
  return raw.replace(/\s/g, '').toUpperCase();
}

/**
 * The key of the first 13 characters of a NIR: 97 − (N mod 97), where Corsica's `2A` and `2B`
 * count as 19 and 18 for the key only.
 *
 * @example
 * nirKey('1850369123456'); // 9
 */
export function nirKey(first13: string): number {
  const digits = `${first13.slice(0, 5)}${first13.slice(5, 7).replace('2A', '19').replace('2B', '18')}${first13.slice(7)}`;
  // 13 digits stay below 2^53, so plain numbers are exact here.
  return 97 - (Number(digits) % 97);
}

/**
 * Checks a normalised NIR's length, shape and key.
 *
 * @example
 * nirIssue('185036912345609'); // undefined
 * nirIssue('185036912345610'); // 'nir-checksum'
 */
export function nirIssue(nir: string, options: NirOptions = {}): NirIssue | undefined {
  if (nir.length !== 15) return 'nir-length';
  const shape = options.allowExtendedNir ? EXTENDED_NIR : CNAM_NIR;
  if (!shape.test(nir)) return 'nir-format';
  return nirKey(nir.slice(0, 13)) === Number(nir.slice(13)) ? undefined : 'nir-checksum';
}

/**
 * Whether a valid NIR's sex digit agrees with the declared sex; odd digits (1, 3, 7) are men,
 * even ones (2, 4, 8) women. An unknown sex (`U`) cannot disagree.
 *
 * @example
 * nirMatchesSex('185036912345609', 'F'); // false
 */
export function nirMatchesSex(nir: string, sex: 'F' | 'M' | 'U'): boolean {
  if (sex === 'U') return true;
  return (Number(nir[0]) % 2 === 1 ? 'M' : 'F') === sex;
}

/**
 * Whether a valid NIR agrees with a birth date (`YYYY-MM-DD`): the year digits always, the
 * month only when the NIR carries a calendar month (01–12).
 *
 * @example
 * nirMatchesBirthDate('185036912345609', '1985-03-14'); // true
 */
export function nirMatchesBirthDate(nir: string, birthDate: string): boolean {
  if (nir.slice(1, 3) !== birthDate.slice(2, 4)) return false;
  const month = nir.slice(3, 5);
  return !CALENDAR_MONTH.test(month) || month === birthDate.slice(5, 7);
}
