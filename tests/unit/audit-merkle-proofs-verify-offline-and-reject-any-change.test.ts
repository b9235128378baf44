import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from '../../gateway/src/audit/index.js';

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

describe('RFC 6962 Merkle trees over audit batches', () => {
  it('hash leaves and nodes with distinct prefixes, and split at the largest power of two', () => {
    const [a, b, c] = leavesOf(3) as [Buffer, Buffer, Buffer];
    expect(leafHash(Buffer.from('x'))).toEqual(sha(Buffer.from([0]), Buffer.from('x')));
    expect(merkleRoot([])).toEqual(sha());
    expect(merkleRoot([a])).toEqual(a);
    // MTH(a,b,c) = H(1 ‖ H(1 ‖ a ‖ b) ‖ c): the left subtree takes 2 leaves, the right 1
    expect(merkleRoot([a, b, c])).toEqual(sha(Buffer.from([1]), sha(Buffer.from([1]), a, b), c));
  });

  it('give every leaf of every tree size a proof that verifies against the root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.nat({ max: n - 1 }))), ([n, i]) => {
        const leaves = leavesOf(n);
        const root = merkleRoot(leaves);
        expect(verifyInclusion(leaves[i] as Buffer, i, n, inclusionProof(leaves, i), root)).toBe(true);
      }),
    );
  });

  it('reject a proof once any of leaf, index, path or root changes (the size is bound by the signed checkpoint)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 200 }).chain((n) => fc.tuple(fc.constant(n), fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 }), fc.nat({ max: 255 }))),
        ([n, i, j, bit]) => {
          const leaves = leavesOf(n);
          const root = merkleRoot(leaves);
          const proof = inclusionProof(leaves, i);
          const leaf = leaves[i] as Buffer;
          const flipped = (b: Buffer) => {
            const c = Buffer.from(b);
            c[bit % 32] = (c[bit % 32] as number) ^ (1 << bit % 8);
            return c;
          };
          expect(verifyInclusion(flipped(leaf), i, n, proof, root)).toBe(false);
          expect(verifyInclusion(leaf, i, n, proof, flipped(root))).toBe(false);
          if (j !== i) expect(verifyInclusion(leaf, j, n, proof, root)).toBe(false);
          if (proof.length > 0) {
            const k = bit % proof.length;
            expect(verifyInclusion(leaf, i, n, proof.map((p, x) => (x === k ? flipped(p) : p)), root)).toBe(false);
            expect(verifyInclusion(leaf, i, n, proof.slice(0, -1), root)).toBe(false);
          }
        },
      ),
    );
  });
});
