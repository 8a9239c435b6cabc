import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SQLITE_MIGRATIONS,
  migrateSqlite,
  openSqliteStorage,
} from '../../src/adapters/storage/sqlite/index.js';
import { hashRowLength, hashRowOf } from '../../src/adapters/storage/sqlite/ledger-rows.js';
import type { Storage } from '../../src/app/ports.js';
import { storedHashCount, storedHashIndex } from '../../src/core/ledger/index.js';
import {
  describeStorageContract,
  makeCommit,
  makeIncident,
  makeObservations,
  T0_MS,
} from './storage-contract.js';

const LATEST = SQLITE_MIGRATIONS.length;

describeStorageContract('sqlite :memory:', async () => openSqliteStorage({ path: ':memory:' }));

const fileDirs = new Map<Storage, string>();
describeStorageContract(
  'sqlite file',
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'armistice-storage-'));
    const storage = openSqliteStorage({ path: path.join(dir, 'armistice.db') });
    fileDirs.set(storage, dir);
    return storage;
  },
  async (storage) => {
    await storage.close();
    rmSync(fileDirs.get(storage)!, { recursive: true, force: true });
    fileDirs.delete(storage);
  },
);

describe('SQLite ledger rows', () => {
  it('keeps each stored hash in the row of the leaf whose append stored it', () => {
    for (let level = 0; level < 8; level++) {
      for (let index = 0; index < 300; index++) {
        const leaf = (index + 1) * 2 ** level - 1;
        expect(hashRowOf(storedHashIndex(level, index))).toEqual({ leaf, offset: level });
      }
    }
    for (let leaf = 0; leaf < 2_000; leaf++) {
      expect(hashRowLength(leaf)).toBe(storedHashCount(leaf + 1) - storedHashCount(leaf));
      for (let offset = 0; offset < hashRowLength(leaf); offset++) {
        expect(hashRowOf(storedHashCount(leaf) + offset)).toEqual({ leaf, offset });
      }
    }
    expect(hashRowOf(storedHashCount(2 ** 40) - 1)).toEqual({ leaf: 2 ** 40 - 1, offset: 40 });
  });
});

