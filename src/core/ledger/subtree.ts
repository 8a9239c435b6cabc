import { bitCeil, bitLength, isSafeCount, shr, trailingZeros } from './bits.js';
import { checkReadHashes } from './hash-plan.js';
import type { HashPlan } from './hash-plan.js';
import type { MerkleHasher } from './merkle-hasher.js';
import { MAX_LOG_SIZE, storedHashIndex } from './stored-hashes.js';

/**
 * Whether the leaves [start, end) form a subtree in the sense of
 * draft-ietf-plants-merkle-tree-certs §4.1: start ≤ end and start is a multiple of the
 * smallest power of two ≥ end − start. Such a range is a node of the tree, or the left part
 * of one along the right edge, so its hash MTH(D[start:end]) is well defined and provable. The
 * empty range is a (trivial) subtree.
 */
export function isValidSubtree(start: number, end: number): boolean {
  if (!isSafeCount(start) || !isSafeCount(end) || start > end) return false;
  return start % bitCeil(end - start) === 0;
}

/** Throws a RangeError unless [start, end) is a non-empty subtree inside the supported size. */
export function checkSubtree(start: number, end: number): void {
  if (!isValidSubtree(start, end) || start === end || end > MAX_LOG_SIZE) {
    throw new RangeError(`[${start}, ${end}) is not a non-empty subtree`);
  }
}

/**
 * The storage indexes of the complete subtrees that make up the subtree [lo, hi), left to
 * right: the binary decomposition of hi − lo, largest first.
 */
export function subtreeStorageIndexes(lo: number, hi: number): number[] {
  const out: number[] = [];
  let at = lo;
  while (at < hi) {
    const fits = bitLength(hi - at) - 1;
    const level = at === 0 ? fits : Math.min(fits, trailingZeros(at));
    out.push(storedHashIndex(level, shr(at, level)));
    at += 2 ** level;
  }
  return out;
}

/** MTH of a subtree from the hashes of its complete subtrees, left to right (RFC 9162 §2.1.1). */
export function foldSubtree(hasher: MerkleHasher, parts: readonly Uint8Array[]): Uint8Array {
  let h = parts[parts.length - 1] as Uint8Array;
  for (let i = parts.length - 2; i >= 0; i--) h = hasher.hashChildren(parts[i] as Uint8Array, h);
  return h;
}

/** Plans MTH of each of the given subtrees, returned in the same order. */
export function planSubtreeHashes(
  hasher: MerkleHasher,
  ranges: readonly (readonly [number, number])[],
): HashPlan<Uint8Array[]> {
  const groups = ranges.map(([lo, hi]) => subtreeStorageIndexes(lo, hi));
  const indexes = groups.flat();
  return {
    indexes,
    finish(hashes) {
      checkReadHashes(indexes, hashes);
      let at = 0;
      return groups.map((g) => {
        const parts = hashes.slice(at, at + g.length);
        at += g.length;
        return foldSubtree(hasher, parts);
      });
    },
  };
}
