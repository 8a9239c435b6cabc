import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Built } from '../../src/build-app.js';
import { issueApiKey } from '../../src/build-app.js';
import { AUTH, T0, at, camera, ndjson, startTestApp } from './test-app.js';
import type { FakeClock } from './test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** disengagement-1 of the demo spec: a 2 x 2 km box. */
const ZONE = 'disengagement-1';
/** The middle of its west edge: a 1 km camera there sees about 40 % of it. */
const WEST_EDGE = { lon: 36.246687, lat: 47.66 };

let t: Built & { clock: FakeClock };

interface SensorShare {
  sensorId: string;
  kind: string;
  reportValidityS: number | null;
  upFraction: number | null;
  passes?: number;
  inRangeFraction: number;
  areaFraction: number;
  timeFraction: number;
}

interface BlindSpot {
  type: 'Feature';
  properties: { cause: string; areaKm2: number; notional?: boolean };
  geometry: { type: 'Polygon'; coordinates: number[][][] };
}

interface Coverage {
  zone: string;
  zoneSpecVersion: number;
  from: string;
  to: string;
  resolution: number;
  totalCells: number;
  observedCells: number;
  areaFraction: number;
  timeFraction: number;
  inRangeFraction: number;
  blindSpots: { type: 'FeatureCollection'; features: BlindSpot[] };
  sensors: SensorShare[];
}

async function get(url: string, headers: Record<string, string> = AUTH) {
  const r = await t.server.inject({ method: 'GET', url, headers });
  return { status: r.statusCode, body: r.json() };
}

async function coverage(query: Record<string, string | number>) {
  const qs = new URLSearchParams(
    Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
  );
  return get(`/api/v1/coverage?${qs}`);
}

