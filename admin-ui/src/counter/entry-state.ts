import type { Me, Pharmacy, Reference } from '../../../gateway/src/api-types.js';
import type { FieldIssue } from '../../../gateway/src/errors.js';
import type { MessageKey } from '../i18n.js';
import { habitsAt } from './pharmacy-habits.js';

/** The form's fields, in the order they appear: the error summary and the focus follow it. */
export const FIELD_ORDER = [
  'pharmacyFiness', 'nir', 'noNirReason', 'sex', 'birthName', 'firstNames', 'usedName', 'birthDate',
  'phone', 'email', 'line', 'postalCode', 'city', 'result', 'loinc', 'specimen', 'device', 'collectedAt', 'resultAt',
] as const;
export type Field = (typeof FIELD_ORDER)[number];

/** Each field's label, for the error summary. */
export const FIELD_LABELS: Record<Field, MessageKey> = {
  pharmacyFiness: 'entry.pharmacy', nir: 'entry.nir', noNirReason: 'entry.noNirReason', sex: 'entry.sex', birthName: 'entry.birthName',
  firstNames: 'entry.firstNames', usedName: 'entry.usedName', birthDate: 'entry.birthDate', phone: 'entry.phone', email: 'entry.email',
  line: 'entry.addressLine', postalCode: 'entry.postalCode', city: 'entry.city', result: 'entry.result', loinc: 'entry.loinc',
  specimen: 'entry.specimen', device: 'entry.device', collectedAt: 'entry.collectedAt', resultAt: 'entry.resultAt',
};

// server pointers (RFC 6901) to the field that shows the error; the first prefix that matches wins
const POINTER_FIELDS: [string, Field][] = [
  ['/pharmacyFiness', 'pharmacyFiness'], ['/patient/nir', 'nir'], ['/patient/noNirReason', 'noNirReason'], ['/patient/sex', 'sex'],
  ['/patient/birthName', 'birthName'], ['/patient/usedName', 'usedName'], ['/patient/firstNames', 'firstNames'], ['/patient/birthDate', 'birthDate'],
  ['/patient/phone', 'phone'], ['/patient/email', 'email'], ['/patient/address/postalCode', 'postalCode'], ['/patient/address/city', 'city'],
  ['/patient/address', 'line'], ['/test/loinc', 'loinc'], ['/test/result', 'result'], ['/test/specimen', 'specimen'], ['/test/device', 'device'],
  ['/test/collectedAt', 'collectedAt'], ['/test/resultAt', 'resultAt'],
];
// object-level rules point at their object; show them where the person acts
const CODE_FIELDS: Record<string, Field> = { 'nir-or-reason': 'nir', 'contact-required': 'phone', 'nir-sex-mismatch': 'sex', 'nir-birthdate-mismatch': 'birthDate' };

/** The field that shows a server error (a correction's pointers start with `/result`). */
export function fieldOf(e: FieldIssue): Field | undefined {
  const pointer = e.pointer.replace(/^\/result(?=\/)/, '');
  return CODE_FIELDS[e.code] ?? POINTER_FIELDS.find(([p]) => pointer === p || pointer.startsWith(`${p}/`))?.[1];
}

export type Device = Reference['devices'][number];

export function deviceLabel(d: Device): string {
  return `${d.display} (${d.euRatId})`;
}

/** The device the field names: chosen from the list, or typed as its EU id. */
export function findDevice(reference: Reference, text: string): Device | undefined {
  return reference.devices.find((d) => deviceLabel(d) === text || d.euRatId === text.trim());
}

export interface EntryValues {
  pharmacyFiness: string; nir: string; noNir: boolean; noNirReason: string; sex: string; birthName: string; usedName: string;
  firstNames: string; birthDay: string; birthMonth: string; birthYear: string; phone: string; email: string;
  line: string; postalCode: string; city: string; loinc: string; device: string;
  /** The person confirmed that a device off the list goes as a name. */
  deviceNamed: boolean;
  specimen: string; result: string;
  /** A positive result takes a second, deliberate key before it can be saved. */
  positiveConfirmed: boolean;
  collectedAt: string; resultAt: string;
}

