/**
 * Why the data protection officer acts for a person tested (GDPR art. 15 access, 16
 * rectification, 17 erasure, 21 objection): the one vocabulary of `--reason`, the web routes'
 * bodies, the register of requests and the audit events' reason. Imports nothing: the admin UI
 * bundles it.
 */
export const SUBJECT_REASONS = ['access-request', 'rectification', 'erasure', 'objection'] as const;

export type SubjectReason = (typeof SUBJECT_REASONS)[number];

/** Whether a command line or request body names a reason of the list. */
export function isSubjectReason(s: string): s is SubjectReason {
  return (SUBJECT_REASONS as readonly string[]).includes(s);
}
