import type { DataSubject } from '../results/lifecycle/index.js';
import { nirIssue, normalizeNir } from '../results/index.js';
import { isUuid } from '../uuid.js';

/** Why a person could not be named: a code, never the value given. */
export type SubjectNameIssue = 'name-one' | 'nir-invalid' | 'result-id-invalid';

/**
 * The person named by exactly one of a NIR (spaces allowed; provisional numbers accepted, as
 * intake may store them) or a result id from their receipt; else why not.
 * @example const subject = dataSubjectOf({ nir: '1 85 03 69 123 456 09' });
 */
export function dataSubjectOf(o: { nir?: string | undefined; resultId?: string | undefined }): DataSubject | SubjectNameIssue {
  if ((o.nir === undefined) === (o.resultId === undefined)) return 'name-one';
  if (o.nir !== undefined) {
    const nir = normalizeNir(o.nir);
    return nirIssue(nir, { allowExtendedNir: true }) ? 'nir-invalid' : { nir };
  }
  const resultId = o.resultId!.trim().toLowerCase();
  return isUuid(resultId) ? { resultId } : 'result-id-invalid';
}
