import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ed25519Verify, sha256 } from '../adapters/crypto/index.js';
import { openSqliteStorage } from '../adapters/storage/sqlite/index.js';
import type { Storage } from '../app/index.js';
import {
  SIGNATURE_TYPE_ED25519,
  bytesEqual,
  createMerkleHasher,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  planConsistencyProof,
  storedHashCount,
  verifierFromKey,
  verifyConsistency,
} from '../core/ledger/index.js';
import type { Checkpoint, MerkleHasher, NoteVerifier } from '../core/ledger/index.js';
import { loadLedgerSettings } from '../ledger-settings.js';
import { CliError, println } from './io.js';
import type { CliIo } from './io.js';

const USAGE = `Usage:
  armistice ledger check --db FILE [--vkey VKEY]... [--key-file FILE]
  armistice ledger rotate-key (--db FILE | --key FILE) [--ledger-origin NAME]

rotate-key (server stopped) moves the ledger's signing key FILE (default <db>.ledger-key.pem)
to FILE.previous.pem and writes a new key in its place. Start the server with
--previous-ledger-key FILE.previous.pem: checkpoints are then signed by both keys and the new
key is logged as a key-change decision. Once every witness has pinned the new key, restart
without that flag: the old key is logged as retired and stays published for old checkpoints.

check opens the database read-only and recomputes the evidence ledger from its leaves: every
leaf hash and every stored subtree hash, compared with the stored ones; the root of every
stored checkpoint; and a consistency proof between each checkpoint and the next. With the
log's verifier keys (--vkey, or --key-file: one per line, # comments), it also verifies each
checkpoint's signature, and the cosignatures of any witness key given. Exit codes: 0 the
ledger is intact, 1 something failed (each failure is printed), 2 usage.`;

/** Leaves read and checked per round trip to storage: bounds the memory of a check. */
export const CHECK_CHUNK_LEAVES = 4_096;
/** Failures printed in full; the rest are counted. */
const MAX_PRINTED_FAILURES = 100;

type TypeOfCheckpoints = Awaited<ReturnType<Storage['listCheckpoints']>>;
type StoredCheckpoint = TypeOfCheckpoints[number];
/** A verifier key given on the command line; `logKey` for the log's (Ed25519 note) keys. */
type KeyVerifier = NoteVerifier & { readonly logKey: boolean };

/** What a check found wrong: printed one line each (up to a limit) and counted. */
class Failures {
  count = 0;
  readonly io: CliIo;
  constructor(io: CliIo) {
    this.io = io;
  }
  add(line: string): void {
    this.count++;
    if (this.count <= MAX_PRINTED_FAILURES) println(this.io.stdout, `FAIL ${line}`);
  }
}

/** The node (level, index) whose hash is stored `offset` places into the hashes of leaf m. */
function nodeName(leaf: number, offset: number): string {
  if (offset === 0) return `leaf hash of leaf ${leaf}`;
  return `subtree hash (level ${offset}, node ${Math.floor((leaf + 1) / 2 ** offset) - 1})`;
}

/** The root of a log from its complete subtrees, left to right (RFC 9162 MTH). */
function rootOf(hasher: MerkleHasher, stack: readonly Uint8Array[]): Uint8Array {
  if (stack.length === 0) return hasher.emptyRoot;
  let root = stack[stack.length - 1] as Uint8Array;
  for (let k = stack.length - 2; k >= 0; k--) {
    root = hasher.hashChildren(stack[k] as Uint8Array, root);
  }
  return root;
}

interface LogScan {
  /** Leaves whose records and hashes were read. */
  readonly leaves: number;
  /** Stored hashes compared. */
  readonly hashes: number;
  /** The recomputed root at each checkpoint size reached. */
  readonly roots: Map<number, Uint8Array>;
}

