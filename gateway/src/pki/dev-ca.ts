// x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API first.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { distinguishedName, generateKeyPair, KEY_ALGORITHM, privateKeyPem, provider, SIGNING_ALGORITHM } from './p256.js';

/** A certificate and its private key, both PEM (the key PKCS#8, unencrypted). */
export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

/** When a certificate starts and how long it lasts. */
export interface Validity {
  /** Default: now minus 5 minutes, so a peer whose clock lags a little still accepts it. */
  notBefore?: Date;
  validityDays?: number;
}

export const DEV_CA_NAME = 'SI-DEP Gateway Dev CA';

/** CA/Browser Forum ceiling for server certificates; clients renew yearly. */
const DEFAULT_DAYS = { ca: 3 * 365, server: 397, client: 365 } as const;
const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

const subtle = webcrypto.subtle;

/**
 * Creates the self-signed development CA ("SI-DEP Gateway Dev CA", or `name`) that signs the server and
 * client certificates of the demo and the tests. Production uses Vault PKI instead.
 *
 * @example
 * const ca = await createDevCa();
 * const server = await issueServerCertificate(ca);
 */
export async function createDevCa(validity: Validity & { name?: string } = {}): Promise<CertificateAndKey> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      ...certificateDates(validity, DEFAULT_DAYS.ca),
      serialNumber: randomSerialNumber(),
      name: distinguishedName(validity.name ?? DEV_CA_NAME),
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, provider),
      ],
    },
    provider,
  );
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

/**
 * Issues a TLS server certificate (CN and DNS SAN `localhost`, IP SANs `127.0.0.1` and `::1`,
 * EKU serverAuth) signed by `ca`; default validity 397 days.
 */
export function issueServerCertificate(ca: CertificateAndKey, validity: Validity = {}): Promise<CertificateAndKey> {
  return issueLeaf(ca, {
    commonName: 'localhost',
    usage: x509.ExtendedKeyUsage.serverAuth,
    extraExtensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
    ],
    dates: certificateDates(validity, DEFAULT_DAYS.server),
  });
}

/**
 * Issues a TLS client certificate (EKU clientAuth) whose subject CN is `commonName`, usually
 * the pharmacy's FINESS; default validity 365 days. Pass a past `notBefore` and a short
 * validity to make an expired certificate for tests.
 *
 * @example
 * const pharmacy = await issueClientCertificate(ca, { commonName: '759999907' });
 */
export function issueClientCertificate(
  ca: CertificateAndKey,
  options: Validity & { commonName: string },
): Promise<CertificateAndKey> {
  return issueLeaf(ca, {
    commonName: options.commonName,
    usage: x509.ExtendedKeyUsage.clientAuth,
    extraExtensions: [],
    dates: certificateDates(options, DEFAULT_DAYS.client),
  });
}

interface LeafProfile {
  commonName: string;
  usage: x509.ExtendedKeyUsage;
  extraExtensions: x509.Extension[];
  dates: { notBefore: Date; notAfter: Date };
}

async function issueLeaf(ca: CertificateAndKey, profile: LeafProfile): Promise<CertificateAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(ca.keyPem),
    KEY_ALGORITHM,
    false,
    ['sign'],
  );
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.create(
    {
      ...profile.dates,
      serialNumber: randomSerialNumber(),
      subject: distinguishedName(profile.commonName),
      issuer: caCert.subjectName,
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([profile.usage]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, provider),
        await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, provider),
        ...profile.extraExtensions,
      ],
    },
    provider,
  );
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

function certificateDates(validity: Validity, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const notBefore = validity.notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS);
  const days = validity.validityDays ?? defaultDays;
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

/** RFC 5280 §4.1.2.2: positive, at most 20 octets; 128 random bits make collisions moot. */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}
