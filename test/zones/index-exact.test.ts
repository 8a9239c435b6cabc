import { beforeAll, describe, expect, it } from 'vitest';
import { geodesicDirect } from '../../src/core/geo/index.js';
import { buildZoneIndex, evaluatePoint } from '../../src/core/zones/index.js';
import type { ZoneIndex, ZoneSet } from '../../src/core/zones/index.js';
import { mulberry32, loadZoneSet } from '../support/demo.js';

type Position = [number, number];

function uniformInBox(index: ZoneIndex, seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  const { minLon, minLat, maxLon, maxLat } = index.bbox;
  return Array.from({ length: n }, () => [
    minLon + rng() * (maxLon - minLon),
    minLat + rng() * (maxLat - minLat),
  ]);
}

// Points in a frame up to two degrees wide around the index's box, none inside it.
function aroundBox(index: ZoneIndex, seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  const { minLon, minLat, maxLon, maxLat } = index.bbox;
  const out: Position[] = [];
  while (out.length < n) {
    const lon = minLon - 2 + rng() * (maxLon - minLon + 4);
    const lat = minLat - 2 + rng() * (maxLat - minLat + 4);
    if (lon < minLon || lon >= maxLon || lat < minLat || lat >= maxLat) out.push([lon, lat]);
  }
  return out;
}

// Points within a kilometre of the boundaries: the band and strip edges on both sides, the
// line itself, the sector cuts, the line's ends and the area zones' outlines.
function nearBoundaries(zs: ZoneSet, seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  const metric = zs.lines[zs.primaryLine]!.metric;
  const widths = [0, 15_000, 20_000, 25_000, 35_000, 70_000];
  const cuts = [0, metric.lengthM];
  const corners: Position[] = [];
  for (const zone of zs.zones) {
    if (zone.spec.kind === 'sector') cuts.push(zone.spec.fromM);
    if (zone.shape.type === 'area' && zone.shape.geometry.type === 'Polygon') {
      corners.push(...(zone.shape.geometry.coordinates[0] as Position[]));
    }
  }
  return Array.from({ length: n }, (_, k) => {
    const kind = k % 3;
    if (kind === 2) {
      const [lon, lat] = corners[Math.floor(rng() * corners.length)]!;
      const q = geodesicDirect(lon, lat, rng() * 360, rng() * 500);
      return [q.lon, q.lat];
    }
    const along =
      kind === 0
        ? rng() * metric.lengthM
        : cuts[Math.floor(rng() * cuts.length)]! + (2 * rng() - 1) * 1000;
    const width =
      kind === 0
        ? widths[Math.floor(rng() * widths.length)]! + (2 * rng() - 1) * 1000
        : rng() * 75_000;
    const p = metric.pointAt(along);
    const q = geodesicDirect(
      p.lon,
      p.lat,
      p.azimuthDeg + (rng() < 0.5 ? 90 : -90),
      Math.abs(width),
    );
    return [q.lon, q.lat];
  });
}

function differences(zs: ZoneSet, index: ZoneIndex, points: Position[]): string[] {
  const out: string[] = [];
  for (const [lon, lat] of points) {
    const exact = evaluatePoint(zs, lon, lat);
    const side = exact.feet[zs.primaryLine]!.sideSign;
    const cls = index.classes[index.classify(lon, lat)]!;
    if (cls.side !== side || cls.zones.join('') !== exact.zones.join('')) {
      if (out.length < 20) {
        out.push(
          `[${lon}, ${lat}]: index ${cls.zones.join('')} side ${cls.side}, ` +
            `exact ${exact.zones.join('')} side ${side}`,
        );
      }
    }
  }
  return out;
}

describe('zone index is exact (notional demo, leaf size 400 m)', () => {
  let zs: ZoneSet;
  let index: ZoneIndex;

  beforeAll(() => {
    zs = loadZoneSet();
    index = buildZoneIndex(zs, { leafSizeM: 400 });
  }, 60_000);

  it('covers the line with the widest band around it', () => {
    const { minLon, minLat, maxLon, maxLat } = index.bbox;
    expect(minLon).toBeLessThan(31.52 - 0.9);
    expect(maxLon).toBeGreaterThan(38.25 + 0.9);
    expect(minLat).toBeLessThan(46.5 - 0.6);
    expect(maxLat).toBeGreaterThan(50.36 + 0.6);
  });

  it('agrees with evaluatePoint on 50,000 uniform random points over its box', () => {
    const points = uniformInBox(index, 0x1de7, 50_000);
    expect(differences(zs, index, points)).toEqual([]);
  });

  it('agrees with evaluatePoint on 15,000 points within a kilometre of zone boundaries', () => {
    const points = nearBoundaries(zs, 0xb0de, 15_000);
    expect(differences(zs, index, points)).toEqual([]);
  });

  it('agrees with evaluatePoint outside its box', () => {
    const points: Position[] = [
      ...aroundBox(index, 0x0b0c, 3_000),
      [0, 0],
      [-120, 45],
      [179.9, -60],
      [37, 85],
      [37, -85],
      [index.bbox.maxLon, index.bbox.maxLat],
      [index.bbox.maxLon, index.bbox.minLat],
      [index.bbox.minLon - 1e-9, index.bbox.minLat],
    ];
    expect(differences(zs, index, points)).toEqual([]);
  });

  it('gives the same classes in bulk as one by one', () => {
    const points = [...uniformInBox(index, 0x3a11, 15_000), ...aroundBox(index, 0x3a12, 500)];
    const lonLat = new Float64Array(points.flat());
    const out = new Int32Array(points.length).fill(-1);
    index.classifyMany(lonLat, out);
    const single = Int32Array.from(points, ([lon, lat]) => index.classify(lon, lat));
    expect(Array.from(out)).toEqual(Array.from(single));
  });

  it('has sane stats and distinct classes', () => {
    const { stats } = index;
    expect(stats.topCells).toBeGreaterThan(0);
    expect(stats.nodes).toBeGreaterThan(0);
    expect(stats.exactLeaves).toBeGreaterThan(0);
    expect(stats.bytes).toBeGreaterThan(0);
    expect(stats.classes).toBe(index.classes.length);
    const keys = index.classes.map((c) => `${c.zones.join('')}:${c.side}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const c of index.classes) {
      expect(c.zones).toHaveLength(zs.zones.length);
      expect([-1, 0, 1]).toContain(c.side);
    }
  });
});
