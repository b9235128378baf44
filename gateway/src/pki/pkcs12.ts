import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { CertificateAndKey } from './dev-ca.js';

/** A PKCS#12 file and the one-time password that opens it (shown once, never stored). */
export interface Pkcs12Bundle {
  der: Buffer;
  password: string;
}

// DESIGN "TLS everywhere": AES-256 with PBKDF2-SHA256 for key and certificates, SHA-256 MAC,
// never the legacy 3DES/RC2 that older tools default to. 600,000 iterations: OWASP's PBKDF2-SHA256 figure.
const PBE = ['-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256', '-iter', '600000'] as const;

/**
 * Packs a certificate, its key and the CA chain into PKCS#12 with a fresh random password
 * (24 base64url characters, 144 bits), using the `openssl` binary. The key and the password
 * travel through stdin and the child's environment, never its command line.
 *
 * @example
 * const { der, password } = await exportPkcs12({ ...issued, chainPem: ca.certPem, friendlyName: '759999907' });
 */
export async function exportPkcs12(o: CertificateAndKey & { chainPem: string; friendlyName: string }): Promise<Pkcs12Bundle> {
  const password = randomBytes(18).toString('base64url');
  const der = await runOpenssl(
    ['pkcs12', '-export', ...PBE, '-name', o.friendlyName, '-passout', 'env:PKCS12_PASSWORD'],
    `${o.keyPem}\n${o.certPem}\n${o.chainPem}`,
    { PKCS12_PASSWORD: password },
  );
  return { der, password };
}

function runOpenssl(args: string[], stdin: string, env: Record<string, string>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => reject(new Error('openssl is required to write PKCS#12 bundles.', { cause: e })));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`openssl pkcs12 failed: ${Buffer.concat(err).toString('utf8').split('\n')[0] ?? ''}`));
    });
    child.stdin.end(stdin);
  });
}
