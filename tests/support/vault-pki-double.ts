/**
 * A TEST DOUBLE of a Vault PKI secrets engine mount, served by the Vault double of
 * `vault-transit-double.ts` (never part of the gateway). It follows Vault's documented API for
 * what the gateway uses: `sign/:role` (CSR in, certificate, `issuing_ca`, `ca_chain`,
 * colon-separated `serial_number` and `expiration` out; the role's key type, CN, wildcard, IP SAN,
 * client/server flag and TTL rules, a TTL above `max_ttl` capped with a warning), `revoke` by
 * serial (idempotent, the CRL rebuilt at once as with `auto_rebuild=false`), and the
 * unauthenticated `cert/ca`, `cert/crl`, `ca/pem`, `crl/pem`. Policies decide `sign` and `revoke`
 * like Vault (403 without a grant). Not faithful: only ECDSA keys, only `allow_any_name` roles (no
 * `allowed_domains`), no issuers API, no tidy, no delta CRLs.
 */
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { createCrl, createDevCa, type CertificateAndKey } from '../../gateway/src/pki/index.js';
import type { VaultTransitDouble } from './vault-transit-double.js';

/** The role parameters of `vault write <mount>/roles/<name>` the double enforces (Vault's names). */
export interface PkiRole {
  allow_any_name: boolean;
  enforce_hostnames: boolean;
  allow_ip_sans: boolean;
  allow_wildcard_certificates: boolean;
  server_flag: boolean;
  client_flag: boolean;
  key_type: 'ec';
  key_bits: 256 | 384;
  /** seconds */
  ttl: number;
  max_ttl: number;
}

/** What a mount answers: a Vault-shaped status and body (JSON, or PEM text for the raw endpoints). */
export interface PkiAnswer {
  status: number;
  body?: unknown;
  text?: string;
}

export interface PkiMount {
  readonly name: string;
  readonly caPem: string;
  /** `vault write <mount>/roles/<name> …` */
  writeRole(name: string, role: PkiRole): void;
  /** Paths Vault serves without a token (`cert/*`, `ca/pem`, `crl/pem`, …). */
  isUnauthenticated(path: string): boolean;
  handle(method: string, path: string, body: Record<string, unknown>): Promise<PkiAnswer>;
}

const CRL_EXPIRY_SECONDS = 72 * 3600; // Vault's default `crl/config` expiry
const NOT_BEFORE_SECONDS = 30; // Vault's default `not_before_duration`
const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384 };
const provider = webcrypto;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * A PKI mount with a fresh root CA (ECDSA P-256), as `vault secrets enable -path=<name> pki` and
 * `vault write <name>/root/generate/internal` make; `maxLeaseTtlSeconds` is the mount's tuned max TTL.
 */
