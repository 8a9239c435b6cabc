/**
 * npm run bench:ledger - the evidence ledger on SQLite, through the real storage adapter.
 *
 * On a fresh temporary SQLite file (WAL, synchronous=FULL: one fsync per transaction, as in
 * production) it appends BENCH_LEAVES leaves (default 10,000,000) in ingest-sized transactions
 * of BENCH_BATCH leaves (default 1,000). Each leaf is the canonical JSON of a realistic
 * observation (~400 bytes). Each append does what ingest does: hash the leaves, plan the new
 * stored hashes (`planAppend`), read the older hashes the plan needs (`ledgerHashes`) and write
 * leaves and hashes in one transaction (`appendLedger`). It measures:
 *  1. appends per second over the whole run, and the share of the SQLite transaction in it;
 *  2. at the final size, the latency of BENCH_PROOFS random inclusion proofs (random index,
 *     size = the whole log) and as many consistency proofs (random old size to the whole log),
 *     each a `plan*Proof`, one `ledgerHashes` call and `finish`; p50 and p99;
 *  3. storage bytes per leaf: the file size over the leaves, and per table (dbstat);
 *  4. the ceiling, in the same run: raw SHA-256 of the same leaf bytes, leaves per second.
 * BENCH_LEAVES=1000000 gives a quick run. BENCH_KEEP=1 keeps the database file.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sha256 } from '../src/adapters/crypto/index.js';
import { openSqliteStorage } from '../src/adapters/storage/sqlite/index.js';
import type { Storage } from '../src/app/ports.js';
import {
  canonicalJson,
  createMerkleHasher,
  planAppend,
  planConsistencyProof,
  planInclusionProof,
  planTreeHash,
  verifyConsistency,
  verifyInclusion,
} from '../src/core/ledger/index.js';
import type { HashPlan, JsonValue } from '../src/core/ledger/index.js';
import { mulberry32 } from '../test/support/demo.js';

const LEAVES = Number(process.env.BENCH_LEAVES ?? 10_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1_000);
const PROOFS = Number(process.env.BENCH_PROOFS ?? 10_000);
const CEILING_LEAVES = Math.min(LEAVES, 1_000_000);
const SENSORS = 50;
const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const BASE_MS = Date.parse('2026-03-01T00:00:00Z');

const hasher = createMerkleHasher(sha256);
const encoder = new TextEncoder();
const random = mulberry32(20261123);

/**
 * The leaf of observation n: `{"kind":"observation","record":{...}}` with the members in RFC
 * 8785 order, written by hand for speed (canonicalJson of 10 million records would dominate the
 * run); `checkLeafText` proves it equal to canonicalJson on a sample.
 */
function leafText(n: number): string {
  const sensorId = `cam-${String(n % SENSORS).padStart(2, '0')}`;
  const id = `o${String(n).padStart(10, '0')}`;
  const observedAt = new Date(BASE_MS + n * 37).toISOString();
  const lat = Math.round((48.1 + (n % 9973) * 1e-5) * 1e7) / 1e7;
  const lon = Math.round((37.6 + (n % 7919) * 1e-5) * 1e7) / 1e7;
  const cls = n % 3 === 0 ? 'tank' : 'civilian-vehicle';
  return (
    `{"kind":"observation","record":{"evidence":[{"mediaType":"image/jpeg","sha256":"${SHA}",` +
    `"uri":"s3://mission/media/${sensorId}/${id}.jpg"}],"id":"${id}","kind":"detection",` +
    `"object":{"class":"${cls}","count":${1 + (n % 4)},"party":"RUS"},"observedAt":"${observedAt}",` +
    `"position":{"lat":${lat},"lon":${lon},"uncertaintyM":${25 + (n % 11)}},"sensorId":"${sensorId}"}}`
  );
}

function refOf(n: number): string {
  return `observation:cam-${String(n % SENSORS).padStart(2, '0')}/o${String(n).padStart(10, '0')}`;
}

function checkLeafText(): number {
  let bytes = 0;
  for (const n of [0, 1, 2, 3, 12_345, 9_999_999]) {
    const text = leafText(n);
    if (canonicalJson(JSON.parse(text) as JsonValue) !== text) {
      throw new Error(`leaf ${n} is not canonical JSON: ${text}`);
    }
    bytes += encoder.encode(text).length;
  }
  return bytes / 6;
}

async function runPlan<T>(storage: Storage, plan: HashPlan<T>): Promise<T> {
  return plan.finish(plan.indexes.length > 0 ? await storage.ledgerHashes(plan.indexes) : []);
}

interface AppendStats {
  /** Leaves per second, whole append path. */
  rate: number;
  /** Leaves per second over the last tenth of the run. */
  lastRate: number;
  /** Share of the time spent in appendLedger (the SQLite transaction). */
  storageShare: number;
  /** Leaves per second of this process's CPU time (user + system) over the append loop. */
  cpuRate: number;
}

