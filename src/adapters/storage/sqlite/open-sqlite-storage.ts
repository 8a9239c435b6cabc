import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import DatabaseConstructor from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import type {
  ActivityRun,
  ApiKeyRecord,
  IncidentQuery,
  IngestCommit,
  LedgerAppend,
  LedgerLeafRecord,
  NewObservation,
  ObservationKey,
  ObservationQuery,
  Page,
  SensorActivityQuery,
  SensorHealth,
  Storage,
  StorageCounts,
  StoredCheckpoint,
  StoredIncidentSource,
  StoredObservation,
  Versioned,
} from '../../../app/index.js';
import type { Incident } from '../../../core/incidents/index.js';
import {
  HASH_SIZE,
  LEDGER_LEAF_KINDS,
  parseSignatureLine,
  storedHashCount,
} from '../../../core/ledger/index.js';
import type { LedgerLeafKind } from '../../../core/ledger/index.js';
import type { Observation, Sensor } from '../../../core/observations/index.js';
import type { RuleSet } from '../../../core/rules/index.js';
import type { ZoneSpec } from '../../../core/zones/index.js';
import {
  decodeIncidentCursor,
  decodeObservationCursor,
  encodeIncidentCursor,
  encodeObservationCursor,
  storageError,
} from './cursors.js';
import { packHashRows, readStoredHashes } from './ledger-rows.js';
import type { HashRowReader } from './ledger-rows.js';
import { SQLITE_MIGRATIONS, checkSqliteSchema, migrateSqlite } from './migrations.js';

/** Where the SQLite database lives. */
export interface SqliteStorageOptions {
  /** File path, or `:memory:` for a private in-memory database (tests). */
  readonly path: string;
  /**
   * Open an existing file read-only (`armistice ledger check`): no migration, no write; the
   * schema must be the one this code knows. Every write method then fails.
   */
  readonly readonly?: boolean;
}

/** The connection settings in effect, for diagnostics and tests. */
export interface SqliteSettings {
  /** `wal` for a file database; `memory` for `:memory:`. */
  readonly journalMode: string;
  /** 0 off, 1 normal, 2 full, 3 extra. */
  readonly synchronous: number;
  /** Whether foreign keys are enforced. */
  readonly foreignKeys: boolean;
  /** How long a writer waits for a lock held by another connection, ms. */
  readonly busyTimeoutMs: number;
  /** `PRAGMA user_version`: the migrations applied. */
  readonly schemaVersion: number;
}

/** The storage port on SQLite, with a few SQLite-only extras. */
export interface SqliteStorage extends Storage {
  /** Copies the write-ahead log into the database file and truncates the log. */
  checkpoint(): Promise<void>;
  /** The connection settings in effect. */
  settings(): Promise<SqliteSettings>;
}

const BUSY_TIMEOUT_MS = 5_000;
/** Event time read per query by sensorActivity before it lets other work run, ms. */
const ACTIVITY_SLICE_MS = 6 * 3_600_000;
const KEY_SEPARATOR = '\u0000';
const ZONE_DELIMITER = '|';

interface VersionedRow {
  version: number;
  body: string;
  actor: string;
  created_at_ms: number;
}

interface HealthRow {
  sensor_id: string;
  status: SensorHealth['status'];
  last_seen_ms: number | null;
  since_ms: number;
  observation_count: number;
}

interface ObservationRow {
  seq: number;
  observed_at_ms: number;
  received_at_ms: number;
  lon: number | null;
  lat: number | null;
  radius_m: number | null;
  inside: string;
  possibly_inside: string;
  side: string | null;
  distance_to_line_m: number | null;
  zone_spec_version: number;
  rule_ids: string;
  authorized: string;
  body: string;
  leaf_index: number | null;
}

interface LeafRow {
  idx: number;
  kind: LedgerLeafKind;
  ref: string;
  data: Buffer;
}

interface CheckpointRow {
  size: number;
  root: Buffer;
  note: string;
  issued_at_ms: number;
}

interface SourceRow {
  incident_id: string;
  sensor_id: string;
  observation_id: string;
  observed_at_ms: number;
  certainty: StoredIncidentSource['certainty'];
}

interface ApiKeyRow {
  id: string;
  hash: string;
  role: ApiKeyRecord['role'];
  label: string;
  created_at_ms: number;
  revoked_at_ms: number | null;
}

const OBSERVATION_COLUMNS =
  'seq, observed_at_ms, received_at_ms, lon, lat, radius_m, inside, possibly_inside, side, ' +
  'distance_to_line_m, zone_spec_version, rule_ids, authorized, body, leaf_index';

const LEAF_KINDS: ReadonlySet<string> = new Set(LEDGER_LEAF_KINDS);

/** The ref prefix of observation leaves (`observation:<sensorId>/<id>`, see observationRef). */
const OBSERVATION_REF = 'observation:';

/**
 * Rows per multi-row INSERT of a batch: one statement step (and one call from JavaScript into
 * SQLite) per 64 rows instead of per row.
 */
const ROWS_PER_INSERT = 64;

/**
 * Inserts rows of `width` columns, given flattened, with multi-row INSERT statements of at most
 * ROWS_PER_INSERT rows (`head` is `INSERT INTO t (c1, ...)`, without VALUES). A failing
 * statement is undone by SQLite (the rows before it stay) and `failed` is told which rows it
 * held, [from, to), then the error is thrown; the caller's transaction decides about the rest.
 */
function bulkInsert(
  db: Database,
  head: string,
  width: number,
): (values: unknown[], failed?: (error: unknown, from: number, to: number) => void) => void {
  const row = `(${new Array<string>(width).fill('?').join(', ')})`;
  const statements = new Map<number, Statement>();
  const statement = (rows: number): Statement => {
    let st = statements.get(rows);
    if (!st) {
      st = db.prepare(`${head} VALUES ${new Array<string>(rows).fill(row).join(', ')}`);
      statements.set(rows, st);
    }
    return st;
  };
  return (values, failed) => {
    const rows = values.length / width;
    for (let r = 0; r < rows; r += ROWS_PER_INSERT) {
      const n = Math.min(ROWS_PER_INSERT, rows - r);
      try {
        statement(n).run(values.slice(r * width, (r + n) * width));
      } catch (error) {
        failed?.(error, r, r + n);
        throw error;
      }
    }
  };
}

