import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  inclusionProof,
  isValidSubtree,
  planAppend,
  storedHashCount,
  storedHashIndex,
  storedHashNode,
  subtreeConsistencyProof,
  subtreeHash,
  subtreeInclusionProof,
  treeHash,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from '../../src/core/ledger/index.js';
import { createMemoryLog, hasher, leafOf, referenceRoot } from './memory-log.js';
import type { MemoryLog } from './memory-log.js';

const MAX = 300;

/** A log of MAX leaves appended in batches of varying size, as ingest transactions would. */
function buildLog(batches: number[]): MemoryLog {
  const log = createMemoryLog();
  let next = 0;
  for (const b of batches) {
    const n = Math.min(b, MAX - next);
    log.append(Array.from({ length: n }, (_, i) => leafOf(`leaf ${next + i}`)));
    next += n;
    if (next === MAX) break;
  }
  if (next < MAX)
    log.append(Array.from({ length: MAX - next }, (_, i) => leafOf(`leaf ${next + i}`)));
  return log;
}

const log = buildLog([1, 2, 3, 5, 8, 13, 21, 34, 55, 89]);

/** Copies of `proof` with one byte of one hash changed, for every hash. */
function tamperedCopies(proof: Uint8Array[], byte: number, mask: number): Uint8Array[][] {
  return proof.map((_, i) =>
    proof.map((h, j) => {
      if (j !== i) return h;
      const c = h.slice();
      c[byte % c.length] = (c[byte % c.length] as number) ^ mask;
      return c;
    }),
  );
}

const sizeAndIndex = fc
  .integer({ min: 1, max: MAX })
  .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));
const twoSizes = fc
  .integer({ min: 1, max: MAX })
  .chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n)));
/** A non-empty valid subtree [start, end) and a tree size ≥ end. */
const subtreeInTree = fc
  .tuple(
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0, max: MAX }),
    fc.integer({ min: 1, max: 256 }),
  )
  .map(([level, at, len]) => {
    const width = Math.min(len, 2 ** level);
    const start = Math.floor(at / 2 ** level) * 2 ** level;
    return [start, start + width] as const;
  })
  .filter(([start, end]) => end <= MAX && isValidSubtree(start, end))
  .chain(([start, end]) =>
    fc.tuple(fc.constant(start), fc.constant(end), fc.integer({ min: end, max: MAX })),
  );
const byteFlip = fc.tuple(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 1, max: 255 }));

