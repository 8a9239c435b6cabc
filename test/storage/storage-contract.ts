import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEd25519Signer, sha256 } from '../../src/adapters/crypto/index.js';
import type {
  ApiKeyRecord,
  IncidentQuery,
  IngestCommit,
  LedgerAppend,
  LedgerLeafRecord,
  NewObservation,
  ObservationQuery,
  SensorHealth,
  Storage,
  StoredCheckpoint,
  StoredIncidentSource,
  StoredObservation,
} from '../../src/app/ports.js';
import type { Incident } from '../../src/core/incidents/index.js';
import {
  createMerkleHasher,
  createNoteSigner,
  encodeLeaf,
  formatCheckpoint,
  formatNote,
  formatSignatureLine,
  formatVerifierKey,
  planAppend,
  planConsistencyProof,
  planInclusionProof,
  planTreeHash,
  SIGNATURE_TYPE_ED25519,
  signNote,
  storedHashCount,
  verifierKeyOf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/core/ledger/index.js';
import type { HashPlan, JsonObject, LedgerLeafKind } from '../../src/core/ledger/index.js';
import type {
  Observation,
  ObservationKind,
  ReliabilityGrade,
  Sensor,
  SensorKind,
} from '../../src/core/observations/index.js';
import type { RuleSet, Severity } from '../../src/core/rules/index.js';
import type { ZoneSpec } from '../../src/core/zones/index.js';

/** 2026-03-01T00:00:00Z: event times of the fixtures are around it. */
export const T0_MS = Date.parse('2026-03-01T00:00:00Z');
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const SENSOR_IDS = ['acu-01', 'cam-01', 'cam-02', 'uav-01'];
const SHA256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

// The schema-derived types of these vocabulary fields are checked against the taxonomy here, so
// that the fixtures compile whatever TypeBox infers for a union built from an array.
const kind = (k: ObservationKind) => k as Observation['kind'];
const sensorKind = (k: SensorKind) => k as Sensor['kind'];
const grade = (g: ReliabilityGrade) => g as Sensor['reliability'];
const ruleKinds = (ks: ObservationKind[]) => ks as RuleSet['rules'][number]['kinds'];
const ruleSeverity = (s: Severity) => s as RuleSet['rules'][number]['severity'];

/** The key string existingObservationKeys returns. */
function keyOf(sensorId: string, id: string): string {
  return `${sensorId}\u0000${id}`;
}

function observationBody(n: number, observedAtMs: number, lon: number, lat: number): Observation {
  const base = {
    id: `obs-${String(n).padStart(6, '0')}`,
    sensorId: SENSOR_IDS[n % SENSOR_IDS.length],
    observedAt: new Date(observedAtMs).toISOString(),
  };
  switch (n % 5) {
    case 0:
      return {
        ...base,
        kind: kind('detection'),
        position: { lon, lat, uncertaintyM: 25 + (n % 3) },
        object: { class: n % 2 ? 'tank' : 'ifv-apc', count: 1 + (n % 4), party: 'RUS' },
        evidence: [{ uri: `s3://mission/media/${n}.jpg`, sha256: SHA256, mediaType: 'image/jpeg' }],
      };
    case 1:
      return {
        ...base,
        kind: kind('kinetic'),
        position: { bearingDeg: 123.5, minRangeM: 1_500, maxRangeM: 4_000 },
        event: { type: 'explosion-impact', count: 3 },
      };
    case 2:
      return { ...base, kind: kind('heartbeat') };
    case 3:
      return { ...base, kind: kind('interference'), interference: { type: 'gps-jamming' } };
    default:
      return {
        ...base,
        kind: kind('report'),
        position: { lon, lat, altM: 152.25 },
        report: { text: `Patrol ${n}: trench digging seen.`, fields: { patrol: 'P-7', n } },
      };
  }
}

/**
 * The n-th observation of the fixtures, as ingest would hand it to storage. Event times are not
 * in the order of receipt (late and out-of-order delivery); the derived fields vary with n so
 * that every filter selects a proper subset.
 */
export function makeObservation(n: number): NewObservation {
  const observedAtMs = T0_MS + ((n * 37) % 101) * MINUTE_MS;
  // Heartbeats 7, 17, 27, ... come from sensors registered without a position.
  const located = n % 10 !== 7;
  const lon = 37.6 + (n % 10) * 0.01 + 0.000123;
  const lat = 48.1 + ((n * 3) % 10) * 0.01 + 0.000456;
  const inside = [['dmz', 'sector-03'], ['withdrawal-UKR-lt100'], ['sector-04'], []][n % 4];
  return {
    observation: observationBody(n, observedAtMs, lon, lat),
    observedAtMs,
    receivedAtMs: T0_MS + DAY_MS + n * 10,
    lon: located ? lon : null,
    lat: located ? lat : null,
    radiusM: located ? 25.5 + (n % 5) : null,
    inside,
    possiblyInside: n % 2 === 0 ? ['dmz', 'disengagement-1'] : [],
    side: n % 6 === 0 ? null : n % 2 ? 'UKR' : 'RUS',
    distanceToLineM: n % 6 === 0 ? null : 1_234.5678 + n,
    zoneSpecVersion: 1 + (n % 2),
    ruleIds: inside.includes('dmz') ? ['dmz-no-forces'] : [],
    authorized: n % 7 === 0 ? [{ ruleId: 'withdrawal-lt100', notificationId: 'notif-17' }] : [],
    leafIndex: null,
  };
}

/** Observations `from` .. `to - 1` of the fixtures. */
export function makeObservations(from: number, to: number): NewObservation[] {
  return Array.from({ length: to - from }, (_, i) => makeObservation(from + i));
}

/** An incident with realistic fields; `patch` overrides some. */
export function makeIncident(id: string, patch: Partial<Incident> = {}): Incident {
  return {
    id,
    ruleId: 'dmz-no-forces',
    severity: 'high',
    status: 'detected',
    certainty: 'certain',
    firstObservedAtMs: T0_MS,
    lastObservedAtMs: T0_MS + 5 * MINUTE_MS,
    lon: 37.612345,
    lat: 48.123456,
    radiusM: 41.25,
    zones: ['dmz', 'sector-03'],
    sectors: ['sector-03'],
    classes: ['tank'],
    eventTypes: [],
    parties: ['RUS'],
    maxCount: 2,
    sensorIds: ['cam-01', 'cam-02'],
    corroboration: 2,
    sourceCount: 3,
    transitions: [],
    createdAtMs: T0_MS + DAY_MS,
    updatedAtMs: T0_MS + DAY_MS,
    version: 1,
    ...patch,
  };
}

/** A commit with only the given parts. */
export function makeCommit(parts: Partial<IngestCommit>): IngestCommit {
  return {
    observations: [],
    createdIncidents: [],
    updatedIncidents: [],
    sources: [],
    sensorHealth: [],
    ...parts,
  };
}

/** The RFC 9162 hash functions of the ledger, over node:crypto's SHA-256. */
export const MERKLE = createMerkleHasher(sha256);

/** A leaf to append: what kind of record, which record, and the record. */
export interface LeafInput {
  /** Kind of record. */
  readonly kind: LedgerLeafKind;
  /** `LedgerLeafRecord.ref`. */
  readonly ref: string;
  /** The record. */
  readonly record: JsonObject;
}

/** The ledger leaf of an observation. */
export function observationLeaf(o: NewObservation): LeafInput {
  const { sensorId, id } = o.observation;
  return {
    kind: 'observation',
    ref: `observation:${sensorId}/${id}`,
    record: o.observation as unknown as JsonObject,
  };
}

/** The n-th decision leaf of the fixtures: a transition of incident `inc-(n mod 4)`. */
export function decisionLeaf(n: number): LeafInput {
  const incidentId = `inc-${n % 4}`;
  return {
    kind: 'incident-transition',
    ref: `incident:${incidentId}`,
    record: { incidentId, from: 'detected', to: 'under-review', actor: 'officer-1', atMs: n },
  };
}

/** Runs a hash plan against the stored hashes of `storage`. */
export async function runPlan<T>(storage: Storage, plan: HashPlan<T>): Promise<T> {
  return plan.finish(plan.indexes.length > 0 ? await storage.ledgerHashes(plan.indexes) : []);
}

/** The append of `leaves` to the ledger of `storage` as it is now (older hashes read from it). */
export async function prepareAppend(
  storage: Storage,
  leaves: readonly LeafInput[],
): Promise<LedgerAppend> {
  const fromSize = await storage.ledgerSize();
  const records: LedgerLeafRecord[] = leaves.map((leaf, i) => ({
    index: fromSize + i,
    kind: leaf.kind,
    ref: leaf.ref,
    data: encodeLeaf({ kind: leaf.kind, record: leaf.record }),
  }));
  const leafHashes = records.map((r) => MERKLE.hashLeaf(r.data));
  const hashes = await runPlan(storage, planAppend(MERKLE, fromSize, leafHashes));
  return { fromSize, leaves: records, hashes };
}

/** Commits `observations` with their ledger leaves, numbered from the ledger's size. */
export async function ingestWithLedger(
  storage: Storage,
  observations: readonly NewObservation[],
): Promise<NewObservation[]> {
  const fromSize = await storage.ledgerSize();
  const numbered = observations.map((o, i) => ({ ...o, leafIndex: fromSize + i }));
  const ledger = await prepareAppend(storage, numbered.map(observationLeaf));
  await storage.commitIngest(makeCommit({ observations: numbered, ledger }));
  return numbered;
}

/** MTH(D[0:n]) by the recursive definition of RFC 9162 §2.1.1, from the leaf hashes. */
export function referenceRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return MERKLE.emptyRoot;
  if (leafHashes.length === 1) return leafHashes[0];
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return MERKLE.hashChildren(
    referenceRoot(leafHashes.slice(0, k)),
    referenceRoot(leafHashes.slice(k)),
  );
}

