import { hasValidLuhnKey } from './luhn.js';

/** Why a FINESS number is refused. */
export type FinessIssue = 'finess-format' | 'finess-checksum';

/**
 * Checks a FINESS number (DOMAIN.md §4): 9 characters, the first two the département
 * (`2A`/`2B` for Corsica), the 9th a Luhn key over all nine digits. For Corsica the
 * substitution used by the key is unverified (one implementation uses 2A→21, 2B→22), so the
 * key is not checked there rather than refusing real pharmacies.
 *
 * @example
 * finessIssue('759999907'); // undefined
 * finessIssue('759999908'); // 'finess-checksum'
 */
export function finessIssue(value: string): FinessIssue | undefined {
  if (!/^(?:\d{2}|2[AB])\d{7}$/.test(value)) return 'finess-format';
  if (/^2[AB]/.test(value)) return undefined;
  return hasValidLuhnKey(value) ? undefined : 'finess-checksum';
}
