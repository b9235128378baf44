import { request } from 'node:https';
import type { SecureVersion } from 'node:tls';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDevPki, type DevPki } from '../../gateway/src/pki/index.js';
import { startSimulatorFixture, type SimulatorFixture } from '../support/sidep-test-kit.js';

interface Attempt {
  cert?: string;
  key?: string;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
}

/** One GET on a fresh connection: the HTTP status, or the error that ended the handshake. */
function attempt(url: string, ca: string, options: Attempt): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(`${url}/_control/stats`, { ca, agent: false, timeout: 5_000, ...options }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: `${error.code} ${error.message}` }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('the simulator accepts only mTLS clients of its CA, over TLS 1.2 or later', () => {
  let fixture: SimulatorFixture;
  let otherDir: string;
  let otherPki: DevPki;

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
    otherDir = await mkdtemp(join(tmpdir(), 'sidep-other-ca-'));
    otherPki = await ensureDevPki(otherDir, { clients: ['gateway'] });
  });
  afterAll(async () => {
    await fixture?.dispose();
    if (otherDir) await rm(otherDir, { recursive: true, force: true });
  });

  it('answers a client certified by its CA', async () => {
    const { certPem: cert, keyPem: key } = fixture.gateway;
    expect(await attempt(fixture.simulator.url, fixture.pki.ca.certPem, { cert, key })).toEqual({ status: 200 });
  });

  // Node checks the client certificate once OpenSSL's handshake is done and then drops the
  // socket: TLS 1.2 clients see it before their handshake completes, TLS 1.3 clients (whose
  // handshake ends first) on their first read. Either way no HTTP answer comes back.
  const refusal = {
    'TLSv1.3': /CERTIFICATE_REQUIRED|ECONNRESET|EPIPE/,
    'TLSv1.2': /alert handshake failure|before secure TLS connection was established/,
  } as const;

  it.each(['TLSv1.3', 'TLSv1.2'] as const)('ends the handshake of a client without a certificate (%s)', async (version) => {
    const result = await attempt(fixture.simulator.url, fixture.pki.ca.certPem, { maxVersion: version });
    expect(result).toEqual({ error: expect.stringMatching(refusal[version]) });
  });

  it.each(['TLSv1.3', 'TLSv1.2'] as const)('ends the handshake of a client certified by another CA (%s)', async (version) => {
    const { certPem: cert, keyPem: key } = otherPki.clients.gateway!;
    const result = await attempt(fixture.simulator.url, fixture.pki.ca.certPem, { cert, key, maxVersion: version });
    expect(result).toEqual({ error: expect.stringMatching(refusal[version]) });
  });

  it('refuses TLS 1.1 even from a client of its CA', async () => {
    const { certPem: cert, keyPem: key } = fixture.gateway;
    // SECLEVEL=0 lets this client's OpenSSL offer TLS 1.1 at all, so the refusal is the server's.
    const result = await attempt(fixture.simulator.url, fixture.pki.ca.certPem, {
      cert,
      key,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    expect(result).toEqual({ error: expect.stringMatching(/alert protocol version/) });
  });
});