/** The origin (and key name) of the fixtures' log. */
export const LEDGER_ORIGIN = 'armistice.example/ledger';
const LOG_KEY = createEd25519Signer(new Uint8Array(32).fill(7));
const LOG_SIGNER = createNoteSigner(sha256, LEDGER_ORIGIN, LOG_KEY);
/** The verifier key (vkey) of the fixtures' log. */
export const LEDGER_VKEY = formatVerifierKey(
  verifierKeyOf(sha256, LEDGER_ORIGIN, SIGNATURE_TYPE_ED25519, LOG_KEY.publicKey),
);

/** A checkpoint of the fixtures' log, signed by its key, with no cosignature. */
export function makeCheckpoint(size: number, rootHash: Uint8Array, atMs: number): StoredCheckpoint {
  const text = formatCheckpoint({ origin: LEDGER_ORIGIN, size, rootHash, extensions: [] });
  return {
    size,
    rootHash,
    note: formatNote(signNote(text, [LOG_SIGNER])),
    issuedAtMs: atMs,
    cosignatures: [],
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function makeSensor(id: string, patch: Partial<Sensor> = {}): Sensor {
  return {
    id,
    name: `Camera ${id}`,
    kind: sensorKind('camera'),
    owner: 'mission',
    position: { lon: 37.61, lat: 48.12, altM: 180 },
    rangeM: 3_000,
    reliability: grade('B'),
    heartbeatIntervalS: 60,
    ...patch,
  };
}

function makeHealth(sensorId: string, patch: Partial<SensorHealth> = {}): SensorHealth {
  return {
    sensorId,
    status: 'ok',
    lastSeenMs: T0_MS + 30 * MINUTE_MS,
    sinceMs: T0_MS,
    observationCount: 42,
    ...patch,
  };
}

function source(
  incidentId: string,
  o: NewObservation,
  certainty: StoredIncidentSource['certainty'] = 'certain',
): StoredIncidentSource {
  return {
    incidentId,
    sensorId: o.observation.sensorId,
    observationId: o.observation.id,
    observedAtMs: o.observedAtMs,
    certainty,
  };
}

const DEMO_SPEC = JSON.parse(
  readFileSync(new URL('../../examples/zones/notional-demo.json', import.meta.url), 'utf8'),
) as ZoneSpec;

const RULE_SET: RuleSet = {
  version: 'demo-1',
  merge: { distanceM: 500, windowS: 600 },
  compatibleClasses: [['tank', 'ifv-apc']],
  rules: [
    {
      id: 'dmz-no-forces',
      name: 'No forces in the DMZ',
      severity: ruleSeverity('high'),
      kinds: ruleKinds(['detection']),
      zones: ['dmz'],
      exceptClasses: ['civilian-vehicle'],
    },
    {
      id: 'dmz-no-fire',
      name: 'No fire in the DMZ',
      severity: ruleSeverity('critical'),
      kinds: ruleKinds(['kinetic']),
    },
  ],
};

async function walkObservations(
  storage: Storage,
  query: Omit<ObservationQuery, 'cursor'>,
): Promise<StoredObservation[]> {
  const all: StoredObservation[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await storage.listObservations({ ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    all.push(...page.items);
    if (page.nextCursor === null) return all;
    expect(page.items.length).toBe(query.limit);
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

async function walkIncidents(
  storage: Storage,
  query: Omit<IncidentQuery, 'cursor'>,
): Promise<Incident[]> {
  const all: Incident[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await storage.listIncidents({ ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    all.push(...page.items);
    if (page.nextCursor === null) return all;
    expect(page.items.length).toBe(query.limit);
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

const keysOf = (xs: readonly { observation: Observation }[]) =>
  xs.map((x) => keyOf(x.observation.sensorId, x.observation.id));

/** Newest first by lastObservedAtMs, then id (descending). */
function newestFirst(a: Incident, b: Incident): number {
  if (a.lastObservedAtMs !== b.lastObservedAtMs) return b.lastObservedAtMs - a.lastObservedAtMs;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function byId<T extends { id: string }>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The behaviour every Storage implementation must have. Each test gets a fresh, empty storage
 * from `open` and hands it to `close` afterwards (default: `storage.close()`), so no state is
 * shared between tests. Uses only the Storage port, so a PostgreSQL adapter runs it unchanged.
 */
export function describeStorageContract(
  name: string,
  open: () => Promise<Storage>,
  close: (storage: Storage) => Promise<void> = (storage) => storage.close(),
): void {
  describe(`Storage contract: ${name}`, () => {
    let storage: Storage;

    beforeEach(async () => {
      storage = await open();
    });

    afterEach(async () => {
      await close(storage);
    });

    describe('zone specs and rule sets', () => {
      it('has no zone spec or rule set before one is stored', async () => {
        expect(await storage.currentZoneSpec()).toBeUndefined();
        expect(await storage.zoneSpecHistory()).toEqual([]);
        expect(await storage.currentRuleSet()).toBeUndefined();
      });

      it('numbers zone spec versions 1, 2, ... and keeps their history, newest first', async () => {
        const second: ZoneSpec = { ...DEMO_SPEC, name: 'Notional demo zone set, amended' };
        const v1 = await storage.putZoneSpec(DEMO_SPEC, 'admin', T0_MS);
        const v2 = await storage.putZoneSpec(second, 'key-ops', T0_MS + 1_000);
        expect(v1).toStrictEqual({
          version: 1,
          body: DEMO_SPEC,
          actor: 'admin',
          createdAtMs: T0_MS,
        });
        expect(v2).toStrictEqual({
          version: 2,
          body: second,
          actor: 'key-ops',
          createdAtMs: T0_MS + 1_000,
        });
        expect(await storage.currentZoneSpec()).toStrictEqual(v2);
        expect(await storage.zoneSpecHistory()).toStrictEqual([v2, v1]);
      });

      it('numbers rule set versions and returns the latest as current', async () => {
        const v1 = await storage.putRuleSet(RULE_SET, 'admin', T0_MS);
        const amended: RuleSet = { ...RULE_SET, version: 'demo-2', rules: RULE_SET.rules.slice(1) };
        const v2 = await storage.putRuleSet(amended, 'admin', T0_MS + 5);
        expect(v1).toStrictEqual({
          version: 1,
          body: RULE_SET,
          actor: 'admin',
          createdAtMs: T0_MS,
        });
        expect(v2.version).toBe(2);
        expect(await storage.currentRuleSet()).toStrictEqual({
          version: 2,
          body: amended,
          actor: 'admin',
          createdAtMs: T0_MS + 5,
        });
      });
    });

    describe('sensors and their health', () => {
      it('creates, replaces, reads and lists sensors by id', async () => {
        const uav: Sensor = {
          id: 'uav-01',
          kind: sensorKind('uav'),
          owner: 'mission',
          route: [
            [37.6, 48.1],
            [37.7, 48.15],
          ],
          rangeM: 800,
          reliability: grade('C'),
        };
        expect(await storage.putSensor(makeSensor('cam-02'), T0_MS)).toBe(true);
        expect(await storage.putSensor(uav, T0_MS)).toBe(true);
        expect(await storage.putSensor(makeSensor('cam-01'), T0_MS)).toBe(true);
        const replaced = makeSensor('cam-02', {
          reliability: grade('D'),
          name: 'Camera 2 (moved)',
        });
        expect(await storage.putSensor(replaced, T0_MS + 1)).toBe(false);

        expect(await storage.getSensor('cam-02')).toStrictEqual(replaced);
        expect(await storage.getSensor('uav-01')).toStrictEqual(uav);
        expect(await storage.getSensor('cam-99')).toBeUndefined();
        expect(await storage.listSensors()).toStrictEqual([makeSensor('cam-01'), replaced, uav]);
      });

      it('replaces health records of the same sensor and lists them by sensor id', async () => {
        expect(await storage.listSensorHealth()).toEqual([]);
        const cam = makeHealth('cam-01');
        const acu = makeHealth('acu-01', {
          status: 'unknown',
          lastSeenMs: null,
          observationCount: 0,
        });
        await storage.putSensorHealth([cam, acu]);
        expect(await storage.listSensorHealth()).toStrictEqual([acu, cam]);

        const silent = makeHealth('cam-01', { status: 'silent', sinceMs: T0_MS + 9 * MINUTE_MS });
        await storage.putSensorHealth([silent]);
        expect(await storage.listSensorHealth()).toStrictEqual([acu, silent]);

        const interfered = makeHealth('acu-01', { status: 'interfered', observationCount: 1 });
        await storage.commitIngest(makeCommit({ sensorHealth: [interfered] }));
        expect(await storage.listSensorHealth()).toStrictEqual([interfered, silent]);
      });
    });

    describe('observations', () => {
      it('keeps every field of a committed observation exactly and numbers them in order of receipt', async () => {
        const first = makeObservations(0, 10);
        const offset = makeObservation(10);
        const withOffset: NewObservation = {
          ...offset,
          observation: { ...offset.observation, observedAt: '2026-03-01T02:30:00.125+02:00' },
        };
        await storage.commitIngest(makeCommit({ observations: first }));
        await storage.commitIngest(makeCommit({ observations: [withOffset, makeObservation(11)] }));
        const all = [...first, withOffset, makeObservation(11)];

        const page = await storage.listObservations({ limit: 100 });
        expect(page.nextCursor).toBeNull();
        expect(page.items).toHaveLength(all.length);
        const seqs = page.items.map((o) => o.seq);
        expect(seqs[0]).toBeGreaterThanOrEqual(1);
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
        expect(seqs.every((seq) => Number.isSafeInteger(seq))).toBe(true);
        page.items.forEach((stored, i) => {
          expect(stored).toStrictEqual({ seq: stored.seq, ...all[i] });
        });

        for (const [i, o] of all.entries()) {
          const got = await storage.getObservation(o.observation);
          expect(got).toStrictEqual({ seq: seqs[i], ...o });
        }
      });

      it('returns undefined for an observation it does not have', async () => {
        await storage.commitIngest(makeCommit({ observations: makeObservations(0, 3) }));
        const [o] = makeObservations(0, 1);
        expect(await storage.getObservation({ sensorId: 'cam-99', id: o.observation.id })).toBe(
          undefined,
        );
        expect(
          await storage.getObservation({ sensorId: o.observation.sensorId, id: 'obs-999999' }),
        ).toBeUndefined();
      });

      it('tells which of thousands of keys are stored, matching sensor and id together', async () => {
        const stored = makeObservations(0, 2_500);
        await storage.commitIngest(makeCommit({ observations: stored }));
        const hits = stored.map((o) => o.observation);
        const misses = [
          ...makeObservations(2_500, 4_000).map((o) => o.observation),
          // Same id from another sensor, and the same sensor with an unknown id.
          ...stored.slice(0, 1_000).map((o) => ({
            sensorId: SENSOR_IDS[(SENSOR_IDS.indexOf(o.observation.sensorId) + 1) % 4],
            id: o.observation.id,
          })),
        ];
        const asked = [...misses.slice(0, 1_250), ...hits, ...misses.slice(1_250)];
        expect(asked).toHaveLength(5_000);

        const found = await storage.existingObservationKeys(asked);
        expect([...found].sort()).toEqual(keysOf(stored).sort());
        expect(await storage.existingObservationKeys([])).toEqual(new Set());
      });

      it('refuses a commit holding the same key twice and keeps nothing of it', async () => {
        const before = makeObservations(0, 20);
        const incident = makeIncident('inc-1');
        await storage.commitIngest(
          makeCommit({
            observations: before,
            createdIncidents: [incident],
            sources: [source('inc-1', before[0])],
            sensorHealth: [makeHealth('cam-01')],
          }),
        );
        const countsBefore = await storage.counts();
        const batch = makeObservations(20, 30);
        const failing = makeCommit({
          observations: [...batch, batch[3]],
          createdIncidents: [makeIncident('inc-2', { zones: ['sector-04'] })],
          updatedIncidents: [{ ...incident, version: 2, sourceCount: 4 }],
          sources: [source('inc-2', batch[0]), source('inc-1', batch[1])],
          sensorHealth: [makeHealth('cam-01', { status: 'silent' })],
        });

        await expect(storage.commitIngest(failing)).rejects.toMatchObject({
          code: 'DUPLICATE_ID',
        });

        expect(await storage.existingObservationKeys(batch.map((o) => o.observation))).toEqual(
          new Set(),
        );
        expect(keysOf(await walkObservations(storage, { limit: 7 }))).toEqual(keysOf(before));
        expect(await storage.getIncident('inc-2')).toBeUndefined();
        expect(await storage.getIncident('inc-1')).toStrictEqual(incident);
        expect(await storage.incidentSources('inc-1')).toStrictEqual([source('inc-1', before[0])]);
        expect(await storage.incidentSources('inc-2')).toEqual([]);
        expect(await storage.listSensorHealth()).toStrictEqual([makeHealth('cam-01')]);
        expect(await storage.counts()).toStrictEqual(countsBefore);
      });

      it('never replaces a stored observation: committing its key again fails', async () => {
        const original = makeObservation(5);
        await storage.commitIngest(makeCommit({ observations: [original] }));
        const altered: NewObservation = { ...original, lon: 0, lat: 0, inside: ['sector-04'] };
        await expect(
          storage.commitIngest(makeCommit({ observations: [makeObservation(6), altered] })),
        ).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
        const page = await storage.listObservations({ limit: 10 });
        expect(page.items).toStrictEqual([{ seq: page.items[0].seq, ...original }]);
      });

      it('names the observation stored twice, however far into a large batch', async () => {
        await storage.commitIngest(makeCommit({ observations: makeObservations(0, 100) }));
        const again = makeObservation(90);
        const batch = [...makeObservations(100, 250), again, ...makeObservations(250, 260)];
        await expect(
          storage.commitIngest(makeCommit({ observations: batch })),
        ).rejects.toMatchObject({
          code: 'DUPLICATE_ID',
          message: expect.stringContaining(
            `observation ${again.observation.id} of sensor ${again.observation.sensorId}`,
          ),
        });
        expect((await storage.counts()).observations).toBe(100);
      });

      describe('listing', () => {
        const all = makeObservations(0, 60);

        beforeEach(async () => {
          await storage.commitIngest(makeCommit({ observations: all.slice(0, 25) }));
          await storage.commitIngest(makeCommit({ observations: all.slice(25, 26) }));
          await storage.commitIngest(makeCommit({ observations: all.slice(26) }));
        });

        const expectQuery = async (
          query: Omit<ObservationQuery, 'cursor' | 'limit'>,
          keep: (o: NewObservation) => boolean,
        ) => {
          const expected = keysOf(all.filter(keep));
          const got = await walkObservations(storage, { ...query, limit: 7 });
          expect(keysOf(got)).toEqual(expected);
          return expected.length;
        };

        it('walks all pages of 7 and gets every observation once, in order of receipt', async () => {
          const got = await walkObservations(storage, { limit: 7 });
          expect(keysOf(got)).toEqual(keysOf(all));
          expect(new Set(got.map((o) => o.seq)).size).toBe(all.length);
        });

        it('has no next cursor when the last page is exactly full', async () => {
          const page = await storage.listObservations({ limit: all.length });
          expect(page.items).toHaveLength(all.length);
          expect(page.nextCursor).toBeNull();
          const first = await storage.listObservations({ limit: 30 });
          const second = await storage.listObservations({ limit: 30, cursor: first.nextCursor! });
          expect(second.items).toHaveLength(30);
          expect(second.nextCursor).toBeNull();
        });

        it('filters by event time, from inclusive to exclusive', async () => {
          const fromMs = all[3].observedAtMs;
          const toMs = all[8].observedAtMs;
          expect(fromMs).toBeLessThan(toMs);
          const n = await expectQuery(
            { fromMs, toMs },
            (o) => o.observedAtMs >= fromMs && o.observedAtMs < toMs,
          );
          expect(n).toBeGreaterThan(2);
          expect(n).toBeLessThan(all.length);
          await expectQuery({ fromMs }, (o) => o.observedAtMs >= fromMs);
          await expectQuery({ toMs }, (o) => o.observedAtMs < toMs);
        });

        it('filters by bounding box, edges included', async () => {
          const bbox = [all[2].lon!, 48.12, 37.66, all[1].lat!] as const;
          const n = await expectQuery(
            { bbox },
            ({ lon, lat }) =>
              lon !== null &&
              lat !== null &&
              lon >= bbox[0] &&
              lon <= bbox[2] &&
              lat >= bbox[1] &&
              lat <= bbox[3],
          );
          expect(n).toBeGreaterThan(2);
          expect(n).toBeLessThan(all.length);
        });

        it('filters by a zone the observation is certainly inside, matching whole ids', async () => {
          expect(await expectQuery({ zone: 'dmz' }, (o) => o.inside.includes('dmz'))).toBe(15);
          await expectQuery({ zone: 'sector-03' }, (o) => o.inside.includes('sector-03'));
          await expectQuery({ zone: 'sector-04' }, (o) => o.inside.includes('sector-04'));
          await expectQuery({ zone: 'disengagement-1' }, () => false);
          await expectQuery({ zone: 'sector-0' }, () => false);
          await expectQuery({ zone: 'mz' }, () => false);
          await expectQuery({ zone: 'dmz|sector-03' }, () => false);
        });

        it('filters by sensor and by kind, alone and together', async () => {
          await expectQuery({ sensorId: 'cam-01' }, (o) => o.observation.sensorId === 'cam-01');
          await expectQuery({ kind: 'kinetic' }, (o) => o.observation.kind === 'kinetic');
          const n = await expectQuery(
            { sensorId: 'acu-01', kind: 'detection', zone: 'dmz', fromMs: T0_MS },
            (o) =>
              o.observation.sensorId === 'acu-01' &&
              o.observation.kind === 'detection' &&
              o.inside.includes('dmz'),
          );
          expect(n).toBeGreaterThan(0);
          await expectQuery({ sensorId: 'cam-99' }, () => false);
        });

        it('reads a bounding box whose west is east of its east as crossing the antimeridian', async () => {
          const east = { ...makeObservation(100), lon: 179.95, lat: 0.5 };
          const west = { ...makeObservation(101), lon: -179.95, lat: -0.5 };
          await storage.commitIngest(makeCommit({ observations: [east, west] }));
          const page = await storage.listObservations({ bbox: [179.9, -1, -179.9, 1], limit: 10 });
          expect(keysOf(page.items)).toEqual(keysOf([east, west]));
        });

        it('rejects malformed cursors and page sizes as INVALID_INPUT', async () => {
          await storage.commitIngest(makeCommit({ createdIncidents: [makeIncident('inc-1')] }));
          await storage.commitIngest(makeCommit({ createdIncidents: [makeIncident('inc-2')] }));
          const incidentCursor = (await storage.listIncidents({ limit: 1 })).nextCursor!;
          const observationCursor = (await storage.listObservations({ limit: 1 })).nextCursor!;
          expect(incidentCursor).toEqual(expect.any(String));
          const bad = [
            'not a cursor',
            '!!!',
            'A',
            'AAAA',
            "'; DROP TABLE observations; --",
            Buffer.from('o1:-1').toString('base64url'),
            Buffer.from('{"seq":1}').toString('base64url'),
            'x'.repeat(5_000),
          ];
          for (const cursor of [...bad, incidentCursor]) {
            await expect(storage.listObservations({ limit: 5, cursor })).rejects.toMatchObject({
              code: 'INVALID_INPUT',
            });
          }
          for (const cursor of [...bad, observationCursor]) {
            await expect(storage.listIncidents({ limit: 5, cursor })).rejects.toMatchObject({
              code: 'INVALID_INPUT',
            });
          }
          for (const limit of [0, -1, 1.5, Number.NaN]) {
            await expect(storage.listObservations({ limit })).rejects.toMatchObject({
              code: 'INVALID_INPUT',
            });
            await expect(storage.listIncidents({ limit })).rejects.toMatchObject({
              code: 'INVALID_INPUT',
            });
          }
          expect((await storage.listObservations({ limit: 100 })).items).toHaveLength(all.length);
        });
      });
    });

    describe('incidents', () => {
      it('creates incidents with their sources and updates them through commits', async () => {
        const obs = makeObservations(0, 6);
        const created = makeIncident('inc-0001');
        const other = makeIncident('inc-0002', { ruleId: 'dmz-no-fire', severity: 'critical' });
        await storage.commitIngest(
          makeCommit({
            observations: obs.slice(0, 4),
            createdIncidents: [created, other],
            sources: [
              source('inc-0001', obs[0]),
              source('inc-0001', obs[1], 'possible'),
              source('inc-0002', obs[2]),
              source('inc-0001', obs[3]),
            ],
          }),
        );
        expect(await storage.getIncident('inc-0001')).toStrictEqual(created);
        expect(await storage.getIncident('inc-0002')).toStrictEqual(other);
        expect(await storage.getIncident('inc-9999')).toBeUndefined();
        const inEventOrder = (xs: StoredIncidentSource[]) =>
          [...xs].sort((a, b) => a.observedAtMs - b.observedAtMs);
        const expected = inEventOrder([
          source('inc-0001', obs[0]),
          source('inc-0001', obs[1], 'possible'),
          source('inc-0001', obs[3]),
        ]);
        expect(new Set(expected.map((s) => s.observedAtMs)).size).toBe(3);
        expect(await storage.incidentSources('inc-0001')).toStrictEqual(expected);

        const updated: Incident = {
          ...created,
          lastObservedAtMs: created.lastObservedAtMs + MINUTE_MS,
          sourceCount: 4,
          sensorIds: ['cam-01', 'cam-02', 'uav-01'],
          corroboration: 3,
          updatedAtMs: created.updatedAtMs + 10,
          version: 3,
        };
        await storage.commitIngest(
          makeCommit({
            observations: obs.slice(4, 5),
            updatedIncidents: [updated],
            sources: [source('inc-0001', obs[4])],
          }),
        );
        expect(await storage.getIncident('inc-0001')).toStrictEqual(updated);
        expect(await storage.incidentSources('inc-0001')).toStrictEqual(
          inEventOrder([...expected, source('inc-0001', obs[4])]),
        );
        expect(await storage.incidentSources('inc-9999')).toEqual([]);
      });

      it('refuses a commit that would overwrite a newer incident, keeping nothing of it', async () => {
        const incident = makeIncident('inc-1');
        await storage.commitIngest(makeCommit({ createdIncidents: [incident] }));
        const reviewed = { ...incident, status: 'under-review' as const, version: 2 };
        expect(await storage.replaceIncident(reviewed, 1)).toBe(true);

        const stale = { ...incident, sourceCount: 4, version: 2 };
        const batch = makeObservations(0, 3);
        await expect(
          storage.commitIngest(makeCommit({ observations: batch, updatedIncidents: [stale] })),
        ).rejects.toMatchObject({ code: 'CONFLICT' });
        const missing = makeIncident('inc-404', { version: 2 });
        await expect(
          storage.commitIngest(makeCommit({ observations: batch, updatedIncidents: [missing] })),
        ).rejects.toMatchObject({ code: 'CONFLICT' });

        expect(await storage.getIncident('inc-1')).toStrictEqual(reviewed);
        expect(await storage.existingObservationKeys(batch.map((o) => o.observation))).toEqual(
          new Set(),
        );
      });

      it('refuses a commit creating an incident id that exists', async () => {
        await storage.commitIngest(makeCommit({ createdIncidents: [makeIncident('inc-1')] }));
        const again = makeIncident('inc-1', { ruleId: 'dmz-no-fire' });
        await expect(
          storage.commitIngest(makeCommit({ createdIncidents: [again] })),
        ).rejects.toThrow();
        expect(await storage.getIncident('inc-1')).toStrictEqual(makeIncident('inc-1'));
      });

      it('replaces an incident only at the expected version (optimistic locking)', async () => {
        const incident = makeIncident('inc-1');
        await storage.commitIngest(makeCommit({ createdIncidents: [incident] }));
        const transition = {
          from: 'detected' as const,
          to: 'under-review' as const,
          actor: 'officer-1',
          atMs: T0_MS + 2 * DAY_MS,
          reason: 'Checking the footage',
        };
        const first: Incident = {
          ...incident,
          status: 'under-review',
          transitions: [transition],
          updatedAtMs: transition.atMs,
          version: 2,
        };
        const second: Incident = {
          ...incident,
          status: 'under-review',
          transitions: [{ ...transition, actor: 'officer-2', reason: 'Also checking' }],
          updatedAtMs: transition.atMs + 1,
          version: 2,
        };
        expect(await storage.replaceIncident(first, 1)).toBe(true);
        expect(await storage.replaceIncident(second, 1)).toBe(false);
        expect(await storage.getIncident('inc-1')).toStrictEqual(first);

        const retried: Incident = { ...first, status: 'verified', version: 3 };
        expect(await storage.replaceIncident(retried, 2)).toBe(true);
        expect(await storage.getIncident('inc-1')).toStrictEqual(retried);
        expect(await storage.replaceIncident(makeIncident('inc-404', { version: 2 }), 1)).toBe(
          false,
        );
        expect(await storage.getIncident('inc-404')).toBeUndefined();
      });

      it('finds open incidents of the given rules whose span overlaps an interval', async () => {
        const span = { firstObservedAtMs: T0_MS + 100, lastObservedAtMs: T0_MS + 200 };
        const a = makeIncident('inc-a', span);
        const closed = makeIncident('inc-closed', { ...span, status: 'closed' });
        const otherRule = makeIncident('inc-other-rule', { ...span, ruleId: 'dmz-no-fire' });
        const later = makeIncident('inc-later', {
          firstObservedAtMs: T0_MS + 300,
          lastObservedAtMs: T0_MS + 400,
          status: 'under-review',
        });
        const verified = makeIncident('inc-verified', { ...span, status: 'verified' });
        await storage.commitIngest(
          makeCommit({ createdIncidents: [a, closed, otherRule, later, verified] }),
        );
        const ids = async (fromMs: number, toMs: number, rules: string[]) =>
          (await storage.openIncidentsBetween(T0_MS + fromMs, T0_MS + toMs, rules))
            .map((i) => i.id)
            .sort();

        const rule = ['dmz-no-forces'];
        expect(await ids(0, 99, rule)).toEqual([]);
        expect(await ids(0, 100, rule)).toEqual(['inc-a', 'inc-verified']);
        expect(await ids(120, 130, rule)).toEqual(['inc-a', 'inc-verified']);
        expect(await ids(200, 250, rule)).toEqual(['inc-a', 'inc-verified']);
        expect(await ids(201, 299, rule)).toEqual([]);
        expect(await ids(150, 350, rule)).toEqual(['inc-a', 'inc-later', 'inc-verified']);
        expect(await ids(-1_000, 1_000, rule)).toEqual(['inc-a', 'inc-later', 'inc-verified']);
        expect(await ids(0, 1_000, ['dmz-no-fire'])).toEqual(['inc-other-rule']);
        expect(await ids(0, 1_000, ['dmz-no-fire', 'dmz-no-forces'])).toEqual([
          'inc-a',
          'inc-later',
          'inc-other-rule',
          'inc-verified',
        ]);
        expect(await ids(0, 1_000, [])).toEqual([]);
        expect(await storage.openIncidentsBetween(T0_MS, T0_MS + 1_000, rule)).toContainEqual(a);
      });

      describe('listing', () => {
        const statuses = ['detected', 'under-review', 'verified', 'closed'] as const;
        const severities = ['low', 'medium', 'high', 'critical'] as const;
        const incidents = Array.from({ length: 23 }, (_, n) =>
          makeIncident(`inc-${String((n * 7) % 23).padStart(3, '0')}`, {
            ruleId: n % 3 === 0 ? 'dmz-no-fire' : 'dmz-no-forces',
            status: statuses[n % 4],
            severity: severities[(n * 3) % 4],
            firstObservedAtMs: T0_MS + (n % 5) * MINUTE_MS,
            // Ties on lastObservedAtMs are broken by id.
            lastObservedAtMs: T0_MS + (5 + (n % 6)) * MINUTE_MS,
            zones: n % 2 ? ['dmz', `sector-0${n % 3}`] : ['withdrawal-RUS-lt100'],
            sectors: n % 2 ? [`sector-0${n % 3}`] : [],
          }),
        );

        beforeEach(async () => {
          await storage.commitIngest(makeCommit({ createdIncidents: incidents.slice(0, 10) }));
          await storage.commitIngest(makeCommit({ createdIncidents: incidents.slice(10) }));
        });

        const expectQuery = async (
          query: Omit<IncidentQuery, 'cursor' | 'limit'>,
          keep: (i: Incident) => boolean,
        ) => {
          const expected = incidents.filter(keep).sort(newestFirst);
          const got = await walkIncidents(storage, { ...query, limit: 3 });
          expect(got.map((i) => i.id)).toEqual(expected.map((i) => i.id));
          expect(got).toStrictEqual(expected);
          return expected.length;
        };

        it('walks all pages newest first (last event time, then id) and gets each once', async () => {
          expect(await expectQuery({}, () => true)).toBe(23);
        });

        it('filters by status, rule, severity, zone and sector', async () => {
          expect(await expectQuery({ status: 'closed' }, (i) => i.status === 'closed')).toBe(5);
          await expectQuery({ ruleId: 'dmz-no-fire' }, (i) => i.ruleId === 'dmz-no-fire');
          await expectQuery({ severity: 'critical' }, (i) => i.severity === 'critical');
          await expectQuery({ zone: 'dmz' }, (i) => i.zones.includes('dmz'));
          await expectQuery({ zone: 'sector-01' }, (i) => i.zones.includes('sector-01'));
          await expectQuery({ sector: 'sector-02' }, (i) => i.sectors.includes('sector-02'));
          await expectQuery({ sector: 'sector-0' }, () => false);
          await expectQuery(
            { status: 'detected', zone: 'dmz', ruleId: 'dmz-no-forces' },
            (i) =>
              i.status === 'detected' && i.zones.includes('dmz') && i.ruleId === 'dmz-no-forces',
          );
        });

        it('filters by event time: a source at or after fromMs, a source before toMs', async () => {
          const fromMs = T0_MS + 8 * MINUTE_MS;
          const toMs = T0_MS + 2 * MINUTE_MS;
          expect(
            await expectQuery({ fromMs }, (i) => i.lastObservedAtMs >= fromMs),
          ).toBeGreaterThan(0);
          expect(await expectQuery({ toMs }, (i) => i.firstObservedAtMs < toMs)).toBeGreaterThan(0);
          await expectQuery(
            { fromMs: T0_MS + 6 * MINUTE_MS, toMs: T0_MS + 3 * MINUTE_MS },
            (i) =>
              i.lastObservedAtMs >= T0_MS + 6 * MINUTE_MS &&
              i.firstObservedAtMs < T0_MS + 3 * MINUTE_MS,
          );
        });
      });
    });

    describe('evidence ledger', () => {
      const ledgerState = async () => {
        const size = await storage.ledgerSize();
        return {
          size,
          leaves: await storage.ledgerLeaves(0, 1_000),
          hashes: await storage.ledgerHashes(range(storedHashCount(size))),
        };
      };

      it('is empty before the first append', async () => {
        expect(await storage.ledgerSize()).toBe(0);
        expect(await storage.ledgerLeaves(0, 10)).toEqual([]);
        expect(await storage.ledgerLeavesOf('incident:inc-1')).toEqual([]);
        expect(await storage.ledgerHashes([])).toEqual([]);
        await expect(storage.ledgerHashes([0])).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(await storage.listCheckpoints()).toEqual([]);
        expect(await storage.latestCheckpoint()).toBeUndefined();
        expect(await storage.getCheckpoint(0)).toBeUndefined();
      });

      it('stores hashes from which tree hashes and proofs of every size are those of RFC 9162', async () => {
        // 53 leaves in batches of 1 to 20, through appendLedger and through commitIngest.
        const data: Uint8Array[] = [];
        let n = 0;
        for (const [b, count] of [1, 2, 3, 5, 8, 13, 1, 20].entries()) {
          const append = await prepareAppend(
            storage,
            range(count).map(() => decisionLeaf(n++)),
          );
          if (b % 2 === 0) await storage.appendLedger(append);
          else await storage.commitIngest(makeCommit({ ledger: append }));
          data.push(...append.leaves.map((l) => l.data));
        }
        expect(await storage.ledgerSize()).toBe(53);
        const leafHashes = data.map((d) => MERKLE.hashLeaf(d));

        // Every stored hash, read in one call, is what one in-memory append of the 53 leaves gives.
        const all = await storage.ledgerHashes(range(storedHashCount(53)));
        expect(all).toStrictEqual(
          planAppend(MERKLE, 0, leafHashes)
            .finish([])
            .map((h) => h.hash),
        );
        const scattered = [40, 3, 3, 0, 99, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 1];
        expect(await storage.ledgerHashes(scattered)).toStrictEqual(scattered.map((i) => all[i]));
        await expect(storage.ledgerHashes([0, 1, storedHashCount(53)])).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        await expect(storage.ledgerHashes(range(storedHashCount(53) + 3))).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });

        const roots = [MERKLE.emptyRoot];
        for (let size = 1; size <= 53; size++) {
          roots.push(await runPlan(storage, planTreeHash(MERKLE, size)));
          expect(roots[size]).toStrictEqual(referenceRoot(leafHashes.slice(0, size)));
        }
        for (const size of [1, 2, 7, 8, 13, 32, 53]) {
          for (let index = 0; index < size; index++) {
            const proof = await runPlan(storage, planInclusionProof(MERKLE, index, size));
            const check = verifyInclusion(
              MERKLE,
              leafHashes[index],
              index,
              size,
              proof,
              roots[size],
            );
            expect(check, `leaf ${index} of ${size}`).toEqual({ ok: true });
          }
        }
        for (const size of [8, 33, 53]) {
          for (let m = 1; m <= size; m++) {
            const proof = await runPlan(storage, planConsistencyProof(MERKLE, m, size));
            const check = verifyConsistency(MERKLE, m, size, proof, roots[m], roots[size]);
            expect(check, `${m} to ${size}`).toEqual({ ok: true });
          }
        }
      });

      it('returns leaves byte for byte by index range and by ref', async () => {
        const append = await prepareAppend(storage, range(11).map(decisionLeaf));
        await storage.appendLedger(append);
        const leaves = append.leaves;
        expect(await storage.ledgerLeaves(0, 100)).toStrictEqual(leaves);
        expect(await storage.ledgerLeaves(3, 4)).toStrictEqual(leaves.slice(3, 7));
        expect(await storage.ledgerLeaves(9, 10)).toStrictEqual(leaves.slice(9));
        expect(await storage.ledgerLeaves(11, 10)).toEqual([]);
        expect(await storage.ledgerLeavesOf('incident:inc-1')).toStrictEqual(
          leaves.filter((l) => l.ref === 'incident:inc-1'),
        );
        expect(await storage.ledgerLeavesOf('incident:inc-1')).toHaveLength(3);
        expect(await storage.ledgerLeavesOf('incident:inc')).toEqual([]);
        const [first] = await storage.ledgerLeaves(0, 1);
        expect(first.data).toBeInstanceOf(Uint8Array);
        expect(new TextDecoder().decode(first.data)).toBe(
          '{"kind":"incident-transition","record":{"actor":"officer-1","atMs":0,' +
            '"from":"detected","incidentId":"inc-0","to":"under-review"}}',
        );
        for (const [from, limit] of [
          [-1, 5],
          [0, 0],
          [1.5, 3],
        ]) {
          await expect(storage.ledgerLeaves(from, limit)).rejects.toMatchObject({
            code: 'INVALID_INPUT',
          });
        }
      });

      it('stores observations with their leaf index, in the same commit as their leaves', async () => {
        const first = await ingestWithLedger(storage, makeObservations(0, 6));
        await storage.appendLedger(await prepareAppend(storage, [decisionLeaf(0)]));
        const second = await ingestWithLedger(storage, makeObservations(6, 9));
        await storage.commitIngest(makeCommit({ observations: makeObservations(9, 10) }));
        expect(second.map((o) => o.leafIndex)).toEqual([7, 8, 9]);
        const all = [...first, ...second, makeObservation(9)];

        const page = await storage.listObservations({ limit: 100 });
        expect(page.items.map(({ seq: _seq, ...rest }) => rest)).toStrictEqual(all);
        for (const o of all) {
          expect(await storage.getObservation(o.observation)).toMatchObject({
            leafIndex: o.leafIndex,
          });
        }
        const o = second[1];
        const [leaf] = await storage.ledgerLeavesOf(observationLeaf(o).ref);
        expect(leaf.index).toBe(o.leafIndex);
        expect(JSON.parse(new TextDecoder().decode(leaf.data))).toEqual({
          kind: 'observation',
          record: o.observation,
        });
        expect(await storage.ledgerLeaves(o.leafIndex!, 1)).toStrictEqual([leaf]);
      });

      it('keeps nothing of a commit that fails, ledger included, and takes its retry', async () => {
        await ingestWithLedger(storage, makeObservations(0, 10));
        const before = await ledgerState();
        const countsBefore = await storage.counts();
        const batch = makeObservations(10, 15).map((o, i) => ({ ...o, leafIndex: 10 + i }));
        const withDuplicate = [...batch, { ...batch[2], leafIndex: 15 }];
        const ledger = await prepareAppend(storage, withDuplicate.map(observationLeaf));

        await expect(
          storage.commitIngest(makeCommit({ observations: withDuplicate, ledger })),
        ).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
        expect(await ledgerState()).toStrictEqual(before);
        await expect(storage.ledgerHashes([storedHashCount(10)])).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
        expect(await storage.ledgerLeavesOf(observationLeaf(batch[0]).ref)).toEqual([]);
        expect(await storage.counts()).toStrictEqual(countsBefore);

        const retry = await prepareAppend(storage, batch.map(observationLeaf));
        expect(retry.fromSize).toBe(10);
        await storage.commitIngest(makeCommit({ observations: batch, ledger: retry }));
        expect(await storage.ledgerSize()).toBe(15);
        expect(await storage.getObservation(batch[4].observation)).toMatchObject({
          leafIndex: 14,
        });
      });

      it('refuses (CONFLICT) an append that does not continue the log, keeping nothing of it', async () => {
        await storage.appendLedger(await prepareAppend(storage, range(5).map(decisionLeaf)));
        const before = await ledgerState();
        const good = await prepareAppend(
          storage,
          range(3).map((i) => decisionLeaf(5 + i)),
        );
        expect(good.hashes.map((h) => h.index)).toEqual(range(7).map((i) => 8 + i));
        const [l0, l1, l2] = good.leaves;
        const hs = good.hashes;
        const bad: [string, LedgerAppend][] = [
          ['fromSize behind', { ...good, fromSize: 4 }],
          ['fromSize ahead', { ...good, fromSize: 6 }],
          ['a gap in the leaves', { ...good, leaves: [l0, { ...l1, index: 7 }, l2] }],
          ['leaves out of order', { ...good, leaves: [l1, l0, l2] }],
          ['leaves from 0', { ...good, leaves: good.leaves.map((l, i) => ({ ...l, index: i })) }],
          ['hashes late', { ...good, hashes: hs.map((h) => ({ ...h, index: h.index + 1 })) }],
          ['hashes early', { ...good, hashes: hs.map((h) => ({ ...h, index: h.index - 1 })) }],
          [
            'a gap in the hashes',
            { ...good, hashes: hs.map((h, i) => (i === 3 ? { ...h, index: 99 } : h)) },
          ],
          ['a hash missing', { ...good, hashes: hs.slice(0, -1) }],
          ['a hash too many', { ...good, hashes: [...hs, { index: 15, hash: hs[0].hash }] }],
          ['a leaf too many', { ...good, leaves: [...good.leaves, { ...l2, index: 8 }] }],
        ];
        const incident = makeIncident('inc-1');
        await storage.commitIngest(makeCommit({ createdIncidents: [incident] }));
        const observation = { ...makeObservation(0), leafIndex: 5 };
        for (const [what, append] of bad) {
          await expect(storage.appendLedger(append), what).rejects.toMatchObject({
            code: 'CONFLICT',
          });
          await expect(
            storage.commitIngest(makeCommit({ observations: [observation], ledger: append })),
            what,
          ).rejects.toMatchObject({ code: 'CONFLICT' });
          await expect(
            storage.putZoneSpec(DEMO_SPEC, 'admin', T0_MS, append),
          ).rejects.toMatchObject({ code: 'CONFLICT' });
          await expect(storage.putRuleSet(RULE_SET, 'admin', T0_MS, append)).rejects.toMatchObject({
            code: 'CONFLICT',
          });
          await expect(
            storage.replaceIncident({ ...incident, version: 2 }, 1, append),
          ).rejects.toMatchObject({ code: 'CONFLICT' });
        }
        expect(await ledgerState()).toStrictEqual(before);
        expect(await storage.getObservation(observation.observation)).toBeUndefined();
        expect(await storage.currentZoneSpec()).toBeUndefined();
        expect(await storage.currentRuleSet()).toBeUndefined();
        expect(await storage.getIncident('inc-1')).toStrictEqual(incident);

        const shortHash = {
          ...good,
          hashes: hs.map((h, i) => (i ? h : { ...h, hash: h.hash.slice(1) })),
        };
        const badKind = { ...good, leaves: [{ ...l0, kind: 'note' as LedgerLeafKind }, l1, l2] };
        for (const append of [shortHash, badKind]) {
          await expect(storage.appendLedger(append)).rejects.toMatchObject({
            code: 'INVALID_INPUT',
          });
        }
        await storage.appendLedger(good);
        expect(await storage.ledgerSize()).toBe(8);
      });

      it('lets one of two writers that prepared at the same size append, never both', async () => {
        await storage.appendLedger(await prepareAppend(storage, range(4).map(decisionLeaf)));
        const a = await prepareAppend(storage, [decisionLeaf(100)]);
        const b = await prepareAppend(storage, [decisionLeaf(200), decisionLeaf(201)]);
        const results = await Promise.allSettled([
          storage.appendLedger(a),
          storage.appendLedger(b),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const rejected = results.find((r) => r.status === 'rejected');
        expect(rejected?.reason).toMatchObject({ code: 'CONFLICT' });
        expect([5, 6]).toContain(await storage.ledgerSize());
      });

      it('writes the ledger with zone specs, rule sets and incident changes, atomically', async () => {
        const spec = await prepareAppend(storage, [
          { kind: 'zone-change', ref: 'zone-spec:1', record: { version: 1, actor: 'admin' } },
        ]);
        expect((await storage.putZoneSpec(DEMO_SPEC, 'admin', T0_MS, spec)).version).toBe(1);
        const rules = await prepareAppend(storage, [
          { kind: 'rule-change', ref: 'rule-set:1', record: { version: 1, actor: 'admin' } },
        ]);
        expect((await storage.putRuleSet(RULE_SET, 'admin', T0_MS, rules)).version).toBe(1);

        const incident = makeIncident('inc-1');
        await storage.commitIngest(makeCommit({ createdIncidents: [incident] }));
        const transition = await prepareAppend(storage, [decisionLeaf(1)]);
        const reviewed = { ...incident, status: 'under-review' as const, version: 2 };
        // A stale version changes nothing: no incident change, no leaf.
        expect(await storage.replaceIncident({ ...reviewed, version: 3 }, 2, transition)).toBe(
          false,
        );
        expect(await storage.ledgerSize()).toBe(2);
        expect(await storage.replaceIncident(reviewed, 1, transition)).toBe(true);
        expect(await storage.ledgerSize()).toBe(3);
        expect((await storage.ledgerLeaves(0, 10)).map((l) => l.ref)).toEqual([
          'zone-spec:1',
          'rule-set:1',
          'incident:inc-1',
        ]);
        // Without an append they write no leaf.
        await storage.putZoneSpec(DEMO_SPEC, 'admin', T0_MS + 1);
        expect(await storage.ledgerSize()).toBe(3);
      });

      describe('checkpoints', () => {
        const witnessA = 'party-a.example/witness';
        const witnessB = 'party-b.example/witness';
        const cosignature = (name: string, keyId: number, fill: number) =>
          formatSignatureLine({ name, keyId, signature: new Uint8Array(72).fill(fill) });
        let checkpoints: StoredCheckpoint[];

        beforeEach(async () => {
          await storage.appendLedger(await prepareAppend(storage, range(20).map(decisionLeaf)));
          checkpoints = [];
          for (const [i, size] of [3, 8, 20].entries()) {
            const root = await runPlan(storage, planTreeHash(MERKLE, size));
            checkpoints.push(makeCheckpoint(size, root, T0_MS + i));
            await storage.putCheckpoint(checkpoints[i]);
          }
        });

        it('stores one checkpoint per size and lists them oldest first', async () => {
          expect(await storage.getCheckpoint(8)).toStrictEqual(checkpoints[1]);
          expect(await storage.getCheckpoint(9)).toBeUndefined();
          expect(await storage.listCheckpoints()).toStrictEqual(checkpoints);
          expect(await storage.latestCheckpoint()).toStrictEqual(checkpoints[2]);
          const again = makeCheckpoint(8, new Uint8Array(32).fill(1), T0_MS + 9);
          await expect(storage.putCheckpoint(again)).rejects.toMatchObject({ code: 'CONFLICT' });
          expect(await storage.getCheckpoint(8)).toStrictEqual(checkpoints[1]);
          const short = {
            ...makeCheckpoint(9, new Uint8Array(32), T0_MS),
            rootHash: new Uint8Array(31),
          };
          await expect(storage.putCheckpoint(short)).rejects.toMatchObject({
            code: 'INVALID_INPUT',
          });
          expect(await storage.getCheckpoint(9)).toBeUndefined();
        });

        it('adds cosignatures in order of arrival, at most one per witness key', async () => {
          const a1 = cosignature(witnessA, 0x11111111, 1);
          expect(await storage.addCosignature(8, a1)).toBe(true);
          // The same key again, even with another signature, is not added.
          expect(await storage.addCosignature(8, a1)).toBe(false);
          expect(await storage.addCosignature(8, cosignature(witnessA, 0x11111111, 2))).toBe(false);
          // Another key of the same witness, and another witness, are.
          const a2 = cosignature(witnessA, 0x22222222, 3);
          const b = cosignature(witnessB, 0x11111111, 4);
          expect(await storage.addCosignature(8, b)).toBe(true);
          expect(await storage.addCosignature(8, a2)).toBe(true);
          // The line may come without its newline; it is stored with it.
          expect(await storage.addCosignature(3, b.slice(0, -1))).toBe(true);
          expect(await storage.addCosignature(3, b)).toBe(false);

          expect((await storage.getCheckpoint(8))?.cosignatures).toEqual([a1, b, a2]);
          expect((await storage.getCheckpoint(3))?.cosignatures).toEqual([b]);
          expect((await storage.getCheckpoint(20))?.cosignatures).toEqual([]);
          expect((await storage.listCheckpoints()).map((c) => c.cosignatures)).toEqual([
            [b],
            [a1, b, a2],
            [],
          ]);

          await expect(storage.addCosignature(9, a1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
          for (const line of ['', 'hello\n', `— ${witnessA} !!!\n`, `${a1}${b}`]) {
            await expect(storage.addCosignature(8, line)).rejects.toMatchObject({
              code: 'INVALID_INPUT',
            });
          }
          expect((await storage.getCheckpoint(8))?.cosignatures).toHaveLength(3);
        });

        it('finds the newest checkpoint with at least n cosignatures', async () => {
          await storage.addCosignature(3, cosignature(witnessA, 1, 1));
          await storage.addCosignature(3, cosignature(witnessB, 2, 1));
          await storage.addCosignature(8, cosignature(witnessA, 1, 2));
          const sizeOf = async (min?: number) => (await storage.latestCheckpoint(min))?.size;
          expect(await sizeOf()).toBe(20);
          expect(await sizeOf(0)).toBe(20);
          expect(await sizeOf(1)).toBe(8);
          expect(await sizeOf(2)).toBe(3);
          expect(await sizeOf(3)).toBeUndefined();
          await storage.addCosignature(20, cosignature(witnessB, 2, 3));
          await storage.addCosignature(20, cosignature(witnessA, 1, 3));
          expect(await sizeOf(2)).toBe(20);
          expect(await storage.latestCheckpoint(2)).toStrictEqual({
            ...checkpoints[2],
            cosignatures: [cosignature(witnessB, 2, 3), cosignature(witnessA, 1, 3)],
          });
        });
      });
    });

    describe('api keys', () => {
      it('stores keys by id, finds them by hash and lists them', async () => {
        const admin: ApiKeyRecord = {
          id: 'key-admin',
          hash: 'a'.repeat(64),
          role: 'admin',
          label: 'Generated on first start',
          createdAtMs: T0_MS,
          revokedAtMs: null,
        };
        const reader: ApiKeyRecord = {
          id: 'key-reader',
          hash: 'b'.repeat(64),
          role: 'reader',
          label: 'Status wall',
          createdAtMs: T0_MS + 1,
          revokedAtMs: null,
        };
        await storage.putApiKey(admin);
        await storage.putApiKey(reader);
        expect(await storage.apiKeyByHash('a'.repeat(64))).toStrictEqual(admin);
        expect(await storage.apiKeyByHash('c'.repeat(64))).toBeUndefined();
        expect(byId(await storage.listApiKeys())).toStrictEqual([admin, reader]);

        const revoked = { ...reader, revokedAtMs: T0_MS + 99 };
        await storage.putApiKey(revoked);
        expect(await storage.apiKeyByHash(reader.hash)).toStrictEqual(revoked);
        expect(byId(await storage.listApiKeys())).toStrictEqual([admin, revoked]);

        const rotated = { ...admin, hash: 'd'.repeat(64) };
        await storage.putApiKey(rotated);
        expect(await storage.apiKeyByHash(admin.hash)).toBeUndefined();
        expect(await storage.apiKeyByHash(rotated.hash)).toStrictEqual(rotated);
      });
    });

    describe('counts', () => {
      it('counts nothing in an empty store', async () => {
        expect(await storage.counts()).toStrictEqual({
          observations: 0,
          incidentsByStatus: {},
          observationsByZone: {},
          incidentsByZone: {},
        });
      });

      it('counts observations, by zone certainly inside, and incidents by status and zone', async () => {
        const obs = makeObservations(0, 30);
        await storage.commitIngest(
          makeCommit({
            observations: obs.slice(0, 17),
            createdIncidents: [
              makeIncident('inc-1'),
              makeIncident('inc-2', { zones: ['withdrawal-UKR-lt100'] }),
            ],
          }),
        );
        await storage.commitIngest(
          makeCommit({
            observations: obs.slice(17),
            createdIncidents: [makeIncident('inc-3', { status: 'closed' })],
          }),
        );
        const reviewed = makeIncident('inc-1', { status: 'under-review', version: 2 });
        expect(await storage.replaceIncident(reviewed, 1)).toBe(true);

        const byZone: Record<string, number> = {};
        for (const o of obs) for (const z of o.inside) byZone[z] = (byZone[z] ?? 0) + 1;
        expect(await storage.counts()).toStrictEqual({
          observations: 30,
          incidentsByStatus: { detected: 1, 'under-review': 1, closed: 1 },
          observationsByZone: byZone,
          incidentsByZone: { dmz: 2, 'sector-03': 2, 'withdrawal-UKR-lt100': 1 },
        });
      });
    });

    describe('sensor activity', () => {
      /** A heartbeat of a sensor at an event time. */
      const report = (sensorId: string, id: string, atMs: number): NewObservation => {
        const base = makeObservation(2);
        return {
          ...base,
          observation: {
            ...base.observation,
            id,
            sensorId,
            observedAt: new Date(atMs).toISOString(),
          },
          observedAtMs: atMs,
        };
      };
      const min = (k: number) => T0_MS + k * MINUTE_MS;

      it("merges each sensor's event times in the window into runs, whatever the order of receipt", async () => {
        // cam-01 every minute 0-4, silent, then 10 and 11; acu-01 at 2 and 3; uav-01 at 1.
        const times: [string, number][] = [
          ['cam-01', 3],
          ['cam-01', 0],
          ['acu-01', 3],
          ['cam-01', 11],
          ['cam-01', 1],
          ['uav-01', 1],
          ['cam-01', 2],
          ['acu-01', 2],
          ['cam-01', 10],
          ['cam-01', 4],
        ];
        await storage.commitIngest(
          makeCommit({
            observations: times.map(([sensorId, k], i) => report(sensorId, `a-${i}`, min(k))),
          }),
        );
        const activity = await storage.sensorActivity({
          fromMs: min(0),
          toMs: min(60),
          sensors: [
            { sensorId: 'cam-01', maxGapMs: MINUTE_MS },
            { sensorId: 'acu-01', maxGapMs: 0 },
            { sensorId: 'cam-02', maxGapMs: MINUTE_MS },
          ],
        });
        expect(activity).toStrictEqual(
          new Map([
            [
              'cam-01',
              [
                [min(0), min(4)],
                [min(10), min(11)],
              ],
            ],
            [
              'acu-01',
              [
                [min(2), min(2)],
                [min(3), min(3)],
              ],
            ],
          ]),
        );
      });

      it('reads event times in [fromMs, toMs) only, and nothing for no sensors', async () => {
        await storage.commitIngest(
          makeCommit({
            observations: [0, 5, 10].map((k) => report('cam-01', `b-${k}`, min(k))),
          }),
        );
        const sensors = [{ sensorId: 'cam-01', maxGapMs: 10 * MINUTE_MS }];
        expect(await storage.sensorActivity({ fromMs: min(0), toMs: min(10), sensors })).toEqual(
          new Map([['cam-01', [[min(0), min(5)]]]]),
        );
        expect(await storage.sensorActivity({ fromMs: min(1), toMs: min(11), sensors })).toEqual(
          new Map([['cam-01', [[min(5), min(10)]]]]),
        );
        expect(await storage.sensorActivity({ fromMs: min(6), toMs: min(6), sensors })).toEqual(
          new Map(),
        );
        expect(
          await storage.sensorActivity({ fromMs: min(0), toMs: min(60), sensors: [] }),
        ).toEqual(new Map());
      });

      it('keeps one run over a long window of regular reports, and splits it at a gap', async () => {
        // Every 30 minutes for two days, but for a 3-hour silence on the first evening.
        const ks = Array.from({ length: 97 }, (_, i) => i * 30).filter((k) => k < 1080 || k > 1260);
        await storage.commitIngest(
          makeCommit({ observations: ks.map((k) => report('cam-02', `c-${k}`, min(k))) }),
        );
        const activity = await storage.sensorActivity({
          fromMs: min(0),
          toMs: min(2 * 24 * 60 + 1),
          sensors: [{ sensorId: 'cam-02', maxGapMs: 30 * MINUTE_MS }],
        });
        expect(activity.get('cam-02')).toEqual([
          [min(0), min(1050)],
          [min(1290), min(2880)],
        ]);
      });
    });
  });
}
