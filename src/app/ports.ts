import type { DerivedObservationFacts } from '../core/evidence/index.js';
import type { Incident, IncidentSource } from '../core/incidents/index.js';
import type { LedgerLeafKind, StoredHash } from '../core/ledger/index.js';
import type { Observation, Sensor } from '../core/observations/index.js';
import type { RuleSet } from '../core/rules/index.js';
import type { ZoneSpec } from '../core/zones/index.js';

/** The time source. Timers and tests use it so that a fake clock can drive them. */
export interface Clock {
  /** Now, Unix ms. */
  nowMs(): number;
}

/** Identifier source for new records. */
export interface Ids {
  /** A new unique id starting with the prefix, e.g. `inc-...`. */
  next(prefix: string): string;
}

/** (sensorId, id): the idempotency key of an observation. */
export interface ObservationKey {
  /** Reporting sensor. */
  readonly sensorId: string;
  /** Observation id, unique per sensor. */
  readonly id: string;
}

/**
 * An observation as kept: the record as submitted, and what the server derived from it (the
 * derived facts, `DerivedObservationFacts`, are exactly what its ledger leaf records).
 */
export interface StoredObservation extends DerivedObservationFacts {
  /** Position in the order of receipt, assigned by storage (1, 2, ...). */
  readonly seq: number;
  /** The observation exactly as submitted (immutable). */
  readonly observation: Observation;
  /** Event time, Unix ms. */
  readonly observedAtMs: number;
  /** Index of its leaf in the evidence ledger, or null if it was stored without one. */
  readonly leafIndex: number | null;
}

/** A stored observation before storage has numbered it. */
export type NewObservation = Omit<StoredObservation, 'seq'>;

/** A version of a document the server keeps history of (zone specs, rule sets). */
export interface Versioned<T> {
  /** 1, 2, ... */
  readonly version: number;
  /** The document. */
  readonly body: T;
  /** Who stored it. */
  readonly actor: string;
  /** When, Unix ms. */
  readonly createdAtMs: number;
}

/** How a sensor is doing (S2). */
export interface SensorHealth {
  /** The sensor. */
  readonly sensorId: string;
  /** `ok` reporting on time; `silent` overdue; `interfered` reported interference; `unknown` never heard from or not on a schedule. */
  readonly status: 'ok' | 'silent' | 'interfered' | 'unknown';
  /** Last time anything arrived from it (event time), Unix ms, or null. */
  readonly lastSeenMs: number | null;
  /** Since when the status holds, Unix ms. */
  readonly sinceMs: number;
  /** Observations received from it. */
  readonly observationCount: number;
}

