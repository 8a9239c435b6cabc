import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Built } from '../../src/build-app.js';
import { AUTH, at, camera, ndjson, startTestApp } from './test-app.js';
import type { FakeClock } from './test-app.js';

/** 5 km inside the dmz on the UKR side (sector-05). */
const IN_DMZ = { lon: 36.592681, lat: 47.813637 };
/** 80 km from the line: no zone. */
const OUTSIDE = { lon: 35.025084, lat: 46.829668 };

let t: Built & { clock: FakeClock };

function detection(id: string, sensorId: string, where = IN_DMZ, cls = 'tank', offsetMs = 0) {
  return {
    id,
    sensorId,
    observedAt: at(offsetMs),
    kind: 'detection',
    position: { ...where, uncertaintyM: 30 },
    object: { class: cls, count: 1 },
  };
}

async function post(body: string, contentType = 'application/x-ndjson') {
  const r = await t.server.inject({
    method: 'POST',
    url: '/api/v1/observations',
    headers: { ...AUTH, 'content-type': contentType },
    payload: body,
  });
  return { status: r.statusCode, body: r.json() };
}

async function get(url: string) {
  const r = await t.server.inject({ method: 'GET', url, headers: AUTH });
  return { status: r.statusCode, body: r.json() };
}

beforeEach(async () => {
  t = await startTestApp();
  for (let k = 1; k <= 5; k++) {
    const r = await t.server.inject({
      method: 'PUT',
      url: `/api/v1/sensors/cam-${k}`,
      headers: AUTH,
      payload: camera(`cam-${k}`, IN_DMZ.lon + 0.01 * k, IN_DMZ.lat + 0.01),
    });
    expect(r.statusCode).toBe(201);
  }
});

afterEach(async () => {
  await t.close();
});

