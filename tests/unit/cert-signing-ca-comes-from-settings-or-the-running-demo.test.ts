import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorSigningCa } from '../../gateway/src/cli/signing-ca.js';
import { ensureDevPki, type DevPki } from '../../gateway/src/pki/index.js';

let dir: string;
let demo: DevPki;
let other: DevPki;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'signing-ca-'));
  demo = await ensureDevPki(join(dir, 'demo', 'pki'), { clients: [] });
  other = await ensureDevPki(join(dir, 'other'), { clients: [] });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the CA `gateway cert` signs with', () => {
  it('is the one the pki settings name, with their validity', () => {
    const signer = operatorSigningCa({ GATEWAY_DEMO_DATA_DIR: join(dir, 'demo'), GATEWAY_PKI_CA_CERT_FILE: other.ca.certPath, GATEWAY_PKI_CA_KEY_FILE: other.ca.keyPath, GATEWAY_PKI_CLIENT_VALIDITY_DAYS: '14' });
    expect(signer).toMatchObject({ ca: { certPem: other.ca.certPem }, clientValidityDays: 14, crlValidityDays: 30 });
  });

  it("is the running demo's dev CA when no setting names one, outside production only", () => {
    expect(operatorSigningCa({ GATEWAY_DEMO_DATA_DIR: join(dir, 'demo') })).toMatchObject({ ca: { certPem: demo.ca.certPem }, clientValidityDays: 90 });
    expect(operatorSigningCa({ GATEWAY_DEMO_DATA_DIR: join(dir, 'demo'), GATEWAY_PROFILE: 'production' })).toBeUndefined();
    expect(operatorSigningCa({ GATEWAY_DEMO_DATA_DIR: join(dir, 'nothing') })).toBeUndefined();
  });

  it('is refused when the key belongs to another certificate', () => {
    expect(() => operatorSigningCa({ GATEWAY_PKI_CA_CERT_FILE: other.ca.certPath, GATEWAY_PKI_CA_KEY_FILE: demo.ca.keyPath })).toThrow(/does not hold the key/);
  });

  it('refuses a client validity beyond 397 days', () => {
    expect(() => operatorSigningCa({ GATEWAY_PKI_CA_CERT_FILE: other.ca.certPath, GATEWAY_PKI_CA_KEY_FILE: other.ca.keyPath, GATEWAY_PKI_CLIENT_VALIDITY_DAYS: '800' })).toThrow(/GATEWAY_PKI_CLIENT_VALIDITY_DAYS: too_big/);
  });
});
