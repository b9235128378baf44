import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// ANSSI accepts ECDSA P-256 with SHA-256; node's WebCrypto is passed explicitly rather than
// installed as x509's global provider.
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
export const provider = webcrypto;

/** A fresh ECDSA P-256 key pair, extractable so the private key can be written out as PKCS#8. */
export function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
}

export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** JSON form, so a name containing `,` or `=` cannot inject attributes. */
export function distinguishedName(commonName: string): x509.JsonName {
  return [{ CN: [commonName] }];
}