describe('SQLite storage', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'armistice-sqlite-'));
    file = path.join(dir, 'armistice.db');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a file database in WAL mode, synchronous FULL, foreign keys on, fully migrated', async () => {
    const storage = openSqliteStorage({ path: file });
    expect(await storage.settings()).toEqual({
      journalMode: 'wal',
      synchronous: 2,
      foreignKeys: true,
      busyTimeoutMs: 5_000,
      schemaVersion: LATEST,
    });
    await storage.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST);
    raw.close();
  });

  it('keeps its data across close and reopen, and does not migrate again', async () => {
    const first = openSqliteStorage({ path: file });
    const observations = makeObservations(0, 40);
    await first.commitIngest(
      makeCommit({ observations, createdIncidents: [makeIncident('inc-1')] }),
    );
    await first.putZoneSpec({ name: 'Zones', lines: [], zones: [] }, 'admin', T0_MS);
    await first.close();

    const raw = new Database(file);
    expect(migrateSqlite(raw)).toEqual({ from: LATEST, to: LATEST });
    raw.close();

    const second = openSqliteStorage({ path: file });
    expect((await second.settings()).schemaVersion).toBe(LATEST);
    const page = await second.listObservations({ limit: 100 });
    expect(page.items.map(({ seq: _seq, ...rest }) => rest)).toStrictEqual(observations);
    expect(await second.getIncident('inc-1')).toStrictEqual(makeIncident('inc-1'));
    expect((await second.currentZoneSpec())?.version).toBe(1);
    expect((await second.counts()).observations).toBe(40);
    await second.checkpoint();
    await second.close();
  });

  it('refuses a database whose schema is newer than the code knows, leaving it untouched', () => {
    const raw = new Database(file);
    migrateSqlite(raw);
    raw.pragma(`user_version = ${LATEST + 1}`);
    raw.close();
    expect(() => openSqliteStorage({ path: file })).toThrow(
      new RegExp(`schema version ${LATEST + 1}, newer than this Armistice knows \\(${LATEST}\\)`),
    );
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST + 1);
    after.close();
  });

  it('migrates a database of schema 1: older observations have no leaf index', async () => {
    const raw = new Database(file);
    migrateSqlite(raw, SQLITE_MIGRATIONS.slice(0, 1));
    const o = makeObservations(0, 1)[0];
    raw
      .prepare(
        `INSERT INTO observations (sensor_id, id, observed_at_ms, received_at_ms, kind, lon, lat,
           radius_m, inside, possibly_inside, side, distance_to_line_m, zone_spec_version,
           rule_ids, authorized, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '[]', NULL, NULL, 1, '[]', '[]', ?)`,
      )
      .run(
        o.observation.sensorId,
        o.observation.id,
        o.observedAtMs,
        o.receivedAtMs,
        o.observation.kind,
        o.lon,
        o.lat,
        o.radiusM,
        JSON.stringify(o.observation),
      );
    raw.close();

    const storage = openSqliteStorage({ path: file });
    expect((await storage.settings()).schemaVersion).toBe(LATEST);
    expect(await storage.getObservation(o.observation)).toMatchObject({ leafIndex: null });
    expect(await storage.ledgerSize()).toBe(0);
    await storage.close();
  });

  it('opens read-only: reads, refuses writes, and refuses a schema it would have to migrate', async () => {
    const writer = openSqliteStorage({ path: file });
    await writer.commitIngest(makeCommit({ observations: makeObservations(0, 3) }));
    await writer.close();

    const reader = openSqliteStorage({ path: file, readonly: true });
    expect((await reader.listObservations({ limit: 10 })).items).toHaveLength(3);
    expect(await reader.ledgerSize()).toBe(0);
    await expect(
      reader.commitIngest(makeCommit({ observations: makeObservations(3, 4) })),
    ).rejects.toThrow(/readonly/);
    await reader.close();

    const old = path.join(dir, 'old.db');
    const raw = new Database(old);
    migrateSqlite(raw, SQLITE_MIGRATIONS.slice(0, 1));
    raw.close();
    expect(() => openSqliteStorage({ path: old, readonly: true })).toThrow(
      /schema version 1, older than this Armistice/,
    );
    expect(() => openSqliteStorage({ path: path.join(dir, 'none.db'), readonly: true })).toThrow();
  });

  it("refuses another program's database", () => {
    const raw = new Database(file);
    raw.pragma('application_id = 1234');
    raw.exec('CREATE TABLE notes (body TEXT)');
    raw.close();
    expect(() => openSqliteStorage({ path: file })).toThrow(/not an Armistice database/);
  });

  it('leaves the schema at the last good version when a migration fails', () => {
    const raw = new Database(':memory:');
    const migrations = ['CREATE TABLE a (x)', 'CREATE TABLE b (x); INSERT INTO missing VALUES (1)'];
    expect(() => migrateSqlite(raw, migrations)).toThrow(/no such table: missing/);
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    const tables = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(['a']);
    raw.close();
  });

  it('keeps every acknowledged observation when the process is killed (SIGKILL) mid-ingest', async () => {
    const module = fileURLToPath(
      new URL('../../src/adapters/storage/sqlite/index.ts', import.meta.url),
    );
    const fixtures = fileURLToPath(new URL('./storage-contract.ts', import.meta.url));
    // The child commits batches of 200 and prints the number acknowledged after each commit.
    const script = `
      const { openSqliteStorage } = await import(${JSON.stringify(module)});
      const { makeCommit, makeObservations } = await import(${JSON.stringify(fixtures)});
      const storage = openSqliteStorage({ path: ${JSON.stringify(file)} });
      for (let n = 0; ; n += 200) {
        await storage.commitIngest(makeCommit({ observations: makeObservations(n, n + 200) }));
        process.stdout.write(\`\${n + 200}\\n\`);
      }`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const acknowledged = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const lines = out.split('\n').filter(Boolean);
        if (lines.length >= 10) {
          child.kill('SIGKILL');
          resolve(Number(lines.at(-1)));
        }
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}): ${stderr}`)));
    });
    await new Promise((resolve) => child.once('close', resolve));

    const storage = openSqliteStorage({ path: file });
    const expected = makeObservations(0, acknowledged).map((o) => o.observation);
    expect((await storage.existingObservationKeys(expected)).size).toBe(acknowledged);
    const { observations } = await storage.counts();
    expect(observations).toBeGreaterThanOrEqual(acknowledged);
    expect(observations % 200).toBe(0);
    await storage.close();
  });
});
