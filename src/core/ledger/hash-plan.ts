import { HASH_SIZE } from './merkle-hasher.js';

/**
 * Reads stored hashes by storage index (see `storedHashIndex`) and returns them in the order
 * asked. Each ledger computation calls it at most once, so one database query serves a whole
 * proof.
 */
export type HashReader = (indexes: readonly number[]) => Uint8Array[];

/**
 * A computation over stored hashes, split into what it must read and what it does with the
 * hashes once read. Synchronous storage passes a plan to `runHashPlan`; asynchronous storage
 * reads `indexes` itself and calls `finish` with the result.
 */
export interface HashPlan<T> {
  /** Storage indexes to read, in the order `finish` expects their hashes. */
  readonly indexes: readonly number[];
  /** Computes the result from the hashes stored at `indexes`, in the same order. */
  finish(hashes: readonly Uint8Array[]): T;
}

/**
 * Reads what `plan` needs through `read` and finishes it. Throws when the reader returns the
 * wrong number of hashes or a hash that is not 32 bytes: storage is corrupt or incomplete.
 */
export function runHashPlan<T>(plan: HashPlan<T>, read: HashReader): T {
  const hashes = plan.indexes.length === 0 ? [] : read(plan.indexes);
  checkReadHashes(plan.indexes, hashes);
  return plan.finish(hashes);
}

/** Throws unless `hashes` holds one 32-byte hash per index asked. */
export function checkReadHashes(indexes: readonly number[], hashes: readonly Uint8Array[]): void {
  if (hashes.length !== indexes.length) {
    throw new Error(`hash reader returned ${hashes.length} hashes for ${indexes.length} indexes`);
  }
  hashes.forEach((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new Error(`stored hash ${indexes[i]} is not a ${HASH_SIZE}-byte hash`);
    }
  });
}