describe('POST /api/v1/observations', () => {
  it('keeps valid records when one NDJSON line is malformed', async () => {
    const lines = [
      JSON.stringify(detection('a', 'cam-1', OUTSIDE)),
      '{"id": "b", "sensorId": ',
      JSON.stringify(detection('c', 'cam-1', OUTSIDE)),
    ].join('\n');
    const r = await post(lines);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 1 });
    expect(r.body.errors).toEqual([
      expect.objectContaining({ index: 1, path: '', code: 'INVALID_JSON' }),
    ]);
    expect(r.body.errors[0].message).toMatch(/line 2/);
    const list = await get('/api/v1/observations');
    expect(list.body.items.map((o: { observation: { id: string } }) => o.observation.id)).toEqual([
      'a',
      'c',
    ]);
  });

  it('answers 400 INVALID_JSON with the position of the fault for a malformed JSON body', async () => {
    const r = await post('[{"id": "a",, }]', 'application/json');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_JSON');
    expect(r.body.error.message).toMatch(/position \d+|line \d+ column \d+/);
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses NaN, Infinity, lat 91, unknown sensors and far-future times per record', async () => {
    const records = [
      '{"id":"nan","sensorId":"cam-1","observedAt":"' +
        at() +
        '","kind":"detection","position":{"lon":NaN,"lat":47},"object":{"class":"tank","count":1}}',
      '{"id":"inf","sensorId":"cam-1","observedAt":"' +
        at() +
        '","kind":"detection","position":{"lon":1e999,"lat":47},"object":{"class":"tank","count":1}}',
      JSON.stringify({ ...detection('lat', 'cam-1'), position: { lon: 36.5, lat: 91 } }),
      JSON.stringify(detection('who', 'cam-9')),
      JSON.stringify(detection('future', 'cam-1', IN_DMZ, 'tank', 10 * 60_000)),
      JSON.stringify(detection('good', 'cam-1', OUTSIDE)),
    ].join('\n');
    const r = await post(records);
    expect(r.body).toMatchObject({ accepted: 1, rejected: 5 });
    const byIndex = Object.fromEntries(
      r.body.errors.map((e: { index: number; code: string; path: string }) => [e.index, e]),
    );
    expect(byIndex[0]).toMatchObject({ code: 'INVALID_JSON' });
    expect(byIndex[1]).toMatchObject({ code: 'NOT_FINITE', path: '/position/lon' });
    expect(byIndex[2]).toMatchObject({ code: 'SCHEMA', path: '/position/lat' });
    expect(byIndex[3]).toMatchObject({ code: 'UNKNOWN_SENSOR', path: '/sensorId' });
    expect(byIndex[4]).toMatchObject({ code: 'CLOCK_SKEW', path: '/observedAt' });
  });

  it('keeps a duplicate (sensorId, id) once and counts it as a duplicate', async () => {
    const one = detection('dup', 'cam-1');
    const first = await post(ndjson([one, one]));
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0 });
    const again = await post(ndjson([one]));
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    const list = await get('/api/v1/observations');
    expect(list.body.items).toHaveLength(1);
    const incidents = await get('/api/v1/incidents');
    expect(incidents.body.items).toHaveLength(1);
    expect(incidents.body.items[0].sourceCount).toBe(1);
  });

  it('refuses a different observation under a used (sensorId, id) as a CONFLICT', async () => {
    await post(ndjson([detection('same', 'cam-1', OUTSIDE)]));
    const changed = { ...detection('same', 'cam-1', OUTSIDE), object: { class: 'tank', count: 9 } };
    const r = await post(ndjson([changed, { ...changed, id: 'other' }]));
    expect(r.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 1 });
    expect(r.body.errors[0]).toMatchObject({ index: 0, path: '/id', code: 'CONFLICT' });
    const kept = await get('/api/v1/observations?sensor=cam-1');
    expect(kept.body.items[0].observation.object.count).toBe(1);
  });

  it('refuses a bearing from a sensor with no registered position', async () => {
    await t.server.inject({
      method: 'PUT',
      url: '/api/v1/sensors/uav-1',
      headers: AUTH,
      payload: {
        id: 'uav-1',
        kind: 'uav',
        owner: 'mission',
        route: [
          [36.5, 47.8],
          [36.7, 47.9],
        ],
        reliability: 'B',
      },
    });
    const r = await post(
      ndjson([
        {
          id: 'b1',
          sensorId: 'uav-1',
          observedAt: at(),
          kind: 'kinetic',
          position: { bearingDeg: 90, minRangeM: 1000, maxRangeM: 3000 },
          event: { type: 'explosion-impact' },
        },
      ]),
    );
    expect(r.body.errors[0]).toMatchObject({ path: '/position', code: 'SENSOR_POSITION_REQUIRED' });
  });

  it('names 1e999 in a JSON array NOT_FINITE', async () => {
    const body = `[{"id":"inf","sensorId":"cam-1","observedAt":"${at()}","kind":"detection","position":{"lon":1e999,"lat":47},"object":{"class":"tank","count":1}}]`;
    const r = await post(body, 'application/json');
    expect(r.body.errors[0]).toMatchObject({ code: 'NOT_FINITE', path: '/position/lon' });
  });

  it('answers 400 for a malformed bbox instead of ignoring it', async () => {
    expect((await get('/api/v1/observations?bbox=1.2.3,0,1,1')).status).toBe(400);
  });

  it('answers 413 TOO_LARGE for a body over the limit and keeps nothing of it', async () => {
    await t.close();
    t = await startTestApp({ bodyLimitBytes: 4096 });
    await t.server.inject({
      method: 'PUT',
      url: '/api/v1/sensors/cam-1',
      headers: AUTH,
      payload: camera('cam-1', IN_DMZ.lon, IN_DMZ.lat),
    });
    const many = ndjson(Array.from({ length: 100 }, (_, i) => detection(`o${i}`, 'cam-1')));
    const r = await post(many);
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('TOO_LARGE');
    expect((await get('/api/v1/observations')).body.items).toHaveLength(0);
  });

  it('accepts a JSON array and a GeoJSON FeatureCollection', async () => {
    const arr = await post(
      JSON.stringify([detection('arr', 'cam-1', OUTSIDE)]),
      'application/json',
    );
    expect(arr.body.accepted).toBe(1);
    const fc = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [IN_DMZ.lon, IN_DMZ.lat] },
          properties: {
            id: 'geo',
            sensorId: 'cam-2',
            observedAt: at(),
            kind: 'detection',
            object: { class: 'ifv-apc', count: 3 },
            uncertaintyM: 20,
          },
        },
        { type: 'Feature', geometry: { type: 'LineString', coordinates: [] }, properties: {} },
      ],
    };
    const r = await post(JSON.stringify(fc), 'application/geo+json');
    expect(r.body).toMatchObject({ accepted: 1, rejected: 1 });
    const stored = await get('/api/v1/observations?sensor=cam-2');
    expect(stored.body.items[0].position).toEqual({ ...IN_DMZ, radiusM: 20 });
    expect(stored.body.items[0].inside).toContain('dmz');
  });

  it('refuses an unsupported content type with 415', async () => {
    const r = await post('id,sensorId', 'text/csv');
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('needs a valid API key', async () => {
    const r = await t.server.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { authorization: 'Bearer ak_wrong_key_000000', 'content-type': 'application/json' },
      payload: '[]',
    });
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe('UNAUTHENTICATED');
  });
});