/** One page of a list, and the cursor of the next. */
export interface Page<T> {
  /** The records. */
  readonly items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Filters of the observation list; all optional. Event-time range is [fromMs, toMs). */
export interface ObservationQuery {
  /** Event time from, Unix ms. */
  readonly fromMs?: number;
  /** Event time to (exclusive), Unix ms. */
  readonly toMs?: number;
  /** [west, south, east, north], degrees. */
  readonly bbox?: readonly [number, number, number, number];
  /** Only observations certainly inside this zone. */
  readonly zone?: string;
  /** Only from this sensor. */
  readonly sensorId?: string;
  /** Only of this kind. */
  readonly kind?: string;
  /** Continue after this cursor. */
  readonly cursor?: string;
  /** Page size. */
  readonly limit: number;
}

/**
 * A run of a sensor's activity: the event times of the first and the last of consecutive
 * observations of one sensor, no two of them further apart than the run's gap (see
 * `Storage.sensorActivity`).
 */
export type ActivityRun = readonly [firstMs: number, lastMs: number];

/** Which sensors' activity to read, and over which event times `[fromMs, toMs)`. */
export interface SensorActivityQuery {
  /** Event time from, Unix ms (inclusive). */
  readonly fromMs: number;
  /** Event time to, Unix ms (exclusive). */
  readonly toMs: number;
  /**
   * The sensors, each with the largest gap, ms, between two consecutive observations of one run
   * (typically its heartbeat interval: reports closer than that leave it up without a break).
   */
  readonly sensors: readonly { readonly sensorId: string; readonly maxGapMs: number }[];
}

/** Filters of the incident list; all optional. */
export interface IncidentQuery {
  /** Only with this status. */
  readonly status?: string;
  /** Only whose sources matched this zone. */
  readonly zone?: string;
  /** Only in this sector. */
  readonly sector?: string;
  /** Only of this rule. */
  readonly ruleId?: string;
  /** Only of this severity. */
  readonly severity?: string;
  /** Only with a source at or after this event time, Unix ms. */
  readonly fromMs?: number;
  /** Only with a source before this event time, Unix ms. */
  readonly toMs?: number;
  /** Continue after this cursor. */
  readonly cursor?: string;
  /** Page size. */
  readonly limit: number;
}

/** An incident source with the incident it belongs to. */
export interface StoredIncidentSource extends IncidentSource {
  /** The incident. */
  readonly incidentId: string;
}

/**
 * Everything one ingest batch writes. Storage writes it in ONE transaction: either all of it is
 * kept or none, and the batch is acknowledged only after the commit.
 */
export interface IngestCommit {
  /** New observations, in order of receipt. */
  readonly observations: readonly NewObservation[];
  /** Incidents opened by the batch. */
  readonly createdIncidents: readonly Incident[];
  /** Incidents changed by the batch (their latest state; `version` already increased). */
  readonly updatedIncidents: readonly Incident[];
  /** Sources linked to incidents by the batch. */
  readonly sources: readonly StoredIncidentSource[];
  /** Sensor health after the batch, for the sensors it touched. */
  readonly sensorHealth: readonly SensorHealth[];
  /** Ledger leaves of the batch (its observations), written in the same transaction. */
  readonly ledger?: LedgerAppend;
}

/** One leaf of the evidence ledger as stored. */
export interface LedgerLeafRecord {
  /** Leaf index: 0, 1, ... in order of append. */
  readonly index: number;
  /** What kind of record the leaf is. */
  readonly kind: LedgerLeafKind;
  /**
   * Which record: `observation:<sensorId>/<id>`, `incident:<id>` (its transitions),
   * `zone-spec:<version>`, `rule-set:<version>`, `ledger-key:<keyId>`.
   */
  readonly ref: string;
  /** The exact bytes hashed: the UTF-8 RFC 8785 canonical JSON of `{kind, record}`. */
  readonly data: Uint8Array;
}

/**
 * Leaves appended to the ledger together with the records they describe, in the same
 * transaction: `leaves` are numbered `fromSize`, `fromSize + 1`, ...; `hashes` are the new stored
 * hashes (leaf and completed subtree hashes, see `planAppend`). Storage refuses an append whose
 * `fromSize` is not the current size (CONFLICT), so two writers can never fork the log.
 */
export interface LedgerAppend {
  /** Ledger size before the append. */
  readonly fromSize: number;
  /** The new leaves, indexes fromSize... in order. */
  readonly leaves: readonly LedgerLeafRecord[];
  /** The new stored hashes, storage indexes storedHashCount(fromSize)... in order. */
  readonly hashes: readonly StoredHash[];
}

/** A checkpoint the server issued: the signed note and the witnesses' cosignatures so far. */
export interface StoredCheckpoint {
  /** Tree size it commits to (unique: one checkpoint per size). */
  readonly size: number;
  /** Root hash at that size, 32 bytes. */
  readonly rootHash: Uint8Array;
  /** The signed note as issued, with the log's signature(s) only. */
  readonly note: string;
  /** When it was issued, Unix ms. */
  readonly issuedAtMs: number;
  /** Witness cosignature lines (`— name base64\n`), in order of arrival, at most one per key. */
  readonly cosignatures: readonly string[];
}

/** An API key as stored: only its hash, never the key. */
export interface ApiKeyRecord {
  /** Key id, shown in logs and audit instead of the key. */
  readonly id: string;
  /** SHA-256 of the key, hex. */
  readonly hash: string;
  /** Role of the key. */
  readonly role: 'admin' | 'sensor' | 'reader';
  /** What the key is for. */
  readonly label: string;
  /** When it was created, Unix ms. */
  readonly createdAtMs: number;
  /** When it was revoked, Unix ms, or null. */
  readonly revokedAtMs: number | null;
}

/** Counts for the status page. */
export interface StorageCounts {
  /** Observations kept. */
  readonly observations: number;
  /** Incidents by status. */
  readonly incidentsByStatus: Record<string, number>;
  /** Observations by zone they are certainly inside. */
  readonly observationsByZone: Record<string, number>;
  /** Incidents by zone. */
  readonly incidentsByZone: Record<string, number>;
}

/**
 * Where Armistice keeps its records. Every method is asynchronous so that a server database
 * (PostgreSQL) can implement the same port; the contract test suite in test/storage holds every
 * implementation to the same behaviour.
 */
export interface Storage {
  /** The current zone spec, if one was stored. */
  currentZoneSpec(): Promise<Versioned<ZoneSpec> | undefined>;
  /** Every zone spec version, newest first (bodies included). */
  zoneSpecHistory(): Promise<Versioned<ZoneSpec>[]>;
  /** Stores a new zone spec version and returns it. */
  putZoneSpec(
    spec: ZoneSpec,
    actor: string,
    atMs: number,
    ledger?: LedgerAppend,
  ): Promise<Versioned<ZoneSpec>>;
  /** The current rule set, if one was stored. */
  currentRuleSet(): Promise<Versioned<RuleSet> | undefined>;
  /** Stores a new rule set version and returns it. */
  putRuleSet(
    ruleSet: RuleSet,
    actor: string,
    atMs: number,
    ledger?: LedgerAppend,
  ): Promise<Versioned<RuleSet>>;

