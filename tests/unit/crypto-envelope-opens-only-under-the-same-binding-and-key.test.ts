import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDocument, sealDocument, type EnvelopeBinding } from '../../gateway/src/crypto/index.js';
import { DecryptionFailed } from '../../gateway/src/errors.js';

const document = { patient: { nir: '180017512345649', familyName: 'Dupont' }, result: '260373001' };
const binding: EnvelopeBinding = { resultId: randomUUID(), pharmacyId: randomUUID(), keyId: randomUUID() };
const dataKey = randomBytes(32);

describe('a sealed document', () => {
  it('opens to the same document with the same binding and key', () => {
    expect(openDocument(sealDocument(document, binding, dataKey), binding, dataKey)).toEqual(document);
  });

  it('does not contain its plaintext', () => {
    expect(sealDocument(document, binding, dataKey).toString('latin1')).not.toContain('Dupont');
  });

  it.each([
    ['another result', { ...binding, resultId: randomUUID() }],
    ['another pharmacy', { ...binding, pharmacyId: randomUUID() }],
    ['another data key id', { ...binding, keyId: randomUUID() }],
  ])('does not open when copied to %s', (_, moved) => {
    const sealed = sealDocument(document, binding, dataKey);
    expect(() => openDocument(sealed, moved, dataKey)).toThrow(DecryptionFailed);
  });

  it('does not open when the ids are shifted between binding fields', () => {
    const shifted = { resultId: 'a', pharmacyId: 'b,c', keyId: 'd' };
    const sealed = sealDocument(document, { resultId: 'a,b', pharmacyId: 'c', keyId: 'd' }, dataKey);
    expect(() => openDocument(sealed, shifted, dataKey)).toThrow(DecryptionFailed);
  });

  it('does not open under another data key, nor under a key of the wrong length', () => {
    const sealed = sealDocument(document, binding, dataKey);
    expect(() => openDocument(sealed, binding, randomBytes(32))).toThrow(DecryptionFailed);
    expect(() => openDocument(sealed, binding, randomBytes(16))).toThrow(DecryptionFailed);
  });

  it('fails with one fixed message, whatever went wrong', () => {
    const sealed = sealDocument(document, binding, dataKey);
    const messages = new Set(
      [
        () => openDocument(sealed, { ...binding, keyId: 'x' }, dataKey),
        () => openDocument(sealed.subarray(0, 10), binding, dataKey),
        () => openDocument(Buffer.alloc(0), binding, dataKey),
      ].map((open) => {
        try {
          open();
        } catch (error) {
          return (error as Error).message;
        }
        return 'opened';
      }),
    );
    expect([...messages]).toEqual([new DecryptionFailed().message]);
  });
});
