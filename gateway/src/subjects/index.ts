/** The rights of the people tested: reasons, export, the register of requests. Finding and erasing results are the lifecycle's (`results/lifecycle/subjects.ts`). */
export { SUBJECT_REASONS, isSubjectReason, type SubjectReason } from './reasons.js';
export { exportSubjectResults, type ExportedResult, type SubjectExport } from './export.js';
export { ageDecryptWithPassphrase, ageEncryptWithPassphrase, AgeOpenFailed } from './age-passphrase.js';
export { answerSubjectRequest, listSubjectRequests, openRequestsDueWithin, recordSubjectRequest, subjectRequest, SUBJECT_REQUEST_WARNING_DAYS, type SubjectRequest } from './register.js';
export { dataSubjectOf, type SubjectNameIssue } from './person.js';
export { eraseSubject, exportSubject, findSubject, type SubjectAction, type SubjectDeps } from './actions.js';
