import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationFailed } from '../errors.js';
import { issueCertificate, listCertificates, publishCrl, registerCertificate, revokeCertificate, type RegisteredCertificate } from '../pharmacies/index.js';
import { exportPkcs12, parseFingerprint, REVOCATION_REASONS, type CertificateAuthority, type RevocationReasonName } from '../pki/index.js';
import { reportingRefusals, type RegistryCliDeps } from './pharmacy.js';

export const CERT_HELP = `  cert issue <pharmacy>             Issue a client certificate (PEM + PKCS#12, one-time password printed once)  [--out DIR]
  cert list                         Certificates with expiry and status  [--pharmacy FINESS]
  cert revoke <fingerprint>         Revoke now: refused on the next handshake, open connections closed  [--reason R]
  cert register <pem-file>          Register a certificate of an external CA by fingerprint  --pharmacy FINESS
  cert crl                          Store the CA's current CRL (dev CA: re-sign it before its nextUpdate)
`;

const DAY_MS = 86_400_000;

export interface CertCliDeps extends RegistryCliDeps {
  /** The configured CA (settings `pki`: Vault PKI, dev CA files, external; or the running demo's dev CA). */
  ca: CertificateAuthority;
}

/**
 * `gateway cert issue|list|revoke|register|crl`. Exit codes: 0 ok, 2 usage error. Private keys
 * are written 0600 and never stored by the gateway; the PKCS#12 password is printed once.
 */
export function runCertCommand(sub: string | undefined, args: string[], options: CertOptions, d: CertCliDeps): Promise<number> {
  return reportingRefusals(d, () => certCommand(sub, args[0], options, d));
}

interface CertOptions {
  out?: string;
  reason?: string;
  pharmacy?: string;
}

async function certCommand(sub: string | undefined, argument: string | undefined, options: CertOptions, d: CertCliDeps): Promise<number> {
  switch (sub) {
    case 'issue':
      if (!argument) return 2;
      return issue(argument, options.out ?? '.', d);
    case 'list': {
      const rows = await listCertificates(d.db, options.pharmacy === undefined ? {} : { pharmacy: options.pharmacy });
      for (const c of rows) d.out(describe(c));
      d.out(`${rows.length} certificate(s)`);
      return 0;
    }
    case 'revoke': {
      const fingerprint = argument && parseFingerprint(argument);
      if (!fingerprint) throw new ValidationFailed([{ pointer: '/fingerprint', code: 'fingerprint-format' }]);
      const reason = (options.reason ?? 'unspecified') as RevocationReasonName;
      if (!REVOCATION_REASONS.includes(reason)) throw new ValidationFailed([{ pointer: '/reason', code: 'reason-unknown' }]);
      const { revoked, crlPublished } = await revokeCertificate(d.db, d.ca, { fingerprint, reason, actor: d.actor });
      d.out(`Revoked ${revoked.fingerprint} of pharmacy ${revoked.finess} (${reason}).`);
      d.out(crlPublished ? 'Revoked at the CA and its new CRL stored: the intake listener refuses it at the next handshake.' : 'Refused by fingerprint (401); it was not issued by the configured CA, whose CRL is unchanged.');
      return 0;
    }
    case 'register': {
      if (!argument || !options.pharmacy) return 2;
      const c = await registerCertificate(d.db, { pharmacy: options.pharmacy, certPem: await readFile(argument, 'utf8'), actor: d.actor });
      d.out(`Registered ${c.fingerprint} for pharmacy ${c.finess}, valid until ${c.notAfter.toISOString()}.`);
      return 0;
    }
    case 'crl': {
      const { entries, nextUpdate, stored } = await publishCrl(d.db, d.ca, d.actor);
      d.out(`${stored ? 'CRL stored' : 'CRL unchanged'}: ${entries} revoked certificate(s), next update by ${nextUpdate.toISOString()}.`);
      return 0;
    }
  }
  return 2;
}

async function issue(pharmacy: string, outDir: string, d: CertCliDeps): Promise<number> {
  const { certificate, registered } = await issueCertificate(d.db, d.ca, { pharmacy, actor: d.actor });
  const bundle = await exportPkcs12({ ...certificate, friendlyName: registered.finess });
  const stem = path.join(outDir, `${registered.finess}-${registered.fingerprint.slice(0, 12)}`);
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  await writePrivate(`${stem}-key.pem`, certificate.keyPem);
  await writePrivate(`${stem}.p12`, bundle.der);
  await writeFile(`${stem}.pem`, `${certificate.certPem.trim()}\n${certificate.chainPem.trim()}\n`, { mode: 0o644 });
  d.out(`Issued ${registered.fingerprint} for pharmacy ${registered.finess}, valid until ${registered.notAfter.toISOString()}.`);
  d.out(`  ${stem}.pem (certificate and CA chain), ${stem}-key.pem (private key), ${stem}.p12`);
  d.out(`  PKCS#12 password (shown once, give it through another channel): ${bundle.password}`);
  return 0;
}

async function writePrivate(file: string, content: string | Buffer): Promise<void> {
  await writeFile(file, content, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600); // the umask trims a new file's mode, never widens it; this pins it
}

function describe(c: RegisteredCertificate): string {
  const days = Math.floor((c.notAfter.getTime() - Date.now()) / DAY_MS);
  const status = c.revokedAt ? `revoked (${c.revocationReason})` : days < 0 ? 'expired' : `valid, ${days} day(s) left`;
  return `${c.fingerprint}  ${c.finess}  ${c.origin.padEnd(10)}  until ${c.notAfter.toISOString()}  ${status}`;
}
