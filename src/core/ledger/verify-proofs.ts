import { isSafeCount, largestPowerOfTwoBelow, popCount, shr } from './bits.js';
import { bytesEqual, HASH_SIZE } from './merkle-hasher.js';
import type { MerkleHasher } from './merkle-hasher.js';
import { isValidSubtree } from './subtree.js';

/** Why a Merkle proof was rejected. */
export type ProofErrorCode =
  /** A size or index is not an integer in 0..2^53−1. */
  | 'INVALID_ARGUMENT'
  /** The subtree range is not a subtree (draft-ietf-plants-merkle-tree-certs §4.1). */
  | 'INVALID_SUBTREE'
  /** The leaf index is not below the tree size, or not inside the subtree. */
  | 'INDEX_OUT_OF_RANGE'
  /** The old size is larger than the new size, or the subtree ends past the tree. */
  | 'SIZE_DECREASED'
  /** A consistency proof from the empty tree was given; it proves nothing. */
  | 'EMPTY_OLD_TREE'
  /** The proof must be empty for these sizes and is not. */
  | 'PROOF_NOT_EMPTY'
  /** The proof is empty and must not be. */
  | 'EMPTY_PROOF'
  /** A leaf hash, root hash or proof hash is not 32 bytes. */
  | 'BAD_HASH_SIZE'
  /** The proof has more hashes than the tree shape allows. */
  | 'PROOF_TOO_LONG'
  /** The proof has fewer hashes than the tree shape needs. */
  | 'PROOF_TOO_SHORT'
  /** The root computed from the proof is not the expected root. */
  | 'ROOT_MISMATCH'
  /** The old root (or the subtree hash) computed from the proof is not the expected one. */
  | 'OLD_ROOT_MISMATCH'
  /** The new root computed from the proof is not the expected one. */
  | 'NEW_ROOT_MISMATCH';

/**
 * The outcome of verifying a proof. A failure says which step of the algorithm failed
 * (`step`, naming the RFC section and step) and why (`message`, for a person).
 */
export type ProofCheck =
  { ok: true } | { ok: false; code: ProofErrorCode; step: string; message: string };

const OK: ProofCheck = { ok: true };

