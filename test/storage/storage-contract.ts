import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ApiKeyRecord,
  IncidentQuery,
  IngestCommit,
  NewObservation,
  ObservationQuery,
  SensorHealth,
  Storage,
  StoredIncidentSource,
  StoredObservation,
} from '../../src/app/ports.js';
import type { Incident } from '../../src/core/incidents/index.js';
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
  });
}
