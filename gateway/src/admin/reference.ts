import type { Reference } from '../api-types.js';
import { ALLOWED_TEST_CODES, DEVICE_LIST_VERSION, RESULT_CODES, SPECIMEN_CODES, listAntigenDevices } from '../results/index.js';

const entries = (m: ReadonlyMap<string, string>) => [...m].map(([code, display]) => ({ code, display }));

/** Built once: the lists change only with a release. */
export const REFERENCE_LISTS: Reference = Object.freeze({
  tests: entries(ALLOWED_TEST_CODES),
  results: entries(RESULT_CODES),
  specimens: entries(SPECIMEN_CODES),
  devices: listAntigenDevices().sort((a, b) => a.display.localeCompare(b.display)),
  deviceListVersion: DEVICE_LIST_VERSION,
});
