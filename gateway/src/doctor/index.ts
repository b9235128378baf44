export { runDoctor, type DoctorDeps } from './run-doctor.js';
export { formatReport, type CheckResult, type DoctorReport } from './report.js';
