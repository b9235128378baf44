import { X509Certificate } from 'node:crypto';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connect } from 'node:tls';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anssiTlsOptions, createDevCa, issueClientCertificate, issueServerCertificate, type CertificateAndKey } from '../../gateway/src/pki/index.js';
import { eventually, PHARMACY_A, startHarness, type Harness } from '../support/gateway-harness.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';
import { syntheticResult } from '../support/synthetic-result.js';

// The gateway's own certificate files change on disk as Kubernetes changes a mounted secret: a
// new timestamped directory, then an atomic rename of the `..data` symlink. The next handshake
// must present the new certificate, open connections keep working, and files that would break
// the endpoint are refused while the previous ones stay in use.

/** A directory laid out like a Kubernetes secret volume: `name -> ..data/name`, `..data -> ..<version>`. */
async function secretVolume(dir: string, files: Record<string, string>) {
  let version = 0;
  const publish = async (contents: Record<string, string>) => {
    const target = `..v${++version}`;
    await mkdir(path.join(dir, target));
    for (const [name, text] of Object.entries(contents)) await writeFile(path.join(dir, target, name), text, { mode: 0o600 });
    await symlink(target, path.join(dir, '..data_tmp'));
    await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  };
  await mkdir(dir);
  await publish(files);
  for (const name of Object.keys(files)) await symlink(path.join('..data', name), path.join(dir, name));
  return { path: (name: string) => path.join(dir, name), publish };
}

let h: Harness;
let intakeFiles: Awaited<ReturnType<typeof secretVolume>>;
let sidepFiles: Awaited<ReturnType<typeof secretVolume>>;

beforeAll(async () => {
  // the volumes start with copies of the harness's PKI files, then the gateway restarts on them
  h = await startHarness({ pki: { fileCheckMs: 500 } });
  intakeFiles = await secretVolume(path.join(h.dir, 'intake'), { 'tls.crt': h.pki.server.certPem, 'tls.key': h.pki.server.keyPem });
  const relay = h.pki.clients['gateway-relay'] as CertificateAndKey;
  sidepFiles = await secretVolume(path.join(h.dir, 'sidep'), { 'tls.crt': relay.certPem, 'tls.key': relay.keyPem });
  await h.restartGateway({
    pki: { fileCheckMs: 500 },
    intake: { certFile: intakeFiles.path('tls.crt'), keyFile: intakeFiles.path('tls.key') } as never,
    sidep: { certFile: sidepFiles.path('tls.crt'), keyFile: sidepFiles.path('tls.key') } as never,
  });
});
afterAll(() => h?.close());

