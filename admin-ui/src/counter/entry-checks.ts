import type { Reference } from '../../../gateway/src/api-types.js';
import { birthDateOf, findDevice, type EntryValues, type Field } from './entry-state.js';
import { nirMismatch, type NirHints } from './nir-hints.js';

/** SNOMED CT "positive": the one result that takes a confirmation. */
export const POSITIVE = '260373001';

export type BirthDateIssue = 'birth-day-range' | 'birth-month-range' | 'date-range';

/**
 * What is wrong with a birth date as it is typed, part by part: a day past 31 or a month past
 * 12 as soon as its two digits are in, then an impossible or future date once it is whole.
 *
 * @example
 * birthDateIssue({ birthDay: '14', birthMonth: '13', birthYear: '' }, new Date()); // 'birth-month-range'
 */
export function birthDateIssue(s: Pick<EntryValues, 'birthDay' | 'birthMonth' | 'birthYear'>, today: Date): BirthDateIssue | undefined {
  const outside = (v: string, max: number) => (v.length === 2 || /\D/.test(v)) && !(/^\d{1,2}$/.test(v) && Number(v) >= 1 && Number(v) <= max);
  if (outside(s.birthDay, 31)) return 'birth-day-range';
  if (outside(s.birthMonth, 12)) return 'birth-month-range';
  if (s.birthYear.length === 4 && !(/^\d{4}$/.test(s.birthYear) && Number(s.birthYear) >= 1900 && Number(s.birthYear) <= today.getFullYear())) return 'date-range';
  const iso = birthDateOf({ ...s } as EntryValues);
  if (!iso) return undefined;
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  // 31/02 rolls over to March: the day must survive the round trip
  if (new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d) return 'date-range';
  const p = (n: number) => String(n).padStart(2, '0');
  return iso > `${today.getFullYear()}-${p(today.getMonth() + 1)}-${p(today.getDate())}` ? 'date-range' : undefined;
}

/** The errors the form sees as the person types (`err.<code>` messages). */
export function liveIssues(s: EntryValues, hints: NirHints, today: Date): Partial<Record<Field, string>> {
  const mismatch = s.noNir ? undefined : nirMismatch(s.nir, s.sex, birthDateOf(s));
  const birth = birthDateIssue(s, today) ?? (mismatch === 'nir-birthdate-mismatch' ? mismatch : undefined);
  return {
    ...(!s.noNir && hints.issue && s.nir.replace(/\s/g, '').length >= 15 ? { nir: hints.issue } : {}),
    ...(mismatch === 'nir-sex-mismatch' ? { sex: mismatch } : {}),
    ...(birth ? { birthDate: birth } : {}),
  };
}

/** Whether the device text goes nowhere yet: off the list and not confirmed as a name. */
function deviceUnsettled(s: EntryValues, reference: Reference): boolean {
  return Boolean(s.device.trim()) && !findDevice(reference, s.device) && !s.deviceNamed;
}

/** What keeps a save from leaving: the live errors, a device not settled, a positive not confirmed. */
export function blockingIssues(s: EntryValues, reference: Reference, live: Partial<Record<Field, string>>): Partial<Record<Field, string>> {
  return {
    ...live,
    ...(deviceUnsettled(s, reference) ? { device: 'device-off-list' } : {}),
    ...(s.result === POSITIVE && !s.positiveConfirmed ? { result: 'positive-unconfirmed' } : {}),
  };
}