describe('stored hashes', () => {
  it('give the same tree whatever the batches the leaves were appended in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
        (batches) => {
          expect(buildLog(batches).stored).toEqual(log.stored);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('store 2n − popcount(n) hashes, each index naming one node', () => {
    expect(log.stored.length).toBe(storedHashCount(MAX));
    for (let s = 0; s < log.stored.length; s++) {
      const { level, index } = storedHashNode(s);
      expect(storedHashIndex(level, index)).toBe(s);
      const lo = index * 2 ** level;
      expect(log.stored[s]).toEqual(referenceRoot(log.leafHashes, lo, lo + 2 ** level));
    }
  });

  it('read older hashes once per batch', () => {
    const plan = planAppend(hasher, 7, [leafOf('a'), leafOf('b'), leafOf('c')]);
    // Leaf 7 merges with leaf 6, node (1,2) and node (2,0); leaves 8 and 9 need only leaf 8.
    expect(plan.indexes).toEqual([
      storedHashIndex(0, 6),
      storedHashIndex(1, 2),
      storedHashIndex(2, 0),
    ]);
  });

  it('index nodes beyond 2^32 leaves exactly', () => {
    const n = 2 ** 40 + 12345;
    expect(storedHashCount(n)).toBe(2 * n - 7);
    const s = storedHashIndex(5, Math.floor(n / 32));
    expect(storedHashNode(s)).toEqual({ level: 5, index: Math.floor(n / 32) });
  });
});

describe('proofs from stored hashes', () => {
  it('tree hash equals the recursive MTH of the leaves', () => {
    for (let size = 0; size <= MAX; size++) {
      expect(treeHash(hasher, size, log.read)).toEqual(
        referenceRoot(log.leafHashes.slice(0, size)),
      );
    }
  });

  it('inclusion proofs verify against the recomputed root; any changed byte fails', () => {
    fc.assert(
      fc.property(sizeAndIndex, byteFlip, ([size, index], [byte, mask]) => {
        const root = referenceRoot(log.leafHashes.slice(0, size));
        const leaf = log.leafHashes[index] as Uint8Array;
        const reads = log.reads;
        const proof = inclusionProof(hasher, index, size, log.read);
        expect(log.reads - reads).toBeLessThanOrEqual(1);
        expect(verifyInclusion(hasher, leaf, index, size, proof, root)).toEqual({ ok: true });
        for (const bad of tamperedCopies(proof, byte, mask)) {
          expect(verifyInclusion(hasher, leaf, index, size, bad, root).ok).toBe(false);
        }
        if (size > 1) {
          const other = (index + 1) % size;
          expect(verifyInclusion(hasher, leaf, other, size, proof, root).ok).toBe(false);
        }
        if (proof.length > 0) {
          expect(verifyInclusion(hasher, leaf, index, size, proof.slice(1), root).ok).toBe(false);
        }
        expect(verifyInclusion(hasher, leaf, index, size, [...proof, leaf], root).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('consistency proofs verify against the recomputed roots; any changed byte fails', () => {
    fc.assert(
      fc.property(twoSizes, byteFlip, ([m, n], [byte, mask]) => {
        const oldRoot = referenceRoot(log.leafHashes.slice(0, m));
        const newRoot = referenceRoot(log.leafHashes.slice(0, n));
        const proof = consistencyProof(hasher, m, n, log.read);
        expect(verifyConsistency(hasher, m, n, proof, oldRoot, newRoot)).toEqual({ ok: true });
        // RFC 9162 PROOF(m, D_n) is the subtree consistency proof of [0, m).
        expect(subtreeConsistencyProof(hasher, 0, m, n, log.read)).toEqual(proof);
        expect(verifySubtreeConsistency(hasher, 0, m, n, proof, oldRoot, newRoot)).toEqual({
          ok: true,
        });
        for (const bad of tamperedCopies(proof, byte, mask)) {
          expect(verifyConsistency(hasher, m, n, bad, oldRoot, newRoot).ok).toBe(false);
          expect(verifySubtreeConsistency(hasher, 0, m, n, bad, oldRoot, newRoot).ok).toBe(false);
        }
        if (m < n) {
          const wrongOld = referenceRoot(log.leafHashes.slice(0, m - 1));
          expect(verifyConsistency(hasher, m, n, proof, wrongOld, newRoot).ok).toBe(false);
          expect(verifyConsistency(hasher, m, n, proof.slice(0, -1), oldRoot, newRoot).ok).toBe(
            false,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('subtree proofs verify against the recomputed subtree and root; any changed byte fails', () => {
    fc.assert(
      fc.property(subtreeInTree, byteFlip, fc.nat(), ([start, end, size], [byte, mask], pick) => {
        const sub = referenceRoot(log.leafHashes, start, end);
        const root = referenceRoot(log.leafHashes.slice(0, size));
        expect(subtreeHash(hasher, start, end, log.read)).toEqual(sub);
        const index = start + (pick % (end - start));
        const leaf = log.leafHashes[index] as Uint8Array;
        const incl = subtreeInclusionProof(hasher, index, start, end, log.read);
        expect(verifySubtreeInclusion(hasher, leaf, index, start, end, incl, sub)).toEqual({
          ok: true,
        });
        const cons = subtreeConsistencyProof(hasher, start, end, size, log.read);
        expect(verifySubtreeConsistency(hasher, start, end, size, cons, sub, root)).toEqual({
          ok: true,
        });
        for (const bad of tamperedCopies(incl, byte, mask)) {
          expect(verifySubtreeInclusion(hasher, leaf, index, start, end, bad, sub).ok).toBe(false);
        }
        for (const bad of tamperedCopies(cons, byte, mask)) {
          expect(verifySubtreeConsistency(hasher, start, end, size, bad, sub, root).ok).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('name the failed step', () => {
    const root = referenceRoot(log.leafHashes.slice(0, 10));
    const proof = inclusionProof(hasher, 3, 10, log.read);
    const bad = verifyInclusion(hasher, log.leafHashes[4] as Uint8Array, 3, 10, proof, root);
    expect(bad).toMatchObject({
      ok: false,
      code: 'ROOT_MISMATCH',
      step: 'RFC 9162 §2.1.3.2 step 5',
    });
    const long = verifyInclusion(
      hasher,
      log.leafHashes[3] as Uint8Array,
      3,
      10,
      [...proof, root],
      root,
    );
    expect(long).toMatchObject({
      ok: false,
      code: 'PROOF_TOO_LONG',
      step: 'RFC 9162 §2.1.3.2 step 4a',
    });
    const cons = consistencyProof(hasher, 6, 10, log.read);
    const old = referenceRoot(log.leafHashes.slice(0, 6));
    expect(verifyConsistency(hasher, 6, 10, cons, old, old)).toMatchObject({
      ok: false,
      code: 'NEW_ROOT_MISMATCH',
      step: 'RFC 9162 §2.1.4.2 step 7',
    });
    expect(verifyConsistency(hasher, 10, 6, [], root, old)).toMatchObject({
      code: 'SIZE_DECREASED',
    });
  });

  it('reject arguments outside the tree instead of proving them', () => {
    expect(() => inclusionProof(hasher, 5, 5, log.read)).toThrow(RangeError);
    expect(() => consistencyProof(hasher, 0, 5, log.read)).toThrow(RangeError);
    expect(() => consistencyProof(hasher, 6, 5, log.read)).toThrow(RangeError);
    expect(() => subtreeInclusionProof(hasher, 1, 1, 3, log.read)).toThrow(RangeError);
    expect(consistencyProof(hasher, 5, 5, log.read)).toEqual([]);
  });
});
