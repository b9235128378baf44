import { z } from '@hono/zod-openapi';
import { findAntigenDevice } from './codes.js';
import type { IntakeIssueCode } from './issue-codes.js';
import { oneRequired, rejectsWith } from './intake-rules.js';
import { isValidName, normalizeName } from './names.js';
import { adeliIssue, rppsIssue } from './rpps.js';

// The intake schema's parts whose rules do not depend on its options (clock, NIR variants).

const INSEE_COMMUNE = /^(?:\d{5}|2[AB]\d{3})$/;
const POSTAL_CODE = /^\d{5}$/;
const COUNTRY_ALPHA_2 = /^[A-Z]{2}$/;

// `abort` keeps a 60 KiB "name" from also being pattern-checked and reported twice.
export const boundedText = (max: number) => z.string().max(max, { abort: true });

export const codeFrom = (allowed: ReadonlyMap<string, string>, refusal: IntakeIssueCode) =>
  z
    .string()
    .superRefine(rejectsWith((code) => (allowed.has(code) ? undefined : refusal)))
    .openapi({ enum: [...allowed.keys()] });

export const personName = boundedText(100)
  .overwrite(normalizeName)
  .superRefine(rejectsWith((name) => (isValidName(name) ? undefined : 'name-format')))
  .openapi({ description: "Letters, space, `-`, `'`, `’`; ≤ 100; stored in NFC. Code `name-format`." });

export const inseeCommune = z.string().superRefine(rejectsWith((code) => (INSEE_COMMUNE.test(code) ? undefined : 'insee-format')));

export const address = z
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

export const performer = z
  .object({
    rpps: z.string().superRefine(rejectsWith(rppsIssue)).optional().openapi({ description: '11 digits, Luhn key.' }),
    adeli: z.string().superRefine(rejectsWith(adeliIssue)).optional().openapi({ description: '9 digits.' }),
  })
  .strict()
  .superRefine(...oneRequired('rpps', 'adeli'))
  .openapi({ description: 'Who read the test: `rpps` or `adeli` (at least one).' });

export const device = z
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
