import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The coded values an intake may carry (DOMAIN.md §3), each code with its display text for
 * the FHIR message. Maps, not object literals, so that `constructor` or `__proto__` is never
 * "found".
 */

/** LOINC antigen tests with a national reporting channel (SI-DEP); others wait for theirs. */
export const ALLOWED_TEST_CODES: ReadonlyMap<string, string> = new Map([
  ['94558-4', 'SARS-CoV-2 (COVID-19) Ag [Presence] in Respiratory specimen by Rapid immunoassay'],
  ['97097-0', 'SARS-CoV-2 (COVID-19) Ag [Presence] in Upper respiratory specimen by Rapid immunoassay'],
]);

/** SNOMED CT results of the ReportStream value set. */
export const RESULT_CODES: ReadonlyMap<string, string> = new Map([
  ['260373001', 'Detected'],
  ['260415000', 'Not detected'],
  ['455371000124106', 'Invalid result'],
  ['419984006', 'Inconclusive'],
]);

/** What the statistics count a result as: inconclusive counts with invalid (no usable answer). */
export type ResultOutcome = 'positive' | 'negative' | 'invalid';

const RESULT_OUTCOMES: ReadonlyMap<string, ResultOutcome> = new Map([
  ['260373001', 'positive'],
  ['260415000', 'negative'],
  ['455371000124106', 'invalid'],
  ['419984006', 'invalid'],
]);

/**
 * The outcome of one of {@link RESULT_CODES}; throws on any other code (validation admits none).
 * @example resultOutcome('260373001'); // 'positive'
 */
export function resultOutcome(code: string): ResultOutcome {
  const outcome = RESULT_OUTCOMES.get(code);
  if (!outcome) throw new Error('result code without an outcome');
  return outcome;
}

/** SNOMED CT specimen types of the ReportStream value set. */
export const SPECIMEN_CODES: ReadonlyMap<string, string> = new Map([
  ['258500001', 'Nasopharyngeal swab'],
  ['697989009', 'Anterior nares swab'],
  ['871810001', 'Mid-turbinate nasal swab'],
  ['445297001', 'Swab of internal nose'],
  ['258529004', 'Throat swab'],
  ['119342007', 'Saliva specimen'],
]);

/** A rapid antigen test device of the EU DCC list (JRC database id). */
export interface AntigenDevice {
  euRatId: string;
  display: string;
  /** `false` once the EU withdrew the device from the list. */
  active: boolean;
}

const DeviceValueSet = z.object({
  valueSetId: z.literal('covid-19-lab-test-manufacturer-and-name'),
  valueSetDate: z.iso.date(),
  valueSetValues: z.record(z.string().regex(/^\d+$/), z.object({ display: z.string(), active: z.boolean() })),
});

// Read once at load: the list is a versioned file that changes only with a release.
const deviceValueSet = DeviceValueSet.parse(
  JSON.parse(readFileSync(new URL('../../data/eu-dcc-test-manf-2021-07-15.json', import.meta.url), 'utf8')),
);

const devices: ReadonlyMap<string, AntigenDevice> = new Map(
  Object.entries(deviceValueSet.valueSetValues).map(([euRatId, { display, active }]) => [
    euRatId,
    { euRatId, display, active },
  ]),
);

/** The `valueSetDate` of the loaded device list, to name in status output and messages. */
export const DEVICE_LIST_VERSION: string = deviceValueSet.valueSetDate;

/**
 * Looks a device up by its JRC id.
 *
 * @example
 * findAntigenDevice('1232')?.display; // 'Abbott Rapid Diagnostics, Panbio COVID-19 Ag Rapid Test'
 */
export function findAntigenDevice(euRatId: string): AntigenDevice | undefined {
  return devices.get(euRatId);
}

/** Every device of the loaded list (a fresh array), for the entry page's searchable list. */
export function listAntigenDevices(): AntigenDevice[] {
  return [...devices.values()];
}
