import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Built } from '../../src/build-app.js';
import { AUTH, T0, camera, ndjson, startTestApp } from './test-app.js';
import type { FakeClock } from './test-app.js';

/** Reports reach the server half an hour after they happen (as in a demo run 1,800× fast). */
const LAG_MS = 30 * 60_000;
const SENSORS = ['cam-1', 'cam-2', 'cam-3'];

let t: Built & { clock: FakeClock };

beforeEach(async () => {
  t = await startTestApp();
  for (const id of SENSORS) {
    const r = await t.server.inject({
      method: 'PUT',
      url: `/api/v1/sensors/${id}`,
      headers: AUTH,
      payload: camera(id, 36.6, 47.82),
    });
    expect(r.statusCode).toBe(201);
  }
});

afterEach(async () => {
  await t.close();
});

/** Minute k: the sensors still up send a heartbeat, delivered LAG_MS later; then a check. */
async function minute(k: number, up: readonly string[]): Promise<string[]> {
  const eventMs = T0 + k * 60_000;
  t.clock.set(eventMs + LAG_MS);
  if (up.length > 0) {
    const r = await t.server.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
      payload: ndjson(
        up.map((sensorId) => ({
          id: `hb-${k}`,
          sensorId,
          observedAt: new Date(eventMs).toISOString(),
          kind: 'heartbeat',
        })),
      ),
    });
    expect(r.statusCode).toBe(200);
  }
  return (await t.app.checkSensorHealth()).silenced;
}

describe('sensor health under delivery delay', () => {
  it('does not count transport delay as silence, and still finds the sensor that stops', async () => {
    const silencedAt = new Map<string, number>();
    for (let k = 0; k < 40; k++) {
      const up = k < 20 ? SENSORS : ['cam-1', 'cam-2'];
      for (const id of await minute(k, up)) if (!silencedAt.has(id)) silencedAt.set(id, k);
    }
    // cam-3 last reported at minute 19: silent once its 60 s interval and 30 s grace passed in
    // event time (minute 21), allowing a few minutes while the learnt delay settles.
    expect([...silencedAt.keys()]).toEqual(['cam-3']);
    expect(silencedAt.get('cam-3')).toBeGreaterThanOrEqual(21);
    expect(silencedAt.get('cam-3')).toBeLessThanOrEqual(25);
  });

  it('leaves a sensor never heard from unknown rather than raising an outage', async () => {
    t.clock.advance(24 * 3_600_000);
    expect((await t.app.checkSensorHealth()).silenced).toEqual([]);
    const health = await t.server.inject({
      method: 'GET',
      url: '/api/v1/sensors/cam-1/health',
      headers: AUTH,
    });
    expect(health.json()).toMatchObject({ status: 'unknown', lastSeen: null });
  });

  it('still reports a network that stops altogether', async () => {
    for (let k = 0; k < 10; k++) expect(await minute(k, SENSORS)).toEqual([]);
    // Nothing arrives any more; the server clock runs on.
    t.clock.advance(60_000);
    expect((await t.app.checkSensorHealth()).silenced).toEqual([]);
    t.clock.advance(2 * 60_000);
    expect((await t.app.checkSensorHealth()).silenced.sort()).toEqual(SENSORS);
  });
});
