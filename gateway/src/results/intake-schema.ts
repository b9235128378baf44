import { z } from '@hono/zod-openapi';
import { ALLOWED_TEST_CODES, RESULT_CODES, SPECIMEN_CODES, findAntigenDevice } from './codes.js';
import { isEmailAddress, toE164 } from './contact.js';
import { looksLikePersonalData } from './external-ref.js';
import { finessIssue } from './finess.js';
import { address, boundedText, codeFrom, device, inseeCommune, performer, personName } from './intake-fields.js';
import { addCodedIssue, onceValid, rejectsWith } from './intake-rules.js';
import { nirIssue, nirMatchesBirthDate, nirMatchesSex, normalizeNir } from './nir.js';
import { parisDate } from './paris-date.js';

/**
 * The intake contract of DOMAIN.md §7 as one zod schema: it parses the body, applies every
 * domain rule and yields the normalised result. Field rules sit on the fields, so one pass
 * reports every field at fault; cross-field rules sit on the object that holds their fields.
 * Every issue we raise carries our code in `params.code` (see `toFieldIssues`).
 */

export interface IntakeSchemaOptions {
  /** The server clock; collection and reading times are judged against it. */
  now: () => Date;
  /** How far back a collection or reading may be, in days. Default 7. */
  maxPastDays?: number;
  /** Accept provisional and incomplete-civil-status NIRs (see `NirOptions`). Default off. */
  allowExtendedNir?: boolean;
  /**
   * Accept a device the EU list marks inactive for tests collected before this instant. The
   * list gives no withdrawal date (DOMAIN.md §3, unverified), so by default never.
   */
  acceptInactiveDevicesCollectedBefore?: Date;
}

const CLOCK_AHEAD_MS = 5 * 60_000; // devices' clocks may run up to 5 minutes ahead (§7)
const DAY_MS = 86_400_000;
const OLDEST_BIRTH_DATE = '1900-01-01';

const NO_NIR_REASONS = ['foreign-visitor', 'not-registered', 'unknown'] as const;
const INS_STATUSES = ['PROV', 'RECUP', 'VALI', 'QUAL'] as const;
const SEXES = ['F', 'M', 'U'] as const;

function intakeFields(options: IntakeSchemaOptions) {
  const { now, maxPastDays = 7, allowExtendedNir = false, acceptInactiveDevicesCollectedBefore } = options;

  const recentInstant = z.iso
    .datetime({ offset: true, abort: true })
    .superRefine(
      rejectsWith((value) => {
        const at = Date.parse(value);
        const serverTime = now().getTime();
        return at < serverTime - maxPastDays * DAY_MS || at > serverTime + CLOCK_AHEAD_MS ? 'time-range' : undefined;
      }),
    )
    // One canonical UTC form: comparable as strings and identical after a JSON round trip.
    .overwrite((value) => new Date(value).toISOString())
    .openapi({ description: `RFC 3339 with offset; from ${maxPastDays} days ago to 5 minutes ahead. Code \`time-range\`.` });

  const patient = z
    .object({
      nir: z
        .string()
        .overwrite(normalizeNir)
        .superRefine(rejectsWith((nir) => nirIssue(nir, { allowExtendedNir })))
        .optional()
        .openapi({ description: 'NIR, 15 characters, spaces allowed. Exactly one of `nir` and `noNirReason`.' }),
      noNirReason: z.enum(NO_NIR_REASONS).optional(),
      insStatus: z.enum(INS_STATUSES).default('PROV').openapi({ description: 'RNIV identity status; `QUAL` needs `nir` and `birthPlaceInsee`.' }),
      birthName: personName,
      firstNames: z.array(personName).min(1).max(20),
      usedName: personName.optional(),
      birthDate: z.iso
        .date({ abort: true })
        .superRefine(rejectsWith((date) => (date < OLDEST_BIRTH_DATE || date > parisDate(now()) ? 'date-range' : undefined))),
      sex: z.enum(SEXES),
      birthPlaceInsee: inseeCommune.optional(),
      phone: boundedText(32)
        .superRefine(rejectsWith((raw) => (toE164(raw) === undefined ? 'phone-format' : undefined)))
        .overwrite((raw) => toE164(raw) ?? raw)
        .optional()
        .openapi({ description: 'Stored in E.164; French `0X…` becomes `+33X…`. `phone` or `email` required.' }),
      email: boundedText(254)
        .superRefine(rejectsWith((email) => (isEmailAddress(email) ? undefined : 'email-format')))
        .optional(),
      address: address.optional(),
    })
    .strict()
    .superRefine((p, ctx) => {
      if ((p.nir === undefined) === (p.noNirReason === undefined)) addCodedIssue(ctx, 'nir-or-reason', ['nir']);
    }, onceValid('nir', 'noNirReason'))
    .superRefine((p, ctx) => {
      if (p.phone === undefined && p.email === undefined) addCodedIssue(ctx, 'contact-required', ['phone']);
    }, onceValid('phone', 'email'))
    .superRefine((p, ctx) => {
      if (p.nir !== undefined && !nirMatchesSex(p.nir, p.sex)) addCodedIssue(ctx, 'nir-sex-mismatch', ['nir']);
    }, onceValid('nir', 'sex'))
    .superRefine((p, ctx) => {
      if (p.nir !== undefined && !nirMatchesBirthDate(p.nir, p.birthDate)) {
        addCodedIssue(ctx, 'nir-birthdate-mismatch', ['nir']);
      }
    }, onceValid('nir', 'birthDate'))
    // A qualified identity is the INS: matricule plus birthplace (FR Core fr-core-patient-ins).
    // A missing NIR with no reason either is already `nir-or-reason`.
    .superRefine((p, ctx) => {
      if (p.insStatus !== 'QUAL') return;
      if (p.noNirReason !== undefined) addCodedIssue(ctx, 'required', ['nir']);
      if (p.birthPlaceInsee === undefined) addCodedIssue(ctx, 'required', ['birthPlaceInsee']);
    }, onceValid('insStatus', 'noNirReason', 'birthPlaceInsee'));

  const test = z
    .object({
      loinc: codeFrom(ALLOWED_TEST_CODES, 'code-not-allowed'),
      result: codeFrom(RESULT_CODES, 'result-not-allowed'),
      specimen: codeFrom(SPECIMEN_CODES, 'specimen-not-allowed'),
      device,
      collectedAt: recentInstant,
      resultAt: recentInstant,
    })
    .strict()
    .superRefine((t, ctx) => {
      if (t.resultAt < t.collectedAt) addCodedIssue(ctx, 'result-before-collection', ['resultAt']);
    }, onceValid('collectedAt', 'resultAt'))
    .superRefine((t, ctx) => {
      const listed = t.device.euRatId === undefined ? undefined : findAntigenDevice(t.device.euRatId);
      if (listed === undefined || listed.active) return;
      const cutoff = acceptInactiveDevicesCollectedBefore?.getTime() ?? Number.NEGATIVE_INFINITY;
      if (Date.parse(t.collectedAt) >= cutoff) addCodedIssue(ctx, 'device-inactive', ['device', 'euRatId']);
    }, onceValid('device', 'collectedAt'));

  return z
    .object({
      pharmacyFiness: z
        .string()
        .superRefine(rejectsWith(finessIssue))
        .optional()
        .openapi({ description: "FINESS ET; must be the certificate's pharmacy (`finess-mismatch`)." }),
      performer,
      patient,
      test,
      externalRef: boundedText(64)
        .superRefine(rejectsWith((ref) => (looksLikePersonalData(ref) ? 'external-ref-pii' : undefined)))
        .optional()
        .openapi({ description: "The software's own id; no NIR, e-mail or phone (`external-ref-pii`)." }),
    })
    .strict();
}

