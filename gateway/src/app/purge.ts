import { forgetSignInsWithoutEnrolment } from '../auth/access-review.js';
import type { Database } from '../db/index.js';
import { deleteExpiredPrefills } from '../intake/prefills.js';
import { purgeExpired, type PurgeSettings } from '../results/lifecycle/index.js';

export interface PersonalDataPurged {
  results: number;
  dataKeys: number;
  prefills: number;
  signIns: number;
}

/**
 * Everything personal the gateway keeps only for a while, destroyed once past its time: what the
 * purge job runs every `retention.purgeIntervalSeconds` and `gateway purge` runs now.
 * @example const { results, dataKeys, prefills, signIns } = await purgePersonalData(db, settings);
 */
export async function purgePersonalData(db: Database, settings: PurgeSettings): Promise<PersonalDataPurged> {
  const { results, dataKeys } = await purgeExpired(db, settings);
  // counter-prefill tokens never redeemed: their sealed identity goes once expired
  const prefills = await deleteExpiredPrefills(db);
  // staff names and e-mails stay only while the person holds a live enrolment
  const signIns = await forgetSignInsWithoutEnrolment(db);
  return { results, dataKeys, prefills, signIns };
}
