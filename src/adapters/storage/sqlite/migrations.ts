import type { Database } from 'better-sqlite3';

/**
 * `PRAGMA application_id` of an Armistice database ("ARMS"), so that a file written by another
 * program is refused instead of migrated (https://www.sqlite.org/pragma.html#pragma_application_id).
 */
export const SQLITE_APPLICATION_ID = 0x41524d53;

/**
 * The schema migrations, in order: migration `i` takes the schema from version `i` to `i + 1`,
 * and `PRAGMA user_version` records the version reached. Append new migrations; never edit one
 * that has been released.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE zone_specs (
    version INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE rule_sets (
    version INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE sensors (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE sensor_health (
    sensor_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    last_seen_ms INTEGER,
    since_ms INTEGER NOT NULL,
    observation_count INTEGER NOT NULL
  ) STRICT;

  -- seq is the rowid: without AUTOINCREMENT SQLite assigns max(rowid) + 1, which is the order
  -- of insertion as long as rows are never deleted (observations are immutable).
  -- inside holds the zones certainly containing the position as '|dmz|sector-03|' ('' for
  -- none), so that a zone filter is a substring test and ingest writes no side-table rows.
  CREATE TABLE observations (
    seq INTEGER PRIMARY KEY,
    sensor_id TEXT NOT NULL,
    id TEXT NOT NULL,
    observed_at_ms INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    lon REAL,
    lat REAL,
    radius_m REAL,
    inside TEXT NOT NULL,
    possibly_inside TEXT NOT NULL,
    side TEXT,
    distance_to_line_m REAL,
    zone_spec_version INTEGER NOT NULL,
    rule_ids TEXT NOT NULL,
    authorized TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (sensor_id, id)
  ) STRICT;
  CREATE INDEX observations_observed_at ON observations (observed_at_ms);
  CREATE INDEX observations_sensor ON observations (sensor_id, seq);

  -- Counters kept by commitIngest, so that the status page never scans the observations.
  CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) STRICT;
  INSERT INTO counters (name, value) VALUES ('observations', 0);
  CREATE TABLE observation_zone_counts (
    zone_id TEXT PRIMARY KEY,
    count INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    first_observed_at_ms INTEGER NOT NULL,
    last_observed_at_ms INTEGER NOT NULL,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    zones TEXT NOT NULL,
    sectors TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX incidents_newest ON incidents (last_observed_at_ms, id);
  CREATE INDEX incidents_status ON incidents (status);
  CREATE INDEX incidents_open ON incidents (rule_id, last_observed_at_ms)
    WHERE status <> 'closed';

  CREATE TABLE incident_sources (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    sensor_id TEXT NOT NULL,
    observation_id TEXT NOT NULL,
    observed_at_ms INTEGER NOT NULL,
    certainty TEXT NOT NULL,
    PRIMARY KEY (incident_id, sensor_id, observation_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER
  ) STRICT;
  `,
  // 2: the evidence ledger (docs/ledger.md, "Storage").
  `
  -- One row per leaf, idx = leaf index (0, 1, ...): the rowid, so max(idx) is one B-tree seek
  -- and a range of leaves is one range scan. data holds the exact bytes hashed.
  CREATE TABLE ledger_leaves (
    idx INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    data BLOB NOT NULL
  ) STRICT;
  CREATE INDEX ledger_leaves_ref ON ledger_leaves (ref);

  -- Every leaf hash and complete subtree hash, grouped by the leaf whose append stored them:
  -- the row of leaf m holds the hashes at storage indexes storedHashCount(m) to
  -- storedHashCount(m + 1) - 1 (its leaf hash, then the hash of each complete subtree it ends,
  -- level by level), 32 bytes each, concatenated. One row per leaf rather than per hash halves
  -- the rows an append writes; like the leaves, a row is written once and never changed.
  CREATE TABLE ledger_hashes (
    leaf INTEGER PRIMARY KEY,
    hashes BLOB NOT NULL CHECK (length(hashes) > 0 AND length(hashes) % 32 = 0)
  ) STRICT;

  CREATE TABLE ledger_checkpoints (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL CHECK (length(root) = 32),
    note TEXT NOT NULL,
    issued_at_ms INTEGER NOT NULL
  ) STRICT;

  -- Witness cosignature lines; id gives the order of arrival, and a witness key (name and key
  -- ID) cosigns a checkpoint at most once.
  CREATE TABLE ledger_cosignatures (
    id INTEGER PRIMARY KEY,
    size INTEGER NOT NULL REFERENCES ledger_checkpoints (size),
    key_name TEXT NOT NULL,
    key_id INTEGER NOT NULL,
    line TEXT NOT NULL,
    UNIQUE (size, key_name, key_id)
  ) STRICT;

  -- NULL for observations stored before the ledger existed.
  ALTER TABLE observations ADD COLUMN leaf_index INTEGER;
  `,
  // 3: observation leaves are found through observations.leaf_index (one unique-index probe on
  // (sensor_id, id)), so the ref index holds only the other leaves: ingest no longer pays a
  // B-tree insert of the ref per observation.
  `
  DROP INDEX ledger_leaves_ref;
  CREATE INDEX ledger_leaves_ref ON ledger_leaves (ref) WHERE kind <> 'observation';
  `,
];

/** What a migration run did. */
export interface MigrationResult {
  /** Schema version found. */
  readonly from: number;
  /** Schema version after the run. */
  readonly to: number;
}

function readVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Refuses a database this code must not touch: another program's file, or a schema newer than
 * the migrations it knows (written by a later Armistice; downgrading would corrupt it).
 */
export function checkSqliteSchema(
  db: Database,
  migrations: readonly string[] = SQLITE_MIGRATIONS,
): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId !== 0 && applicationId !== SQLITE_APPLICATION_ID) {
    throw new Error(
      `${db.name} is not an Armistice database (application_id ${applicationId}); refusing to open it`,
    );
  }
  const version = readVersion(db);
  if (version > migrations.length) {
    throw new Error(
      `${db.name} has schema version ${version}, newer than this Armistice knows ` +
        `(${migrations.length}); upgrade Armistice or open another database`,
    );
  }
}

/**
 * Applies the migrations the database has not had yet, each in its own IMMEDIATE transaction
 * together with the `user_version` it reaches, so that a failing migration leaves the schema at
 * the previous version and two processes never migrate the same file at once.
 */
export function migrateSqlite(
  db: Database,
  migrations: readonly string[] = SQLITE_MIGRATIONS,
): MigrationResult {
  checkSqliteSchema(db, migrations);
  const from = readVersion(db);
  const step = db.transaction((index: number) => {
    // Re-read under the write lock: another process may have migrated meanwhile.
    if (readVersion(db) !== index) return;
    db.exec(migrations[index]);
    db.pragma(`application_id = ${SQLITE_APPLICATION_ID}`);
    db.pragma(`user_version = ${index + 1}`);
  });
  for (let index = from; index < migrations.length; index++) step.immediate(index);
  return { from, to: readVersion(db) };
}