describe('incidents', () => {
  it('merges one explosion seen by five cameras into one incident with five sources', async () => {
    const views = [1, 2, 3, 4, 5].map((k) => ({
      id: `boom-${k}`,
      sensorId: `cam-${k}`,
      observedAt: at(k * 1000),
      kind: 'kinetic',
      position: { lon: IN_DMZ.lon + 0.001 * k, lat: IN_DMZ.lat, uncertaintyM: 150 },
      event: { type: k === 3 ? 'explosion-undetermined' : 'explosion-impact' },
    }));
    // Delivered in two batches, out of order.
    await post(ndjson([views[3], views[0], views[4]]));
    await post(ndjson([views[2], views[1]]));
    const list = await get('/api/v1/incidents?rule=dmz-kinetic');
    expect(list.body.items).toHaveLength(1);
    const incident = list.body.items[0];
    expect(incident).toMatchObject({ corroboration: 5, sourceCount: 5, status: 'detected' });
    expect(incident.sectors).toEqual(['sector-05']);
    const detail = await get(`/api/v1/incidents/${incident.id}`);
    expect(detail.body.sources.map((s: { sensorId: string }) => s.sensorId)).toEqual([
      'cam-1',
      'cam-2',
      'cam-3',
      'cam-4',
      'cam-5',
    ]);
  });

  it('never makes an incident of a civilian vehicle in the dmz', async () => {
    const r = await post(ndjson([detection('car', 'cam-1', IN_DMZ, 'civilian-vehicle')]));
    expect(r.body.incidentsCreated).toEqual([]);
    expect((await get('/api/v1/incidents')).body.items).toHaveLength(0);
  });

  it('moves an incident through its review and refuses a transition the lifecycle forbids', async () => {
    const r = await post(ndjson([detection('t1', 'cam-1')]));
    const id = r.body.incidentsCreated[0] as string;
    const move = (to: string) =>
      t.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/transitions`,
        headers: AUTH,
        payload: { to, reason: `to ${to}` },
      });
    const bad = await move('verified');
    expect(bad.statusCode).toBe(409);
    expect(bad.json().error.code).toBe('INVALID_TRANSITION');
    expect((await move('under-review')).statusCode).toBe(200);
    const verified = await move('verified');
    expect(verified.statusCode).toBe(200);
    expect(verified.json().transitions).toEqual([
      expect.objectContaining({ from: 'detected', to: 'under-review', reason: 'to under-review' }),
      expect.objectContaining({ from: 'under-review', to: 'verified', actor: expect.any(String) }),
    ]);
    const filtered = await get('/api/v1/incidents?status=verified');
    expect(filtered.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    expect((await get('/api/v1/incidents/nope')).status).toBe(404);
  });

  it('pages through incidents with a cursor and rejects a forged cursor', async () => {
    const records = Array.from({ length: 7 }, (_, k) =>
      detection(
        `p${k}`,
        'cam-1',
        { lon: IN_DMZ.lon + 0.05 * k, lat: IN_DMZ.lat },
        'tank',
        k * 1000,
      ),
    );
    await post(ndjson(records));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/api/v1/incidents?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(7);
    expect(seen).toHaveLength(7);
    const forged = await get('/api/v1/incidents?cursor=%%%garbage');
    expect(forged.status).toBe(400);
  });
});

describe('sensor health', () => {
  it('raises a sensor-outage incident when a sensor stays silent past its interval', async () => {
    await post(ndjson([{ id: 'hb1', sensorId: 'cam-1', observedAt: at(), kind: 'heartbeat' }]));
    expect((await get('/api/v1/sensors/cam-1/health')).body.status).toBe('ok');
    t.clock.advance(60_000);
    expect((await t.app.checkSensorHealth()).silenced).not.toContain('cam-1');
    t.clock.advance(60_000);
    const { silenced } = await t.app.checkSensorHealth();
    expect(silenced).toContain('cam-1');
    expect((await get('/api/v1/sensors/cam-1/health')).body.status).toBe('silent');
    const outages = await get('/api/v1/incidents?rule=sensor-outage');
    expect(outages.body.items.map((i: { sensorIds: string[] }) => i.sensorIds[0])).toContain(
      'cam-1',
    );
    // The outage lies in the sector of the sensor, so it reaches that sector's command.
    const inSector = await get('/api/v1/incidents?rule=sensor-outage&sector=sector-05');
    expect(inSector.body.items.map((i: { sensorIds: string[] }) => i.sensorIds[0])).toContain(
      'cam-1',
    );
    // Silence is reported once, not at every check.
    expect((await t.app.checkSensorHealth()).silenced).toEqual([]);
    await post(
      ndjson([{ id: 'hb2', sensorId: 'cam-1', observedAt: at(125_000), kind: 'heartbeat' }]),
    );
    expect((await get('/api/v1/sensors/cam-1/health')).body.status).toBe('ok');
    // Dropping out again soon after continues the same outage incident.
    t.clock.advance(200_000);
    expect((await t.app.checkSensorHealth()).silenced).toContain('cam-1');
    const again = await get('/api/v1/incidents?rule=sensor-outage');
    const forCam1 = again.body.items.filter(
      (i: { sensorIds: string[] }) => i.sensorIds[0] === 'cam-1',
    );
    expect(forCam1).toHaveLength(1);
    expect(forCam1[0].version).toBe(2);
  });

  it('marks a mission sensor interfered with and opens an interference incident', async () => {
    const r = await post(
      ndjson([
        {
          id: 'jam',
          sensorId: 'cam-2',
          observedAt: at(),
          kind: 'interference',
          interference: { type: 'gps-jamming', targetSensorId: 'cam-1' },
        },
      ]),
    );
    expect(r.body.incidentsCreated).toHaveLength(1);
    expect((await get('/api/v1/sensors/cam-1/health')).body.status).toBe('interfered');
    await post(
      ndjson([{ id: 'hb', sensorId: 'cam-1', observedAt: at(60_000), kind: 'heartbeat' }]),
    );
    expect((await get('/api/v1/sensors/cam-1/health')).body.status).toBe('ok');
  });
});

describe('zones and rules', () => {
  it('keeps the history of zone specs and refuses an invalid one with paths', async () => {
    const current = await get('/api/v1/zones');
    expect(current.status).toBe(200);
    const bad = await t.server.inject({
      method: 'PUT',
      url: '/api/v1/zones',
      headers: AUTH,
      payload: { ...current.body, zones: [{ id: 'x', kind: 'strip', line: 'nope' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.errors.length).toBeGreaterThan(0);
    const ok = await t.server.inject({
      method: 'PUT',
      url: '/api/v1/zones',
      headers: AUTH,
      payload: current.body,
    });
    expect(ok.json()).toEqual({ version: 2 });
    const history = await get('/api/v1/zones/history');
    expect(history.body.map((v: { version: number }) => v.version)).toEqual([2, 1]);
  });

  it('serves the zones in force as GeoJSON', async () => {
    const r = await t.server.inject({ method: 'GET', url: '/api/v1/zones.geojson', headers: AUTH });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/geo\+json/);
    const ids = (r.json().features as { properties: { id: string } }[]).map((f) => f.properties.id);
    expect(ids).toContain('dmz');
  }, 60_000);
});
