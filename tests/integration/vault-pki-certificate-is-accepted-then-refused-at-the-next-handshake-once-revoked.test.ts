import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultSession } from '../../gateway/src/crypto/index.js';
import { addPharmacy, issueCertificate, publishCrl, revokeCertificate } from '../../gateway/src/pharmacies/index.js';
import { anssiTlsOptions, createDevCertificateAuthority, openVaultPki, type CertificateAuthority, type IssuedCertificate } from '../../gateway/src/pki/index.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { requestOnce } from '../support/mtls-request.js';
import { syntheticResult } from '../support/synthetic-result.js';
import { GATEWAY_PKI, mountGatewayPki } from '../support/vault-pki-double.js';
import { appRoleConnection, startVaultTransitDouble, type VaultTransitDouble } from '../support/vault-transit-double.js';

// A live gateway whose CA is Vault PKI (on its test double, through the gateway.hcl AppRole):
// it trusts the Vault CA beside its client CA file, a certificate Vault signed submits a result
// over real mTLS, and once revoked (Vault `revoke`, Vault's CRL stored) its next handshake fails.
const FINESS = '759901044';
const actor = { type: 'user' as const, id: 'cli:tester' };

let vault: VaultTransitDouble;
let dir: string;
let ca: CertificateAuthority;
let h: Harness;
let issued: { certificate: IssuedCertificate; fingerprint: string };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vault-pki-e2e-'));
  vault = await startVaultTransitDouble();
  await mountGatewayPki(vault);
  ca = await openVaultPki({ vault: createVaultSession(await appRoleConnection(vault, dir, 'gateway.hcl')), mount: GATEWAY_PKI.mount, role: GATEWAY_PKI.role, clientValidityDays: 7 });
  h = await startHarness({ pki: { revocationPollMs: 250 } }, { ca });
  // CRLs load only when every trusted CA has one: the client CA file's dev CA gets its own
  await publishCrl(h.db.owner, createDevCertificateAuthority({ ca: h.pki.ca, clientValidityDays: 7, crlValidityDays: 7 }), actor);
  await addPharmacy(h.db.owner, { finess: FINESS, name: 'Pharmacie Vault PKI', actor });
  const { certificate, registered } = await issueCertificate(h.db.owner, ca, { pharmacy: FINESS, actor });
  issued = { certificate, fingerprint: registered.fingerprint };
}, 90_000);
afterAll(async () => {
  await h?.close();
  await vault?.close();
  await rm(dir, { recursive: true, force: true });
});

const credentials = () => ({ ca: h.pki.ca.certPem, cert: issued.certificate.certPem, key: issued.certificate.keyPem });

describe('a pharmacy certificate issued by Vault PKI on a live gateway', () => {
  it('submits a result over mTLS (202), while the client CA file still authenticates its own pharmacies', async () => {
    const agent = new Agent({ connect: { ...anssiTlsOptions(), ...credentials() } });
    const res = await request(`${h.intakeUrl}/api/v1/test-results`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify(syntheticResult({ pharmacyFiness: FINESS })),
    });
    expect(res.statusCode).toBe(202);
    await res.body.dump();
    await agent.close();
    expect(await requestOnce(h.gateway.intakePort, { ca: h.pki.ca.certPem, cert: (h.pki.clients[PHARMACY_A] as { certPem: string }).certPem, key: (h.pki.clients[PHARMACY_A] as { keyPem: string }).keyPem })).toEqual({ status: 200 });
  }, 30_000);

  it("stores Vault's CRL on its own at start, so every replica's listener can load it", async () => {
    const stored = await h.db.owner.selectFrom('certificate_revocation_lists').select(['entries']).where('issuer_fingerprint', '=', ca.issuerFingerprint as string).execute();
    expect(stored).toEqual([{ entries: 0 }]);
  });

  it('is refused at the next handshake once revoked at Vault, without a restart', async () => {
    expect(await requestOnce(h.gateway.intakePort, credentials())).toEqual({ status: 200 });
    const { crlPublished } = await revokeCertificate(h.db.owner, ca, { fingerprint: issued.fingerprint, reason: 'keyCompromise', actor });
    expect(crlPublished).toBe(true);
    // no HTTP answer at all: Vault's CRL, reloaded into the listener, refuses the handshake
    await eventually(async () => ('error' in (await requestOnce(h.gateway.intakePort, credentials())) ? true : undefined));
    expect(await requestOnce(h.gateway.intakePort, credentials(), { maxVersion: 'TLSv1.2' })).toEqual({ error: expect.any(String) });
  }, 30_000);
});