/**
 * Streams the log: recomputes every leaf hash from its data and every complete subtree hash
 * from scratch (a stack of at most 52 hashes), compares each with the stored one, and records
 * the recomputed roots at `sizes`. A stored hash that differs from the recomputation but is
 * the hash of its stored children only inherits a difference from below; it is counted, not
 * reported, so that each failure names its cause.
 */
async function scanLog(
  storage: Storage,
  hasher: MerkleHasher,
  size: number,
  sizes: ReadonlySet<number>,
  failures: Failures,
): Promise<LogScan> {
  const roots = new Map<number, Uint8Array>();
  if (sizes.has(0)) roots.set(0, hasher.emptyRoot);
  const computed: Uint8Array[] = [];
  const stored: Uint8Array[] = [];
  let inherited = 0;
  let hashes = 0;
  for (let from = 0; from < size; from += CHECK_CHUNK_LEAVES) {
    const end = Math.min(size, from + CHECK_CHUNK_LEAVES);
    const leaves = await storage.ledgerLeaves(from, end - from);
    const first = storedHashCount(from);
    const indexes = Array.from({ length: storedHashCount(end) - first }, (_, i) => first + i);
    let storedHashes: Uint8Array[];
    try {
      storedHashes = await storage.ledgerHashes(indexes);
    } catch (error) {
      failures.add(`stored hashes of leaves ${from} to ${end - 1}: ${(error as Error).message}`);
      return { leaves: from, hashes, roots };
    }
    for (let m = from; m < end; m++) {
      const leaf = leaves[m - from];
      if (leaf?.index !== m) {
        failures.add(`leaf ${m} is missing from ledger_leaves`);
        return { leaves: m, hashes, roots };
      }
      let offset = storedHashCount(m) - first;
      let h = hasher.hashLeaf(leaf.data);
      let s = storedHashes[offset] as Uint8Array;
      if (!bytesEqual(h, s)) {
        failures.add(
          `leaf ${m} (storage index ${first + offset}): its data does not hash to the stored ` +
            'leaf hash',
        );
      }
      hashes++;
      const merges = storedHashCount(m + 1) - storedHashCount(m) - 1;
      for (let level = 1; level <= merges; level++) {
        const left = computed.pop() as Uint8Array;
        const storedLeft = stored.pop() as Uint8Array;
        h = hasher.hashChildren(left, h);
        const storedRight = s;
        s = storedHashes[++offset] as Uint8Array;
        hashes++;
        if (bytesEqual(h, s)) continue;
        if (bytesEqual(s, hasher.hashChildren(storedLeft, storedRight))) inherited++;
        else {
          failures.add(
            `storage index ${first + offset}, the ${nodeName(m, level)}: not the hash of its ` +
              'children',
          );
        }
      }
      computed.push(h);
      stored.push(s);
      if (sizes.has(m + 1)) roots.set(m + 1, rootOf(hasher, computed));
    }
  }
  if (inherited > 0) {
    // Each is the hash of its stored children: a consequence of a failure reported above.
    println(
      failures.io.stdout,
      `note: ${inherited} stored subtree hash${inherited === 1 ? '' : 'es'} above those ` +
        'failures differ from the recomputation as a consequence',
    );
  }
  try {
    const [extra] = await storage.ledgerHashes([storedHashCount(size)]);
    if (extra) failures.add(`stored hashes continue past the log's ${size} leaves`);
  } catch {
    // NOT_FOUND: the stored hashes end where the leaves do.
  }
  return { leaves: size, hashes, roots };
}

/** The log's keys given on the command line, parsed. */
function loadVerifiers(io: CliIo, vkeys: readonly string[], keyFile?: string): KeyVerifier[] {
  const all = [...vkeys];
  if (keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(path.resolve(io.cwd, keyFile), 'utf8');
    } catch (error) {
      throw new CliError(`--key-file: ${(error as Error).message}`, 1);
    }
    for (const line of text.split('\n')) {
      const vkey = line.replace(/#.*/, '').trim();
      if (vkey !== '') all.push(vkey);
    }
  }
  return all.map((vkey) => {
    const parsed = parseVerifierKey(sha256, vkey);
    if (!parsed.ok) throw new CliError(`verifier key ${JSON.stringify(vkey)}: ${parsed.message}`);
    return Object.assign(verifierFromKey(sha256, parsed.value, ed25519Verify), {
      logKey: parsed.value.type === SIGNATURE_TYPE_ED25519,
    });
  });
}

