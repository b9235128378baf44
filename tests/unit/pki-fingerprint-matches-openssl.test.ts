import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateFingerprint, ensureDevPki, parseFingerprint, type DevPki } from '../../gateway/src/pki/index.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl && process.env.REQUIRE_SYSTEM_TOOLS === '1') throw new Error('openssl is required (REQUIRE_SYSTEM_TOOLS=1).');

describe('certificateFingerprint', () => {
  let dir: string;
  let pki: DevPki;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pki-fingerprint-'));
    pki = await ensureDevPki(dir, { clients: ['759999907'] });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasOpenssl)('equals `openssl x509 -fingerprint -sha256`, lowercased without colons', () => {
    const client = pki.clients['759999907']!;
    const out = spawnSync('openssl', ['x509', '-fingerprint', '-sha256', '-noout', '-in', client.certPath], { encoding: 'utf8' });
    const openssl = out.stdout.trim().split('=')[1]!.replaceAll(':', '').toLowerCase();
    expect(certificateFingerprint(client.certPem)).toBe(openssl);
  });

  it('is stable and the same for PEM and DER', () => {
    const pem = pki.clients['759999907']!.certPem;
    const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    expect(certificateFingerprint(pem)).toMatch(/^[0-9a-f]{64}$/);
    expect(certificateFingerprint(pem)).toBe(certificateFingerprint(pem));
    expect(certificateFingerprint(der)).toBe(certificateFingerprint(pem));
    expect(certificateFingerprint(pki.server.certPem)).not.toBe(certificateFingerprint(pem));
  });

  it('reads a typed fingerprint with or without colons, in any case', () => {
    const fingerprint = certificateFingerprint(pki.ca.certPem);
    const withColons = fingerprint.toUpperCase().match(/../g)!.join(':');
    expect(parseFingerprint(withColons)).toBe(fingerprint);
    expect(parseFingerprint(` ${fingerprint.toUpperCase()} `)).toBe(fingerprint);
    expect(parseFingerprint(fingerprint.slice(2))).toBeUndefined();
    expect(parseFingerprint(`${fingerprint.slice(2)}zz`)).toBeUndefined();
  });
});
