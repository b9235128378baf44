import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type ConnectionOptions, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anssiTlsOptions, ensureDevPki, TLS_CIPHERS, type DevPki } from '../../gateway/src/pki/index.js';
import { createFhirSidepClient } from '../../gateway/src/sidep/index.js';

type Handshake = { protocol: string | null; cipher: string; group: string | undefined } | { error: string };

describe('the ANSSI TLS policy, applied to a real listener', () => {
  let dir: string;
  let pki: DevPki;
  let server: Server;
  let port: number;

  function handshake(options: ConnectionOptions): Promise<Handshake> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: pki.ca.certPem, ...options }, () => {
        const keyExchange = socket.getEphemeralKeyInfo();
        resolve({
          protocol: socket.getProtocol(),
          cipher: socket.getCipher().standardName,
          group: keyExchange !== null && 'name' in keyExchange ? keyExchange.name : undefined,
        });
        socket.end();
      });
      socket.on('error', (error) => resolve({ error: error.message }));
    });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tls-policy-'));
    pki = await ensureDevPki(dir, { clients: ['gateway'] });
    server = createServer({ ...anssiTlsOptions(), cert: pki.server.certPem, key: pki.server.keyPem }, (s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('is exactly the suite list of DESIGN "TLS everywhere"', () => {
    expect(TLS_CIPHERS).toBe(
      'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305',
    );
  });

  it('prefers TLS 1.3 with AES-256-GCM over X25519', async () => {
    expect(await handshake({})).toEqual({ protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', group: 'X25519' });
  });

  it('still speaks TLS 1.2 with an ECDHE AEAD suite', async () => {
    expect(await handshake({ maxVersion: 'TLSv1.2' })).toEqual({
      protocol: 'TLSv1.2',
      cipher: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      group: 'X25519',
    });
  });

  it('accepts P-384 key exchange', async () => {
    expect(await handshake({ ecdhCurve: 'P-384' })).toMatchObject({ group: 'secp384r1' });
  });

  it.each([
    ['a TLS 1.3 suite outside the list', { ciphers: 'TLS_AES_128_CCM_SHA256' }, /handshake failure/],
    ['a TLS 1.2 CBC suite', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256' }, /handshake failure/],
    ['a curve outside the list', { ecdhCurve: 'P-521' }, /handshake failure/],
    // SECLEVEL=0 lets the client offer TLS 1.1 at all, so the refusal is the server's.
    ['TLS 1.1', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, /protocol version/],
  ] as const)('refuses %s', async (_case, options, reason) => {
    expect(await handshake(options)).toEqual({ error: expect.stringMatching(reason) });
  });

  it('holds on the SI-DEP client too: a CBC-only server that a default Node client accepts is refused', async () => {
    const weak = createServer({ cert: pki.server.certPem, key: pki.server.keyPem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256' }, (s) =>
      s.end(),
    );
    await new Promise<void>((resolve) => weak.listen(0, '127.0.0.1', resolve));
    const weakPort = (weak.address() as AddressInfo).port;
    const client = createFhirSidepClient({
      baseUrl: `https://127.0.0.1:${weakPort}`,
      ca: pki.ca.certPem,
      cert: pki.clients.gateway!.certPem,
      key: pki.clients.gateway!.keyPem,
    });
    try {
      const plainNode = await new Promise((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: weakPort, ca: pki.ca.certPem }, () => {
          resolve(socket.getCipher().standardName);
          socket.end();
        });
        socket.on('error', (error) => resolve(error.message));
      });
      expect(plainNode).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256');
      expect(await client.send({ messageId: 'm', bundle: {} })).toEqual({ kind: 'retryable', code: 'network' });
    } finally {
      await client.close();
      await new Promise((resolve) => weak.close(resolve));
    }
  });
});
