import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateFingerprint, createDevCa, mergeCaBundles } from '../../gateway/src/pki/index.js';

let cas: string[];
beforeAll(async () => {
  cas = await Promise.all([0, 1, 2].map(async () => (await createDevCa()).certPem));
});

const fingerprints = (bundle: string) => (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(certificateFingerprint);

describe('merging CA bundles for the intake listener', () => {
  it('keeps every certificate once, in first-seen order, whatever the repeats and the text around them', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.string({ unit: 'grapheme-ascii' })), { maxLength: 5 }), { maxLength: 4 }), (bundles) => {
        const texts = bundles.map((parts) => parts.map(([i, noise]) => `${noise.replaceAll('-', '')}\n${cas[i]}`).join(''));
        const order = [...new Set(bundles.flat().map(([i]) => certificateFingerprint(cas[i] as string)))];
        expect(fingerprints(mergeCaBundles(...texts))).toEqual(order);
      }),
      { numRuns: 200 },
    );
  });

  it('is empty for bundles without a certificate (an external CA trusts nothing of its own)', () => {
    expect(mergeCaBundles('', 'no certificate here')).toBe('');
  });
});
