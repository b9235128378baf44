import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createBlindIndex } from '../../gateway/src/crypto/index.js';

const NIR = '180017512345649';
const PHARMACY = '0a6c1f5e-3b2d-4c8e-9f10-2a3b4c5d6e7f';

describe('blind indexes', () => {
  it('are deterministic: the same value under the same key gives the same index', () => {
    const key = randomBytes(32);
    expect(createBlindIndex(key).nir(PHARMACY, NIR)).toBe(createBlindIndex(Buffer.from(key)).nir(PHARMACY, NIR));
  });

  it('are pinned: a change of derivation would orphan every stored index', () => {
    const index = createBlindIndex(Buffer.alloc(32, 0x42));
    expect(index.nir(PHARMACY, NIR)).toBe(PINNED.pharmacyNir);
    expect(index.chainNir(NIR)).toBe(PINNED.chainNir);
    expect(index.fingerprint('{"a":1}')).toBe(PINNED.fingerprint);
    expect(index.externalRef('ORDER-42')).toBe(PINNED.externalRef);
  });

  it('differ between purposes for the same string', () => {
    const index = createBlindIndex(randomBytes(32));
    const same = NIR;
    expect(new Set([index.chainNir(same), index.fingerprint(same), index.externalRef(same)]).size).toBe(3);
  });

  it('differ between keys', () => {
    expect(createBlindIndex(randomBytes(32)).nir(PHARMACY, NIR)).not.toBe(createBlindIndex(randomBytes(32)).nir(PHARMACY, NIR));
  });

  it('are 256-bit hex and do not contain the value', () => {
    const value = createBlindIndex(randomBytes(32)).nir(PHARMACY, NIR);
    expect(value).toMatch(/^[0-9a-f]{64}$/);
    expect(value).not.toContain(NIR);
  });

  it('refuse a key shorter than 256 bits', () => {
    expect(() => createBlindIndex(randomBytes(16))).toThrow(RangeError);
  });
});

// HMAC-SHA256(HMAC-SHA256(key, 'sidep-gateway/blind-index/<v1/purpose | v2/pharmacy-nir>'), value),
// computed apart; the per-pharmacy NIR's value is '<pharmacy uuid>:<NIR>'.
const PINNED = {
  pharmacyNir: '3d9ad67508f48c1a294bda60b97ab8981e6c953c2acdd97955099bf42ce6d052',
  chainNir: 'd04554b1f44a1bc9698c7fb8085f1152d5d55cb21a5393d40aa9fac92b6d694c',
  fingerprint: '36f7babb54d219e1debef8e6c88ba743d69b7b915cb0b6d11c4c2b6bc930c879',
  externalRef: '215a6cda72f050a5f35e4e08c20d267b40d84d66eda66d9befeba23f459b9034',
};