/** The SHA-256 fingerprint of the certificate a listener presents to a new connection (default: intake). */
function presentedCertificate(port = h.gateway.intakePort, harness = h): Promise<string> {
  const pharmacy = harness.pki.clients[PHARMACY_A] as CertificateAndKey;
  return new Promise((resolve, reject) => {
    const socket = connect({ ...anssiTlsOptions(), host: '127.0.0.1', port, servername: 'localhost', ca: harness.pki.ca.certPem, cert: pharmacy.certPem, key: pharmacy.keyPem }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

async function metric(line: RegExp): Promise<number> {
  const res = await fetch(`${h.metricsUrl}/metrics`, { headers: { authorization: `Bearer ${h.metricsToken}` } });
  return Number(line.exec(await res.text())?.[1] ?? 0);
}
const reloads = (kind: string, outcome: string) => metric(new RegExp(`^gateway_tls_reloads_total\\{kind="${kind}",outcome="${outcome}"\\} (\\S+)$`, 'm'));

describe('the intake listener certificate', () => {
  it('is replaced for the next handshake while an open connection keeps working', async () => {
    expect(await presentedCertificate()).toBe(fingerprintOf(h.pki.server.certPem));
    const pharmacy = h.pki.clients[PHARMACY_A] as CertificateAndKey;
    const open = new Client(`https://localhost:${h.gateway.intakePort}`, { connect: { ...anssiTlsOptions(), ca: h.pki.ca.certPem, cert: pharmacy.certPem, key: pharmacy.keyPem } });
    let connects = 0;
    open.on('connect', () => connects++);
    const list = async () => (await open.request({ method: 'GET', path: '/api/v1/test-results' })).body.text().then(() => undefined);
    await list();

    const next = await issueServerCertificate(h.pki.ca, { validityDays: 30 });
    await intakeFiles.publish({ 'tls.crt': next.certPem, 'tls.key': next.keyPem });
    await eventually(async () => ((await presentedCertificate()) === fingerprintOf(next.certPem) ? true : undefined));

    await list();
    expect(connects).toBe(1);
    await open.close();
    const notAfter = Math.floor(Date.parse(new X509Certificate(next.certPem).validTo) / 1000);
    expect(await metric(/^gateway_certificate_expiry_timestamp_seconds\{kind="intake-certificate",pharmacy=""\} (\S+)$/m)).toBe(notAfter);
    expect(await reloads('intake', 'loaded')).toBeGreaterThanOrEqual(1);
  });

  it.each<[string, string, (current: CertificateAndKey) => Promise<CertificateAndKey>]>([
    ['a key that is not the certificate’s', 'key-mismatch', async (current: CertificateAndKey) => ({ ...(await issueServerCertificate(h.pki.ca)), keyPem: current.keyPem })],
    ['an expired certificate', 'expired', () => issueServerCertificate(h.pki.ca, { notBefore: new Date(Date.now() - 10 * 86_400_000), validityDays: 1 })],
    ['a file that is not PEM', 'no-certificate', async (current: CertificateAndKey) => ({ certPem: 'not a certificate', keyPem: current.keyPem })],
  ])('refuses %s and keeps the previous certificate', async (_what, reason, make) => {
    const before = await presentedCertificate();
    const current = await issueServerCertificate(h.pki.ca);
    await intakeFiles.publish({ 'tls.crt': current.certPem, 'tls.key': current.keyPem });
    await eventually(async () => ((await presentedCertificate()) === fingerprintOf(current.certPem) ? true : undefined));
    expect(before).not.toBe(fingerprintOf(current.certPem));

    const refused = await reloads('intake', 'refused');
    const bad = await make(current);
    await intakeFiles.publish({ 'tls.crt': bad.certPem, 'tls.key': bad.keyPem });
    await eventually(async () => ((await reloads('intake', 'refused')) > refused ? true : undefined));
    expect(await presentedCertificate()).toBe(fingerprintOf(current.certPem));
    const line = h.logs.filter((l) => l.includes('changed TLS files refused')).at(-1) as string;
    expect(JSON.parse(line)).toMatchObject({ kind: 'intake', reason });
    expect(h.logs.join('\n')).not.toContain('PRIVATE KEY');
  });
});

describe('the SI-DEP client certificate', () => {
  it('is used for the next connection to SI-DEP once it changes on disk', async () => {
    const status = async (id: string) => (await h.call(PHARMACY_A, 'GET', `/api/v1/test-results/${id}`)).body as { status: string; attempts: number };
    const submit = async () => {
      const res = await h.call(PHARMACY_A, 'POST', '/api/v1/test-results', { body: syntheticResult(), headers: { 'idempotency-key': crypto.randomUUID() } });
      expect(res.status).toBe(202);
      return res.body.id as string;
    };
    // a certificate of a CA the simulator does not trust: SI-DEP refuses the handshake
    const foreign = await issueClientCertificate(await createDevCa(), { commonName: 'gateway-relay' });
    const loaded = await reloads('sidep', 'loaded');
    await sidepFiles.publish({ 'tls.crt': foreign.certPem, 'tls.key': foreign.keyPem });
    await eventually(async () => ((await reloads('sidep', 'loaded')) > loaded ? true : undefined));
    const held = await submit();
    await eventually(async () => ((await status(held)).status === 'retrying' ? true : undefined));

    const renewed = await issueClientCertificate(h.pki.ca, { commonName: 'gateway-relay', validityDays: 30 });
    await sidepFiles.publish({ 'tls.crt': renewed.certPem, 'tls.key': renewed.keyPem });
    await eventually(async () => ((await status(held)).status === 'delivered' ? true : undefined), 30_000);
    const notAfter = Math.floor(Date.parse(new X509Certificate(renewed.certPem).validTo) / 1000);
    expect(await metric(/^gateway_certificate_expiry_timestamp_seconds\{kind="sidep-certificate",pharmacy=""\} (\S+)$/m)).toBe(notAfter);
  });

  it('publishes the expiry of the SI-DEP CA and of each pharmacy certificate', async () => {
    const caNotAfter = Math.floor(Date.parse(new X509Certificate(h.pki.ca.certPem).validTo) / 1000);
    expect(await metric(/^gateway_certificate_expiry_timestamp_seconds\{kind="sidep-ca",pharmacy=""\} (\S+)$/m)).toBe(caNotAfter);
    expect(await metric(/^gateway_certificate_expiry_timestamp_seconds\{kind="intake-ca",pharmacy=""\} (\S+)$/m)).toBe(caNotAfter);
    const pharmacy = h.pki.clients[PHARMACY_A] as CertificateAndKey;
    const id = h.pharmacyIds[PHARMACY_A] as string;
    expect(await metric(new RegExp(`^gateway_certificate_expiry_timestamp_seconds\\{kind="pharmacy",pharmacy="${id}"\\} (\\S+)$`, 'm'))).toBe(Math.floor(Date.parse(new X509Certificate(pharmacy.certPem).validTo) / 1000));
  });
});

describe('the web listener certificate', () => {
  let web: WebHarness;
  beforeAll(async () => {
    web = await startWebHarness();
  });
  afterAll(() => web?.close());

  it('follows its files when they are rewritten in place, as with Compose secrets', async () => {
    const port = Number(new URL(web.webUrl).port);
    expect(await presentedCertificate(port, web.h)).toBe(fingerprintOf(web.h.pki.server.certPem));
    const next = await issueServerCertificate(web.h.pki.ca, { validityDays: 30 });
    await writeFile(web.h.pki.server.keyPath, next.keyPem);
    await writeFile(web.h.pki.server.certPath, next.certPem);
    await eventually(async () => ((await presentedCertificate(port, web.h)) === fingerprintOf(next.certPem) ? true : undefined));
  });
});