/** Checks what a checkpoint row says against its note, and its signatures if keys are given. */
function checkNote(
  row: StoredCheckpoint,
  verifiers: readonly KeyVerifier[],
  failures: Failures,
): Checkpoint | undefined {
  const where = `checkpoint ${row.size}`;
  const note = parseNote(row.note);
  if (!note.ok) {
    failures.add(`${where}: the note does not parse: ${note.message}`);
    return undefined;
  }
  const parsed = parseCheckpoint(note.value.text);
  if (!parsed.ok) {
    failures.add(`${where}: the note is not a checkpoint: ${parsed.message}`);
    return undefined;
  }
  const checkpoint = parsed.value;
  if (checkpoint.size !== row.size) {
    failures.add(`${where}: the note says size ${checkpoint.size}`);
  }
  if (!bytesEqual(checkpoint.rootHash, row.rootHash)) {
    failures.add(`${where}: the note's root hash is not the stored root hash`);
  }
  if (verifiers.length === 0) return checkpoint;
  // The note with its cosignatures: every known key's signature must verify.
  const opened = openCheckpoint(row.note + row.cosignatures.join(''), checkpoint.origin, verifiers);
  if (!opened.ok) {
    failures.add(`${where}: signatures: ${opened.message}`);
    return checkpoint;
  }
  const logKeys = verifiers.filter((v) => v.logKey);
  const byLog = opened.value.note.verified.some((sig) =>
    logKeys.some((v) => v.name === sig.name && v.keyId === sig.keyId),
  );
  if (logKeys.length > 0 && !byLog) {
    failures.add(`${where}: not signed by any of the log keys given`);
  }
  return checkpoint;
}

/**
 * Proves the checkpoint `next` consistent with `previous` from stored hashes and verifies the
 * proof between the roots the two checkpoints state; what failed, or undefined.
 */
async function checkConsistency(
  storage: Storage,
  hasher: MerkleHasher,
  previous: { readonly size: number; readonly root: Uint8Array },
  next: StoredCheckpoint,
): Promise<string | undefined> {
  const plan = planConsistencyProof(hasher, previous.size, next.size);
  try {
    const proof = plan.finish(await storage.ledgerHashes(plan.indexes));
    const v = verifyConsistency(
      hasher,
      previous.size,
      next.size,
      proof,
      previous.root,
      next.rootHash,
    );
    return v.ok ? undefined : `${v.step}: ${v.message}`;
  } catch (error) {
    return (error as Error).message;
  }
}