/** The coverage of the zone over the hour after T0. */
async function firstHour(extra: Record<string, string | number> = {}): Promise<Coverage> {
  const r = await coverage({ zone: ZONE, from: at(0), to: at(HOUR), ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as Coverage;
}

async function putSensor(body: Record<string, unknown>) {
  const r = await t.server.inject({
    method: 'PUT',
    url: `/api/v1/sensors/${body.id as string}`,
    headers: AUTH,
    payload: body,
  });
  expect(r.statusCode).toBeLessThan(300);
}

/** Heartbeats of a sensor at the given offsets from T0. */
async function heartbeats(sensorId: string, offsetsMs: number[]) {
  const records = offsetsMs.map((offset, i) => ({
    id: `hb-${sensorId}-${i}`,
    sensorId,
    observedAt: at(offset),
    kind: 'heartbeat',
  }));
  const r = await t.server.inject({
    method: 'POST',
    url: '/api/v1/observations',
    headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
    payload: ndjson(records),
  });
  expect(r.json()).toMatchObject({ accepted: records.length, rejected: 0 });
}

/** Every minute from `fromMs` (inclusive) to `toMs` (exclusive). */
const everyMinute = (fromMs: number, toMs: number) =>
  Array.from({ length: Math.ceil((toMs - fromMs) / MINUTE) }, (_, i) => fromMs + i * MINUTE);

const totalBlindKm2 = (c: Coverage, cause?: string) =>
  c.blindSpots.features
    .filter((f) => cause === undefined || f.properties.cause === cause)
    .reduce((sum, f) => sum + f.properties.areaKm2, 0);

beforeEach(async () => {
  t = await startTestApp();
  // The window is the hour after T0; the clock is past it, so heartbeats are not in the future.
  t.clock.set(T0 + HOUR);
});

afterEach(async () => {
  await t.close();
});

describe('GET /api/v1/coverage', () => {
  it('covers part of the zone with a camera that reported all the window, and shows the rest', async () => {
    await putSensor({ ...camera('cam-w', WEST_EDGE.lon, WEST_EDGE.lat), rangeM: 1000 });
    await heartbeats('cam-w', everyMinute(0, HOUR));
    const c = await firstHour();
    expect(c).toMatchObject({
      zone: ZONE,
      zoneSpecVersion: 1,
      from: at(0),
      to: at(HOUR),
    });
    expect(c.totalCells).toBeGreaterThan(1000);
    // A half disk of 1 km radius in a 2 x 2 km square: pi / 8 = 0.39.
    expect(c.areaFraction).toBeGreaterThan(0.33);
    expect(c.areaFraction).toBeLessThan(0.45);
    expect(c.observedCells / c.totalCells).toBeCloseTo(c.areaFraction, 12);
    expect(c.timeFraction).toBeCloseTo(c.areaFraction, 6);
    expect(c.inRangeFraction).toBeCloseTo(c.areaFraction, 12);
    expect(c.sensors).toEqual([
      {
        sensorId: 'cam-w',
        kind: 'camera',
        reportValidityS: 60,
        upFraction: 1,
        inRangeFraction: c.areaFraction,
        areaFraction: c.areaFraction,
        timeFraction: expect.closeTo(c.areaFraction, 6),
      },
    ]);
    // The blind spot is the rest of the box, east of the camera's half disk.
    expect(c.blindSpots.type).toBe('FeatureCollection');
    expect(c.blindSpots.features.length).toBeGreaterThan(0);
    for (const f of c.blindSpots.features) {
      expect(f.type).toBe('Feature');
      expect(f.geometry.type).toBe('Polygon');
      expect(f.properties).toMatchObject({ cause: 'no-sensor', notional: true });
    }
    const areas = c.blindSpots.features.map((f) => f.properties.areaKm2);
    expect(areas).toEqual([...areas].sort((a, b) => b - a));
    expect(totalBlindKm2(c)).toBeGreaterThan(4 * (1 - c.areaFraction) * 0.9);
    expect(totalBlindKm2(c)).toBeLessThan(4 * (1 - c.areaFraction) * 1.1);
    const blindAt = (lon: number, lat: number) =>
      c.blindSpots.features.some((f) => booleanPointInPolygon([lon, lat], f.geometry));
    expect(blindAt(WEST_EDGE.lon + 0.002, WEST_EDGE.lat)).toBe(false);
    expect(blindAt(36.27, WEST_EDGE.lat)).toBe(true);
  });

  it('halves the time observed when the camera goes silent half-way', async () => {
    await putSensor({ ...camera('cam-w', WEST_EDGE.lon, WEST_EDGE.lat), rangeM: 1000 });
    await heartbeats('cam-w', everyMinute(0, 30 * MINUTE));
    const c = await firstHour();
    // Up from T0 until one heartbeat interval after the last heartbeat (29 min): 30 minutes.
    const share = c.sensors[0]!;
    expect(share.upFraction).toBeCloseTo(0.5, 12);
    expect(share.areaFraction).toBeCloseTo(c.areaFraction, 12);
    expect(c.timeFraction).toBeCloseTo(c.areaFraction / 2, 6);
    expect(share.timeFraction).toBeCloseTo(c.areaFraction / 2, 6);
    // Observed for half the window is observed: the blind spots are the same as before.
    expect(c.blindSpots.features.every((f) => f.properties.cause === 'no-sensor')).toBe(true);
  });

  it('counts a report before the window as far as it reaches into it', async () => {
    await putSensor({ ...camera('cam-w', WEST_EDGE.lon, WEST_EDGE.lat), heartbeatIntervalS: 600 });
    // Up [T0 - 5 min, T0 + 5 min) and [T0 + 30 min, T0 + 40 min): 15 minutes of the hour.
    await heartbeats('cam-w', [-5 * MINUTE, 30 * MINUTE]);
    const c = await firstHour();
    expect(c.sensors[0]!.upFraction).toBeCloseTo(0.25, 12);
  });

  it('counts a sensor without a heartbeat interval up for 15 minutes after each report', async () => {
    await putSensor({
      id: 'patrol-1',
      kind: 'patrol',
      owner: 'mission',
      reliability: 'C',
      route: [
        [36.24, 47.66],
        [36.28, 47.66],
      ],
      rangeM: 300,
    });
    await heartbeats('patrol-1', [10 * MINUTE, 50 * MINUTE]);
    const c = await firstHour();
    expect(c.sensors).toEqual([
      expect.objectContaining({ sensorId: 'patrol-1', reportValidityS: 900 }),
    ]);
    // [10, 25) and [50, 60) minutes.
    expect(c.sensors[0]!.upFraction).toBeCloseTo(25 / 60, 12);
    expect(c.areaFraction).toBeGreaterThan(0.2);
    expect(c.timeFraction).toBeCloseTo((c.areaFraction * 25) / 60, 6);
  });

  it('answers 0 with the whole zone a blind spot when no sensor covers it', async () => {
    // A camera far away does not take part.
    await putSensor(camera('cam-far', 35.0, 46.8));
    await heartbeats('cam-far', everyMinute(0, HOUR));
    const c = await firstHour();
    expect(c).toMatchObject({
      observedCells: 0,
      areaFraction: 0,
      timeFraction: 0,
      inRangeFraction: 0,
      sensors: [],
    });
    expect(c.totalCells).toBeGreaterThan(1000);
    expect(c.blindSpots.features).toHaveLength(1);
    expect(c.blindSpots.features[0]!.properties.cause).toBe('no-sensor');
    expect(totalBlindKm2(c)).toBeGreaterThan(3.8);
    expect(totalBlindKm2(c)).toBeLessThan(4.2);
  });

  it('tells blind spots of a silent sensor from those no sensor covers', async () => {
    await putSensor({ ...camera('cam-w', WEST_EDGE.lon, WEST_EDGE.lat), rangeM: 1000 });
    const c = await firstHour();
    expect(c.areaFraction).toBe(0);
    expect(c.timeFraction).toBe(0);
    expect(c.inRangeFraction).toBeGreaterThan(0.33);
    expect(c.inRangeFraction).toBeLessThan(0.45);
    expect(c.sensors).toEqual([
      expect.objectContaining({
        sensorId: 'cam-w',
        upFraction: 0,
        inRangeFraction: c.inRangeFraction,
        areaFraction: 0,
        timeFraction: 0,
      }),
    ]);
    const silentKm2 = totalBlindKm2(c, 'sensor-silent');
    expect(silentKm2 / totalBlindKm2(c)).toBeCloseTo(c.inRangeFraction, 1);
    expect(totalBlindKm2(c, 'no-sensor')).toBeGreaterThan(0);
  });

  it('counts a satellite pass as area observed, for no time', async () => {
    const box = [
      [36.24, 47.64],
      [36.26, 47.64],
      [36.26, 47.68],
      [36.24, 47.68],
      [36.24, 47.64],
    ];
    await putSensor({
      id: 'sat-1',
      kind: 'satellite',
      owner: 'mission',
      reliability: 'B',
      passes: [
        { at: at(10 * MINUTE), footprint: box },
        { at: at(2 * HOUR), footprint: box },
      ],
    });
    const c = await firstHour();
    expect(c.areaFraction).toBeGreaterThan(0.3);
    expect(c.timeFraction).toBe(0);
    expect(c.sensors).toEqual([
      expect.objectContaining({
        sensorId: 'sat-1',
        kind: 'satellite',
        reportValidityS: null,
        upFraction: null,
        passes: 1,
        areaFraction: c.areaFraction,
      }),
    ]);
  });

  it('takes the resolution asked for, and ends the window at the server clock', async () => {
    t.clock.set(T0 + 30 * MINUTE);
    const c = (await coverage({ zone: ZONE, from: at(0), to: at(HOUR), resolution: 9 })).body;
    expect(c.resolution).toBe(9);
    expect(c.to).toBe(at(30 * MINUTE));
  });

  it('answers 401 without a key and 403 to a sensor key', async () => {
    const url = `/api/v1/coverage?zone=${ZONE}&from=${at(0)}&to=${at(HOUR)}`;
    const anonymous = await get(url, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const secret = await issueApiKey(
      t.storage,
      { role: 'sensor', label: 'test', idPrefix: 'sensor' },
      T0,
    );
    const sensorKey = await get(url, { authorization: `Bearer ${secret}` });
    expect(sensorKey.status).toBe(403);
    expect(sensorKey.body.error.code).toBe('FORBIDDEN');
    const reader = await issueApiKey(
      t.storage,
      { role: 'reader', label: 'test', idPrefix: 'reader' },
      T0,
    );
    expect((await get(url, { authorization: `Bearer ${reader}` })).status).toBe(200);
  });

  it('answers 404 NOT_FOUND for an unknown zone', async () => {
    const r = await coverage({ zone: 'no-such-zone', from: at(0), to: at(HOUR) });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  it.each([
    ['no zone', { from: at(0), to: at(HOUR) }, '', "'zone'"],
    ['no from', { zone: ZONE, to: at(HOUR) }, '', "'from'"],
    ['a from that is not a time', { zone: ZONE, from: 'yesterday', to: at(HOUR) }, '/from', ''],
    [
      'a resolution of 16',
      { zone: ZONE, from: at(0), to: at(HOUR), resolution: 16 },
      '/resolution',
      '',
    ],
    ['an unknown parameter', { zone: ZONE, from: at(0), to: at(HOUR), sensor: 'x' }, '', ''],
  ])('answers 400 INVALID_INPUT for %s', async (_name, query, path, message) => {
    const r = await coverage(query);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
    expect(r.body.error.errors).toEqual(
      expect.arrayContaining([{ path, code: 'SCHEMA', message: expect.stringContaining(message) }]),
    );
  });

  it.each([
    ['to before from', at(HOUR), at(0), '/to', 'INVALID_INTERVAL'],
    ['to equal to from', at(0), at(0), '/to', 'INVALID_INTERVAL'],
    ['a from after the server clock', at(2 * HOUR), at(3 * HOUR), '/from', 'INVALID_INTERVAL'],
    ['a window over 31 days', at(-32 * 24 * HOUR), at(0), '/to', 'TOO_LARGE'],
  ])('answers 400 INVALID_INPUT for %s', async (_name, from, to, path, code) => {
    const r = await coverage({ zone: ZONE, from, to });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_INPUT');
    expect(r.body.error.errors).toEqual([{ path, code, message: r.body.error.message }]);
  });

  it('accepts a window of exactly 31 days', async () => {
    const r = await coverage({ zone: ZONE, from: at(-31 * 24 * HOUR + HOUR), to: at(HOUR) });
    expect(r.status).toBe(200);
  });
});
