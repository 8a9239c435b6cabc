/**
 * A SHA-256 function: 32 bytes out for any bytes in.
 *
 * The ledger core takes SHA-256 as an argument instead of importing `node:crypto`: core is
 * pure (no `node:*` imports, see docs/architecture.md), and the same verifier code must run
 * in the server, the offline `armistice verify` command and a browser. `src/adapters/crypto`
 * provides one built on `node:crypto`.
 */
export type Sha256 = (bytes: Uint8Array) => Uint8Array;

/** Size of a SHA-256 hash in bytes: every leaf, node and root hash of the ledger. */
export const HASH_SIZE = 32;

/** RFC 9162 §2.1.1 domain separation: a leaf hash starts with 0x00, an interior node with 0x01. */
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** The RFC 9162 §2.1.1 Merkle tree hash functions over one SHA-256 implementation. */
export interface MerkleHasher {
  /** The SHA-256 function underneath, for key IDs and other hashes of the ledger. */
  readonly sha256: Sha256;
  /** MTH({}) = SHA-256(""), the root hash of the empty tree. */
  readonly emptyRoot: Uint8Array;
  /** MTH({d}) = SHA-256(0x00 || d), the hash of the leaf with data `data`. */
  hashLeaf(data: Uint8Array): Uint8Array;
  /** SHA-256(0x01 || left || right), the hash of an interior node; both are 32-byte hashes. */
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
}

/** Builds the RFC 9162 leaf and node hash functions on top of an injected SHA-256. */
export function createMerkleHasher(sha256: Sha256): MerkleHasher {
  const emptyRoot = sha256(new Uint8Array(0));
  if (emptyRoot.length !== HASH_SIZE) {
    throw new Error(`sha256 returned ${emptyRoot.length} bytes, expected ${HASH_SIZE}`);
  }
  const node = new Uint8Array(1 + 2 * HASH_SIZE);
  node[0] = NODE_PREFIX;
  // 0x00 || data is written into a reused buffer: no allocation per leaf (sha256 keeps nothing).
  let leaf = new Uint8Array(1024);
  return {
    sha256,
    emptyRoot,
    hashLeaf(data) {
      if (leaf.length < 1 + data.length) leaf = new Uint8Array(2 * (1 + data.length));
      leaf[0] = LEAF_PREFIX;
      leaf.set(data, 1);
      return sha256(leaf.subarray(0, 1 + data.length));
    },
    hashChildren(left, right) {
      if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
        throw new RangeError(`node children must be ${HASH_SIZE}-byte hashes`);
      }
      node.set(left, 1);
      node.set(right, 1 + HASH_SIZE);
      return sha256(node);
    },
  };
}

/** Whether two byte strings are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