const EMPTY_LIST = '[]';

/** JSON text of a list of strings or objects; `[]` without a call for the common empty list. */
function listJson(list: readonly unknown[]): string {
  return list.length === 0 ? EMPTY_LIST : JSON.stringify(list);
}

/** `['dmz', 'sector-03']` as `'|dmz|sector-03|'`, `[]` as `''`. */
function encodeZones(ids: readonly string[]): string {
  if (ids.length === 0) return '';
  for (const id of ids) {
    if (id.includes(ZONE_DELIMITER)) {
      throw storageError('INVALID_INPUT', `zone id ${JSON.stringify(id)} contains '|'`);
    }
  }
  return ZONE_DELIMITER + ids.join(ZONE_DELIMITER) + ZONE_DELIMITER;
}

function decodeZones(text: string): string[] {
  return text === '' ? [] : text.slice(1, -1).split(ZONE_DELIMITER);
}

function toStoredObservation(row: ObservationRow): StoredObservation {
  return {
    seq: row.seq,
    observation: JSON.parse(row.body) as Observation,
    observedAtMs: row.observed_at_ms,
    receivedAtMs: row.received_at_ms,
    lon: row.lon,
    lat: row.lat,
    radiusM: row.radius_m,
    inside: decodeZones(row.inside),
    possiblyInside: JSON.parse(row.possibly_inside) as string[],
    side: row.side,
    distanceToLineM: row.distance_to_line_m,
    zoneSpecVersion: row.zone_spec_version,
    ruleIds: JSON.parse(row.rule_ids) as string[],
    authorized: JSON.parse(row.authorized) as StoredObservation['authorized'],
    leafIndex: row.leaf_index,
  };
}

/** A copy of a BLOB as a plain Uint8Array (not a Buffer view into a shared pool). */
function bytesOf(blob: Buffer): Uint8Array {
  return new Uint8Array(blob);
}

function toLeaf(row: LeafRow): LedgerLeafRecord {
  return { index: row.idx, kind: row.kind, ref: row.ref, data: bytesOf(row.data) };
}

function toCheckpoint(row: CheckpointRow, cosignatures: string[]): StoredCheckpoint {
  return {
    size: row.size,
    rootHash: bytesOf(row.root),
    note: row.note,
    issuedAtMs: row.issued_at_ms,
    cosignatures,
  };
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw storageError('INVALID_INPUT', `${name} must be a non-negative integer, got ${value}`);
  }
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

/**
 * Checks that `append` continues a log of `size` leaves: CONFLICT when it does not fit (another
 * writer appended first, or the leaf or hash numbering is off), INVALID_INPUT when a record is
 * malformed. Nothing is written when it throws.
 */
function checkAppend(append: LedgerAppend, size: number): void {
  const { fromSize, leaves, hashes } = append;
  checkCount('ledger fromSize', fromSize);
  if (fromSize !== size) {
    throw storageError(
      'CONFLICT',
      `the ledger has ${size} leaves; an append from size ${fromSize} does not continue it`,
    );
  }
  leaves.forEach((leaf, i) => {
    if (leaf.index !== fromSize + i) {
      throw storageError(
        'CONFLICT',
        `ledger leaf ${i} of the append has index ${leaf.index}, expected ${fromSize + i}`,
      );
    }
    if (!LEAF_KINDS.has(leaf.kind)) {
      throw storageError('INVALID_INPUT', `ledger leaf ${leaf.index}: unknown kind ${leaf.kind}`);
    }
    if (typeof leaf.ref !== 'string' || leaf.ref === '') {
      throw storageError('INVALID_INPUT', `ledger leaf ${leaf.index}: ref must be non-empty`);
    }
    if (!(leaf.data instanceof Uint8Array)) {
      throw storageError('INVALID_INPUT', `ledger leaf ${leaf.index}: data must be bytes`);
    }
  });
  const base = storedHashCount(fromSize);
  const expected = storedHashCount(fromSize + leaves.length) - base;
  if (hashes.length !== expected) {
    throw storageError(
      'CONFLICT',
      `an append of ${leaves.length} leaves to ${fromSize} stores ${expected} hashes, ` +
        `got ${hashes.length}`,
    );
  }
  hashes.forEach((h, i) => {
    if (h.index !== base + i) {
      throw storageError(
        'CONFLICT',
        `stored hash ${i} of the append has index ${h.index}, expected ${base + i}`,
      );
    }
    if (!isHash(h.hash)) {
      throw storageError('INVALID_INPUT', `stored hash ${h.index} is not ${HASH_SIZE} bytes`);
    }
  });
}

/** The signature line without its newline, parsed; INVALID_INPUT when it is not one. */
function parseCosignatureLine(line: string): { body: string; name: string; keyId: number } {
  const body = typeof line === 'string' && line.endsWith('\n') ? line.slice(0, -1) : line;
  const parsed =
    typeof body === 'string' && !body.includes('\n') ? parseSignatureLine(body) : undefined;
  if (!parsed?.ok) {
    throw storageError(
      'INVALID_INPUT',
      `not a signature line: ${parsed?.message ?? 'one line of text expected'}`,
    );
  }
  return { body, name: parsed.value.name, keyId: parsed.value.keyId };
}

function toVersioned<T>(row: VersionedRow): Versioned<T> {
  return {
    version: row.version,
    body: JSON.parse(row.body) as T,
    actor: row.actor,
    createdAtMs: row.created_at_ms,
  };
}

function toHealth(row: HealthRow): SensorHealth {
  return {
    sensorId: row.sensor_id,
    status: row.status,
    lastSeenMs: row.last_seen_ms,
    sinceMs: row.since_ms,
    observationCount: row.observation_count,
  };
}

