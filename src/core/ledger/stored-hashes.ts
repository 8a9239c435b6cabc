import { isSafeCount, popCount, shr, trailingOnes } from './bits.js';
import { checkReadHashes, runHashPlan } from './hash-plan.js';
import type { HashPlan, HashReader } from './hash-plan.js';
import { HASH_SIZE } from './merkle-hasher.js';
import type { MerkleHasher } from './merkle-hasher.js';

/**
 * The largest number of leaves the stored-hash layout supports: 2^52, so that every storage
 * index (below 2 × 2^52) is an exact JavaScript number.
 */
export const MAX_LOG_SIZE = 2 ** 52;

/** One hash to store: where (`index`) and what (`hash`). */
export interface StoredHash {
  /** Storage index, see `storedHashIndex`. */
  index: number;
  /** The 32-byte hash. */
  hash: Uint8Array;
}

/** A node of the tree: node (level, i) covers leaves i·2^level to (i+1)·2^level − 1. */
export interface TreeNode {
  /** Height above the leaves. */
  level: number;
  /** Position among the nodes of its level, from 0 on the left. */
  index: number;
}

function checkSize(name: string, n: number): void {
  if (!isSafeCount(n) || n > MAX_LOG_SIZE) {
    throw new RangeError(`${name} must be an integer in 0..2^52, got ${n}`);
  }
}

/**
 * How many hashes are stored for a log of `size` leaves: every leaf hash and every complete
 * subtree hash, 2·size − popcount(size). The hashes of the next leaf go at this index onwards.
 */
export function storedHashCount(size: number): number {
  checkSize('size', size);
  return 2 * size - popCount(size);
}

/**
 * The storage index of the hash of complete subtree (level, index). Hashes are stored in the
 * order they become known, like Go's golang.org/x/mod/sumdb/tlog: appending leaf m stores its
 * leaf hash and then, level by level, the hash of each complete subtree that leaf m ends. So
 * the node ending at leaf m = (index+1)·2^level − 1 sits `level` places after the first hash
 * stored for leaf m. The layout is append-only: an index, once written, never changes.
 */
export function storedHashIndex(level: number, index: number): number {
  const lastLeaf = (index + 1) * 2 ** level - 1;
  checkSize('node', lastLeaf + 1);
  return storedHashCount(lastLeaf) + level;
}

/** The node whose hash is stored at `storageIndex`: the inverse of `storedHashIndex`. */
export function storedHashNode(storageIndex: number): TreeNode {
  if (!isSafeCount(storageIndex) || storageIndex >= 2 * MAX_LOG_SIZE) {
    throw new RangeError(`storage index out of range: ${storageIndex}`);
  }
  // storedHashCount(m) is 2m − popcount(m), so the leaf m is within 53 of storageIndex / 2.
  let m = Math.floor(storageIndex / 2);
  while (storedHashCount(m) > storageIndex) m--;
  while (m < MAX_LOG_SIZE && storedHashCount(m + 1) <= storageIndex) m++;
  const level = storageIndex - storedHashCount(m);
  return { level, index: shr(m + 1, level) - 1 };
}

/**
 * Plans the append of `leafHashes` to a log of `size` leaves: the result lists every new
 * stored hash (leaf hashes and completed subtree hashes) with its storage index, in index
 * order from `storedHashCount(size)`. The plan reads only hashes stored before `size`; hashes
 * made earlier in the same batch come from the batch itself, so one transaction can append
 * many leaves with one read.
 */
export function planAppend(
  hasher: MerkleHasher,
  size: number,
  leafHashes: readonly Uint8Array[],
): HashPlan<StoredHash[]> {
  checkSize('size', size);
  checkSize('new size', size + leafHashes.length);
  leafHashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) throw new RangeError(`leaf hash ${i} is not ${HASH_SIZE} bytes`);
  });
  const base = storedHashCount(size);
  const indexes: number[] = [];
  for (let n = size; n < size + leafHashes.length; n++) {
    const merges = trailingOnes(n);
    for (let level = 0; level < merges; level++) {
      // Leaf n completes node (level + 1, n >> (level + 1)); its left child is stored already.
      const left = storedHashIndex(level, shr(n, level) - 1);
      if (left < base) indexes.push(left);
    }
  }
  return {
    indexes,
    finish(hashes) {
      checkReadHashes(indexes, hashes);
      const out: StoredHash[] = [];
      const pending: Uint8Array[] = [];
      let read = 0;
      for (let i = 0; i < leafHashes.length; i++) {
        const n = size + i;
        let h = leafHashes[i] as Uint8Array;
        out.push({ index: base + pending.length, hash: h });
        pending.push(h);
        const merges = trailingOnes(n);
        for (let level = 0; level < merges; level++) {
          const left = storedHashIndex(level, shr(n, level) - 1);
          const leftHash = left < base ? hashes[read++] : pending[left - base];
          h = hasher.hashChildren(leftHash as Uint8Array, h);
          out.push({ index: base + pending.length, hash: h });
          pending.push(h);
        }
      }
      return out;
    },
  };
}

/**
 * The hashes to store when `leafHashes` are appended to a log of `size` leaves, reading older
 * hashes through `read`. See `planAppend`.
 */
export function appendHashes(
  hasher: MerkleHasher,
  size: number,
  leafHashes: readonly Uint8Array[],
  read: HashReader,
): StoredHash[] {
  return runHashPlan(planAppend(hasher, size, leafHashes), read);
}
