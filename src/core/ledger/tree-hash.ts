import { isSafeCount } from './bits.js';
import { runHashPlan } from './hash-plan.js';
import type { HashPlan, HashReader } from './hash-plan.js';
import type { MerkleHasher } from './merkle-hasher.js';
import { MAX_LOG_SIZE } from './stored-hashes.js';
import { checkSubtree, planSubtreeHashes } from './subtree.js';

/** Plans MTH(D[0:size]), the root hash of the log at `size` leaves (RFC 9162 §2.1.1). */
export function planTreeHash(hasher: MerkleHasher, size: number): HashPlan<Uint8Array> {
  if (!isSafeCount(size) || size > MAX_LOG_SIZE) {
    throw new RangeError(`size must be an integer in 0..2^52, got ${size}`);
  }
  if (size === 0) return { indexes: [], finish: () => hasher.emptyRoot };
  return planSubtreeHash(hasher, 0, size);
}

/** The root hash of the log at `size` leaves, from stored hashes. */
export function treeHash(hasher: MerkleHasher, size: number, read: HashReader): Uint8Array {
  return runHashPlan(planTreeHash(hasher, size), read);
}

/** Plans MTH(D[start:end]) of a non-empty subtree (see `isValidSubtree`). */
export function planSubtreeHash(
  hasher: MerkleHasher,
  start: number,
  end: number,
): HashPlan<Uint8Array> {
  checkSubtree(start, end);
  const plan = planSubtreeHashes(hasher, [[start, end]]);
  return { indexes: plan.indexes, finish: (hashes) => plan.finish(hashes)[0] as Uint8Array };
}

/** MTH(D[start:end]) of a non-empty subtree, from stored hashes. */
export function subtreeHash(
  hasher: MerkleHasher,
  start: number,
  end: number,
  read: HashReader,
): Uint8Array {
  return runHashPlan(planSubtreeHash(hasher, start, end), read);
}
