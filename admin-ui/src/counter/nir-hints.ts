import { nirIssue, nirMatchesBirthDate, nirMatchesSex, normalizeNir } from '../../../gateway/src/results/nir.js';

/** What the NIR typed so far says, for the live check and the pre-filled fields. */
export interface NirHints {
  /** `nir-length`, `nir-format`, `nir-checksum`, or undefined once the number is valid. */
  issue?: 'nir-length' | 'nir-format' | 'nir-checksum';
  sex?: 'F' | 'M';
  birthYear?: string;
  /** Only when the NIR carries a calendar month (01–12). */
  birthMonth?: string;
}

/**
 * Reads a NIR with the gateway's own rules (the same module the server runs). The century is
 * a guess, 20YY unless that is in the future; the person corrects it.
 *
 * @example
 * readNir('1 85 03 69 123 456 09', 2025); // { sex: 'M', birthYear: '1985', birthMonth: '03' }
 */
export function readNir(raw: string, thisYear: number): NirHints {
  const nir = normalizeNir(raw);
  const issue = nirIssue(nir);
  if (issue) return { issue };
  const yy = Number(nir.slice(1, 3));
  const century = 2000 + yy <= thisYear ? 2000 : 1900;
  const month = nir.slice(3, 5);
  return {
    sex: Number(nir[0]) % 2 === 1 ? 'M' : 'F',
    birthYear: String(century + yy),
    birthMonth: /^(0[1-9]|1[0-2])$/.test(month) ? month : undefined,
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