/** The body a pharmacy sends, before normalisation. */
export type TestResultSubmission = z.input<ReturnType<typeof intakeFields>>;

/**
 * The documented example, built from DOMAIN.md's synthetic identifiers (NIR, FINESS, RPPS)
 * and reserved-for-fiction contact points. Treat as read-only; clone before changing it.
 */
export const EXAMPLE_SUBMISSION: TestResultSubmission = {
  pharmacyFiness: '759999907',
  performer: { rpps: '10000123454' },
  patient: {
    nir: '1 85 03 69 123 456 09',
    insStatus: 'PROV',
    birthName: 'Testeur',
    firstNames: ['Jean', 'Émile'],
    birthDate: '1985-03-14',
    sex: 'M',
    birthPlaceInsee: '69123',
    phone: '06 39 98 12 34',
    email: 'jean.testeur@example.org',
    address: { line: ['1 rue de l’Exemple'], postalCode: '69001', city: 'Lyon', inseeCode: '69123', country: 'FR' },
  },
  test: {
    loinc: '94558-4',
    result: '260415000',
    specimen: '258500001',
    device: { euRatId: '1232' },
    collectedAt: '2021-12-31T10:20:00+01:00',
    resultAt: '2021-12-31T10:35:00+01:00',
  },
  externalRef: 'LGO-2021-000042',
};

/**
 * Builds the intake schema; it documents itself in OpenAPI as `TestResultSubmission`.
 *
 * @example
 * const schema = createIntakeSchema({ now: () => new Date() });
 * const result = parseIntake(schema, body); // TestResultInput, or throws ValidationFailed
 */
export function createIntakeSchema(options: IntakeSchemaOptions) {
  return intakeFields(options).openapi('TestResultSubmission', { example: EXAMPLE_SUBMISSION });
}

/** The schema `createIntakeSchema` builds. */
export type IntakeSchema = ReturnType<typeof createIntakeSchema>;

/**
 * A validated, normalised result: NIR without spaces and upper-cased, phone in E.164, names
 * in NFC, times in UTC ISO form, `insStatus` defaulted to `PROV`. Plain JSON, so it seals and
 * opens unchanged.
 */
export type TestResultInput = z.output<IntakeSchema>;
