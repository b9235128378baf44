import { createHash } from 'node:crypto';

/**
 * RFC 9562 §5.5 name-based UUID (version 5, SHA-1): the same namespace and name always give
 * the same UUID, which keeps a rebuilt FHIR message byte-identical to the first.
 *
 * @example
 * nameBasedUuid('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://example.org/'); // stable
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