async function check(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      vkey: { type: 'string', multiple: true, default: [] },
      'key-file': { type: 'string' },
    },
    allowPositionals: true,
  });
  if (!values.db || positionals.length > 0) throw new CliError(USAGE);
  const verifiers = loadVerifiers(io, values.vkey, values['key-file']);
  const file = path.resolve(io.cwd, values.db);
  if (!existsSync(file)) throw new CliError(`--db: no such file: ${values.db}`, 1);
  let storage: Storage;
  try {
    storage = openSqliteStorage({ path: file, readonly: true });
  } catch (error) {
    throw new CliError(`cannot open ${values.db}: ${(error as Error).message}`, 1);
  }
  const hasher = createMerkleHasher(sha256);
  const failures = new Failures(io);
  try {
    const size = await storage.ledgerSize();
    const checkpoints = await storage.listCheckpoints();
    const scan = await scanLog(
      storage,
      hasher,
      size,
      new Set(checkpoints.map((c) => c.size)),
      failures,
    );

    let proofs = 0;
    let previous: { size: number; root: Uint8Array } | undefined;
    const origins = new Set<string>();
    for (const row of checkpoints) {
      const where = `checkpoint ${row.size}`;
      const checkpoint = checkNote(row, verifiers, failures);
      if (checkpoint) origins.add(checkpoint.origin);
      if (row.size > size) {
        failures.add(`${where}: beyond the log's ${size} leaves`);
        continue;
      }
      const root = scan.roots.get(row.size);
      if (root === undefined) continue; // the scan stopped before this size; reported already
      if (!bytesEqual(root, row.rootHash)) {
        failures.add(
          `${where}: its root hash is not the tree hash of the first ${row.size} leaves`,
        );
      }
      if (previous && previous.size > 0) {
        const verdict = await checkConsistency(storage, hasher, previous, row);
        proofs++;
        if (verdict !== undefined) {
          failures.add(`${where}: not consistent with checkpoint ${previous.size}: ${verdict}`);
        }
      }
      previous = { size: row.size, root: row.rootHash };
    }
    if (origins.size > 1) failures.add(`checkpoints name ${origins.size} origins`);

    println(
      io.stdout,
      `ledger: ${scan.leaves} of ${size} leaves and ${scan.hashes} stored hashes recomputed`,
    );
    println(
      io.stdout,
      `checkpoints: ${checkpoints.length} checked, ${proofs} consistency proofs` +
        (verifiers.length > 0 ? `, signatures verified with ${verifiers.length} keys` : ''),
    );
    if (failures.count > MAX_PRINTED_FAILURES) {
      println(io.stdout, `... and ${failures.count - MAX_PRINTED_FAILURES} more failures`);
    }
    if (failures.count > 0) {
      println(io.stderr, `ledger check failed: ${failures.count} failures`);
      return 1;
    }
    println(io.stdout, 'ledger check passed');
    return 0;
  } finally {
    await storage.close();
  }
}

/** `armistice ledger rotate-key`: a new signing key, the old one kept for the handover. */
function rotateKey(io: CliIo, args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string' },
      key: { type: 'string' },
      'ledger-origin': { type: 'string' },
    },
    allowPositionals: false,
  });
  if (!values.db === !values.key) throw new CliError(USAGE);
  const keyPath = path.resolve(io.cwd, values.key ?? `${values.db}.ledger-key.pem`);
  const previousPath = `${keyPath}.previous.pem`;
  if (!existsSync(keyPath)) throw new CliError(`no ledger key at ${keyPath}`, 1);
  if (existsSync(previousPath)) {
    throw new CliError(
      `${previousPath} exists: a rotation is under way. Finish it (restart the server without ` +
        '--previous-ledger-key, then archive that file) before rotating again.',
      1,
    );
  }
  const origin = values['ledger-origin'];
  const vkeyOf = (file: string) =>
    loadLedgerSettings({ keyPath: file, ...(origin && { origin }) }).logKeys[0] ?? '';
  const oldVkey = vkeyOf(keyPath);
  renameSync(keyPath, previousPath);
  const newVkey = vkeyOf(keyPath); // creates the new key file, mode 0600
  println(io.stdout, `previous key: ${oldVkey}  (now ${previousPath})`);
  println(io.stdout, `new key:      ${newVkey}  (${keyPath})`);
  println(io.stdout, '');
  println(io.stdout, `Next: start the server with --previous-ledger-key ${previousPath}`);
  println(io.stdout, 'until every witness has pinned the new key, then without it.');
  return 0;
}

/** `armistice ledger ...`: checks the evidence ledger of a database, or rotates its key. */
export async function ledgerCommand(io: CliIo, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'check':
      return check(io, rest);
    case 'rotate-key':
      return rotateKey(io, rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      println(io.stdout, USAGE);
      return sub === undefined ? 2 : 0;
    default:
      throw new CliError(`unknown ledger command '${sub}'\n\n${USAGE}`);
  }
}
