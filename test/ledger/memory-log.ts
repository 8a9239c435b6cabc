import { sha256 } from '../../src/adapters/crypto/index.js';
import { appendHashes, createMerkleHasher, storedHashCount } from '../../src/core/ledger/index.js';
import type { HashReader, MerkleHasher } from '../../src/core/ledger/index.js';

/** The ledger hasher over node:crypto SHA-256. */
export const hasher: MerkleHasher = createMerkleHasher(sha256);

/** A log held in an array of stored hashes, as a database table would hold them. */
export interface MemoryLog {
  /** Stored hashes by storage index. */
  stored: Uint8Array[];
  /** Leaf hashes in order. */
  leafHashes: Uint8Array[];
  /** Number of leaves. */
  size(): number;
  /** Appends leaf hashes, in one batch. */
  append(leafHashes: readonly Uint8Array[]): void;
  /** Reads stored hashes; counts calls in `reads`. */
  read: HashReader;
  /** How many times `read` was called. */
  reads: number;
}

/** An empty in-memory log. */
export function createMemoryLog(): MemoryLog {
  const log: MemoryLog = {
    stored: [],
    leafHashes: [],
    size: () => log.leafHashes.length,
    append(leafHashes) {
      const added = appendHashes(hasher, log.size(), leafHashes, log.read);
      for (const { index, hash } of added) {
        if (index !== log.stored.length) throw new Error(`gap at stored index ${index}`);
        log.stored.push(hash);
      }
      log.leafHashes.push(...leafHashes);
      if (log.stored.length !== storedHashCount(log.size())) throw new Error('stored count');
    },
    read(indexes) {
      log.reads++;
      return indexes.map((i) => {
        const h = log.stored[i];
        if (!h) throw new Error(`no stored hash at ${i}`);
        return h;
      });
    },
    reads: 0,
  };
  return log;
}

/** MTH(D[lo:hi]) by the recursive definition of RFC 9162 §2.1.1, from leaf hashes. */
export function referenceRoot(
  leafHashes: readonly Uint8Array[],
  lo = 0,
  hi = leafHashes.length,
): Uint8Array {
  const n = hi - lo;
  if (n === 0) return hasher.emptyRoot;
  if (n === 1) return leafHashes[lo] as Uint8Array;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return hasher.hashChildren(
    referenceRoot(leafHashes, lo, lo + k),
    referenceRoot(leafHashes, lo + k, hi),
  );
}

/** The leaf hash of the UTF-8 text `s`. */
export function leafOf(s: string): Uint8Array {
  return hasher.hashLeaf(new TextEncoder().encode(s));
}
