/**
 * The result's lifecycle, and the one writer of `test_results`, `outbox_messages` and
 * `idempotency_keys`: intake, the relay, the CLI, the web and admin routes call these.
 */
export { RESULT_STATUSES, IN_FLIGHT_STATUSES, isResultStatus, type ResultStatus } from './statuses.js';
export { createKeyedResultSealer, createResultSealer, type ResultSealer } from './sealer.js';
export {
  idempotently,
  priorAnswerOrNone,
  requireIdempotencyKey,
  requestFingerprints,
  type Accepted,
  type AcceptedAnswer,
  type RequestFingerprint,
} from './idempotency.js';
export { indexColumns, nirIndexes, nirIndexesForChain } from './indexes.js';
export { acceptSubmission } from './accept.js';
export { correctResult, cancelResult, type SealedRow } from './correct.js';
export { claim, type ClaimedMessage } from './claim.js';
export { markDelivered, scheduleRetry, deadLetter, releaseClaim } from './settle.js';
export { redrive } from './redrive.js';
export { listMessages, backlog, refusedSince } from './messages.js';
export type { PharmacyScope } from './scope.js';
export { getResultStatus, listResultStatuses, pharmacyHolding } from './status.js';
export { nextDeadLetterPurge, purgeExpired, type PurgeSettings } from './purge.js';
export { eraseSubjectResults, findSubjectResults, type DataSubject, type ErasureOutcome, type SubjectResult } from './subjects.js';
export { reindexBlindIndexes } from './reindex.js';
