import 'reflect-metadata';
import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultSession } from '../../gateway/src/crypto/index.js';
import { addPharmacy, issueCertificate, revokeCertificate } from '../../gateway/src/pharmacies/index.js';
import { createDevCa, createDevCertificateAuthority, openVaultPki, type CertificateAuthority } from '../../gateway/src/pki/index.js';
import { testDatabase, type TestDatabase } from '../support/test-database.js';
import { GATEWAY_PKI, mountGatewayPki } from '../support/vault-pki-double.js';
import { appRoleConnection, startVaultTransitDouble, type VaultTransitDouble } from '../support/vault-transit-double.js';

// One contract for every CA that issues pharmacy certificates: the local dev CA and Vault PKI
// (on its test double, reached as the gateway reaches Vault: AppRole, the gateway.hcl policy,
// the pinned CA). Issued certificates chain to the CA, carry an ECDSA P-256 key and clientAuth,
// last the configured days; a revoked one is listed by the CA's CRL that the registry stores.
const VALIDITY_DAYS = 30;
const DAY_MS = 86_400_000;
const actor = { type: 'user' as const, id: 'cli:tester' };

let db: TestDatabase;
let vault: VaultTransitDouble;
let dir: string;
const backends: Record<string, () => CertificateAuthority> = {};
let devCa: CertificateAuthority;
let vaultCa: CertificateAuthority;

beforeAll(async () => {
  db = await testDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ca-contract-'));
  vault = await startVaultTransitDouble();
  await mountGatewayPki(vault);
  devCa = createDevCertificateAuthority({ ca: await createDevCa(), clientValidityDays: VALIDITY_DAYS, crlValidityDays: 7 });
  const session = createVaultSession(await appRoleConnection(vault, dir, 'gateway.hcl'));
  vaultCa = await openVaultPki({ vault: session, mount: GATEWAY_PKI.mount, role: GATEWAY_PKI.role, clientValidityDays: VALIDITY_DAYS });
  backends.dev = () => devCa;
  backends['vault-pki'] = () => vaultCa;
}, 60_000);
afterAll(async () => {
  await vault?.close();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe.each(['dev', 'vault-pki'])('the %s certificate authority', (kind) => {
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

describe('Vault PKI through the gateway policy', () => {
  it('is refused (503, nothing registered) to a token whose policy does not grant the PKI paths', async () => {
    const admin = vault.addAppRole({ policyHcl: 'path "transit/keys/gateway-data" { capabilities = ["read"] }' });
    await writeFile(path.join(dir, 'other-role-id'), admin.roleId);
    await writeFile(path.join(dir, 'other-secret-id'), admin.secretId);
    const session = createVaultSession({ address: vault.address, caPem: vault.caPem, roleIdFile: path.join(dir, 'other-role-id'), secretIdFile: path.join(dir, 'other-secret-id'), timeoutMs: 2_000 });
    // cert/ca is unauthenticated in Vault: opening works, signing and revoking do not
    const ca = await openVaultPki({ vault: session, mount: GATEWAY_PKI.mount, role: GATEWAY_PKI.role, clientValidityDays: VALIDITY_DAYS });
    await expect(ca.issueClientCertificate({ commonName: '759901036' })).rejects.toMatchObject({ code: 'unavailable', cause: { message: expect.stringContaining('HTTP 403') } });
    await expect(ca.revoke('0a1b')).rejects.toMatchObject({ code: 'unavailable', cause: { message: expect.stringContaining('HTTP 403') } });
  });

  it('names a role the policy does not grant: 403, even with a valid token', async () => {
    const ca = await openVaultPki({ vault: createVaultSession(await appRoleConnection(vault, dir, 'gateway.hcl')), mount: GATEWAY_PKI.mount, role: 'other-role', clientValidityDays: VALIDITY_DAYS });
    await expect(ca.issueClientCertificate({ commonName: '759901036' })).rejects.toMatchObject({ cause: { message: expect.stringContaining('HTTP 403') } });
  });
});