function toSource(row: SourceRow): StoredIncidentSource {
  return {
    incidentId: row.incident_id,
    sensorId: row.sensor_id,
    observationId: row.observation_id,
    observedAtMs: row.observed_at_ms,
    certainty: row.certainty,
  };
}

function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    hash: row.hash,
    role: row.role,
    label: row.label,
    createdAtMs: row.created_at_ms,
    revokedAtMs: row.revoked_at_ms,
  };
}

function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw storageError('INVALID_INPUT', `limit must be a positive integer, got ${limit}`);
  }
}

function checkFinite(name: string, value: number | undefined): void {
  if (value !== undefined && !Number.isFinite(value)) {
    throw storageError('INVALID_INPUT', `${name} must be a finite number, got ${value}`);
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof DatabaseConstructor.SqliteError &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

/** Incident columns in the order of the INSERT and UPDATE statements below. */
function incidentColumns(incident: Incident): unknown[] {
  return [
    incident.ruleId,
    incident.status,
    incident.severity,
    incident.firstObservedAtMs,
    incident.lastObservedAtMs,
    incident.lon,
    incident.lat,
    JSON.stringify(incident.zones),
    JSON.stringify(incident.sectors),
    incident.createdAtMs,
    incident.updatedAtMs,
    incident.version,
    JSON.stringify(incident),
  ];
}

/**
 * Sets the connection up. Durability, by the SQLite docs
 * (https://www.sqlite.org/pragma.html#pragma_synchronous): "Transactions are durable across
 * application crashes regardless of the synchronous setting or journal mode", so WAL with
 * synchronous=NORMAL already keeps the promise of issue 3 section 4 (an acknowledged observation
 * survives a process crash, SIGKILL included); but "a transaction committed in WAL mode with
 * synchronous=NORMAL might roll back following a power loss or system crash". We choose FULL:
 * the WAL is synced at every commit, so an acknowledged batch survives a power loss or a kernel
 * crash too. Ingest commits whole batches, so that is one fsync per batch, not per observation
 * (measured: no visible cost at 2,000 observations per batch).
 */
function configure(db: Database): void {
  // https://www.sqlite.org/wal.html: readers do not block the writer nor the writer readers, and
  // a commit appends to one file instead of writing a rollback journal and the database.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  // https://www.sqlite.org/pragma.html#pragma_optimize: a long-lived connection runs
  // optimize=0x10002 when it opens and plain optimize before it closes, so that the query
  // planner has statistics to choose between the time index and the seq order.
  db.pragma('optimize = 0x10002');
}

/**
 * Opens (creating and migrating if needed) the SQLite database at `options.path` and returns the
 * storage port on it. Throws when the file is another program's database or has a schema newer
 * than this code knows.
 */
export function openSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  if (options.readonly) return openReadonly(options.path);
  if (options.path !== ':memory:' && options.path !== '') {
    mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  }
  const db = new DatabaseConstructor(options.path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Migrate before foreign keys are switched on: a migration that rebuilds a table needs them
    // off (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema
    // Changes", step 1), and the pragma is a no-op inside the migration's transaction.
    migrateSqlite(db, SQLITE_MIGRATIONS);
    configure(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return createSqliteStorage(db);
}

/** Opens an existing, fully migrated database file read-only. */
function openReadonly(file: string): SqliteStorage {
  const db = new DatabaseConstructor(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    checkSqliteSchema(db, SQLITE_MIGRATIONS);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== SQLITE_MIGRATIONS.length) {
      throw new Error(
        `${file} has schema version ${version}, older than this Armistice ` +
          `(${SQLITE_MIGRATIONS.length}); open it read-write once to migrate it`,
      );
    }
    db.pragma('temp_store = MEMORY');
  } catch (error) {
    db.close();
    throw error;
  }
  return createSqliteStorage(db);
}

function createSqliteStorage(db: Database): SqliteStorage {
  const s = {
    currentZoneSpec: db.prepare<[], VersionedRow>(
      'SELECT version, body, actor, created_at_ms FROM zone_specs ORDER BY version DESC LIMIT 1',
    ),
    zoneSpecHistory: db.prepare<[], VersionedRow>(
      'SELECT version, body, actor, created_at_ms FROM zone_specs ORDER BY version DESC',
    ),
    putZoneSpec: db.prepare<[string, string, number], { version: number }>(
      `INSERT INTO zone_specs (version, body, actor, created_at_ms)
       VALUES ((SELECT coalesce(max(version), 0) + 1 FROM zone_specs), ?, ?, ?)
       RETURNING version`,
    ),
    currentRuleSet: db.prepare<[], VersionedRow>(
      'SELECT version, body, actor, created_at_ms FROM rule_sets ORDER BY version DESC LIMIT 1',
    ),
    putRuleSet: db.prepare<[string, string, number], { version: number }>(
      `INSERT INTO rule_sets (version, body, actor, created_at_ms)
       VALUES ((SELECT coalesce(max(version), 0) + 1 FROM rule_sets), ?, ?, ?)
       RETURNING version`,
    ),
    getSensor: db.prepare<[string], string>('SELECT body FROM sensors WHERE id = ?').pluck(),
    listSensors: db.prepare<[], string>('SELECT body FROM sensors ORDER BY id').pluck(),
    insertSensor: db.prepare<[string, string, number, number]>(
      `INSERT INTO sensors (id, body, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    replaceSensor: db.prepare<[string, number, string]>(
      'UPDATE sensors SET body = ?, updated_at_ms = ? WHERE id = ?',
    ),
    listHealth: db.prepare<[], HealthRow>(
      `SELECT sensor_id, status, last_seen_ms, since_ms, observation_count
       FROM sensor_health ORDER BY sensor_id`,
    ),
    putHealth: db.prepare<[string, string, number | null, number, number]>(
      `INSERT INTO sensor_health (sensor_id, status, last_seen_ms, since_ms, observation_count)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (sensor_id) DO UPDATE SET status = excluded.status,
         last_seen_ms = excluded.last_seen_ms, since_ms = excluded.since_ms,
         observation_count = excluded.observation_count`,
    ),
    // The JSON array of [sensorId, id] pairs drives the join, one unique-index probe per key.
    existingKeys: db
      .prepare<[string], [string, string]>(
        `SELECT o.sensor_id, o.id
         FROM json_each(?) AS k
         CROSS JOIN observations AS o
           ON o.sensor_id = k.value ->> 0 AND o.id = k.value ->> 1`,
      )
      .raw(),
    getObservation: db.prepare<[string, string], ObservationRow>(
      `SELECT ${OBSERVATION_COLUMNS} FROM observations WHERE sensor_id = ? AND id = ?`,
    ),
    insertObservation: db.prepare(
      `INSERT INTO observations (sensor_id, id, observed_at_ms, received_at_ms, kind, lon, lat,
         radius_m, inside, possibly_inside, side, distance_to_line_m, zone_spec_version, rule_ids,
         authorized, body, leaf_index)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    addObservationCount: db.prepare<[number]>(
      "UPDATE counters SET value = value + ? WHERE name = 'observations'",
    ),
    addZoneCount: db.prepare<[string, number]>(
      `INSERT INTO observation_zone_counts (zone_id, count) VALUES (?, ?)
       ON CONFLICT (zone_id) DO UPDATE SET count = count + excluded.count`,
    ),
    openIncidentsBetween: db
      .prepare<[string, number, number], string>(
        `SELECT body FROM incidents
         WHERE status <> 'closed' AND rule_id IN (SELECT value FROM json_each(?))
           AND last_observed_at_ms >= ? AND first_observed_at_ms <= ?
         ORDER BY first_observed_at_ms, id`,
      )
      .pluck(),
    getIncident: db.prepare<[string], string>('SELECT body FROM incidents WHERE id = ?').pluck(),
    insertIncident: db.prepare(
      `INSERT INTO incidents (rule_id, status, severity, first_observed_at_ms,
         last_observed_at_ms, lon, lat, zones, sectors, created_at_ms, updated_at_ms, version,
         body, id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Used by replaceIncident with the expected version, and by commitIngest with "any older
    // version", so that neither overwrites a change it did not see.
    replaceIncidentAt: db.prepare(
      `UPDATE incidents SET rule_id = ?, status = ?, severity = ?, first_observed_at_ms = ?,
         last_observed_at_ms = ?, lon = ?, lat = ?, zones = ?, sectors = ?, created_at_ms = ?,
         updated_at_ms = ?, version = ?, body = ?
       WHERE id = ? AND version = ?`,
    ),
    replaceIncidentIfOlder: db.prepare(
      `UPDATE incidents SET rule_id = ?, status = ?, severity = ?, first_observed_at_ms = ?,
         last_observed_at_ms = ?, lon = ?, lat = ?, zones = ?, sectors = ?, created_at_ms = ?,
         updated_at_ms = ?, version = ?, body = ?
       WHERE id = ? AND version < ?`,
    ),
    incidentSources: db.prepare<[string], SourceRow>(
      `SELECT incident_id, sensor_id, observation_id, observed_at_ms, certainty
       FROM incident_sources WHERE incident_id = ?
       ORDER BY observed_at_ms, sensor_id, observation_id`,
    ),
    insertSource: db.prepare<[string, string, string, number, string]>(
      `INSERT INTO incident_sources (incident_id, sensor_id, observation_id, observed_at_ms,
         certainty) VALUES (?, ?, ?, ?, ?)`,
    ),
    apiKeyByHash: db.prepare<[string], ApiKeyRow>(
      `SELECT id, hash, role, label, created_at_ms, revoked_at_ms FROM api_keys WHERE hash = ?`,
    ),
    putApiKey: db.prepare<[string, string, string, string, number, number | null]>(
      `INSERT INTO api_keys (id, hash, role, label, created_at_ms, revoked_at_ms)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET hash = excluded.hash, role = excluded.role,
         label = excluded.label, created_at_ms = excluded.created_at_ms,
         revoked_at_ms = excluded.revoked_at_ms`,
    ),
    listApiKeys: db.prepare<[], ApiKeyRow>(
      `SELECT id, hash, role, label, created_at_ms, revoked_at_ms FROM api_keys
       ORDER BY created_at_ms, id`,
    ),
    observationCount: db
      .prepare<[], number>("SELECT value FROM counters WHERE name = 'observations'")
      .pluck(),
    observationsByZone: db
      .prepare<[], [string, number]>('SELECT zone_id, count FROM observation_zone_counts')
      .raw(),
    incidentsByStatus: db
      .prepare<[], [string, number]>('SELECT status, count(*) FROM incidents GROUP BY status')
      .raw(),
    incidentsByZone: db
      .prepare<[], [string, number]>(
        `SELECT z.value, count(*) FROM incidents AS i, json_each(i.zones) AS z GROUP BY z.value`,
      )
      .raw(),

    // max(idx) of a rowid table is one seek to the last row.
    ledgerSize: db
      .prepare<[], number>('SELECT coalesce(max(idx) + 1, 0) FROM ledger_leaves')
      .pluck(),
    hashRow: db
      .prepare<[number], Buffer>('SELECT hashes FROM ledger_hashes WHERE leaf = ?')
      .pluck(),
    hashRows: db
      .prepare<[number, number], [number, Buffer]>(
        'SELECT leaf, hashes FROM ledger_hashes WHERE leaf >= ? AND leaf < ? ORDER BY leaf',
      )
      .raw(),
    ledgerLeaves: db.prepare<[number, number], LeafRow>(
      'SELECT idx, kind, ref, data FROM ledger_leaves WHERE idx >= ? AND idx < ? ORDER BY idx',
    ),
    // The partial ref index (migration 3) holds every leaf but observations'; those are found
    // through their observation (observationLeavesOf).
    ledgerLeavesOf: db.prepare<[string], LeafRow>(
      `SELECT idx, kind, ref, data FROM ledger_leaves
       WHERE ref = ? AND kind <> 'observation' ORDER BY idx`,
    ),
    observationLeavesOf: db.prepare<[string, string, string], LeafRow>(
      `SELECT l.idx, l.kind, l.ref, l.data
       FROM observations AS o JOIN ledger_leaves AS l ON l.idx = o.leaf_index
       WHERE o.sensor_id = ? AND o.id = ? AND l.ref = ? AND l.kind = 'observation'`,
    ),
    insertCheckpoint: db.prepare<[number, Uint8Array, string, number]>(
      'INSERT INTO ledger_checkpoints (size, root, note, issued_at_ms) VALUES (?, ?, ?, ?)',
    ),
    getCheckpoint: db.prepare<[number], CheckpointRow>(
      'SELECT size, root, note, issued_at_ms FROM ledger_checkpoints WHERE size = ?',
    ),
    latestCheckpoint: db.prepare<[number], CheckpointRow>(
      `SELECT size, root, note, issued_at_ms FROM ledger_checkpoints AS c
       WHERE (SELECT count(*) FROM ledger_cosignatures AS k WHERE k.size = c.size) >= ?
       ORDER BY size DESC LIMIT 1`,
    ),
    listCheckpoints: db.prepare<[], CheckpointRow>(
      'SELECT size, root, note, issued_at_ms FROM ledger_checkpoints ORDER BY size',
    ),
    cosignaturesOf: db
      .prepare<[number], string>('SELECT line FROM ledger_cosignatures WHERE size = ? ORDER BY id')
      .pluck(),
    allCosignatures: db
      .prepare<[], [number, string]>('SELECT size, line FROM ledger_cosignatures ORDER BY size, id')
      .raw(),
    insertCosignature: db.prepare<[number, string, number, string]>(
      `INSERT INTO ledger_cosignatures (size, key_name, key_id, line) VALUES (?, ?, ?, ?)
       ON CONFLICT (size, key_name, key_id) DO NOTHING`,
    ),
  };

  // Filtered lists are built from the filters present; a handful of shapes, each prepared once.
  const queryCache = new Map<string, Statement>();
  const prepared = (sql: string): Statement => {
    let statement = queryCache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      queryCache.set(sql, statement);
    }
    return statement;
  };

  const putSensor = db.transaction((sensor: Sensor, atMs: number): boolean => {
    const body = JSON.stringify(sensor);
    if (s.insertSensor.run(sensor.id, body, atMs, atMs).changes === 1) return true;
    s.replaceSensor.run(body, atMs, sensor.id);
    return false;
  });

  const putHealth = db.transaction((health: readonly SensorHealth[]) => {
    for (const h of health) {
      s.putHealth.run(h.sensorId, h.status, h.lastSeenMs, h.sinceMs, h.observationCount);
    }
  });

  const OBSERVATION_WIDTH = 17;
  const insertObservationRows = bulkInsert(
    db,
    `INSERT INTO observations (sensor_id, id, observed_at_ms, received_at_ms, kind, lon, lat,
       radius_m, inside, possibly_inside, side, distance_to_line_m, zone_spec_version, rule_ids,
       authorized, body, leaf_index)`,
    OBSERVATION_WIDTH,
  );
  const insertLeafRows = bulkInsert(db, 'INSERT INTO ledger_leaves (idx, kind, ref, data)', 4);
  const insertHashRows = bulkInsert(db, 'INSERT INTO ledger_hashes (leaf, hashes)', 2);

  /** Inserts a batch of observations, several rows per statement. */
  const insertObservations = (list: readonly NewObservation[]): void => {
    const values: unknown[] = new Array(list.length * OBSERVATION_WIDTH);
    let k = 0;
    for (const o of list) {
      const { observation } = o;
      values[k++] = observation.sensorId;
      values[k++] = observation.id;
      values[k++] = o.observedAtMs;
      values[k++] = o.receivedAtMs;
      values[k++] = observation.kind;
      values[k++] = o.lon;
      values[k++] = o.lat;
      values[k++] = o.radiusM;
      values[k++] = encodeZones(o.inside);
      values[k++] = listJson(o.possiblyInside);
      values[k++] = o.side;
      values[k++] = o.distanceToLineM;
      values[k++] = o.zoneSpecVersion;
      values[k++] = listJson(o.ruleIds);
      values[k++] = listJson(o.authorized);
      values[k++] = JSON.stringify(observation);
      values[k++] = o.leafIndex;
    }
    insertObservationRows(values, (error, from, to) => {
      if (!isUniqueViolation(error)) return;
      // Name the observation: the failed statement was undone, so its rows go in one by one
      // until the one stored twice (the enclosing transaction is rolled back anyway).
      for (let i = from; i < to; i++) {
        try {
          s.insertObservation.run(values.slice(i * OBSERVATION_WIDTH, (i + 1) * OBSERVATION_WIDTH));
        } catch (single) {
          if (!isUniqueViolation(single)) throw single;
          const { observation } = list[i] as NewObservation;
          // Observations are immutable: a key stored twice fails the whole batch (the caller
          // filters duplicates with existingObservationKeys before committing).
          throw storageError(
            'DUPLICATE_ID',
            `observation ${observation.id} of sensor ${observation.sensorId} is already stored`,
            single,
          );
        }
      }
    });
  };

  /** Writes a ledger append; called inside the transaction of the records it describes. */
  const appendLedgerRows = (append: LedgerAppend): void => {
    checkAppend(append, s.ledgerSize.get() ?? 0);
    try {
      const leaves: unknown[] = [];
      for (const leaf of append.leaves) leaves.push(leaf.index, leaf.kind, leaf.ref, leaf.data);
      insertLeafRows(leaves);
      const rows = packHashRows(append.fromSize, append.leaves.length, append.hashes);
      const hashes: unknown[] = [];
      rows.forEach((row, i) => hashes.push(append.fromSize + i, row));
      insertHashRows(hashes);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Only a corrupt log (hashes stored past its leaves) gets here.
      throw storageError('CONFLICT', 'the ledger already holds a hash of this append', error);
    }
  };

  const appendLedger = db.transaction(appendLedgerRows);

  // Observation leaves are not in the ref index: `observation:<sensorId>/<id>` is looked up in
  // observations by (sensor_id, id), at each '/' since an id may contain one.
  const ledgerLeavesOf = db.transaction((ref: string): LedgerLeafRecord[] => {
    const rows = s.ledgerLeavesOf.all(ref);
    if (ref.startsWith(OBSERVATION_REF)) {
      const key = ref.slice(OBSERVATION_REF.length);
      for (let at = key.indexOf('/'); at >= 0; at = key.indexOf('/', at + 1)) {
        rows.push(...s.observationLeavesOf.all(key.slice(0, at), key.slice(at + 1), ref));
      }
      rows.sort((a, b) => a.idx - b.idx);
    }
    return rows.map(toLeaf);
  });

  const hashRowReader: HashRowReader = {
    row: (leaf) => s.hashRow.get(leaf),
    rows: (first, end) => s.hashRows.all(first, end),
  };
  const readHashes = db.transaction((indexes: readonly number[]) =>
    readStoredHashes(hashRowReader, indexes),
  );

  const putCheckpoint = db.transaction((checkpoint: StoredCheckpoint) => {
    const { size, rootHash, note, issuedAtMs } = checkpoint;
    checkCount('checkpoint size', size);
    if (!isHash(rootHash)) {
      throw storageError('INVALID_INPUT', `checkpoint root hash must be ${HASH_SIZE} bytes`);
    }
    if (typeof note !== 'string' || !Number.isSafeInteger(issuedAtMs)) {
      throw storageError('INVALID_INPUT', 'checkpoint note must be text, issuedAtMs an integer');
    }
    try {
      s.insertCheckpoint.run(size, rootHash, note, issuedAtMs);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw storageError('CONFLICT', `a checkpoint of size ${size} is stored already`, error);
    }
    for (const line of checkpoint.cosignatures) insertCosignature(size, line);
  });

  /** Stores a cosignature line (with its newline) unless its key has cosigned `size` already. */
  const insertCosignature = (size: number, line: string): boolean => {
    const { body, name, keyId } = parseCosignatureLine(line);
    return s.insertCosignature.run(size, name, keyId, `${body}\n`).changes === 1;
  };

  const addCosignature = db.transaction((size: number, line: string): boolean => {
    checkCount('checkpoint size', size);
    parseCosignatureLine(line);
    if (s.getCheckpoint.get(size) === undefined) {
      throw storageError('NOT_FOUND', `no checkpoint of size ${size}`);
    }
    return insertCosignature(size, line);
  });

  const getCheckpoint = db.transaction((size: number): StoredCheckpoint | undefined => {
    const row = s.getCheckpoint.get(size);
    return row && toCheckpoint(row, s.cosignaturesOf.all(row.size));
  });

  const latestCheckpoint = db.transaction((min: number): StoredCheckpoint | undefined => {
    const row = s.latestCheckpoint.get(min);
    return row && toCheckpoint(row, s.cosignaturesOf.all(row.size));
  });

  const listCheckpoints = db.transaction((): StoredCheckpoint[] => {
    const lines = new Map<number, string[]>();
    for (const [size, line] of s.allCosignatures.all()) {
      const list = lines.get(size);
      if (list) list.push(line);
      else lines.set(size, [line]);
    }
    return s.listCheckpoints.all().map((row) => toCheckpoint(row, lines.get(row.size) ?? []));
  });

  const putZoneSpec = db.transaction(
    (body: string, actor: string, atMs: number, ledger?: LedgerAppend) => {
      if (ledger) appendLedgerRows(ledger);
      const row = s.putZoneSpec.get(body, actor, atMs);
      if (!row) throw new Error('zone spec insert returned no version');
      return row.version;
    },
  );

  const putRuleSet = db.transaction(
    (body: string, actor: string, atMs: number, ledger?: LedgerAppend) => {
      if (ledger) appendLedgerRows(ledger);
      const row = s.putRuleSet.get(body, actor, atMs);
      if (!row) throw new Error('rule set insert returned no version');
      return row.version;
    },
  );

  const replaceIncident = db.transaction(
    (incident: Incident, expectedVersion: number, ledger?: LedgerAppend): boolean => {
      const { changes } = s.replaceIncidentAt.run(
        ...incidentColumns(incident),
        incident.id,
        expectedVersion,
      );
      if (changes !== 1) return false;
      if (ledger) appendLedgerRows(ledger);
      return true;
    },
  );

  const commitIngest = db.transaction((commit: IngestCommit) => {
    if (commit.ledger) appendLedgerRows(commit.ledger);
    const byZone = new Map<string, number>();
    insertObservations(commit.observations);
    for (const o of commit.observations) {
      for (const zone of o.inside) byZone.set(zone, (byZone.get(zone) ?? 0) + 1);
    }
    if (commit.observations.length > 0) s.addObservationCount.run(commit.observations.length);
    for (const [zone, count] of byZone) s.addZoneCount.run(zone, count);

    for (const incident of commit.createdIncidents) {
      try {
        s.insertIncident.run(...incidentColumns(incident), incident.id);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw storageError('DUPLICATE_ID', `incident ${incident.id} already exists`, error);
      }
    }
    for (const incident of commit.updatedIncidents) {
      const { changes } = s.replaceIncidentIfOlder.run(
        ...incidentColumns(incident),
        incident.id,
        incident.version,
      );
      if (changes !== 1) {
        throw storageError(
          'CONFLICT',
          `incident ${incident.id} is missing or already at version ${incident.version} or later`,
        );
      }
    }
    for (const source of commit.sources) {
      s.insertSource.run(
        source.incidentId,
        source.sensorId,
        source.observationId,
        source.observedAtMs,
        source.certainty,
      );
    }
    for (const h of commit.sensorHealth) {
      s.putHealth.run(h.sensorId, h.status, h.lastSeenMs, h.sinceMs, h.observationCount);
    }
  });

  const counts = db.transaction((): StorageCounts => ({
    observations: s.observationCount.get() ?? 0,
    incidentsByStatus: Object.fromEntries(s.incidentsByStatus.all()),
    observationsByZone: Object.fromEntries(s.observationsByZone.all()),
    incidentsByZone: Object.fromEntries(s.incidentsByZone.all()),
  }));

  const listObservations = (query: ObservationQuery): Page<StoredObservation> => {
    checkLimit(query.limit);
    checkFinite('fromMs', query.fromMs);
    checkFinite('toMs', query.toMs);
    query.bbox?.forEach((value, i) => checkFinite(`bbox[${i}]`, value));
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.cursor !== undefined) {
      where.push('seq > ?');
      params.push(decodeObservationCursor(query.cursor));
    }
    if (query.fromMs !== undefined) {
      where.push('observed_at_ms >= ?');
      params.push(query.fromMs);
    }
    if (query.toMs !== undefined) {
      where.push('observed_at_ms < ?');
      params.push(query.toMs);
    }
    if (query.bbox) {
      const [west, south, east, north] = query.bbox;
      // An observation without a position (lon and lat null) is in no bbox.
      where.push('lat BETWEEN ? AND ?');
      params.push(south, north);
      // RFC 7946 section 5.2: a bbox whose west is greater than its east crosses the antimeridian.
      where.push(west <= east ? 'lon BETWEEN ? AND ?' : '(lon >= ? OR lon <= ?)');
      params.push(west, east);
    }
    if (query.zone !== undefined) {
      if (query.zone.includes(ZONE_DELIMITER)) return { items: [], nextCursor: null };
      where.push('instr(inside, ?) > 0');
      params.push(ZONE_DELIMITER + query.zone + ZONE_DELIMITER);
    }
    if (query.sensorId !== undefined) {
      where.push('sensor_id = ?');
      params.push(query.sensorId);
    }
    if (query.kind !== undefined) {
      where.push('kind = ?');
      params.push(query.kind);
    }
    const sql =
      `SELECT ${OBSERVATION_COLUMNS} FROM observations` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY seq LIMIT ?';
    const rows = prepared(sql).all(...params, query.limit + 1) as ObservationRow[];
    const items = rows.slice(0, query.limit).map(toStoredObservation);
    const last = items.at(-1);
    const more = rows.length > query.limit && last !== undefined;
    return { items, nextCursor: more ? encodeObservationCursor(last.seq) : null };
  };

  // Rows in event-time order from the time index, grouped into runs as they stream by, so that
  // memory grows with the runs, not the rows. `+sensor_id` keeps the planner off the sensor
  // index, which would read every observation of the sensors, of all time, and sort them. The
  // window is read in slices of event time, yielding to the event loop between them, so that a
  // month of observations (seconds of reading) does not stall ingest.
  const sensorActivity = async (
    query: SensorActivityQuery,
  ): Promise<Map<string, ActivityRun[]>> => {
    checkFinite('fromMs', query.fromMs);
    checkFinite('toMs', query.toMs);
    const gaps = new Map<string, number>();
    for (const { sensorId, maxGapMs } of query.sensors) {
      if (!(maxGapMs >= 0) || !Number.isFinite(maxGapMs)) {
        throw storageError('INVALID_INPUT', `maxGapMs of ${sensorId} must be finite and >= 0`);
      }
      gaps.set(sensorId, maxGapMs);
    }
    const runs = new Map<string, [number, number][]>();
    const ids = JSON.stringify([...gaps.keys()]);
    const statement = prepared(
      `SELECT sensor_id, observed_at_ms FROM observations
       WHERE observed_at_ms >= ? AND observed_at_ms < ?
         AND +sensor_id IN (SELECT value FROM json_each(?))
       ORDER BY observed_at_ms`,
    ).raw(true);
    for (let from = query.fromMs; gaps.size > 0 && from < query.toMs;) {
      const to = Math.min(query.toMs, from + ACTIVITY_SLICE_MS);
      const rows = statement.iterate(from, to, ids) as IterableIterator<[string, number]>;
      for (const [sensorId, atMs] of rows) {
        let list = runs.get(sensorId);
        if (!list) runs.set(sensorId, (list = []));
        const last = list[list.length - 1];
        if (last && atMs - last[1] <= (gaps.get(sensorId) as number)) last[1] = atMs;
        else list.push([atMs, atMs]);
      }
      from = to;
      if (from < query.toMs) await yieldToEventLoop();
    }
    return runs;
  };

  const listIncidents = (query: IncidentQuery): Page<Incident> => {
    checkLimit(query.limit);
    checkFinite('fromMs', query.fromMs);
    checkFinite('toMs', query.toMs);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.cursor !== undefined) {
      const after = decodeIncidentCursor(query.cursor);
      where.push('(last_observed_at_ms, id) < (?, ?)');
      params.push(after.lastObservedAtMs, after.id);
    }
    const equal: [string, string | undefined][] = [
      ['status', query.status],
      ['rule_id', query.ruleId],
      ['severity', query.severity],
    ];
    for (const [column, value] of equal) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      params.push(value);
    }
    const contains: [string, string | undefined][] = [
      ['zones', query.zone],
      ['sectors', query.sector],
    ];
    for (const [column, value] of contains) {
      if (value === undefined) continue;
      where.push(`EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ?)`);
      params.push(value);
    }
    // A source at or after fromMs exists iff the last one is; one before toMs iff the first is.
    if (query.fromMs !== undefined) {
      where.push('last_observed_at_ms >= ?');
      params.push(query.fromMs);
    }
    if (query.toMs !== undefined) {
      where.push('first_observed_at_ms < ?');
      params.push(query.toMs);
    }
    const sql =
      'SELECT last_observed_at_ms, id, body FROM incidents' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY last_observed_at_ms DESC, id DESC LIMIT ?';
    const rows = prepared(sql).all(...params, query.limit + 1) as {
      last_observed_at_ms: number;
      id: string;
      body: string;
    }[];
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const more = rows.length > query.limit && last !== undefined;
    return {
      items: page.map((row) => JSON.parse(row.body) as Incident),
      nextCursor: more
        ? encodeIncidentCursor({ lastObservedAtMs: last.last_observed_at_ms, id: last.id })
        : null,
    };
  };

  return {
    async currentZoneSpec() {
      const row = s.currentZoneSpec.get();
      return row && toVersioned<ZoneSpec>(row);
    },
    async zoneSpecHistory() {
      return s.zoneSpecHistory.all().map((row) => toVersioned<ZoneSpec>(row));
    },
    async putZoneSpec(spec, actor, atMs, ledger) {
      const body = JSON.stringify(spec);
      const version = putZoneSpec.immediate(body, actor, atMs, ledger);
      return toVersioned<ZoneSpec>({ version, body, actor, created_at_ms: atMs });
    },
    async currentRuleSet() {
      const row = s.currentRuleSet.get();
      return row && toVersioned<RuleSet>(row);
    },
    async putRuleSet(ruleSet, actor, atMs, ledger) {
      const body = JSON.stringify(ruleSet);
      const version = putRuleSet.immediate(body, actor, atMs, ledger);
      return toVersioned<RuleSet>({ version, body, actor, created_at_ms: atMs });
    },

    async getSensor(id) {
      const body = s.getSensor.get(id);
      return body === undefined ? undefined : (JSON.parse(body) as Sensor);
    },
    async listSensors() {
      return s.listSensors.all().map((body) => JSON.parse(body) as Sensor);
    },
    async putSensor(sensor, atMs) {
      return putSensor.immediate(sensor, atMs);
    },
    async listSensorHealth() {
      return s.listHealth.all().map(toHealth);
    },
    async putSensorHealth(health) {
      putHealth.immediate(health);
    },

    async existingObservationKeys(keys: readonly ObservationKey[]) {
      const found = new Set<string>();
      if (keys.length === 0) return found;
      const pairs = JSON.stringify(keys.map((k) => [k.sensorId, k.id]));
      for (const [sensorId, id] of s.existingKeys.all(pairs)) {
        found.add(sensorId + KEY_SEPARATOR + id);
      }
      return found;
    },
    async getObservation(key) {
      const row = s.getObservation.get(key.sensorId, key.id);
      return row && toStoredObservation(row);
    },
    async listObservations(query) {
      return listObservations(query);
    },
    sensorActivity,

    async openIncidentsBetween(fromMs, toMs, ruleIds) {
      checkFinite('fromMs', fromMs);
      checkFinite('toMs', toMs);
      if (ruleIds.length === 0) return [];
      return s.openIncidentsBetween
        .all(JSON.stringify(ruleIds), fromMs, toMs)
        .map((body) => JSON.parse(body) as Incident);
    },
    async getIncident(id) {
      const body = s.getIncident.get(id);
      return body === undefined ? undefined : (JSON.parse(body) as Incident);
    },
    async listIncidents(query) {
      return listIncidents(query);
    },
    async incidentSources(id) {
      return s.incidentSources.all(id).map(toSource);
    },
    async replaceIncident(incident, expectedVersion, ledger) {
      if (!(incident.version > expectedVersion)) {
        throw new RangeError(
          `incident ${incident.id}: the replacement's version ${incident.version} must be ` +
            `greater than the expected version ${expectedVersion}`,
        );
      }
      return replaceIncident.immediate(incident, expectedVersion, ledger);
    },

    async commitIngest(commit) {
      commitIngest.immediate(commit);
    },

    async ledgerSize() {
      return s.ledgerSize.get() ?? 0;
    },
    async ledgerHashes(indexes) {
      return indexes.length === 0 ? [] : readHashes.deferred(indexes);
    },
    async ledgerLeaves(fromIndex, limit) {
      checkCount('fromIndex', fromIndex);
      checkLimit(limit);
      return s.ledgerLeaves.all(fromIndex, fromIndex + limit).map(toLeaf);
    },
    async ledgerLeavesOf(ref) {
      return ledgerLeavesOf.deferred(ref);
    },
    async appendLedger(append) {
      appendLedger.immediate(append);
    },
    async putCheckpoint(checkpoint) {
      putCheckpoint.immediate(checkpoint);
    },
    async addCosignature(size, line) {
      return addCosignature.immediate(size, line);
    },
    async getCheckpoint(size) {
      return getCheckpoint.deferred(size);
    },
    async latestCheckpoint(minCosignatures = 0) {
      checkCount('minCosignatures', minCosignatures);
      return latestCheckpoint.deferred(minCosignatures);
    },
    async listCheckpoints() {
      return listCheckpoints.deferred();
    },

    async apiKeyByHash(hash) {
      const row = s.apiKeyByHash.get(hash);
      return row && toApiKey(row);
    },
    async putApiKey(key) {
      try {
        s.putApiKey.run(key.id, key.hash, key.role, key.label, key.createdAtMs, key.revokedAtMs);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw storageError('DUPLICATE_ID', `another API key has the hash of key ${key.id}`, error);
      }
    },
    async listApiKeys() {
      return s.listApiKeys.all().map(toApiKey);
    },

    async counts() {
      return counts.deferred();
    },
    async close() {
      if (!db.open) return;
      if (!db.readonly) db.pragma('optimize');
      db.close();
    },

    async checkpoint() {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async settings() {
      return {
        journalMode: db.pragma('journal_mode', { simple: true }) as string,
        synchronous: db.pragma('synchronous', { simple: true }) as number,
        foreignKeys: db.pragma('foreign_keys', { simple: true }) === 1,
        busyTimeoutMs: db.pragma('busy_timeout', { simple: true }) as number,
        schemaVersion: db.pragma('user_version', { simple: true }) as number,
      };
    },
  };
}
