import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkiSchema, type Settings } from '../../gateway/src/config/index.js';
import { createVaultSession, openConfiguredCa } from '../../gateway/src/vault/index.js';
import { checkCertificateAuthority } from '../../gateway/src/doctor/certificate-authority-check.js';
import { OPENBAO_SKIP_REASON, openBaoBinary, startGatewayOpenBao, type GatewayOpenBao } from '../support/openbao.js';

/**
 * `gateway doctor`'s `pki.ca` check on the PKI mount a real OpenBao got from deploy/vault/init.sh,
 * reached as `gateway serve` reaches it (the gateway's AppRole and policy): the mount answers with
 * its CA and a CRL that CA signed; the CA's expiry is judged against the certificates it would
 * issue; a mount that is not there fails with the way to set it up.
 */
const DAY_MS = 86_400_000;
let bao: GatewayOpenBao;

/** The check as `gateway doctor` runs it, for GATEWAY_PKI_CA_KIND=vault-pki and these pki settings. */
function doctorPki(pki: Record<string, unknown> = {}, now = new Date()) {
  const settings = { profile: 'production', pki: pkiSchema.parse({ caKind: 'vault-pki', ...pki }) } as Settings;
  const vault = createVaultSession(bao.connection('gateway'));
  return checkCertificateAuthority(settings, () => openConfiguredCa(settings.pki, { vault }), now);
}

if (openBaoBinary()) {
  beforeAll(async () => {
    bao = await startGatewayOpenBao();
  }, 60_000);
  afterAll(() => bao?.stop());

  describe('gateway doctor on the PKI mount of a real OpenBao', () => {
    it('says the mount answers, and warns once its CA would expire before a certificate issued today', async () => {
      expect(await doctorPki()).toMatchObject({ status: 'ok', summary: expect.stringContaining('pki-pharmacies answers') });
      const caPem = (await bao.server.api('GET', '/v1/pki-pharmacies/ca/pem', undefined, '')).body.raw as string;
      const expiry = Date.parse(new X509Certificate(caPem).validTo);
      // certificates issued for 90 days (the default) would outlive the CA
      expect(await doctorPki({}, new Date(expiry - 60 * DAY_MS))).toMatchObject({ status: 'warn', summary: expect.stringContaining('before a 90-day certificate') });
      expect((await doctorPki({}, new Date(expiry + DAY_MS))).status).toBe('fail');
    });

    it('fails on a mount that is not there, pointing at deploy/vault/init.sh', async () => {
      expect(await doctorPki({ vaultMount: 'pki-elsewhere' })).toMatchObject({ status: 'fail', summary: expect.stringContaining('pki-elsewhere'), hint: expect.stringContaining('deploy/vault/init.sh') });
    });
  });
} else {
  describe('gateway doctor on the PKI mount of a real OpenBao', () => {
    it.skip(OPENBAO_SKIP_REASON, () => undefined);
  });
}
