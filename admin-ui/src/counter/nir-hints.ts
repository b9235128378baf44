import { nirIssue, nirMatchesBirthDate, nirMatchesSex, normalizeNir } from '../../../gateway/src/results/nir.js';

/** What the NIR typed so far says, for the live check and the pre-filled fields. */
export interface NirHints {
  /** `nir-length`, `nir-format`, `nir-checksum`, or undefined once the number is valid. */
  issue?: 'nir-length' | 'nir-format' | 'nir-checksum';
  sex?: 'F' | 'M';
  birthYear?: string;
  /** Only when the NIR carries a calendar month (01–12). */
  birthMonth?: string;
  /** The year in the other century, when it is also a past date. */
  otherBirthYear?: string;
}

// a counter test on a child under 3 is rarer than a centenarian's: below this age the older century wins
const YOUNGEST_AT_THE_COUNTER = 3;

/**
 * Reads a NIR with the gateway's own rules (the same module the server runs). The NIR holds
 * two digits of the year: the century is a guess, the later one when it gives a past date and
 * an age of at least 3, else the earlier; `otherBirthYear` is the other reading, for the
 * person to pick when the guess is wrong.
 *
 * @example
 * readNir('1 85 03 69 123 456 09', new Date('2025-06-01')); // { sex: 'M', birthYear: '1985', birthMonth: '03', otherBirthYear: undefined }
 */
export function readNir(raw: string, today: Date): NirHints {
  const nir = normalizeNir(raw);
  const issue = nirIssue(nir);
  if (issue) return { issue };
  const yy = Number(nir.slice(1, 3));
  const month = nir.slice(3, 5);
  const birthMonth = /^(0[1-9]|1[0-2])$/.test(month) ? month : undefined;
  // whole years old on `today`, born in `year`; an unknown month counts as January (the oldest reading)
  const ageIn = (year: number) => today.getFullYear() - year - (Number(birthMonth ?? 1) > today.getMonth() + 1 ? 1 : 0);
  const later = 2000 + yy;
  const birthYear = ageIn(later) >= YOUNGEST_AT_THE_COUNTER ? later : later - 100;
  const other = birthYear === later ? later - 100 : later;
  return {
    sex: Number(nir[0]) % 2 === 1 ? 'M' : 'F',
    birthYear: String(birthYear),
    birthMonth,
    // the other century, unless it is in the future
    otherBirthYear: ageIn(other) >= 0 ? String(other) : undefined,
  };
}

/** The cross-checks the server makes, run as the person types: sex, then birth date. */
export function nirMismatch(raw: string, sex: string, birthDate: string | undefined): 'nir-sex-mismatch' | 'nir-birthdate-mismatch' | undefined {
  const nir = normalizeNir(raw);
  if (nirIssue(nir)) return undefined;
  if ((sex === 'F' || sex === 'M') && !nirMatchesSex(nir, sex)) return 'nir-sex-mismatch';
  if (birthDate && !nirMatchesBirthDate(nir, birthDate)) return 'nir-birthdate-mismatch';
  return undefined;
}
