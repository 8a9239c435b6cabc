/**
 * `armistice ledger check` through ledgerCommand(io, args) on real SQLite files: a good ledger
 * passes; a changed leaf, stored hash, checkpoint or cosignature fails, naming what changed.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-io.js';
import type { CliRun } from '../support/cli-io.js';
import { createEd25519Signer, sha256 } from '../../src/adapters/crypto/index.js';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/index.js';
import { CHECK_CHUNK_LEAVES, ledgerCommand } from '../../src/cli/ledger-command.js';
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  createCosigner,
  formatCheckpoint,
  formatSignatureLine,
  formatVerifierKey,
  planTreeHash,
  storedHashCount,
  storedHashIndex,
  verifierKeyOf,
} from '../../src/core/ledger/index.js';
import {
  LEDGER_ORIGIN,
  LEDGER_VKEY,
  MERKLE,
  decisionLeaf,
  ingestWithLedger,
  makeCheckpoint,
  makeObservations,
  prepareAppend,
  runPlan,
  T0_MS,
} from '../storage/storage-contract.js';

let tmp: string;
let good: string;
let copies = 0;

async function run(args: string[]): Promise<CliRun> {
  return runCli(ledgerCommand, args, { cwd: tmp, now: () => T0_MS });
}

const failLines = (r: CliRun) => r.stdout.split('\n').filter((l) => l.startsWith('FAIL '));

/** A copy of the good database, changed with raw SQL. */
function tampered(change: (db: Database.Database) => void): string {
  const file = path.join(tmp, `tampered-${++copies}.db`);
  copyFileSync(good, file);
  const db = new Database(file);
  change(db);
  db.close();
  return file;
}

function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at] = (out[at] as number) ^ 0x01;
  return out;
}

