import 'reflect-metadata';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultSession, openVaultPki } from '../../gateway/src/vault/index.js';
import { addPharmacy, issueCertificate, revokeCertificate } from '../../gateway/src/pharmacies/index.js';
import { createDevCa, createDevCertificateAuthority, type CertificateAuthority } from '../../gateway/src/pki/index.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';

// One contract for every CA that issues pharmacy certificates: the local dev CA and Vault PKI
// (a real OpenBao set up by deploy/vault/init.sh, reached as the gateway reaches it: AppRole, the
// gateway.hcl policy, the pinned CA). Issued certificates chain to the CA, carry an ECDSA P-256
// key and clientAuth, last the configured days; a revoked one is listed by the CA's CRL that the
// registry stores.
const VALIDITY_DAYS = 30;
const DAY_MS = 86_400_000;
const PKI = { mount: 'pki-pharmacies', role: 'pharmacy-client' };
const actor = { type: 'user' as const, id: 'cli:tester' };
const hasOpenBao = openBaoBinary() !== undefined;

let db: TestDatabase;
let bao: GatewayOpenBao | undefined;
const backends: Record<string, () => CertificateAuthority> = {};

beforeAll(async () => {
  db = await testDatabase();
  const devCa = createDevCertificateAuthority({ ca: await createDevCa(), clientValidityDays: VALIDITY_DAYS, crlValidityDays: 7 });
  backends.dev = () => devCa;
  if (!hasOpenBao) return;
  bao = await startGatewayOpenBao();
  await bao.issueSecretId('gateway-keys-admin');
  const vaultCa = await openVaultPki({ vault: createVaultSession(bao.connection('gateway')), ...PKI, clientValidityDays: VALIDITY_DAYS });
  backends['vault-pki'] = () => vaultCa;
}, 60_000);
afterAll(async () => {
  await bao?.stop();
  await db?.drop();
});

describe.each(['dev', 'vault-pki'])('the %s certificate authority', (kind) => {
  if (kind === 'vault-pki' && !hasOpenBao) {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
    return;
  }
  const finess = kind === 'dev' ? '759901010' : '759901028';

  it('issues an ECDSA P-256 clientAuth certificate for the CN, chaining to the CA it names, valid the configured days', async () => {
    const ca = backends[kind]!();
    expect(ca.kind).toBe(kind);
    const issued = await ca.issueClientCertificate({ commonName: finess });
    const cert = new X509Certificate(issued.certPem);
    const caCert = new X509Certificate(ca.trustedCaPem);
    expect(cert.checkIssued(caCert) && cert.verify(caCert.publicKey)).toBe(true);
    expect(issued.chainPem).toContain(caCert.toString().trim().split('\n')[1]);
    expect(cert.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(cert.subject).toBe(`CN=${finess}`);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(cert.subjectAltName).toBeUndefined(); // a FINESS is not a host name
    const lifetime = (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
    expect(lifetime).toBeGreaterThan(VALIDITY_DAYS - 0.01);
    expect(lifetime).toBeLessThanOrEqual(VALIDITY_DAYS);
  });

  it('revokes a certificate it issued: the CRL the registry stores lists its serial and verifies against the CA', async () => {
    const ca = backends[kind]!();
    await addPharmacy(db.owner, { finess, name: `Pharmacie ${kind}`, actor });
    const { registered } = await issueCertificate(db.owner, ca, { pharmacy: finess, actor });
    expect(registered).toMatchObject({ origin: 'issued', serialNumber: expect.stringMatching(/^[0-9a-f]+$/) });
    const { crlPublished } = await revokeCertificate(db.owner, ca, { fingerprint: registered.fingerprint, reason: 'keyCompromise', actor });
    expect(crlPublished).toBe(true);
    const stored = await db.owner
      .selectFrom('certificate_revocation_lists')
      .selectAll()
      .where('issuer_fingerprint', '=', ca.issuerFingerprint as string)
      .orderBy('crl_number', 'desc')
      .executeTakeFirstOrThrow();
    const crl = new x509.X509Crl(stored.pem);
    expect(crl.entries.map((e) => e.serialNumber.toLowerCase().replace(/^0+/, ''))).toContain((registered.serialNumber as string).replace(/^0+/, ''));
    expect(await crl.verify({ publicKey: new x509.X509Certificate(ca.trustedCaPem).publicKey }, webcrypto)).toBe(true);
    expect(stored.next_update.getTime()).toBeGreaterThan(Date.now());
  });
});

describe.skipIf(!hasOpenBao)('OpenBao PKI through the policies of deploy/vault/policies', () => {
  it('is refused (503, HTTP 403) to signing and revoking by an identity whose policy does not grant the PKI paths (keys-admin)', async () => {
    // cert/ca is served without a token: opening works, signing and revoking do not
    const ca = await openVaultPki({ vault: createVaultSession(bao!.connection('gateway-keys-admin')), ...PKI, clientValidityDays: VALIDITY_DAYS });
    await expect(ca.issueClientCertificate({ commonName: '759901036' })).rejects.toMatchObject({ code: 'unavailable', cause: { message: expect.stringContaining('HTTP 403') } });
    await expect(ca.revoke('0a1b')).rejects.toMatchObject({ code: 'unavailable', cause: { message: expect.stringContaining('HTTP 403') } });
  });

  it('names a role the policy does not grant: 403, even with a valid token', async () => {
    const ca = await openVaultPki({ vault: createVaultSession(bao!.connection('gateway')), mount: PKI.mount, role: 'other-role', clientValidityDays: VALIDITY_DAYS });
    await expect(ca.issueClientCertificate({ commonName: '759901036' })).rejects.toMatchObject({ cause: { message: expect.stringContaining('HTTP 403') } });
  });
});
