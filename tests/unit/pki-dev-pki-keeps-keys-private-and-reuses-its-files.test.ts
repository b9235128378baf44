import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_CA_NAME, ensureDevPki } from '../../gateway/src/pki/index.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('ensureDevPki', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pki-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every key file 0600 inside 0700 directories', async () => {
    const pki = await ensureDevPki(join(dir, 'pki'), { clients: ['759999907', '759999915'] });
    const keys = [pki.ca, pki.server, ...Object.values(pki.clients)].map((c) => c.keyPath);
    expect(keys).toHaveLength(4);
    for (const key of keys) expect(await mode(key)).toBe(0o600);
    expect(await mode(join(dir, 'pki'))).toBe(0o700);
    expect(await mode(join(dir, 'pki', 'clients'))).toBe(0o700);
    expect(pki.clients['759999907']?.keyPath).toBe(join(dir, 'pki', 'clients', '759999907-key.pem'));
  });

  it('issues a server certificate for localhost, 127.0.0.1 and ::1 and client certificates named by CN', async () => {
    const pki = await ensureDevPki(dir, { clients: ['759999907'] });
    const ca = new X509Certificate(pki.ca.certPem);
    const server = new X509Certificate(pki.server.certPem);
    const client = new X509Certificate(pki.clients['759999907']!.certPem);

    expect(ca.subject).toBe(`CN=${DEV_CA_NAME}`);
    expect(ca.ca).toBe(true);
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(server.keyUsage).toEqual([SERVER_AUTH]);
    expect(client.subject).toBe('CN=759999907');
    expect(client.keyUsage).toEqual([CLIENT_AUTH]);
    for (const leaf of [server, client]) {
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    }
    const clientDays = (Date.parse(client.validTo) - Date.parse(client.validFrom)) / 86_400_000;
    expect(clientDays).toBe(365);
  });

  it('reuses existing files and issues only what is missing', async () => {
    const first = await ensureDevPki(dir, { clients: ['759999907'] });
    const second = await ensureDevPki(dir, { clients: ['759999907', '759999915'] });
    expect(second.ca).toEqual(first.ca);
    expect(second.server).toEqual(first.server);
    expect(second.clients['759999907']).toEqual(first.clients['759999907']);
    expect(await readFile(second.clients['759999915']!.certPath, 'utf8')).toBe(second.clients['759999915']!.certPem);
  });

  it('issues everything anew when the CA key is gone', async () => {
    const first = await ensureDevPki(dir, { clients: ['759999907'] });
    await unlink(first.ca.keyPath);
    const second = await ensureDevPki(dir, { clients: ['759999907'] });
    expect(second.ca.certPem).not.toBe(first.ca.certPem);
    expect(second.server.certPem).not.toBe(first.server.certPem);
    const client = new X509Certificate(second.clients['759999907']!.certPem);
    expect(client.verify(new X509Certificate(second.ca.certPem).publicKey)).toBe(true);
  });

  it('refuses a client name that could escape the clients directory', async () => {
    await expect(ensureDevPki(dir, { clients: ['../ca'] })).rejects.toThrow('clients[0]');
  });
});
