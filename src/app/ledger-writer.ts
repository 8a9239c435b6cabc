import {
  encodeLeaf,
  encodeLeafText,
  planAppend,
  planConsistencyProof,
  planInclusionProof,
  planTreeHash,
  storedHashIndex,
} from '../core/ledger/index.js';
import type { HashPlan, LedgerLeaf, LedgerLeafKind, MerkleHasher } from '../core/ledger/index.js';
import type { LedgerAppend, LedgerLeafRecord, Storage } from './ports.js';

/**
 * A leaf to append: what it is about (`ref`) and its content, as a leaf or, when the caller
 * wrote it directly (ingest: `observationLeafText`), as its canonical JSON text.
 */
export type PendingLeaf =
  | {
      /** Which record, see `LedgerLeafRecord.ref`. */
      readonly ref: string;
      /** The leaf. */
      readonly leaf: LedgerLeaf;
    }
  | {
      /** Which record, see `LedgerLeafRecord.ref`. */
      readonly ref: string;
      /** The leaf's kind. */
      readonly kind: LedgerLeafKind;
      /** The leaf's RFC 8785 canonical JSON: exactly `canonicalJson(leaf)`. */
      readonly text: string;
    };

/**
 * The one writer of the evidence ledger. Every append goes through the app's serial queue,
 * so the writer knows the size of the log and keeps the hashes of the complete subtrees on its
 * right edge (at most 52 of them): preparing an append is then pure computation, and the
 * append is written by storage in the same transaction as the records it describes.
 *
 * Protocol: `prepare` → storage commit with the append → `committed(append)`; if the commit
 * fails, `reset()` so that the next prepare reloads the size and edge from storage.
 */
export interface LedgerWriter {
  /** Numbers and hashes the leaves as the next entries of the log. */
  prepare(leaves: readonly PendingLeaf[]): Promise<LedgerAppend>;
  /** Records that the append committed. */
  committed(append: LedgerAppend): void;
  /** Forgets what it knows; the next prepare reads from storage. */
  reset(): void;
  /** Runs a hash plan against stored hashes (tree hashes and proofs of any size ≤ the log's). */
  run<T>(plan: HashPlan<T>): Promise<T>;
  /** The log's size as last committed through this writer, or read from storage. */
  size(): Promise<number>;
  /** Tree hash at `size`. */
  treeHash(size: number): Promise<Uint8Array>;
  /** Inclusion proof of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number): Promise<Uint8Array[]>;
  /** Consistency proof from `from` to `to` leaves (0 < from ≤ to). */
  consistencyProof(from: number, to: number): Promise<Uint8Array[]>;
}

/** The storage indexes of the complete subtrees on the right edge of a log of `size` leaves. */
function rightEdge(size: number): number[] {
  const out: number[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const span = 2 ** level;
    if (start + span <= size) {
      out.push(storedHashIndex(level, start / span));
      start += span;
    }
  }
  return out;
}

/** Creates the ledger writer over storage. */
export function createLedgerWriter(storage: Storage, hasher: MerkleHasher): LedgerWriter {
  let known: { size: number; edge: Map<number, Uint8Array> } | undefined;

  async function load(): Promise<{ size: number; edge: Map<number, Uint8Array> }> {
    if (known) return known;
    const size = await storage.ledgerSize();
    const indexes = rightEdge(size);
    const hashes = indexes.length > 0 ? await storage.ledgerHashes(indexes) : [];
    known = { size, edge: new Map(indexes.map((index, i) => [index, hashes[i] as Uint8Array])) };
    return known;
  }

  const run = async <T>(plan: HashPlan<T>): Promise<T> =>
    plan.finish(plan.indexes.length > 0 ? await storage.ledgerHashes(plan.indexes) : []);

  return {
    async prepare(leaves) {
      const state = await load();
      const records: LedgerLeafRecord[] = [];
      const leafHashes: Uint8Array[] = [];
      leaves.forEach((pending, i) => {
        const data = 'text' in pending ? encodeLeafText(pending.text) : encodeLeaf(pending.leaf);
        const kind = 'text' in pending ? pending.kind : pending.leaf.kind;
        records.push({ index: state.size + i, kind, ref: pending.ref, data });
        leafHashes.push(hasher.hashLeaf(data));
      });
      const plan = planAppend(hasher, state.size, leafHashes);
      const read = plan.indexes.map((index) => {
        const hash = state.edge.get(index);
        if (!hash) throw new Error(`ledger right edge is missing stored hash ${index}`);
        return hash;
      });
      return { fromSize: state.size, leaves: records, hashes: plan.finish(read) };
    },
    committed(append) {
      if (!known || known.size !== append.fromSize) {
        known = undefined;
        return;
      }
      const size = append.fromSize + append.leaves.length;
      const fresh = new Map(append.hashes.map((h) => [h.index, h.hash]));
      const edge = new Map<number, Uint8Array>();
      for (const index of rightEdge(size)) {
        const hash = fresh.get(index) ?? known.edge.get(index);
        if (!hash) {
          known = undefined;
          return;
        }
        edge.set(index, hash);
      }
      known = { size, edge };
    },
    reset() {
      known = undefined;
    },
    run,
    async size() {
      return (await load()).size;
    },
    treeHash: (size) => run(planTreeHash(hasher, size)),
    inclusionProof: (index, size) => run(planInclusionProof(hasher, index, size)),
    consistencyProof: (from, to) => run(planConsistencyProof(hasher, from, to)),
  };
}

/**
 * Appends `leaves` together with a storage write: prepares the append, runs `write` with it
 * (which must commit it in the same transaction as its records), then tells the writer. When
 * the write fails, the writer forgets its state and the error propagates.
 */
export async function appendWith<T>(
  writer: LedgerWriter,
  leaves: readonly PendingLeaf[],
  write: (append: LedgerAppend) => Promise<T>,
): Promise<T> {
  const append = await writer.prepare(leaves);
  let result: T;
  try {
    result = await write(append);
  } catch (error) {
    writer.reset();
    throw error;
  }
  writer.committed(append);
  return result;
}
