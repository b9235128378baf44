import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultSession, openVaultPki } from '../../gateway/src/vault/index.js';
import { addPharmacy, issueCertificate, publishCrl, revokeCertificate } from '../../gateway/src/pharmacies/index.js';
import { anssiTlsOptions, createDevCertificateAuthority, type CertificateAuthority, type IssuedCertificate } from '../../gateway/src/pki/index.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { requestOnce } from '../support/mtls-request.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';
import { syntheticResult } from '../support/synthetic-result.js';

/**
 * A live gateway whose CA is the PKI of a real OpenBao set up by deploy/vault/init.sh, reached
 * through the gateway's AppRole: it trusts that CA beside its client CA file, a certificate the
 * pharmacy-client role signed submits a result over real mTLS, and `revokeCertificate` (what
 * `gateway cert revoke` runs) stores at once a CRL listing the serial — OpenBao, with
 * auto_rebuild, rebuilds it only when the gateway rotates it — so the next handshake is refused
 * within 2 s.
 */
const FINESS = '759901044';
const actor = { type: 'user' as const, id: 'cli:tester' };
// the listener's CRL poll (2 s by default): the bound below is one poll plus the reload
const REVOCATION_POLL_MS = 1_000;

let bao: GatewayOpenBao;
let ca: CertificateAuthority;
let h: Harness;
let issued: { certificate: IssuedCertificate; fingerprint: string; serialNumber: string };

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
    ca = await openVaultPki({ vault: createVaultSession(bao.connection('gateway')), mount: 'pki-pharmacies', role: 'pharmacy-client', clientValidityDays: 7 });
    h = await startHarness({ pki: { revocationPollMs: REVOCATION_POLL_MS } }, { ca });
    // CRLs load only when every trusted CA has one: the client CA file's dev CA gets its own
    await publishCrl(h.db.owner, createDevCertificateAuthority({ ca: h.pki.ca, clientValidityDays: 7, crlValidityDays: 7 }), actor);
    await addPharmacy(h.db.owner, { finess: FINESS, name: 'Pharmacie OpenBao PKI', actor });
    const { certificate, registered } = await issueCertificate(h.db.owner, ca, { pharmacy: FINESS, actor });
    issued = { certificate, fingerprint: registered.fingerprint, serialNumber: registered.serialNumber as string };
  }, 90_000);
  afterAll(async () => {
    await h?.close();
    await bao?.stop();
  });

  const credentials = () => ({ ca: h.pki.ca.certPem, cert: issued.certificate.certPem, key: issued.certificate.keyPem });
  const storedCrl = async () =>
    new x509.X509Crl(
      (
        await h.db.owner
          .selectFrom('certificate_revocation_lists')
          .select('pem')
          .where('issuer_fingerprint', '=', ca.issuerFingerprint as string)
          .orderBy('crl_number', 'desc')
          .executeTakeFirstOrThrow()
      ).pem,
    );

  describe('a pharmacy certificate issued by OpenBao PKI on a live gateway', () => {
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

    it("stores OpenBao's CRL on its own at start, so every replica's listener can load it", async () => {
      expect((await storedCrl()).entries).toEqual([]);
    });

    it('once revoked, stores a CRL listing its serial at once, and its next handshake is refused within 2 s', async () => {
      expect(await requestOnce(h.gateway.intakePort, credentials())).toEqual({ status: 200 });
      const { crlPublished } = await revokeCertificate(h.db.owner, ca, { fingerprint: issued.fingerprint, reason: 'keyCompromise', actor });
      expect(crlPublished).toBe(true);
      const unpadded = (serial: string) => serial.toLowerCase().replace(/^0+/, '');
      expect((await storedCrl()).entries.map((e) => unpadded(e.serialNumber))).toEqual([unpadded(issued.serialNumber)]);
      // no HTTP answer at all: the stored CRL, reloaded into the listener, refuses the handshake
      await eventually(async () => ('error' in (await requestOnce(h.gateway.intakePort, credentials())) ? true : undefined), 2_000);
      expect(await requestOnce(h.gateway.intakePort, credentials(), { maxVersion: 'TLSv1.2' })).toEqual({ error: expect.any(String) });
    }, 30_000);
  });
} else {
  describe('OpenBao PKI on a live gateway', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