async function appendAll(storage: Storage): Promise<AppendStats> {
  let total = 0;
  let inStorage = 0;
  let lastTenth = 0;
  const tenth = LEAVES - Math.floor(LEAVES / 10);
  let nextReport = performance.now() + 10_000;
  let cpu = 0;
  for (let from = 0; from < LEAVES; from += BATCH) {
    const count = Math.min(BATCH, LEAVES - from);
    // Building the leaf bytes is the record's encoding, done by ingest anyway: not timed.
    const data: Uint8Array[] = [];
    for (let i = 0; i < count; i++) data.push(encoder.encode(leafText(from + i)));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const leafHashes = data.map((d) => hasher.hashLeaf(d));
    const hashes = await runPlan(storage, planAppend(hasher, from, leafHashes));
    const leaves = data.map((d, i) => ({
      index: from + i,
      kind: 'observation' as const,
      ref: refOf(from + i),
      data: d,
    }));
    const t1 = performance.now();
    await storage.appendLedger({ fromSize: from, leaves, hashes });
    const t2 = performance.now();
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1000;
    total += t2 - t0;
    inStorage += t2 - t1;
    if (from >= tenth) lastTenth += t2 - t0;
    if (t2 > nextReport) {
      nextReport = t2 + 10_000;
      const done = from + count;
      console.error(
        `  ${done.toLocaleString('en')} leaves, ${Math.round(done / (total / 1000))} leaves/s`,
      );
    }
  }
  return {
    rate: LEAVES / (total / 1000),
    lastRate: (LEAVES - tenth) / (lastTenth / 1000),
    storageShare: inStorage / total,
    cpuRate: LEAVES / (cpu / 1000),
  };
}

function quantile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function proofLatency(
  storage: Storage,
  size: number,
): Promise<{ inclusion: number[]; consistency: number[] }> {
  const root = await runPlan(storage, planTreeHash(hasher, size));
  const inclusion: number[] = [];
  const consistency: number[] = [];
  for (let i = 0; i < PROOFS; i++) {
    const index = Math.floor(random() * size);
    let t = performance.now();
    const proof = await runPlan(storage, planInclusionProof(hasher, index, size));
    inclusion.push(performance.now() - t);
    const oldSize = 1 + Math.floor(random() * (size - 1));
    t = performance.now();
    const cproof = await runPlan(storage, planConsistencyProof(hasher, oldSize, size));
    consistency.push(performance.now() - t);
    // Check a sample, outside the timing: the proofs must be right, not only fast.
    if (i % 100 === 0) {
      const leaf = hasher.hashLeaf(encoder.encode(leafText(index)));
      const ok = verifyInclusion(hasher, leaf, index, size, proof, root);
      const oldRoot = await runPlan(storage, planTreeHash(hasher, oldSize));
      const cok = verifyConsistency(hasher, oldSize, size, cproof, oldRoot, root);
      if (!ok.ok || !cok.ok) throw new Error(`bad proof at ${index}, ${oldSize}`);
    }
  }
  inclusion.sort((a, b) => a - b);
  consistency.sort((a, b) => a - b);
  return { inclusion, consistency };
}

function ceiling(): number {
  const data: Uint8Array[] = [];
  for (let n = 0; n < CEILING_LEAVES; n++) data.push(encoder.encode(leafText(n)));
  const t = performance.now();
  for (const d of data) sha256(d);
  return CEILING_LEAVES / ((performance.now() - t) / 1000);
}

function tableBytes(file: string): Map<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare<[], { name: string; bytes: number }>(
        "SELECT name, pgsize AS bytes FROM dbstat WHERE aggregate = TRUE AND name LIKE 'ledger%'",
      )
      .all();
    return new Map(rows.map((r) => [r.name, r.bytes]));
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const leafBytes = checkLeafText();
  const dir = mkdtempSync(path.join(tmpdir(), 'armistice-ledger-bench-'));
  const file = path.join(dir, 'ledger.db');
  try {
    console.log(
      `${LEAVES.toLocaleString('en')} leaves of ~${Math.round(leafBytes)} bytes, ` +
        `${BATCH} per appendLedger transaction, SQLite WAL synchronous=FULL`,
    );
    const storage = openSqliteStorage({ path: file });
    const t = performance.now();
    const a = await appendAll(storage);
    console.log(
      `append: ${Math.round(a.rate)} leaves/s (last tenth ${Math.round(a.lastRate)} leaves/s; ` +
        `${Math.round(a.storageShare * 100)}% in the appendLedger transaction, the rest hashing ` +
        `and planning; ${Math.round(a.cpuRate)} leaves per CPU second); ` +
        `${((performance.now() - t) / 1000).toFixed(0)} s wall`,
    );
    if ((await storage.ledgerSize()) !== LEAVES) throw new Error('ledger size mismatch');

    const p = await proofLatency(storage, LEAVES);
    const fmt = (xs: number[]) =>
      `p50 ${quantile(xs, 0.5).toFixed(3)} ms, p99 ${quantile(xs, 0.99).toFixed(3)} ms`;
    console.log(`inclusion proof at ${LEAVES}: ${fmt(p.inclusion)} (${PROOFS} random leaves)`);
    console.log(`consistency proof to ${LEAVES}: ${fmt(p.consistency)} (${PROOFS} random sizes)`);
    await storage.checkpoint();
    await storage.close();

    const fileBytes = statSync(file).size;
    const tables = tableBytes(file);
    const per = (name: string) => ((tables.get(name) ?? 0) / LEAVES).toFixed(1);
    console.log(
      `storage: ${(fileBytes / LEAVES).toFixed(1)} bytes/leaf (file ${(fileBytes / 2 ** 30).toFixed(2)} GiB): ` +
        `leaves ${per('ledger_leaves')}, ref index ${per('ledger_leaves_ref')}, ` +
        `hashes ${per('ledger_hashes')}`,
    );

    const c = ceiling();
    console.log(`ceiling: raw SHA-256 of the same leaf bytes, ${Math.round(c)} leaves/s`);
    const p99 = Math.max(quantile(p.inclusion, 0.99), quantile(p.consistency, 0.99));
    console.log(
      `ledger: ${Math.round(a.rate)} leaves/s, proof p99: ${p99.toFixed(3)} ms, ceiling: ${Math.round(c)} leaves/s`,
    );
  } finally {
    if (process.env.BENCH_KEEP === '1') console.error(`kept ${file}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
