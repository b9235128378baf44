import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealDocument } from '../../gateway/src/crypto/index.js';

describe('sealing the same document twice under one data key', () => {
  it('draws a fresh nonce every time (GCM is broken by a repeated nonce)', () => {
    const dataKey = randomBytes(32);
    const binding = { resultId: 'r', pharmacyId: 'p', keyId: 'k' };
    const seals = 10_000;

    // Layout: version (1 byte), then the 96-bit nonce.
    const nonces = new Set(
      Array.from({ length: seals }, () => sealDocument({ same: true }, binding, dataKey).subarray(1, 13).toString('hex')),
    );

    expect(nonces.size).toBe(seals);
  });
});