function fail(code: ProofErrorCode, step: string, message: string): ProofCheck {
  return { ok: false, code, step, message };
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function checkHashSizes(
  step: string,
  named: readonly (readonly [string, Uint8Array])[],
  proof: readonly Uint8Array[],
): ProofCheck {
  for (const [name, h] of named) {
    if (h.length !== HASH_SIZE) {
      return fail('BAD_HASH_SIZE', step, `${name} is ${h.length} bytes, not ${HASH_SIZE}`);
    }
  }
  for (let i = 0; i < proof.length; i++) {
    const h = proof[i] as Uint8Array;
    if (h.length !== HASH_SIZE) {
      return fail('BAD_HASH_SIZE', step, `proof[${i}] is ${h.length} bytes, not ${HASH_SIZE}`);
    }
  }
  return OK;
}

function checkCounts(named: Record<string, number>): ProofCheck {
  for (const [name, n] of Object.entries(named)) {
    if (!isSafeCount(n)) {
      return fail('INVALID_ARGUMENT', 'arguments', `${name} is not an integer in 0..2^53-1: ${n}`);
    }
  }
  return OK;
}

const INCLUSION = 'RFC 9162 §2.1.3.2';

/**
 * Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`,
 * following RFC 9162 §2.1.3.2 step by step. Hashes must be 32 bytes.
 */
export function verifyInclusion(
  hasher: MerkleHasher,
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): ProofCheck {
  const counts = checkCounts({ index, size });
  if (!counts.ok) return counts;
  // Step 1.
  if (index >= size) {
    return fail('INDEX_OUT_OF_RANGE', `${INCLUSION} step 1`, `leaf index ${index} >= size ${size}`);
  }
  const sizes = checkHashSizes(
    `${INCLUSION} (hash sizes)`,
    [
      ['leaf hash', leafHash],
      ['root hash', root],
    ],
    proof,
  );
  if (!sizes.ok) return sizes;
  // Steps 2 and 3.
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  // Step 4.
  for (let i = 0; i < proof.length; i++) {
    const p = proof[i] as Uint8Array;
    if (sn === 0) {
      return fail(
        'PROOF_TOO_LONG',
        `${INCLUSION} step 4a`,
        `proof has ${proof.length} hashes; the path to the root ended after ${i}`,
      );
    }
    if (fn % 2 === 1 || fn === sn) {
      r = hasher.hashChildren(p, r);
      // Only runs when LSB(fn) is not set.
      while (fn % 2 === 0 && fn !== 0) {
        fn = shr(fn, 1);
        sn = shr(sn, 1);
      }
    } else {
      r = hasher.hashChildren(r, p);
    }
    fn = shr(fn, 1);
    sn = shr(sn, 1);
  }
  // Step 5.
  if (sn !== 0) {
    return fail(
      'PROOF_TOO_SHORT',
      `${INCLUSION} step 5`,
      `proof has ${proof.length} hashes; the path to the root needs more`,
    );
  }
  if (!bytesEqual(r, root)) {
    return fail(
      'ROOT_MISMATCH',
      `${INCLUSION} step 5`,
      `computed root ${hex(r)} is not the expected root ${hex(root)}`,
    );
  }
  return OK;
}

const CONSISTENCY = 'RFC 9162 §2.1.4.2';

/**
 * Verifies that the tree of `newSize` leaves with root `newRoot` extends the tree of
 * `oldSize` leaves with root `oldRoot`, following RFC 9162 §2.1.4.2 step by step. RFC 9162
 * defines proofs for 0 < oldSize < newSize; equal sizes need an empty proof and equal roots,
 * and an old size of 0 is rejected as meaningless (as transparency-dev/merkle does).
 */
export function verifyConsistency(
  hasher: MerkleHasher,
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): ProofCheck {
  const counts = checkCounts({ oldSize, newSize });
  if (!counts.ok) return counts;
  if (oldSize > newSize) {
    return fail('SIZE_DECREASED', 'sizes', `old size ${oldSize} > new size ${newSize}`);
  }
  if (oldSize === 0) {
    return fail(
      'EMPTY_OLD_TREE',
      'sizes',
      'a consistency proof from the empty tree is meaningless',
    );
  }
  if (oldSize === newSize) {
    if (proof.length > 0) {
      return fail(
        'PROOF_NOT_EMPTY',
        'equal sizes',
        `sizes are equal but proof has ${proof.length} hashes`,
      );
    }
    if (!bytesEqual(oldRoot, newRoot)) {
      return fail('ROOT_MISMATCH', 'equal sizes', `sizes are equal (${oldSize}) but roots differ`);
    }
    return OK;
  }
  // Step 1.
  if (proof.length === 0) return fail('EMPTY_PROOF', `${CONSISTENCY} step 1`, 'proof is empty');
  const sizes = checkHashSizes(
    `${CONSISTENCY} (hash sizes)`,
    [
      ['old root hash', oldRoot],
      ['new root hash', newRoot],
    ],
    proof,
  );
  if (!sizes.ok) return sizes;
  // Step 2: if oldSize is an exact power of 2, the proof omits the old root; put it back.
  const c = popCount(oldSize) === 1 ? [oldRoot, ...proof] : proof;
  // Step 3.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // Step 4.
  while (fn % 2 === 1) {
    fn = shr(fn, 1);
    sn = shr(sn, 1);
  }
  // Step 5.
  let fr = c[0] as Uint8Array;
  let sr = fr;
  // Step 6.
  for (let i = 1; i < c.length; i++) {
    const ci = c[i] as Uint8Array;
    if (sn === 0) {
      return fail(
        'PROOF_TOO_LONG',
        `${CONSISTENCY} step 6a`,
        `proof has ${proof.length} hashes; the path to the new root ended before hash ${i}`,
      );
    }
    if (fn % 2 === 1 || fn === sn) {
      fr = hasher.hashChildren(ci, fr);
      sr = hasher.hashChildren(ci, sr);
      // Only runs when LSB(fn) is not set.
      while (fn % 2 === 0 && fn !== 0) {
        fn = shr(fn, 1);
        sn = shr(sn, 1);
      }
    } else {
      sr = hasher.hashChildren(sr, ci);
    }
    fn = shr(fn, 1);
    sn = shr(sn, 1);
  }
  // Step 7.
  if (sn !== 0) {
    return fail(
      'PROOF_TOO_SHORT',
      `${CONSISTENCY} step 7`,
      `proof has ${proof.length} hashes; the path to the new root needs more`,
    );
  }
  if (!bytesEqual(fr, oldRoot)) {
    return fail(
      'OLD_ROOT_MISMATCH',
      `${CONSISTENCY} step 7`,
      `computed old root ${hex(fr)} is not the expected old root ${hex(oldRoot)}`,
    );
  }
  if (!bytesEqual(sr, newRoot)) {
    return fail(
      'NEW_ROOT_MISMATCH',
      `${CONSISTENCY} step 7`,
      `computed new root ${hex(sr)} is not the expected new root ${hex(newRoot)}`,
    );
  }
  return OK;
}

/**
 * Verifies that `leafHash` is leaf `index` of the subtree [start, end) whose hash is
 * `subtreeHash` (draft-ietf-plants-merkle-tree-certs §4.3.2): the subtree must be valid and
 * hold the index; the proof is then an RFC 9162 inclusion proof of leaf index − start in a
 * tree of end − start leaves.
 */
export function verifySubtreeInclusion(
  hasher: MerkleHasher,
  leafHash: Uint8Array,
  index: number,
  start: number,
  end: number,
  proof: readonly Uint8Array[],
  subtreeHash: Uint8Array,
): ProofCheck {
  const counts = checkCounts({ index, start, end });
  if (!counts.ok) return counts;
  if (!isValidSubtree(start, end)) {
    return fail('INVALID_SUBTREE', 'subtree', `[${start}, ${end}) is not a valid subtree`);
  }
  if (index < start || index >= end) {
    return fail('INDEX_OUT_OF_RANGE', 'subtree', `leaf ${index} is not in [${start}, ${end})`);
  }
  const check = verifyInclusion(hasher, leafHash, index - start, end - start, proof, subtreeHash);
  if (check.ok) return check;
  return { ...check, message: `${check.message} (in subtree [${start}, ${end}))` };
}

/** How the path from the root to a subtree goes down one level, as seen in the proof. */
type Descent =
  /** The subtree is in the left half; the proof holds the right half's hash. */
  | 'left'
  /** The subtree is in the right half; the proof holds the left half's hash. */
  | 'right'
  /** The left half is part of the subtree; the proof holds the left half's hash. */
  | 'split';

const SUBTREE_CONSISTENCY = 'draft-ietf-plants-merkle-tree-certs §4.4.3';

/**
 * Verifies that the subtree [start, end) with hash `subtreeHash` is part of the tree of
 * `size` leaves with root `root` (draft-ietf-plants-merkle-tree-certs §4.4.3). With start = 0
 * this is a consistency proof from size `end`. The empty subtree needs the empty proof and
 * the empty-tree hash, and says nothing about `root`.
 *
 * The proof is checked by walking the tree shape from the root down to the subtree, as
 * SUBTREE_SUBPROOF (§4.4.1) builds it, and then hashing back up: the hash of the whole tree
 * takes every proof hash, the hash of the subtree only those inside it.
 */
export function verifySubtreeConsistency(
  hasher: MerkleHasher,
  start: number,
  end: number,
  size: number,
  proof: readonly Uint8Array[],
  subtreeHash: Uint8Array,
  root: Uint8Array,
): ProofCheck {
  const counts = checkCounts({ start, end, size });
  if (!counts.ok) return counts;
  if (!isValidSubtree(start, end)) {
    return fail('INVALID_SUBTREE', 'subtree', `[${start}, ${end}) is not a valid subtree`);
  }
  if (end > size) {
    return fail('SIZE_DECREASED', 'subtree', `subtree [${start}, ${end}) ends past size ${size}`);
  }
  if (start === end) {
    if (proof.length > 0) {
      return fail('PROOF_NOT_EMPTY', 'empty subtree', `the empty subtree needs an empty proof`);
    }
    if (!bytesEqual(subtreeHash, hasher.emptyRoot)) {
      return fail('OLD_ROOT_MISMATCH', 'empty subtree', 'hash of the empty subtree is not MTH({})');
    }
    return OK;
  }
  if (start === 0 && end === size) {
    if (proof.length > 0) {
      return fail(
        'PROOF_NOT_EMPTY',
        'whole tree',
        `subtree is the whole tree but proof is not empty`,
      );
    }
    if (!bytesEqual(subtreeHash, root)) {
      return fail('ROOT_MISMATCH', 'whole tree', 'subtree is the whole tree but hashes differ');
    }
    return OK;
  }
  if (proof.length === 0) return fail('EMPTY_PROOF', SUBTREE_CONSISTENCY, 'proof is empty');
  const sizes = checkHashSizes(
    `${SUBTREE_CONSISTENCY} (hash sizes)`,
    [
      ['subtree hash', subtreeHash],
      ['root hash', root],
    ],
    proof,
  );
  if (!sizes.ok) return sizes;

  // Walk down from the root as §4.4.1 does, recording each level's descent.
  const descents: Descent[] = [];
  let known = true;
  let s = start;
  let lo = 0;
  let hi = size;
  while (s !== lo || end !== hi) {
    const mid = lo + largestPowerOfTwoBelow(hi - lo);
    if (end <= mid) {
      descents.push('left');
      hi = mid;
    } else if (s >= mid) {
      descents.push('right');
      lo = mid;
    } else {
      descents.push('split');
      lo = mid;
      s = mid;
      known = false;
    }
  }
  const want = descents.length + (known ? 0 : 1);
  if (proof.length !== want) {
    return fail(
      proof.length > want ? 'PROOF_TOO_LONG' : 'PROOF_TOO_SHORT',
      `${SUBTREE_CONSISTENCY} (proof size)`,
      `proof has ${proof.length} hashes; subtree [${start}, ${end}) in size ${size} needs ${want}`,
    );
  }
  // Hash back up. `sub` is the hash of the part of the subtree below this level, `full` the
  // hash of the whole node.
  let at = 0;
  let sub = known ? subtreeHash : (proof[at++] as Uint8Array);
  let full = sub;
  for (let i = descents.length - 1; i >= 0; i--) {
    const c = proof[at++] as Uint8Array;
    const d = descents[i];
    if (d === 'left') {
      full = hasher.hashChildren(full, c);
    } else {
      full = hasher.hashChildren(c, full);
      if (d === 'split') sub = hasher.hashChildren(c, sub);
    }
  }
  if (!bytesEqual(sub, subtreeHash)) {
    return fail(
      'OLD_ROOT_MISMATCH',
      SUBTREE_CONSISTENCY,
      `computed subtree hash ${hex(sub)} is not the expected ${hex(subtreeHash)}`,
    );
  }
  if (!bytesEqual(full, root)) {
    return fail(
      'NEW_ROOT_MISMATCH',
      SUBTREE_CONSISTENCY,
      `computed root ${hex(full)} is not the expected root ${hex(root)}`,
    );
  }
  return OK;
}