const QUARTER_HOUR_MS = 15 * 60_000;

/** `YYYY-MM-DDTHH:mm` in the browser's zone, what a datetime-local input holds. */
function localMinute(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** What the test part of the form starts from at a pharmacy: its last test type, specimen and device. */
export function testDefaults(finess: string, reference: Reference): Pick<EntryValues, 'loinc' | 'specimen' | 'device'> {
  const habits = habitsAt(finess);
  const last = habits.lastDevice ? reference.devices.find((d) => d.euRatId === habits.lastDevice) : undefined;
  return {
    loinc: reference.tests.some((x) => x.code === habits.loinc) ? (habits.loinc as string) : (reference.tests[0]?.code ?? ''),
    specimen: reference.specimens.some((x) => x.code === habits.specimen) ? (habits.specimen as string) : (reference.specimens[0]?.code ?? ''),
    device: last ? deviceLabel(last) : '',
  };
}

/**
 * The form's starting values, in one place: the first pharmacy (or `prefill`'s), its habits
 * for the test, now for the times, and whatever `prefill` brings (e.g. the patient from the
 * pharmacy's software).
 */
export function initialState(pharmacies: Pharmacy[], reference: Reference, prefill: Partial<EntryValues> = {}): EntryValues {
  const pharmacyFiness = prefill.pharmacyFiness ?? pharmacies[0]?.finess ?? '';
  const now = new Date();
  return {
    pharmacyFiness, nir: '', noNir: false, noNirReason: '', sex: '', birthName: '', usedName: '',
    firstNames: '', birthDay: '', birthMonth: '', birthYear: '', phone: '', email: '', line: '', postalCode: '', city: '',
    ...testDefaults(pharmacyFiness, reference), deviceNamed: false,
    result: '', positiveConfirmed: false,
    collectedAt: localMinute(new Date(now.getTime() - QUARTER_HOUR_MS)), resultAt: localMinute(now),
    ...prefill,
  };
}

export function birthDateOf(s: EntryValues): string | undefined {
  if (!/^\d{4}$/.test(s.birthYear) || !/^\d{1,2}$/.test(s.birthMonth) || !/^\d{1,2}$/.test(s.birthDay)) return undefined;
  return `${s.birthYear}-${s.birthMonth.padStart(2, '0')}-${s.birthDay.padStart(2, '0')}`;
}

/** The request body: what the person typed, and a device off the list only once confirmed. */
export function bodyOf(s: EntryValues, reference: Reference, pharmacies: Pharmacy[], me: Me) {
  const device = findDevice(reference, s.device);
  const address = s.line || s.postalCode || s.city ? { line: [s.line], postalCode: s.postalCode, city: s.city, country: 'FR' } : undefined;
  return {
    ...(pharmacies.length > 1 ? { pharmacyFiness: s.pharmacyFiness } : {}),
    // the performer is the signed-in pharmacist, as their identity provider asserted
    performer: { rpps: me.user.rpps ?? undefined },
    patient: {
      ...(s.noNir ? { noNirReason: s.noNirReason || undefined } : { nir: s.nir || undefined }),
      birthName: s.birthName || undefined,
      ...(s.usedName ? { usedName: s.usedName } : {}),
      firstNames: s.firstNames.trim() ? s.firstNames.trim().split(/\s+/) : undefined,
      birthDate: birthDateOf(s),
      sex: s.sex || undefined,
      ...(s.phone ? { phone: s.phone } : {}),
      ...(s.email ? { email: s.email } : {}),
      ...(address ? { address } : {}),
    },
    test: {
      loinc: s.loinc,
      result: s.result || undefined,
      specimen: s.specimen,
      device: device ? { euRatId: device.euRatId } : s.device.trim() && s.deviceNamed ? { name: s.device.trim() } : undefined,
      collectedAt: s.collectedAt ? new Date(s.collectedAt).toISOString() : undefined,
      resultAt: s.resultAt ? new Date(s.resultAt).toISOString() : undefined,
    },
  };
}
