import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { geodesicDirect, geodesicDistanceM } from '../geo/index.js';
import {
  DEFAULT_BEARING_UNCERTAINTY_DEG,
  DEFAULT_POSITION_ERROR_M,
  locateObservation,
  SENSOR_KINDS,
} from './index.js';
import type { BearingPosition, Observation, Sensor } from './index.js';

const SENSOR_AT = { lon: 37.5, lat: 48.1 };
const sensor = (fields: Partial<Sensor> = {}): Sensor => ({
  id: 'cam-1',
  kind: 'camera',
  owner: 'mission',
  position: SENSOR_AT,
  reliability: 'B',
  ...fields,
});
const detection = (position?: Observation['position']): Observation => ({
  id: 'o1',
  sensorId: 'cam-1',
  observedAt: '2026-01-02T10:00:00Z',
  kind: 'detection',
  ...(position && { position }),
  object: { class: 'tank', count: 1 },
});
const kinetic = (position: BearingPosition): Observation => ({
  id: 'o1',
  sensorId: 'acoustic-1',
  observedAt: '2026-01-02T10:00:00Z',
  kind: 'kinetic',
  position,
  event: { type: 'explosion-impact' },
});
const rad = (deg: number) => (deg * Math.PI) / 180;

describe('locateObservation', () => {
  it("keeps a point's own position, altitude and uncertainty", () => {
    const loc = locateObservation(
      detection({ lon: 37.6, lat: 48.2, altM: 1200, uncertaintyM: 75 }),
      sensor(),
    );
    expect(loc).toEqual({ type: 'point', lon: 37.6, lat: 48.2, altM: 1200, radiusM: 75 });
  });

  it('keeps a stated uncertainty of 0 as exact', () => {
    const loc = locateObservation(detection({ lon: 37.6, lat: 48.2, uncertaintyM: 0 }), sensor());
    expect(loc).toEqual({ type: 'point', lon: 37.6, lat: 48.2, radiusM: 0 });
  });

  it.each(SENSOR_KINDS)("gives a point without uncertainty the %s's default error", (kind) => {
    const loc = locateObservation(detection({ lon: 37.6, lat: 48.2 }), sensor({ kind }));
    expect(loc).toEqual({
      type: 'point',
      lon: 37.6,
      lat: 48.2,
      radiusM: DEFAULT_POSITION_ERROR_M[kind],
    });
  });

  it('has the documented defaults per sensor kind', () => {
    expect(DEFAULT_POSITION_ERROR_M).toEqual({
      camera: 50,
      acoustic: 500,
      uav: 30,
      satellite: 10,
      patrol: 100,
      radar: 150,
    });
    expect(DEFAULT_BEARING_UNCERTAINTY_DEG).toBe(2);
  });

  it("prefers the sensor's own positionErrorM to the default, and a stated one to both", () => {
    const s = sensor({ kind: 'acoustic', positionErrorM: 120 });
    const own = locateObservation(detection({ lon: 37.6, lat: 48.2 }), s);
    expect(own).toMatchObject({ type: 'point', radiusM: 120 });
    const stated = locateObservation(detection({ lon: 37.6, lat: 48.2, uncertaintyM: 5 }), s);
    expect(stated).toMatchObject({ type: 'point', radiusM: 5 });
  });

  it("places an observation without a position at its sensor's position, exactly", () => {
    const loc = locateObservation(detection(), sensor({ positionErrorM: 40 }));
    expect(loc).toEqual({ type: 'point', lon: SENSOR_AT.lon, lat: SENSOR_AT.lat, radiusM: 0 });
  });

  it('has no location when neither the observation nor its sensor has a position', () => {
    const routeOnly: Sensor = {
      id: 'uav-1',
      kind: 'uav',
      owner: 'mission',
      route: [
        [37, 48],
        [37.1, 48],
      ],
      reliability: 'B',
    };
    expect(locateObservation(detection(), routeOnly)).toEqual({ type: 'none' });
    const bearing = kinetic({ bearingDeg: 90, minRangeM: 1000, maxRangeM: 2000 });
    expect(locateObservation(bearing, routeOnly)).toEqual({ type: 'none' });
  });

  /** Largest distance from the middle of the range to a corner of the wedge, in its plane. */
  const cornerRadiusM = (minM: number, maxM: number, uDeg: number) => {
    const u = rad(uDeg);
    const mid = (minM + maxM) / 2;
    const corner = (r: number) => Math.hypot(r * Math.cos(u) - mid, r * Math.sin(u));
    return Math.max(corner(minM), corner(maxM));
  };

  it('places a bearing at the middle of its range, from the sensor, on the geodesic', () => {
    const p = { bearingDeg: 135, bearingUncertaintyDeg: 3, minRangeM: 2000, maxRangeM: 6000 };
    const loc = locateObservation(kinetic({ ...p, altM: 150 }), sensor({ kind: 'acoustic' }));
    const mid = geodesicDirect(SENSOR_AT.lon, SENSOR_AT.lat, 135, 4000);
    expect(loc).toEqual({
      type: 'bearing',
      observerLon: SENSOR_AT.lon,
      observerLat: SENSOR_AT.lat,
      ...p,
      altM: 150,
      lon: mid.lon,
      lat: mid.lat,
      radiusM: cornerRadiusM(2000, 6000, 3),
    });
    if (loc.type !== 'bearing') return;
    expect(geodesicDistanceM(SENSOR_AT.lon, SENSOR_AT.lat, loc.lon, loc.lat)).toBeCloseTo(4000, 6);
  });

  it('uses the default bearing error when none is stated', () => {
    const loc = locateObservation(
      kinetic({ bearingDeg: 10, minRangeM: 1000, maxRangeM: 5000 }),
      sensor({ kind: 'acoustic' }),
    );
    expect(loc).toMatchObject({
      type: 'bearing',
      bearingUncertaintyDeg: DEFAULT_BEARING_UNCERTAINTY_DEG,
      radiusM: cornerRadiusM(1000, 5000, DEFAULT_BEARING_UNCERTAINTY_DEG),
    });
    expect(loc).not.toHaveProperty('altM');
  });

  /** The largest distance from the estimate to a point of the bearing wedge (sampled). */
  function wedgeReachM(
    loc: { lon: number; lat: number },
    p: { bearingDeg: number; u: number; minRangeM: number; maxRangeM: number },
  ): number {
    let reach = 0;
    for (let i = 0; i <= 8; i++) {
      const bearing = p.bearingDeg - p.u + (2 * p.u * i) / 8;
      for (let j = 0; j <= 8; j++) {
        const range = p.minRangeM + ((p.maxRangeM - p.minRangeM) * j) / 8;
        const q = geodesicDirect(SENSOR_AT.lon, SENSOR_AT.lat, bearing, range);
        reach = Math.max(reach, geodesicDistanceM(loc.lon, loc.lat, q.lon, q.lat));
      }
    }
    return reach;
  }

  it('gives a radius that holds the whole wedge when the range is deep', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 359, noNaN: true }),
        fc.double({ min: 0.1, max: 20, noNaN: true }),
        fc.integer({ min: 1000, max: 40_000 }),
        fc.double({ min: 0, max: 0.4, noNaN: true }),
        (bearingDeg, u, maxRangeM, minFraction) => {
          const minRangeM = Math.round(maxRangeM * minFraction);
          const loc = locateObservation(
            kinetic({ bearingDeg, bearingUncertaintyDeg: u, minRangeM, maxRangeM }),
            sensor({ kind: 'acoustic' }),
          );
          if (loc.type !== 'bearing') throw new Error('not a bearing');
          const reach = wedgeReachM(loc, { bearingDeg, u, minRangeM, maxRangeM });
          expect(reach).toBeLessThanOrEqual(loc.radiusM + 0.01);
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  // With an exact range (min = max = 10 km) and a 30 degree bearing error the wedge's ends lie
  // 2 * 10 km * sin(15) = 5,176 m from the estimate; the radius must reach them.
  it('gives a radius that holds the whole wedge when the range is exact', () => {
    const p = { bearingDeg: 90, u: 30, minRangeM: 10_000, maxRangeM: 10_000 };
    const loc = locateObservation(
      kinetic({ bearingDeg: 90, bearingUncertaintyDeg: 30, minRangeM: 10_000, maxRangeM: 10_000 }),
      sensor({ kind: 'acoustic' }),
    );
    if (loc.type !== 'bearing') throw new Error('not a bearing');
    expect(wedgeReachM(loc, p)).toBeLessThanOrEqual(loc.radiusM);
  });
});
