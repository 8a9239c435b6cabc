import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COVERAGE_RANGE_M,
  DEFAULT_COVERAGE_TOLERANCE_M,
  sensorCoverage,
} from '../../src/core/coverage/index.js';
import type { CoverageSensor } from '../../src/core/coverage/index.js';
import {
  geodesicDirect,
  geodesicDistanceM,
  geodesicSegment,
  nearestOnGeodesicSegment,
  preparePlanarPolygon,
} from '../../src/core/geo/index.js';
import { mulberry32 } from '../support/demo.js';

type Geometry = Polygon | MultiPolygon;

function polygonsOf(g: Geometry): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

function contains(g: Geometry, lon: number, lat: number): boolean {
  return preparePlanarPolygon(polygonsOf(g)).contains(lon, lat);
}

function signedArea2(ring: Position[]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  }
  return a;
}

/** RFC 7946: closed rings, exterior counterclockwise, holes clockwise. */
function expectRfc7946(g: Geometry): void {
  for (const rings of polygonsOf(g)) {
    rings.forEach((ring, i) => {
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(signedArea2(ring) > 0).toBe(i === 0);
    });
  }
}

/** Geodesic distance from a position to a route of geodesic segments. */
function distanceToRoute(route: number[][], lon: number, lat: number): number {
  let best = Infinity;
  for (let i = 0; i + 1 < route.length; i++) {
    const seg = geodesicSegment(route[i]![0]!, route[i]![1]!, route[i + 1]![0]!, route[i + 1]![1]!);
    best = Math.min(best, nearestOnGeodesicSegment(seg, lon, lat).distanceM);
  }
  return best;
}

const base = { owner: 'mission', reliability: 'B' } as const;

describe('sensorCoverage: disks', () => {
  it('holds points at 0.99 r and not at 1.01 r, at many bearings and latitudes', () => {
    for (const lat of [-62, -20, 0, 33.3, 48.1, 71]) {
      for (const rangeM of [500, 5_000, 40_000]) {
        const sensor: CoverageSensor = {
          id: 'c',
          kind: 'camera',
          position: { lon: 36.2, lat },
          rangeM,
        };
        const g = sensorCoverage(sensor) as Polygon;
        expect(g.type).toBe('Polygon');
        expectRfc7946(g);
        const prepared = preparePlanarPolygon([g.coordinates]);
        for (let az = 0; az < 360; az += 7.5) {
          const inner = geodesicDirect(36.2, lat, az, 0.99 * rangeM);
          const outer = geodesicDirect(36.2, lat, az, 1.01 * rangeM);
          expect(prepared.contains(inner.lon, inner.lat)).toBe(true);
          expect(prepared.contains(outer.lon, outer.lat)).toBe(false);
        }
      }
    }
  });

  it('puts every vertex at the range and every edge within the tolerance of it', () => {
    const g = sensorCoverage({
      id: 'r',
      kind: 'radar',
      position: { lon: 37.5, lat: 48 },
    }) as Polygon;
    const r = DEFAULT_COVERAGE_RANGE_M.radar;
    const ring = g.coordinates[0]!;
    for (let i = 0; i + 1 < ring.length; i++) {
      const [x1, y1] = ring[i] as [number, number];
      const [x2, y2] = ring[i + 1] as [number, number];
      expect(Math.abs(geodesicDistanceM(37.5, 48, x1, y1) - r)).toBeLessThan(1e-6);
      const mid = geodesicDistanceM(37.5, 48, (x1 + x2) / 2, (y1 + y2) / 2);
      expect(mid).toBeLessThanOrEqual(r);
      expect(mid).toBeGreaterThan(r - DEFAULT_COVERAGE_TOLERANCE_M);
    }
  });

  it('takes the range per kind when the sensor has none', () => {
    for (const kind of ['camera', 'radar', 'acoustic'] as const) {
      const g = sensorCoverage({ id: kind, kind, position: { lon: 30, lat: 50 } }) as Polygon;
      const [lon, lat] = g.coordinates[0]![0] as [number, number];
      expect(geodesicDistanceM(30, 50, lon, lat)).toBeCloseTo(DEFAULT_COVERAGE_RANGE_M[kind], 6);
    }
    expect(DEFAULT_COVERAGE_RANGE_M).toMatchObject({
      camera: 5_000,
      radar: 20_000,
      acoustic: 10_000,
      uav: 2_000,
      patrol: 1_000,
    });
  });

  it('is null without the position the kind needs, and refuses the antimeridian', () => {
    expect(sensorCoverage({ id: 'c', kind: 'camera' })).toBeNull();
    expect(sensorCoverage({ id: 'u', kind: 'uav' })).toBeNull();
    expect(
      sensorCoverage({ id: 'c', kind: 'camera', position: { lon: 1, lat: 1 }, rangeM: 0 }),
    ).toBeNull();
    expect(() =>
      sensorCoverage({ id: 'c', kind: 'camera', position: { lon: 179.99, lat: 10 } }),
    ).toThrow(RangeError);
  });
});