  /** A sensor by id. */
  getSensor(id: string): Promise<Sensor | undefined>;
  /** Every sensor, by id. */
  listSensors(): Promise<Sensor[]>;
  /** Creates or replaces a sensor; true when it was created. */
  putSensor(sensor: Sensor, atMs: number): Promise<boolean>;
  /** Health of every sensor that has a record. */
  listSensorHealth(): Promise<SensorHealth[]>;
  /** Stores health records (replacing those of the same sensors). */
  putSensorHealth(health: readonly SensorHealth[]): Promise<void>;

  /** Which of the keys are already stored, as `${sensorId}\u0000${id}` strings. */
  existingObservationKeys(keys: readonly ObservationKey[]): Promise<Set<string>>;
  /** One observation by key. */
  getObservation(key: ObservationKey): Promise<StoredObservation | undefined>;
  /** Observations matching the query, oldest receipt first, one page. */
  listObservations(query: ObservationQuery): Promise<Page<StoredObservation>>;
  /**
   * When the given sensors reported, for coverage: the event times of their observations (of any
   * kind) in `[fromMs, toMs)`, merged per sensor into runs `[first, last]` in time order, a new
   * run starting where two consecutive observations are more than the sensor's `maxGapMs` apart.
   * Sensors without an observation in the window are absent from the map. The answer grows with
   * the number of runs, not of observations.
   */
  sensorActivity(query: SensorActivityQuery): Promise<Map<string, ActivityRun[]>>;

  /** Incidents not closed whose event time span overlaps [fromMs, toMs], for the given rules. */
  openIncidentsBetween(
    fromMs: number,
    toMs: number,
    ruleIds: readonly string[],
  ): Promise<Incident[]>;
  /** One incident by id. */
  getIncident(id: string): Promise<Incident | undefined>;
  /** Incidents matching the query, newest first, one page. */
  listIncidents(query: IncidentQuery): Promise<Page<Incident>>;
  /** The sources of an incident, in event-time order. */
  incidentSources(id: string): Promise<StoredIncidentSource[]>;
  /**
   * Replaces an incident if its stored version is `expectedVersion`; false when another change
   * got there first (the caller reloads and retries or reports a conflict).
   */
  replaceIncident(
    incident: Incident,
    expectedVersion: number,
    ledger?: LedgerAppend,
  ): Promise<boolean>;

  /** Writes one ingest batch in one transaction; resolves after the commit. */
  commitIngest(commit: IngestCommit): Promise<void>;

  /** Number of leaves in the ledger. */
  ledgerSize(): Promise<number>;
  /** Stored hashes at the given storage indexes, in the same order; throws if one is missing. */
  ledgerHashes(indexes: readonly number[]): Promise<Uint8Array[]>;
  /** Leaves [fromIndex, fromIndex + limit), in index order (fewer at the end of the log). */
  ledgerLeaves(fromIndex: number, limit: number): Promise<LedgerLeafRecord[]>;
  /**
   * Leaves whose ref is exactly `ref`, in index order. An observation's leaf is found through
   * the stored observation it was committed with (`commitIngest`, `leafIndex`); an observation
   * leaf appended without one is listed by `ledgerLeaves` only.
   */
  ledgerLeavesOf(ref: string): Promise<LedgerLeafRecord[]>;
  /** Appends decisions to the ledger on their own (no other record). */
  appendLedger(append: LedgerAppend): Promise<void>;
  /** Stores a newly issued checkpoint (no cosignatures yet). */
  putCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  /**
   * Adds a cosignature line to the checkpoint of `size`, unless one with the same key name and
   * key id is there already (then false). Throws NOT_FOUND for an unknown size.
   */
  addCosignature(size: number, line: string): Promise<boolean>;
  /** The checkpoint of this size. */
  getCheckpoint(size: number): Promise<StoredCheckpoint | undefined>;
  /** The newest checkpoint, or the newest with at least `minCosignatures` cosignatures. */
  latestCheckpoint(minCosignatures?: number): Promise<StoredCheckpoint | undefined>;
  /** Every checkpoint, oldest first. */
  listCheckpoints(): Promise<StoredCheckpoint[]>;

  /** An API key by the SHA-256 of its secret. */
  apiKeyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Stores an API key record (replacing one with the same id). */
  putApiKey(key: ApiKeyRecord): Promise<void>;
  /** Every API key record. */
  listApiKeys(): Promise<ApiKeyRecord[]>;

  /** Counts for the status page. */
  counts(): Promise<StorageCounts>;
  /** Releases the database. */
  close(): Promise<void>;
}

/** Something the app tells live subscribers about. */
export type DomainEvent =
  | { readonly type: 'incident.created'; readonly incident: Incident }
  | { readonly type: 'incident.updated'; readonly incident: Incident }
  | { readonly type: 'sensor.health'; readonly health: SensorHealth }
  | { readonly type: 'observation.accepted'; readonly observation: NewObservation };

/** In-process or broker-backed publication of domain events, after they are committed. */
export interface Bus {
  /** Publishes events in order. */
  publish(events: readonly DomainEvent[]): void;
  /** Calls the handler for every event published from now on; returns the unsubscribe. */
  subscribe(handler: (event: DomainEvent) => void): () => void;
}
