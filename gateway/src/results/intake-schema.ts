import { z } from '@hono/zod-openapi';
import type { $RefinementCtx, ParsePayload } from 'zod/v4/core';
import { ALLOWED_TEST_CODES, RESULT_CODES, SPECIMEN_CODES, findAntigenDevice } from './codes.js';
import { isEmailAddress, toE164 } from './contact.js';
import { looksLikePersonalData } from './external-ref.js';
import { finessIssue } from './finess.js';
import type { IntakeIssueCode } from './issue-codes.js';
import { isValidName, normalizeName } from './names.js';
import { nirIssue, nirMatchesBirthDate, nirMatchesSex, normalizeNir } from './nir.js';
import { parisDate } from './paris-date.js';
import { adeliIssue, rppsIssue } from './rpps.js';

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
const INSEE_COMMUNE = /^(?:\d{5}|2[AB]\d{3})$/;
const POSTAL_CODE = /^\d{5}$/;
const COUNTRY_ALPHA_2 = /^[A-Z]{2}$/;

const NO_NIR_REASONS = ['foreign-visitor', 'not-registered', 'unknown'] as const;
const INS_STATUSES = ['PROV', 'RECUP', 'VALI', 'QUAL'] as const;
const SEXES = ['F', 'M', 'U'] as const;

function addCodedIssue<T>(ctx: $RefinementCtx<T>, code: IntakeIssueCode, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', path, params: { code } });
}

/** A field rule: `issueOf` names what is wrong with the value, or returns undefined. */
const rejectsWith =
  (issueOf: (value: string) => IntakeIssueCode | undefined) =>
  (value: string, ctx: $RefinementCtx<string>): void => {
    const code = issueOf(value);
    if (code !== undefined) addCodedIssue(ctx, code);
  };

/**
 * Runs a cross-field rule once the fields it reads have parsed, even when other fields
 * failed: the rule sees valid values and its issue comes out in the same pass.
 */
const onceValid = (...keys: string[]) => ({
  when: (payload: ParsePayload): boolean =>
    payload.issues.every(
      (issue) =>
        issue.code === 'unrecognized_keys' ||
        (issue.path !== undefined && issue.path.length > 0 && !keys.includes(String(issue.path[0]))),
    ),
});

/** At least one of `keys` must be given; the issue (`required`) points at their object. */
const oneRequired = <K extends string>(...keys: K[]) =>
  [
    (value: Partial<Record<K, unknown>>, ctx: $RefinementCtx<Partial<Record<K, unknown>>>): void => {
      if (keys.every((key) => value[key] === undefined)) addCodedIssue(ctx, 'required');
    },
    onceValid(...keys),
  ] as const;

// `abort` keeps a 60 KiB "name" from also being pattern-checked and reported twice.
const boundedText = (max: number) => z.string().max(max, { abort: true });

const codeFrom = (allowed: ReadonlyMap<string, string>, refusal: IntakeIssueCode) =>
  z
    .string()
    .superRefine(rejectsWith((code) => (allowed.has(code) ? undefined : refusal)))
    .openapi({ enum: [...allowed.keys()] });

const personName = boundedText(100)
  .overwrite(normalizeName)
  .superRefine(rejectsWith((name) => (isValidName(name) ? undefined : 'name-format')))
  .openapi({ description: "Letters, space, `-`, `'`, `’`; ≤ 100; stored in NFC. Code `name-format`." });

const inseeCommune = z.string().superRefine(rejectsWith((code) => (INSEE_COMMUNE.test(code) ? undefined : 'insee-format')));

const address = z
  .object({
    line: z.array(boundedText(100).min(1)).min(1).max(4),
    postalCode: z.string().superRefine(rejectsWith((code) => (POSTAL_CODE.test(code) ? undefined : 'postal-code-format'))),
    city: boundedText(100).min(1),
    inseeCode: inseeCommune.optional(),
    country: z
      .string()
      .superRefine(rejectsWith((code) => (COUNTRY_ALPHA_2.test(code) ? undefined : 'country-format')))
      .openapi({ description: 'ISO 3166-1 alpha-2, e.g. `FR`. Code `country-format`.' }),
  })
  .strict();

const performer = z
  .object({
    rpps: z.string().superRefine(rejectsWith(rppsIssue)).optional().openapi({ description: '11 digits, Luhn key.' }),
    adeli: z.string().superRefine(rejectsWith(adeliIssue)).optional().openapi({ description: '9 digits.' }),
  })
  .strict()
  .superRefine(...oneRequired('rpps', 'adeli'))
  .openapi({ description: 'Who read the test: `rpps` or `adeli` (at least one).' });

const device = z
  .object({
    euRatId: z
      .string()
      .superRefine(rejectsWith((id) => (findAntigenDevice(id) ? undefined : 'device-unknown')))
      .optional()
      .openapi({ description: 'JRC device id from the EU DCC list. Codes `device-unknown`, `device-inactive`.' }),
    name: boundedText(200).min(1).optional().openapi({ description: 'Device name when it has no JRC id.' }),
  })
  .strict()
  .superRefine(...oneRequired('euRatId', 'name'));

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