export async function createPkiMount(name: string, o: { maxLeaseTtlSeconds: number }): Promise<PkiMount> {
  const ca: CertificateAndKey = await createDevCa({ name: `${name} root (Vault PKI test double)`, validityDays: 3650 });
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await provider.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(ca.keyPem), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const roles = new Map<string, PkiRole>();
  const issued = new Map<string, { notAfter: Date; revokedAt?: Date }>();
  let crlPem = await buildCrl();

  async function buildCrl(): Promise<string> {
    const now = new Date();
    const entries = [...issued].flatMap(([serial, c]) => (c.revokedAt ? [{ serialNumber: serial.replaceAll(':', ''), revokedAt: c.revokedAt, reason: 'unspecified' as const }] : []));
    return createCrl(ca, entries, { thisUpdate: now, nextUpdate: new Date(now.getTime() + CRL_EXPIRY_SECONDS * 1000) });
  }

  const bad = (message: string): PkiAnswer => ({ status: 400, body: { errors: [message] } });

  async function sign(roleName: string, body: Record<string, unknown>): Promise<PkiAnswer> {
    const role = roles.get(roleName);
    if (!role) return bad(`unknown role: ${roleName}`);
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(String(body.csr ?? ''));
    } catch {
      return bad('certificate request could not be parsed');
    }
    if (!(await csr.verify(provider))) return bad('request signature invalid');
    const algorithm = csr.publicKey.algorithm as { name: string; namedCurve?: string };
    if (algorithm.name !== 'ECDSA') return bad(`role requires keys of type ${role.key_type}`);
    if (CURVE_BITS[algorithm.namedCurve ?? ''] !== role.key_bits) return bad(`role requires a minimum of a ${role.key_bits}-bit key`);
    // `use_csr_common_name` (default true on sign): the CSR's CN wins over `common_name`
    const commonName = csr.subjectName.getField('CN')[0] ?? String(body.common_name ?? '');
    if (!commonName) return bad('the common_name field is required');
    if (commonName.includes('*') && !role.allow_wildcard_certificates) return bad(`common name ${commonName} not allowed by this role`);
    if (!role.allow_any_name || (role.enforce_hostnames && !HOSTNAME.test(commonName.replace(/^\*\./, '')))) return bad(`common name ${commonName} not allowed by this role`);
    if (typeof body.ip_sans === 'string' && body.ip_sans !== '' && !role.allow_ip_sans) return bad('IP Subject Alternative Names are not allowed in this role');
    const warnings: string[] = [];
    let ttl = body.ttl === undefined ? role.ttl : durationSeconds(body.ttl);
    if (ttl === undefined) return bad('invalid ttl');
    const maxTtl = Math.min(role.max_ttl || o.maxLeaseTtlSeconds, o.maxLeaseTtlSeconds);
    if (ttl > maxTtl) {
      warnings.push(`TTL "${ttl}s" is longer than permitted maxTTL "${maxTtl}s", so maxTTL is being used`);
      ttl = maxTtl;
    }
    const notAfter = new Date(Date.now() + ttl * 1000);
    if (notAfter > caCert.notAfter) return bad(`cannot satisfy request, as TTL would result in notAfter of ${notAfter.toISOString()} that is beyond the expiration of the CA certificate`);
    const usages = [...(role.client_flag ? [x509.ExtendedKeyUsage.clientAuth] : []), ...(role.server_flag ? [x509.ExtendedKeyUsage.serverAuth] : [])];
    const dns = body.exclude_cn_from_sans === true || commonName.includes('@') ? [] : [{ type: 'dns' as const, value: commonName }];
    const serial = randomBytes(20);
    serial[0] = (serial[0]! & 0x7f) | 0x01;
    const cert = await x509.X509CertificateGenerator.create(
      {
        serialNumber: serial.toString('hex'),
        subject: [{ CN: [commonName] }],
        issuer: caCert.subjectName,
        notBefore: new Date(Date.now() - NOT_BEFORE_SECONDS * 1000),
        notAfter,
        publicKey: csr.publicKey,
        signingKey: caKey,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        extensions: [
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement | x509.KeyUsageFlags.keyEncipherment, true),
          ...(usages.length ? [new x509.ExtendedKeyUsageExtension(usages)] : []),
          new x509.BasicConstraintsExtension(false, undefined, true),
          await x509.SubjectKeyIdentifierExtension.create(csr.publicKey, false, provider),
          await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, provider),
          ...(dns.length ? [new x509.SubjectAlternativeNameExtension(dns)] : []),
        ],
      },
      provider,
    );
    const serialNumber = colonHex(serial.toString('hex'));
    issued.set(serialNumber, { notAfter });
    return {
      status: 200,
      body: {
        request_id: crypto.randomUUID(),
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: { certificate: cert.toString('pem'), issuing_ca: ca.certPem.trim(), ca_chain: [ca.certPem.trim()], serial_number: serialNumber, expiration: Math.floor(notAfter.getTime() / 1000) },
        warnings: warnings.length ? warnings : null,
      },
    };
  }

  async function revoke(body: Record<string, unknown>): Promise<PkiAnswer> {
    const serial = String(body.serial_number ?? '').toLowerCase().replaceAll('-', ':');
    const found = issued.get(serial);
    if (!found) return bad(`certificate with serial ${serial} not found`);
    found.revokedAt ??= new Date();
    crlPem = await buildCrl();
    const seconds = Math.floor(found.revokedAt.getTime() / 1000);
    return { status: 200, body: { data: { revocation_time: seconds, revocation_time_rfc3339: found.revokedAt.toISOString(), state: 'revoked' } } };
  }

  return {
    name,
    caPem: ca.certPem,
    writeRole: (roleName, role) => void roles.set(roleName, role),
    isUnauthenticated: (path) => /^(cert\/[a-z_]+|ca(\/pem)?|ca_chain|crl(\/pem)?)$/.test(path),
    async handle(method, path, body) {
      if (method === 'GET' && path === 'cert/ca') return { status: 200, body: { data: { certificate: ca.certPem, revocation_time: 0 } } };
      if (method === 'GET' && path === 'cert/crl') return { status: 200, body: { data: { certificate: crlPem, revocation_time: 0 } } };
      if (method === 'GET' && path === 'ca/pem') return { status: 200, text: ca.certPem };
      if (method === 'GET' && path === 'crl/pem') return { status: 200, text: crlPem };
      const sign_ = /^sign\/([^/]+)$/.exec(path);
      if (method !== 'GET' && sign_) return sign(sign_[1] ?? '', body);
      if (method !== 'GET' && path === 'revoke') return revoke(body);
      return { status: 404, body: { errors: [`no handler for route "${name}/${path}"`] } };
    },
  };
}

/** The mount and role `deploy/vault/init.sh` creates for pharmacy client certificates. */
export const GATEWAY_PKI = {
  mount: 'pki-pharmacies',
  role: 'pharmacy-client',
  maxLeaseTtlSeconds: 397 * 86_400,
  roleParameters: {
    allow_any_name: true,
    enforce_hostnames: true,
    allow_ip_sans: false,
    allow_wildcard_certificates: false,
    server_flag: false,
    client_flag: true,
    key_type: 'ec',
    key_bits: 256,
    ttl: 90 * 86_400,
    max_ttl: 397 * 86_400,
  } satisfies PkiRole,
} as const;

/**
 * What `deploy/vault/init.sh` creates for pharmacy certificates, on the Vault double: the mount
 * `pki-pharmacies` with its root CA and the role `pharmacy-client`.
 *
 * @example
 * const pki = await mountGatewayPki(vault);
 * const ca = await openVaultPki({ vault: createVaultSession(connection), mount: pki.name, role: GATEWAY_PKI.role, clientValidityDays: 30 });
 */
export async function mountGatewayPki(vault: VaultTransitDouble): Promise<PkiMount> {
  const mount = await createPkiMount(GATEWAY_PKI.mount, { maxLeaseTtlSeconds: GATEWAY_PKI.maxLeaseTtlSeconds });
  mount.writeRole(GATEWAY_PKI.role, GATEWAY_PKI.roleParameters);
  vault.mountPki(mount);
  return mount;
}

/** Vault durations as the gateway sends them: seconds, or a number with `s`, `m`, `h` or `d`. */
function durationSeconds(value: unknown): number | undefined {
  const match = /^(\d+)([smhd]?)$/.exec(String(value));
  if (!match) return undefined;
  return Number(match[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>)[match[2] ?? '']!;
}

function colonHex(hex: string): string {
  return (hex.match(/../g) ?? []).join(':');
}