const witness = createCosigner(
  sha256,
  'party-a.example/witness',
  createEd25519Signer(new Uint8Array(32).fill(9)),
);
const WITNESS_VKEY = formatVerifierKey(
  verifierKeyOf(sha256, witness.name, SIGNATURE_TYPE_COSIGNATURE_V1, witness.publicKey),
);
// The ledger: observations and decisions in batches, past one read chunk of the check.
const LEAVES = CHECK_CHUNK_LEAVES + 37;
const CHECKPOINT_SIZES = [1, 20, 37, 1_000, CHECK_CHUNK_LEAVES + 1, LEAVES];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'armistice-ledger-cli-'));
  good = path.join(tmp, 'good.db');
  const storage = openSqliteStorage({ path: good });
  let n = 0;
  const checkpointAt = async (size: number) => {
    const root = await runPlan(storage, planTreeHash(MERKLE, size));
    const checkpoint = makeCheckpoint(size, root, T0_MS + size);
    await storage.putCheckpoint(checkpoint);
    const text = formatCheckpoint({ origin: LEDGER_ORIGIN, size, rootHash: root, extensions: [] });
    await storage.addCosignature(size, formatSignatureLine(witness.cosign(text, 1_800_000_000)));
  };
  for (const size of CHECKPOINT_SIZES) {
    while (n < size) {
      const count = Math.min(size - n, 1 + (n % 700));
      if (n % 2 === 0) {
        await ingestWithLedger(storage, makeObservations(n, n + count));
      } else {
        await storage.appendLedger(
          await prepareAppend(
            storage,
            Array.from({ length: count }, (_, i) => decisionLeaf(n + i)),
          ),
        );
      }
      n += count;
    }
    await checkpointAt(size);
  }
  await storage.close();
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('ledger check', () => {
  it('passes a good ledger, without writing to the database', async () => {
    const before = createHash('sha256').update(readFileSync(good)).digest('hex');
    const r = await run(['check', '--db', 'good.db']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `ledger: ${LEAVES} of ${LEAVES} leaves and ${storedHashCount(LEAVES)} stored hashes recomputed`,
    );
    expect(r.stdout).toContain(`checkpoints: ${CHECKPOINT_SIZES.length} checked, 5 consistency`);
    expect(r.stdout).toContain('ledger check passed');
    expect(createHash('sha256').update(readFileSync(good)).digest('hex')).toBe(before);
  });

  it("verifies signatures with the log's key and cosignatures with a witness key", async () => {
    const r = await run(['check', '--db', good, '--vkey', LEDGER_VKEY, '--vkey', WITNESS_VKEY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('signatures verified with 2 keys');
    writeFileSync(path.join(tmp, 'keys.txt'), `# the log\n${LEDGER_VKEY}\n\n${WITNESS_VKEY} # A\n`);
    const fromFile = await run(['check', '--db', good, '--key-file', 'keys.txt']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('signatures verified with 2 keys');

    const other = formatVerifierKey(
      verifierKeyOf(
        sha256,
        LEDGER_ORIGIN,
        0x01,
        createEd25519Signer(new Uint8Array(32).fill(8)).publicKey,
      ),
    );
    const wrongKey = await run(['check', '--db', good, '--vkey', other]);
    expect(wrongKey.code).toBe(1);
    expect(failLines(wrongKey)).toHaveLength(CHECKPOINT_SIZES.length);
    expect(failLines(wrongKey)[0]).toMatch(/^FAIL checkpoint 1: signatures: /);
  });

  it('fails naming the leaf whose data changed', async () => {
    const index = 1_234;
    const file = tampered((db) => {
      const data = db.prepare('SELECT data FROM ledger_leaves WHERE idx = ?').pluck().get(index);
      db.prepare('UPDATE ledger_leaves SET data = ? WHERE idx = ?').run(
        flipByte(data as Buffer, 40),
        index,
      );
    });
    const r = await run(['check', '--db', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ledger check failed/);
    const fails = failLines(r);
    expect(fails[0]).toBe(
      `FAIL leaf ${index} (storage index ${storedHashCount(index)}): its data does not hash to ` +
        'the stored leaf hash',
    );
    // The checkpoints after it no longer match the data; those before do.
    expect(fails.slice(1)).toEqual(
      CHECKPOINT_SIZES.filter((s) => s > index).map(
        (s) => `FAIL checkpoint ${s}: its root hash is not the tree hash of the first ${s} leaves`,
      ),
    );
    expect(r.stdout).toMatch(/note: \d+ stored subtree hashes above those failures differ/);
  });

  it('fails naming a stored subtree hash that changed', async () => {
    // Node (level 3, index 100) covers leaves 800..807; leaf 807's row holds it at offset 3.
    const storageIndex = storedHashIndex(3, 100);
    const file = tampered((db) => {
      const row = db.prepare('SELECT hashes FROM ledger_hashes WHERE leaf = 807').pluck().get();
      db.prepare('UPDATE ledger_hashes SET hashes = ? WHERE leaf = 807').run(
        flipByte(row as Buffer, 3 * 32 + 5),
      );
    });
    const r = await run(['check', '--db', file]);
    expect(r.code).toBe(1);
    expect(failLines(r)[0]).toBe(
      `FAIL storage index ${storageIndex}, the subtree hash (level 3, node 100): not the hash ` +
        'of its children',
    );
    // A consistency proof that uses the node fails too; the roots are intact.
    expect(failLines(r).slice(1).join('\n')).not.toMatch(/root hash/);
  });

  it('fails on a stored leaf hash that changed, and on a missing hash row', async () => {
    const file = tampered((db) => {
      const row = db.prepare('SELECT hashes FROM ledger_hashes WHERE leaf = 4000').pluck().get();
      db.prepare('UPDATE ledger_hashes SET hashes = ? WHERE leaf = 4000').run(
        flipByte(row as Buffer, 0),
      );
    });
    const r = await run(['check', '--db', file]);
    expect(r.code).toBe(1);
    expect(failLines(r)[0]).toMatch(/^FAIL leaf 4000 \(storage index \d+\): its data does not/);

    const missing = tampered((db) => db.exec('DELETE FROM ledger_hashes WHERE leaf = 4100'));
    const m = await run(['check', '--db', missing]);
    expect(m.code).toBe(1);
    expect(failLines(m)[0]).toBe(
      `FAIL stored hashes of leaves ${CHECK_CHUNK_LEAVES} to ${LEAVES - 1}: the ledger has no ` +
        `stored hash at index ${storedHashCount(4100)}`,
    );
  });

  it('fails on a checkpoint whose root is wrong, though its note is signed', async () => {
    const file = path.join(tmp, 'wrong-root.db');
    copyFileSync(good, file);
    const storage = openSqliteStorage({ path: file });
    const size = LEAVES - 5;
    const root = await runPlan(storage, planTreeHash(MERKLE, size + 1));
    await storage.putCheckpoint(makeCheckpoint(size, root, T0_MS));
    await storage.close();

    const r = await run(['check', '--db', file, '--vkey', LEDGER_VKEY]);
    expect(r.code).toBe(1);
    expect(failLines(r)).toEqual([
      `FAIL checkpoint ${size}: its root hash is not the tree hash of the first ${size} leaves`,
      expect.stringMatching(
        `^FAIL checkpoint ${size}: not consistent with checkpoint ${CHECK_CHUNK_LEAVES + 1}: ` +
          'RFC 9162 §2.1.4.2 step 7: computed new root',
      ),
      expect.stringMatching(
        `^FAIL checkpoint ${LEAVES}: not consistent with checkpoint ${size}: ` +
          'RFC 9162 §2.1.4.2 step 7: computed old root',
      ),
    ]);
  });

  it('fails on a checkpoint row that does not match its note, and on a forged cosignature', async () => {
    const file = tampered((db) => {
      db.prepare('UPDATE ledger_checkpoints SET root = ? WHERE size = 37').run(
        new Uint8Array(32).fill(1),
      );
      const line = db
        .prepare('SELECT line FROM ledger_cosignatures WHERE size = 1000')
        .pluck()
        .get() as string;
      const forged = line.replace(
        /[A-Za-z0-9](=*\n)$/,
        (m) => (m[0] === 'A' ? 'B' : 'A') + m.slice(1),
      );
      db.prepare('UPDATE ledger_cosignatures SET line = ? WHERE size = 1000').run(forged);
    });
    const r = await run(['check', '--db', file, '--vkey', LEDGER_VKEY, '--vkey', WITNESS_VKEY]);
    expect(r.code).toBe(1);
    const fails = failLines(r).join('\n');
    expect(fails).toContain("FAIL checkpoint 37: the note's root hash is not the stored root hash");
    expect(fails).toContain('FAIL checkpoint 37: its root hash is not the tree hash');
    expect(fails).toMatch(/FAIL checkpoint 1000: signatures: /);
  });

  it('passes an empty ledger, and fails a checkpoint beyond the log', async () => {
    const file = path.join(tmp, 'empty.db');
    const storage = openSqliteStorage({ path: file });
    await storage.putCheckpoint(makeCheckpoint(0, MERKLE.emptyRoot, T0_MS));
    await storage.close();
    const r = await run(['check', '--db', file, '--vkey', LEDGER_VKEY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ledger: 0 of 0 leaves and 0 stored hashes recomputed');

    const beyond = path.join(tmp, 'beyond.db');
    copyFileSync(good, beyond);
    const more = openSqliteStorage({ path: beyond });
    await more.putCheckpoint(makeCheckpoint(LEAVES + 10, new Uint8Array(32), T0_MS));
    await more.close();
    const b = await run(['check', '--db', beyond]);
    expect(b.code).toBe(1);
    expect(failLines(b)).toEqual([
      `FAIL checkpoint ${LEAVES + 10}: beyond the log's ${LEAVES} leaves`,
    ]);
  });

  it('refuses bad usage (exit 2) and a missing database (exit 1)', async () => {
    expect((await run(['check'])).code).toBe(2);
    expect(await run(['check', '--db', 'none.db'])).toMatchObject({ code: 1 });
    expect((await run(['check', '--db', 'none.db'])).stderr).toMatch(/no such file/);
    expect((await run(['check', '--db', good, '--vkey', 'nonsense'])).code).toBeGreaterThan(0);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
  });
});
