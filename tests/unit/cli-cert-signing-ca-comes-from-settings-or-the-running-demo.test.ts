import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOperatorSettings } from '../../gateway/src/cli/operator-settings.js';
import { operatorCertificateAuthority } from '../../gateway/src/cli/signing-ca.js';
import { certificateFingerprint, ensureDevPki, type DevPki } from '../../gateway/src/pki/index.js';

let dir: string;
let demo: DevPki;
let other: DevPki;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signing-ca-'));
  demo = await ensureDevPki(join(dir, 'demo', 'pki'), { clients: [] });
  other = await ensureDevPki(join(dir, 'other'), { clients: [] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The CA of an environment, as `gateway cert` reads its settings (async: a refused setting rejects). */
const caOf = async (env: NodeJS.ProcessEnv) => operatorCertificateAuthority(readOperatorSettings(env));

const daysOf = (certPem: string) => {
  const c = new X509Certificate(certPem);
  return Math.round((Date.parse(c.validTo) - Date.parse(c.validFrom)) / 86_400_000);
};

describe('the CA `gateway cert` works with', () => {
  it('is the one the pki settings name, with their validity', async () => {
    const ca = await caOf({ GATEWAY_DEMO_DATA_DIR: join(dir, 'demo'), GATEWAY_PKI_CA_CERT_FILE: other.ca.certPath, GATEWAY_PKI_CA_KEY_FILE: other.ca.keyPath, GATEWAY_PKI_CLIENT_VALIDITY_DAYS: '14' });
    expect(ca).toMatchObject({ kind: 'dev', issuerFingerprint: certificateFingerprint(other.ca.certPem) });
    expect(daysOf((await ca.issueClientCertificate({ commonName: '759999907' })).certPem)).toBe(14);
  });

  it("is the running demo's dev CA when no setting names one, outside production only; else external", async () => {
    expect(await caOf({ GATEWAY_DEMO_DATA_DIR: join(dir, 'demo') })).toMatchObject({ kind: 'dev', issuerFingerprint: certificateFingerprint(demo.ca.certPem) });
    expect(await caOf({ GATEWAY_DEMO_DATA_DIR: join(dir, 'demo'), GATEWAY_PROFILE: 'production' })).toMatchObject({ kind: 'external' });
    expect(await caOf({ GATEWAY_DEMO_DATA_DIR: join(dir, 'nothing') })).toMatchObject({ kind: 'external' });
    expect(await caOf({ GATEWAY_DEMO_DATA_DIR: join(dir, 'demo'), GATEWAY_PKI_CA_KIND: 'external' })).toMatchObject({ kind: 'external' });
  });

  it('is refused when the key belongs to another certificate', async () => {
    await expect(caOf({ GATEWAY_PKI_CA_CERT_FILE: other.ca.certPath, GATEWAY_PKI_CA_KEY_FILE: demo.ca.keyPath })).rejects.toThrow(/does not belong/);
  });

  it('refuses a client validity beyond 397 days, and Vault PKI without the Vault key manager', async () => {
    await expect(caOf({ GATEWAY_PKI_CA_CERT_FILE: other.ca.certPath, GATEWAY_PKI_CA_KEY_FILE: other.ca.keyPath, GATEWAY_PKI_CLIENT_VALIDITY_DAYS: '800' })).rejects.toThrow(/GATEWAY_PKI_CLIENT_VALIDITY_DAYS: too_big/);
    await expect(caOf({ GATEWAY_PKI_CA_KIND: 'vault-pki', GATEWAY_KEY_MANAGER_KIND: 'local' })).rejects.toThrow(/GATEWAY_KEY_MANAGER_KIND: must be vault/);
  });
});
