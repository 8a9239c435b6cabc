import { isSafeCount, largestPowerOfTwoBelow } from './bits.js';
import { runHashPlan } from './hash-plan.js';
import type { HashPlan, HashReader } from './hash-plan.js';
import type { MerkleHasher } from './merkle-hasher.js';
import { MAX_LOG_SIZE } from './stored-hashes.js';
import { checkSubtree, isValidSubtree, planSubtreeHashes } from './subtree.js';

type Range = readonly [number, number];

function checkCount(name: string, n: number): void {
  if (!isSafeCount(n) || n > MAX_LOG_SIZE) {
    throw new RangeError(`${name} must be an integer in 0..2^52, got ${n}`);
  }
}

/**
 * The subtrees whose hashes make PATH(index, D[lo:hi]), leaf side first (RFC 9162 §2.1.3.1):
 * at each level the sibling of the half that holds the leaf.
 */
function inclusionRanges(index: number, lo: number, hi: number): Range[] {
  const topDown: Range[] = [];
  while (hi - lo > 1) {
    const mid = lo + largestPowerOfTwoBelow(hi - lo);
    if (index < mid) {
      topDown.push([mid, hi]);
      hi = mid;
    } else {
      topDown.push([lo, mid]);
      lo = mid;
    }
  }
  return topDown.reverse();
}

/**
 * The subtrees whose hashes make the subtree consistency proof of [start, end) in D[lo:hi],
 * leaf side first. With start = 0 this is RFC 9162 §2.1.4.1 SUBPROOF(end, D[0:hi], true); in
 * general it is SUBTREE_SUBPROOF of draft-ietf-plants-merkle-tree-certs §4.4.1.
 */
function consistencyRanges(start: number, end: number, lo: number, hi: number): Range[] {
  const topDown: Range[] = [];
  let known = true;
  while (start !== lo || end !== hi) {
    const mid = lo + largestPowerOfTwoBelow(hi - lo);
    if (end <= mid) {
      topDown.push([mid, hi]);
      hi = mid;
    } else if (start >= mid) {
      topDown.push([lo, mid]);
      lo = mid;
    } else {
      // The left half lies inside the subtree; the rest of the subtree is the right half's
      // left part, whose hash the verifier does not know (RFC 9162: b = false).
      topDown.push([lo, mid]);
      lo = mid;
      start = mid;
      known = false;
    }
  }
  if (!known) topDown.push([lo, hi]);
  return topDown.reverse();
}

/** Plans the inclusion proof of leaf `index` in the log at `size` leaves (RFC 9162 §2.1.3.1). */
export function planInclusionProof(
  hasher: MerkleHasher,
  index: number,
  size: number,
): HashPlan<Uint8Array[]> {
  checkCount('size', size);
  if (!isSafeCount(index) || index >= size) {
    throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  }
  return planSubtreeHashes(hasher, inclusionRanges(index, 0, size));
}

/** The inclusion proof of leaf `index` in the log at `size` leaves, from stored hashes. */
export function inclusionProof(
  hasher: MerkleHasher,
  index: number,
  size: number,
  read: HashReader,
): Uint8Array[] {
  return runHashPlan(planInclusionProof(hasher, index, size), read);
}

/**
 * Plans the consistency proof from the log at `oldSize` leaves to the log at `newSize`
 * (RFC 9162 §2.1.4.1), for 0 < oldSize ≤ newSize. Equal sizes give the empty proof.
 */
export function planConsistencyProof(
  hasher: MerkleHasher,
  oldSize: number,
  newSize: number,
): HashPlan<Uint8Array[]> {
  checkCount('newSize', newSize);
  if (!isSafeCount(oldSize) || oldSize === 0 || oldSize > newSize) {
    throw new RangeError(`no consistency proof from size ${oldSize} to size ${newSize}`);
  }
  return planSubtreeHashes(hasher, consistencyRanges(0, oldSize, 0, newSize));
}

/** The consistency proof from `oldSize` to `newSize`, from stored hashes. */
export function consistencyProof(
  hasher: MerkleHasher,
  oldSize: number,
  newSize: number,
  read: HashReader,
): Uint8Array[] {
  return runHashPlan(planConsistencyProof(hasher, oldSize, newSize), read);
}

/**
 * Plans the subtree inclusion proof of leaf `index` in the subtree [start, end)
 * (draft-ietf-plants-merkle-tree-certs §4.3): PATH(index − start, D[start:end]).
 */
export function planSubtreeInclusionProof(
  hasher: MerkleHasher,
  index: number,
  start: number,
  end: number,
): HashPlan<Uint8Array[]> {
  checkSubtree(start, end);
  if (!isSafeCount(index) || index < start || index >= end) {
    throw new RangeError(`leaf index ${index} is not in the subtree [${start}, ${end})`);
  }
  return planSubtreeHashes(hasher, inclusionRanges(index, start, end));
}

/** The subtree inclusion proof of leaf `index` in [start, end), from stored hashes. */
export function subtreeInclusionProof(
  hasher: MerkleHasher,
  index: number,
  start: number,
  end: number,
  read: HashReader,
): Uint8Array[] {
  return runHashPlan(planSubtreeInclusionProof(hasher, index, start, end), read);
}

/**
 * Plans the subtree consistency proof of [start, end) in the log at `size` leaves
 * (draft-ietf-plants-merkle-tree-certs §4.4.1). The empty subtree has the empty proof.
 */
export function planSubtreeConsistencyProof(
  hasher: MerkleHasher,
  start: number,
  end: number,
  size: number,
): HashPlan<Uint8Array[]> {
  checkCount('size', size);
  if (!isValidSubtree(start, end) || end > size) {
    throw new RangeError(`[${start}, ${end}) is not a subtree of a tree of size ${size}`);
  }
  if (start === end) return { indexes: [], finish: () => [] };
  return planSubtreeHashes(hasher, consistencyRanges(start, end, 0, size));
}

/** The subtree consistency proof of [start, end) in the log at `size` leaves. */
export function subtreeConsistencyProof(
  hasher: MerkleHasher,
  start: number,
  end: number,
  size: number,
  read: HashReader,
): Uint8Array[] {
  return runHashPlan(planSubtreeConsistencyProof(hasher, start, end, size), read);
}
