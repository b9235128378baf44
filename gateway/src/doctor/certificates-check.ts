import { readFileSync } from 'node:fs';
import { createPrivateKey, type X509Certificate } from 'node:crypto';
import type { Settings } from '../config/index.js';
import { parseCertificates } from '../pki/index.js';
import { fail, ok, reason, warn, type CheckResult } from './report.js';

const DAY_MS = 86_400_000;
/** Same threshold as the CertificateExpiringSoon alert. */
export const EXPIRY_WARN_DAYS = 30;

interface TlsMaterial {
  id: string;
  setting: string;
  certFile: string;
  keyFile?: string;
}

/** Every certificate file the settings name, and the key that must match it. */
function materialOf(s: Readonly<Settings>): TlsMaterial[] {
  const list: TlsMaterial[] = [
    { id: 'tls.intake', setting: 'GATEWAY_INTAKE_CERT_FILE', certFile: s.intake.certFile, keyFile: s.intake.keyFile },
    { id: 'tls.pharmacy-ca', setting: 'GATEWAY_INTAKE_CLIENT_CA_FILE', certFile: s.intake.clientCaFile },
    { id: 'tls.sidep-client', setting: 'GATEWAY_SIDEP_CERT_FILE', certFile: s.sidep.certFile, keyFile: s.sidep.keyFile },
    { id: 'tls.sidep-ca', setting: 'GATEWAY_SIDEP_CA_FILE', certFile: s.sidep.caFile },
  ];
  if (s.metrics.certFile) list.push({ id: 'tls.metrics', setting: 'GATEWAY_METRICS_CERT_FILE', certFile: s.metrics.certFile, ...(s.metrics.keyFile ? { keyFile: s.metrics.keyFile } : {}) });
  if (s.web.enabled && s.web.certFile) list.push({ id: 'tls.web', setting: 'GATEWAY_WEB_CERT_FILE', certFile: s.web.certFile, ...(s.web.keyFile ? { keyFile: s.web.keyFile } : {}) });
  if (s.keyManager.vaultCaFile) list.push({ id: 'tls.vault-ca', setting: 'GATEWAY_KEY_MANAGER_VAULT_CA_FILE', certFile: s.keyManager.vaultCaFile });
  return list;
}

/**
 * Each certificate file: readable, every certificate currently valid and not expiring within
 * 30 days, and the private key the one of the leaf.
 */
export function checkCertificates(s: Readonly<Settings>, now: Date): CheckResult[] {
  return materialOf(s).map((m) => {
    let certs: X509Certificate[];
    try {
      certs = parseCertificates(readFileSync(m.certFile, 'utf8'));
    } catch (e) {
      return fail(m.id, `${m.setting}: cannot read: ${reason(e)}`, 'place the PEM file where the setting points, readable by the gateway user');
    }
    if (certs.length === 0) return fail(m.id, `${m.setting}: no PEM certificate in the file`, 'the file must hold PEM "BEGIN CERTIFICATE" blocks');
    if (m.keyFile) {
      try {
        if (!(certs[0] as X509Certificate).checkPrivateKey(createPrivateKey(readFileSync(m.keyFile)))) {
          return fail(m.id, `${m.setting}: the key file does not match the certificate`, 'install the key issued with this certificate');
        }
      } catch (e) {
        return fail(m.id, `${m.setting}: cannot read its key: ${reason(e)}`, 'place the PEM key where the setting points, readable by the gateway user only');
      }
    }
    const days = Math.min(...certs.map((c) => (Date.parse(c.validTo) - now.getTime()) / DAY_MS));
    if (certs.some((c) => Date.parse(c.validFrom) > now.getTime())) return fail(m.id, `${m.setting}: a certificate is not valid yet`, 'check the host clock and the certificate dates');
    if (days <= 0) return fail(m.id, `${m.setting}: expired ${Math.ceil(-days)} day(s) ago`, 'renew the certificate (deploy/guides/operations.md#certificates)');
    if (days < EXPIRY_WARN_DAYS) return warn(m.id, `${m.setting}: expires in ${Math.floor(days)} day(s)`, 'renew the certificate (deploy/guides/operations.md#certificates)');
    return ok(m.id, `${m.setting}: valid for ${Math.floor(days)} more days${m.keyFile ? ', key matches' : ''}`);
  });
}
