import type { Settings } from '../config/index.js';
import { caKindOf, parseCertificates, type CertificateAuthority } from '../pki/index.js';
import { EXPIRY_WARN_DAYS } from './certificates-check.js';
import { fail, ok, reason, warn, type CheckResult } from './report.js';

const ID = 'pki.ca';
const DAY_MS = 86_400_000;

/**
 * The CA that issues pharmacy client certificates (`GATEWAY_PKI_CA_KIND`). `vault-pki`: the mount
 * answers with its CA certificate and a CRL that certificate signed, and the CA outlives what it
 * would issue today (Vault refuses a certificate ending after its CA). `dev`: its files open, and
 * the production profile refuses it. `external`: nothing is issued here.
 *
 * @example
 * checks.push(await checkCertificateAuthority(settings, () => openSettingsCa(settings), now()));
 */
export async function checkCertificateAuthority(s: Readonly<Settings>, openCa: () => Promise<CertificateAuthority>, now: Date): Promise<CheckResult> {
  const kind = caKindOf(s.pki);
  if (kind === 'external') {
    return ok(ID, 'external: pharmacy certificates are issued elsewhere and registered by fingerprint (`gateway cert register`); GATEWAY_INTAKE_CLIENT_CA_FILE trusts their CA');
  }
  if (kind === 'dev' && s.profile === 'production') {
    return fail(ID, 'dev: a CA key in a file is for the demo only, and the production profile refuses it', 'set GATEWAY_PKI_CA_KIND=vault-pki (deploy/vault/init.sh mounts it) or external');
  }
  const where = kind === 'vault-pki' ? `Vault PKI mount ${s.pki.vaultMount}` : 'dev CA (GATEWAY_PKI_CA_CERT_FILE)';
  let ca: CertificateAuthority;
  try {
    ca = await openCa();
    // Vault: the CRL every replica's intake listener loads; the dev CA signs its own
    if (kind === 'vault-pki') await ca.currentCrl([]);
  } catch (e) {
    // Vault failures carry the path and status in their cause, never a body
    const cause = e instanceof Error && e.cause !== undefined ? e.cause : e;
    const hint = kind === 'vault-pki'
      ? `check that Vault answers, that ${s.pki.vaultMount} exists with its root CA (deploy/vault/init.sh) and that the gateway policy reads ${s.pki.vaultMount}/cert/ca and cert/crl`
      : 'GATEWAY_PKI_CA_CERT_FILE and GATEWAY_PKI_CA_KEY_FILE must name the CA certificate and its key';
    return fail(ID, `${where}: cannot open: ${reason(cause)}`, hint);
  }
  const cert = parseCertificates(ca.trustedCaPem)[0];
  if (!cert) return fail(ID, `${where}: no CA certificate`, 'the CA certificate must be PEM');
  const days = (Date.parse(cert.validTo) - now.getTime()) / DAY_MS;
  const renew = 'renew the CA (a new one must also be trusted by GATEWAY_INTAKE_CLIENT_CA_FILE before it issues; deploy/guides/operations.md#certificates)';
  if (days <= 0) return fail(ID, `${where}: the CA certificate expired ${Math.ceil(-days)} day(s) ago: no pharmacy certificate of it is accepted`, renew);
  const issued = s.pki.clientValidityDays;
  if (days < Math.max(EXPIRY_WARN_DAYS, issued)) {
    return warn(ID, `${where}: the CA certificate expires in ${Math.floor(days)} day(s), before a ${issued}-day certificate issued today would (GATEWAY_PKI_CLIENT_VALIDITY_DAYS)`, renew);
  }
  return ok(ID, `${where} answers; its CA certificate is valid for ${Math.floor(days)} more days`);
}
