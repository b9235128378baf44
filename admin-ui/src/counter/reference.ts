/** The coded values the counter offers, from the gateway's own lists (`GET /reference`). */
export interface Reference {
  tests: { code: string; display: string }[];
  results: { code: string; display: string }[];
  specimens: { code: string; display: string }[];
  devices: { euRatId: string; display: string; active: boolean }[];
  deviceListVersion: string;
}
