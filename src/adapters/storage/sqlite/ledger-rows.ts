import { HASH_SIZE, storedHashCount, storedHashNode } from '../../../core/ledger/index.js';
import type { StoredHash } from '../../../core/ledger/index.js';
import { storageError } from './cursors.js';

/**
 * The stored hashes of the ledger are kept one row per leaf (table `ledger_hashes`): the row of
 * leaf m holds, concatenated, the hashes at storage indexes storedHashCount(m) to
 * storedHashCount(m + 1) − 1, i.e. the leaf hash of m and then the hash of each complete
 * subtree that m ends, level by level. This module maps storage indexes to rows and back.
 */

/** A run of at least this many consecutive storage indexes is read with one range query. */
const RANGE_MIN = 8;

/** Where the hash at `storageIndex` is kept: in the row of leaf `leaf`, hash number `offset`. */
export function hashRowOf(storageIndex: number): { leaf: number; offset: number } {
  // The node (level, i) is stored by the append of its last leaf, `level` places after that
  // leaf's own hash (storedHashIndex).
  const node = storedHashNode(storageIndex);
  return { leaf: (node.index + 1) * 2 ** node.level - 1, offset: node.level };
}

/** How many hashes the row of leaf `leaf` holds: 1 + the number of trailing ones of `leaf`. */
export function hashRowLength(leaf: number): number {
  return storedHashCount(leaf + 1) - storedHashCount(leaf);
}

/**
 * The rows of an append of `leafCount` leaves from `fromSize` whose hashes (checked: storage
 * indexes storedHashCount(fromSize)... consecutive, as many as the leaves store) are `hashes`.
 */
export function packHashRows(
  fromSize: number,
  leafCount: number,
  hashes: readonly StoredHash[],
): Uint8Array[] {
  const rows: Uint8Array[] = [];
  let next = 0;
  for (let leaf = fromSize; leaf < fromSize + leafCount; leaf++) {
    const length = hashRowLength(leaf);
    const row = new Uint8Array(length * HASH_SIZE);
    for (let j = 0; j < length; j++) row.set((hashes[next++] as StoredHash).hash, j * HASH_SIZE);
    rows.push(row);
  }
  return rows;
}

/** Reads rows of `ledger_hashes`. */
export interface HashRowReader {
  /** The row of one leaf, or undefined. */
  row(leaf: number): Uint8Array | undefined;
  /** The rows of leaves [first, end) that exist, in leaf order, as [leaf, hashes] pairs. */
  rows(first: number, end: number): [number, Uint8Array][];
}

function missing(storageIndex: number): Error {
  return storageError('NOT_FOUND', `the ledger has no stored hash at index ${storageIndex}`);
}

function checkRow(leaf: number, row: Uint8Array): void {
  if (row.length !== hashRowLength(leaf) * HASH_SIZE) {
    throw new Error(
      `ledger_hashes row of leaf ${leaf} is corrupt: ${row.length} bytes, ` +
        `expected ${hashRowLength(leaf) * HASH_SIZE}`,
    );
  }
}

function hashAt(row: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(HASH_SIZE);
  out.set(row.subarray(offset * HASH_SIZE, (offset + 1) * HASH_SIZE));
  return out;
}

/** Reads the consecutive storage indexes [start, end) with one range query. */
function readRun(reader: HashRowReader, start: number, end: number, out: Uint8Array[]): void {
  const first = hashRowOf(start).leaf;
  const last = hashRowOf(end - 1).leaf;
  let leaf = first;
  for (const [rowLeaf, row] of reader.rows(first, last + 1)) {
    if (rowLeaf !== leaf) throw missing(Math.max(start, storedHashCount(leaf)));
    checkRow(leaf, row);
    const base = storedHashCount(leaf);
    const from = Math.max(start, base) - base;
    const to = Math.min(end, base + hashRowLength(leaf)) - base;
    for (let j = from; j < to; j++) out.push(hashAt(row, j));
    leaf++;
  }
  if (leaf <= last) throw missing(Math.max(start, storedHashCount(leaf)));
}

/**
 * The hashes at `indexes`, in the same order. Runs of consecutive indexes are read with one
 * range query, others one row at a time (each row read once). NOT_FOUND names the first
 * missing index; INVALID_INPUT an index that is not a non-negative integer.
 */
export function readStoredHashes(reader: HashRowReader, indexes: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  const cache = new Map<number, Uint8Array>();
  for (let i = 0; i < indexes.length;) {
    const start = indexes[i] as number;
    if (!Number.isSafeInteger(start) || start < 0) {
      throw storageError('INVALID_INPUT', `storage index must be a non-negative integer: ${start}`);
    }
    let end = i + 1;
    while (end < indexes.length && indexes[end] === start + (end - i)) end++;
    if (end - i >= RANGE_MIN) {
      readRun(reader, start, start + (end - i), out);
      i = end;
      continue;
    }
    for (; i < end; i++) {
      const index = indexes[i] as number;
      const { leaf, offset } = hashRowOf(index);
      let row = cache.get(leaf);
      if (row === undefined) {
        row = reader.row(leaf);
        if (row === undefined) throw missing(index);
        checkRow(leaf, row);
        cache.set(leaf, row);
      }
      out.push(hashAt(row, offset));
    }
  }
  return out;
}
