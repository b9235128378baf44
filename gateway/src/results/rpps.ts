import { hasValidLuhnKey } from './luhn.js';

/** Why an RPPS number is refused. */
export type RppsIssue = 'rpps-format' | 'rpps-checksum';

/**
 * Checks an RPPS number (DOMAIN.md §4): 11 digits, the last a Luhn key.
 *
 * @example
 * rppsIssue('10000123454'); // undefined
 */
export function rppsIssue(value: string): RppsIssue | undefined {
  if (!/^\d{11}$/.test(value)) return 'rpps-format';
  return hasValidLuhnKey(value) ? undefined : 'rpps-checksum';
}

/**
 * Checks an ADELI number: 9 digits. Its key algorithm is not published, so only the shape
 * is checked; ADELI is accepted, never required.
 *
 * @example
 * adeliIssue('691234567'); // undefined
 */
export function adeliIssue(value: string): 'adeli-format' | undefined {
  return /^\d{9}$/.test(value) ? undefined : 'adeli-format';
}