describe('sensorCoverage: swaths', () => {
  // A route with a sharp turn, a loop that encloses unobserved ground, and a long leg.
  const route = [
    [34.0, 48.0],
    [34.5, 48.2],
    [34.4, 48.6],
    [33.9, 48.3],
    [34.02, 48.02],
    [34.05, 47.98],
    [35.2, 47.7],
  ];
  const w = 2_000;
  const uav: CoverageSensor = { id: 'u', kind: 'uav', route, rangeM: w };
  const g = sensorCoverage(uav) as Geometry;
  const prepared = preparePlanarPolygon(polygonsOf(g));

  it('is a valid RFC 7946 polygon with the hole the loop encloses', () => {
    expectRfc7946(g);
    expect(g.type).toBe('Polygon');
    expect((g as Polygon).coordinates).toHaveLength(2);
    // The middle of the loop is far from the route: not covered.
    expect(prepared.contains(34.2, 48.3)).toBe(false);
  });

  it('holds points at 0.99 of the half-width beside each leg and not at 1.01', () => {
    for (let i = 0; i + 1 < route.length; i++) {
      const seg = geodesicSegment(
        route[i]![0]!,
        route[i]![1]!,
        route[i + 1]![0]!,
        route[i + 1]![1]!,
      );
      for (const t of [0.2, 0.35, 0.5, 0.65, 0.8]) {
        const foot = seg.at(seg.lengthM * t);
        for (const turn of [90, -90]) {
          const inner = geodesicDirect(foot.lon, foot.lat, foot.azimuthDeg + turn, 0.99 * w);
          const outer = geodesicDirect(foot.lon, foot.lat, foot.azimuthDeg + turn, 1.01 * w);
          expect(prepared.contains(inner.lon, inner.lat)).toBe(true);
          if (distanceToRoute(route, outer.lon, outer.lat) > 1.005 * w) {
            expect(prepared.contains(outer.lon, outer.lat)).toBe(false);
          }
        }
      }
    }
  });

  it('agrees with the distance to the route at random points, caps and joins included', () => {
    const rnd = mulberry32(7);
    let near = 0;
    for (let k = 0; k < 3_000; k++) {
      const v = route[Math.floor(rnd() * route.length)]!;
      const p = geodesicDirect(v[0]!, v[1]!, rnd() * 360, rnd() * 2.5 * w);
      const d = distanceToRoute(route, p.lon, p.lat);
      if (d <= 0.99 * w) expect(prepared.contains(p.lon, p.lat)).toBe(true);
      else if (d >= 1.01 * w) expect(prepared.contains(p.lon, p.lat)).toBe(false);
      else near++;
    }
    expect(near).toBeLessThan(200);
  });

  it('draws its outline within the tolerance of the half-width', () => {
    for (const rings of polygonsOf(g)) {
      for (const ring of rings) {
        for (let i = 0; i + 1 < ring.length; i += 3) {
          const [x1, y1] = ring[i] as [number, number];
          const [x2, y2] = ring[i + 1] as [number, number];
          for (const [x, y] of [
            [x1, y1],
            [(x1 + x2) / 2, (y1 + y2) / 2],
          ] as const) {
            const d = distanceToRoute(route, x, y);
            expect(d).toBeGreaterThan(w - DEFAULT_COVERAGE_TOLERANCE_M);
            expect(d).toBeLessThan(w + DEFAULT_COVERAGE_TOLERANCE_M);
          }
        }
      }
    }
  });

  it('traces zigzag routes at mid and high latitudes, and long routes quickly', () => {
    for (const [lat, seed] of [
      [47.5, 3],
      [69.5, 4],
      [-35, 5],
    ] as const) {
      const rnd = mulberry32(seed);
      const zigzag: number[][] = [[30, lat]];
      for (let i = 1; i < 25; i++) {
        const [x, y] = zigzag[i - 1]!;
        zigzag.push([x! + (rnd() - 0.3) * 0.08, y! + (rnd() - 0.5) * 0.06]);
      }
      const halfWidthM = 1_500;
      const swath = sensorCoverage({ id: 'z', kind: 'uav', route: zigzag, rangeM: halfWidthM })!;
      expectRfc7946(swath);
      const inside = preparePlanarPolygon(polygonsOf(swath));
      for (let k = 0; k < 600; k++) {
        const v = zigzag[Math.floor(rnd() * zigzag.length)]!;
        const p = geodesicDirect(v[0]!, v[1]!, rnd() * 360, rnd() * 2.5 * halfWidthM);
        const d = distanceToRoute(zigzag, p.lon, p.lat);
        if (d <= halfWidthM - DEFAULT_COVERAGE_TOLERANCE_M) {
          expect(inside.contains(p.lon, p.lat)).toBe(true);
        } else if (d >= halfWidthM + DEFAULT_COVERAGE_TOLERANCE_M) {
          expect(inside.contains(p.lon, p.lat)).toBe(false);
        }
      }
    }
    const rnd = mulberry32(9);
    const long: number[][] = [[30, 48]];
    for (let i = 1; i < 500; i++) {
      const [x, y] = long[i - 1]!;
      long.push([x! + (rnd() - 0.4) * 0.05, y! + (rnd() - 0.5) * 0.05]);
    }
    const started = performance.now();
    sensorCoverage({ id: 'l', kind: 'uav', route: long });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('uses 1 km for a patrol, and a disk for a UAV without a route', () => {
    const patrol = sensorCoverage({
      ...base,
      id: 'p',
      kind: 'patrol',
      route: [
        [35, 47],
        [35.1, 47],
      ],
    }) as Polygon;
    const mid = geodesicSegment(35, 47, 35.1, 47).at(4_000);
    const side = (m: number) => geodesicDirect(mid.lon, mid.lat, mid.azimuthDeg + 90, m);
    expect(contains(patrol, side(990).lon, side(990).lat)).toBe(true);
    expect(contains(patrol, side(1_010).lon, side(1_010).lat)).toBe(false);
    const hover = sensorCoverage({
      id: 'h',
      kind: 'uav',
      position: { lon: 35, lat: 47 },
    }) as Polygon;
    const [lon, lat] = hover.coordinates[0]![5] as [number, number];
    expect(geodesicDistanceM(35, 47, lon, lat)).toBeCloseTo(DEFAULT_COVERAGE_RANGE_M.uav, 6);
  });
});

describe('sensorCoverage: satellites', () => {
  const rect = (w: number, s: number, e: number, n: number) => [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
  const satellite: CoverageSensor = {
    id: 's',
    kind: 'satellite',
    passes: [
      { at: '2026-01-01T08:00:00Z', footprint: rect(35, 47, 35.6, 47.4) },
      { at: '2026-01-01T10:00:00Z', footprint: rect(35.4, 47.2, 36, 47.8).reverse() },
      { at: '2026-01-02T10:00:00Z', footprint: rect(37, 47, 37.5, 47.5) },
    ],
  };

  it('is the union of the footprints', () => {
    const g = sensorCoverage(satellite) as Geometry;
    expectRfc7946(g);
    expect(g.type).toBe('MultiPolygon');
    expect(polygonsOf(g)).toHaveLength(2);
    expect(contains(g, 35.1, 47.1)).toBe(true);
    expect(contains(g, 35.9, 47.7)).toBe(true);
    expect(contains(g, 37.2, 47.2)).toBe(true);
    expect(contains(g, 35.1, 47.7)).toBe(false);
  });

  it('keeps only passes in the interval', () => {
    const day1 = sensorCoverage(satellite, {
      fromMs: Date.parse('2026-01-01T00:00:00Z'),
      toMs: Date.parse('2026-01-02T00:00:00Z'),
    }) as Geometry;
    expect(day1.type).toBe('Polygon');
    expect(contains(day1, 37.2, 47.2)).toBe(false);
    expect(contains(day1, 35.5, 47.3)).toBe(true);
    const none = sensorCoverage(satellite, { fromMs: 0, toMs: 1 });
    expect(none).toEqual({ type: 'MultiPolygon', coordinates: [] });
    expect(sensorCoverage({ id: 'x', kind: 'satellite' })).toBeNull();
  });
});
