export { addPharmacy, deactivatePharmacy, findPharmacy, listPharmacies, reactivatePharmacy, type Actor, type Pharmacy } from './registry.js';
export {
  issueCertificate,
  listCertificates,
  MAX_VALID_CERTIFICATES,
  publishCrl,
  registerCertificate,
  revokeCertificate,
  nearestExpiryByPharmacy,
  type RegisteredCertificate,
} from './certificates.js';
export { createRevocationWatch, type RevocationWatch, type RevocationWatchOptions } from './revocation-watch.js';
export { createExpiryMonitor, EXPIRY_WARNING_DAYS } from './expiry-monitor.js';
export { createCrlRefresh } from './crl-refresh.js';
