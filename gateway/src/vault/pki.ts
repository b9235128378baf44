import 'reflect-metadata';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { GatewayError, ServiceUnavailable } from '../errors.js';
import {
  certificateFingerprint,
  distinguishedName,
  generateKeyPair,
  privateKeyPem,
  provider,
  SIGNING_ALGORITHM,
  type CertificateAuthority,
  type CurrentCrl,
  type IssuedCertificate,
} from '../pki/index.js';
import { statusOf, type VaultResponse, type VaultSession } from './session.js';

export interface VaultPkiOptions {
  /** The AppRole session the Transit key manager uses (one login, one token). */
  vault: VaultSession;
  /** PKI mount, `pki-pharmacies` (deploy/vault/init.sh). */
  mount: string;
  /** Role restricted to clientAuth, EC P-256 keys, no wildcard or IP SANs. */
  role: string;
  clientValidityDays: number;
}

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * Vault PKI as the pharmacies' CA. The key pair is generated here (ECDSA P-256) and only a CSR
 * goes to `<mount>/sign/<role>`: Vault never sees the private key. Revocation is `<mount>/revoke`
 * by serial, then `<mount>/crl/rotate`; the CRL is the one Vault keeps (`<mount>/cert/crl`),
 * stored by the registry so every replica's listener loads it. The CA certificate is read once
 * here (`<mount>/cert/ca`) and is what the intake listener trusts for these certificates.
 *
 * Every Vault failure is `ServiceUnavailable` whose cause names the path and status, never a body.
 *
 * @example
 * const ca = await openVaultPki({ vault, mount: 'pki-pharmacies', role: 'pharmacy-client', clientValidityDays: 90 });
 */
export async function openVaultPki(o: VaultPkiOptions): Promise<CertificateAuthority> {
  async function call(path: string, body?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const full = `${o.mount}/${path}`;
    let answer: VaultResponse;
    try {
      answer = body ? await o.vault.write(full, body) : await o.vault.read(full);
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      throw new ServiceUnavailable({ cause: new VaultPkiCallFailed(full, error) });
    }
    return answer.data ?? {};
  }

  const caPem = pemField(await call('cert/ca'), 'certificate', 'cert/ca');
  const caCert = new X509Certificate(caPem);

  return {
    kind: 'vault-pki',
    issuerFingerprint: certificateFingerprint(caPem),
    trustedCaPem: caPem,
    async issueClientCertificate({ commonName }): Promise<IssuedCertificate> {
      const keys = await generateKeyPair();
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: distinguishedName(commonName), keys, signingAlgorithm: SIGNING_ALGORITHM }, provider);
      const data = await call(`sign/${o.role}`, {
        csr: csr.toString('pem'),
        common_name: commonName,
        ttl: `${o.clientValidityDays * 24}h`,
        // CN is a FINESS, not a host name: no DNS SAN
        exclude_cn_from_sans: true,
        format: 'pem',
      });
      const certPem = pemField(data, 'certificate', 'sign');
      const keyPem = await privateKeyPem(keys.privateKey);
      assertIssuedAsAsked(certPem, keyPem, commonName, caCert);
      return { certPem, keyPem, chainPem: caPem };
    },
    async revoke(serialNumber) {
      await call('revoke', { serial_number: colonHex(serialNumber) });
      // With auto_rebuild (deploy/vault/init.sh) a revoke leaves the CRL as it was until the next
      // scheduled rebuild, days later (OpenBao 2.7 and Vault alike): rebuilt now, so the CRL the
      // registry stores next lists this serial. A read (GET), as Vault routes it.
      await call('crl/rotate');
    },
    async currentCrl(): Promise<CurrentCrl> {
      const pem = pemField(await call('cert/crl'), 'certificate', 'cert/crl');
      const crl = new x509.X509Crl(pem);
      // a CRL the listener cannot verify would make OpenSSL refuse every certificate of the CA
      if (!(await crl.verify({ publicKey: new x509.X509Certificate(caPem).publicKey }, provider)) || !crl.nextUpdate) {
        throw new ServiceUnavailable({ cause: new Error(`vault ${o.mount}/cert/crl: not a current CRL of the CA`) });
      }
      return { pem, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, entries: crl.entries.length };
    },
  };
}

/** Refuses what the role should never produce: another key, subject, issuer or usage. */
function assertIssuedAsAsked(certPem: string, keyPem: string, commonName: string, ca: X509Certificate): void {
  const cert = new x509.X509Certificate(certPem);
  const node = new X509Certificate(certPem);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  const problems = [
    !node.checkPrivateKey(createPrivateKey(keyPem)) && 'key',
    cert.subjectName.getField('CN')[0] !== commonName && 'subject',
    !node.checkIssued(ca) && 'issuer',
    !node.verify(ca.publicKey) && 'signature',
    !eku?.usages.includes(CLIENT_AUTH) && 'usage',
  ].filter(Boolean);
  if (problems.length) throw new ServiceUnavailable({ cause: new Error(`vault sign: certificate differs from the request (${problems.join(', ')})`) });
}

function pemField(data: Record<string, unknown>, name: string, path: string): string {
  const value = data[name];
  if (typeof value !== 'string' || !value.includes('-----BEGIN')) throw new ServiceUnavailable({ cause: new Error(`vault ${path}: answer lacks ${name}`) });
  return value.endsWith('\n') ? value : `${value}\n`;
}

/** Vault names serials as colon-separated hex pairs (`39:dd:2e:…`). */
function colonHex(serial: string): string {
  return (serial.match(/../g) ?? []).join(':');
}

/** A Vault PKI call that failed, without the request (a CSR) or response body. */
class VaultPkiCallFailed extends Error {
  constructor(path: string, error: unknown) {
    const status = statusOf(error);
    super(`vault ${path}: ${status ? `HTTP ${status}` : error instanceof Error ? error.name : 'failed'}`);
    this.name = 'VaultPkiCallFailed';
  }
}
