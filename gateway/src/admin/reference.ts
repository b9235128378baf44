import { ALLOWED_TEST_CODES, DEVICE_LIST_VERSION, RESULT_CODES, SPECIMEN_CODES, listAntigenDevices } from '../results/index.js';

/** The coded values the entry page offers: the same lists the intake schema checks against. */
export interface ReferenceLists {
  tests: { code: string; display: string }[];
  results: { code: string; display: string }[];
  specimens: { code: string; display: string }[];
  devices: { euRatId: string; display: string; active: boolean }[];
  deviceListVersion: string;
}

const entries = (m: ReadonlyMap<string, string>) => [...m].map(([code, display]) => ({ code, display }));

/** Built once: the lists change only with a release. */
export const REFERENCE_LISTS: ReferenceLists = Object.freeze({
  tests: entries(ALLOWED_TEST_CODES),
  results: entries(RESULT_CODES),
  specimens: entries(SPECIMEN_CODES),
  devices: listAntigenDevices().sort((a, b) => a.display.localeCompare(b.display)),
  deviceListVersion: DEVICE_LIST_VERSION,
});
