/**
 * The zone index against the direct computation (`evaluatePoint`) on the inputs its newer bounds
 * exist for (docs/decisions/0003-exact-zone-index.md, "Why it is exact"):
 *
 * - a detailed line (the notional line densified and perturbed by tens of metres, as in
 *   bench/zones.bench.ts), whose many short, nearly collinear segments are what the per-cell
 *   candidate pruning (`footCandidates`) and the chord bounds of exact leaves (`chordBoundsM`)
 *   must get right; the 43-vertex demo line of index-exact.test.ts hardly exercises either;
 * - lines that curl back toward their own end within a zone width, where the distance measured
 *   from an extension jumps (`extensionJump`).
 *
 * Every comparison is of the full class: each zone's membership and the side of the primary line.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDemoZoneSpec } from '../../scripts/demo-zones.js';
import { createLineMetric, geodesicDirect, geodesicSegment } from '../../src/core/geo/index.js';
import type { LineMetric } from '../../src/core/geo/index.js';
import {
  buildZoneIndex,
  compileZoneSet,
  evaluatePoint,
  validateZoneSpec,
} from '../../src/core/zones/index.js';
import type { ZoneIndex, ZoneSet } from '../../src/core/zones/index.js';
import { AT_MS, mulberry32 } from '../support/demo.js';

type Position = [number, number];

interface Box {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

const SHARED_LINE = new URL(
  '../../../shared/data/notional-line-of-contact.geojson',
  import.meta.url,
);

/** Vertices the whole detailed line is densified to, as in the benchmark. */
const TARGET_VERTICES = 5_000;
/** Vertices of the detailed line kept: its first ~200 km. */
const PORTION_VERTICES = 1_100;
/** Every distance from the line at which a demo zone has an edge (the line itself included). */
const DEMO_EDGES_M = [0, 15_000, 20_000, 25_000, 35_000, 70_000];

function compile(spec: unknown): ZoneSet {
  const v = validateZoneSpec(spec);
  if (!v.ok) throw new Error(JSON.stringify(v.errors.slice(0, 3)));
  const c = compileZoneSet(v.spec, AT_MS);
  if (!c.ok) throw new Error(JSON.stringify(c.errors.slice(0, 3)));
  return c.zoneSet;
}

/**
 * The benchmark's detailed line: densified along its geodesics and each new vertex moved
 * sideways by a random walk pulled back to the line, so wiggles of tens of metres.
 */
function detailedLine(coords: Position[], random: () => number): Position[] {
  const total = createLineMetric(coords, 1000).lengthM;
  const spacing = total / (TARGET_VERTICES + coords.length);
  const out: Position[] = [];
  let offset = 0;
  for (let i = 0; i + 1 < coords.length; i++) {
    const [lon1, lat1] = coords[i] as Position;
    const [lon2, lat2] = coords[i + 1] as Position;
    const seg = geodesicSegment(lon1, lat1, lon2, lat2);
    const n = Math.max(1, Math.round(seg.lengthM / spacing));
    out.push([lon1, lat1]);
    for (let k = 1; k < n; k++) {
      const p = seg.at((seg.lengthM * k) / n);
      offset = 0.7 * offset + (random() - 0.5) * 60;
      const q = geodesicDirect(p.lon, p.lat, p.azimuthDeg + 90, offset);
      out.push([q.lon, q.lat]);
    }
  }
  out.push(coords[coords.length - 1] as Position);
  return out;
}

/** The whole demo zone set (strip, bands, sectors, areas) on the first part of the detailed line. */
function detailedPortionZoneSet(): ZoneSet {
  const source = JSON.parse(readFileSync(SHARED_LINE, 'utf8')) as Parameters<
    typeof makeDemoZoneSpec
  >[0];
  const line = source.features.find((f) => f.geometry.type === 'LineString');
  if (!line) throw new Error('no line in the shared data');
  const coords = detailedLine(line.geometry.coordinates as Position[], mulberry32(20261123));
  line.geometry.coordinates = coords.slice(0, PORTION_VERTICES);
  const lengthM = createLineMetric(line.geometry.coordinates as Position[], 1000).lengthM;
  return compile(makeDemoZoneSpec(source, lengthM));
}

/** Every difference between the index's class and the direct computation's (first 20 shown). */
function differences(zs: ZoneSet, index: ZoneIndex, points: readonly Position[]): string[] {
  const out: string[] = [];
  let count = 0;
  for (const [lon, lat] of points) {
    const exact = evaluatePoint(zs, lon, lat);
    const side = zs.primaryLine >= 0 ? exact.feet[zs.primaryLine]!.sideSign : 0;
    const cls = index.classes[index.classify(lon, lat)]!;
    if (cls.side === side && cls.zones.join('') === exact.zones.join('')) continue;
    if (count++ < 20) {
      const zones = zs.zones.filter((_, k) => cls.zones[k] !== exact.zones[k]).map((z) => z.id);
      out.push(
        `[${lon}, ${lat}]: index side ${cls.side}, exact side ${side}; zones differing: ` +
          `${zones.join(', ') || 'none'}`,
      );
    }
  }
  if (count > 20) out.push(`... ${count} differences in all, of ${points.length} points`);
  return out;
}

/**
 * Counts the index's visits to exact leaves. The index calls a line's `chordBoundsM` only to
 * decide a position in an exact leaf, and a polygon's `contains` only there or outside its box;
 * the wrappers count and delegate, so answers do not change. The index exposes no other way to
 * find exact leaves: if a refactor stops calling these, the probe finds no points and the
 * tests below that require some fail, telling that the probe, not the index, needs fixing.
 */
function exactLeafProbe(zs: ZoneSet): { count: number } {
  const probe = { count: 0 };
  for (const line of zs.lines) {
    const metric: LineMetric = line.metric;
    const chordBounds = metric.chordBoundsM;
    metric.chordBoundsM = (...args) => {
      probe.count++;
      chordBounds.apply(metric, args);
    };
  }
  for (const p of zs.primitives) {
    if (p.kind !== 'polygon') continue;
    const polygon = p.polygon;
    const contains = polygon.contains;
    polygon.contains = (lon, lat) => {
      probe.count++;
      return contains.call(polygon, lon, lat);
    };
  }
  return probe;
}

/**
 * Up to `n` of `tries` uniform random points of `box` (within the index's box) that the index
 * decides in exact leaves.
 */
function inExactLeaves(
  index: ZoneIndex,
  probe: { count: number },
  box: Box,
  seed: number,
  n: number,
  tries: number,
): Position[] {
  const rng = mulberry32(seed);
  // Only inside the index's box: outside it, the index calls evaluatePoint, which also calls
  // `contains`.
  const minLon = Math.max(box.minLon, index.bbox.minLon);
  const minLat = Math.max(box.minLat, index.bbox.minLat);
  const maxLon = Math.min(box.maxLon, index.bbox.maxLon);
  const maxLat = Math.min(box.maxLat, index.bbox.maxLat);
  const out: Position[] = [];
  for (let k = 0; k < tries && out.length < n; k++) {
    const lon = minLon + rng() * (maxLon - minLon);
    const lat = minLat + rng() * (maxLat - minLat);
    const before = probe.count;
    index.classify(lon, lat);
    if (probe.count !== before) out.push([lon, lat]);
  }
  return out;
}

function uniformIn(box: Box, seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => [
    box.minLon + rng() * (box.maxLon - box.minLon),
    box.minLat + rng() * (box.maxLat - box.minLat),
  ]);
}

/** The box of the line's vertices widened by about `marginM`. */
function lineBox(metric: LineMetric, marginM: number): Box {
  const lons = metric.segments.slice(1, -1).flatMap((s) => [s.lon1, s.lon2]);
  const lats = metric.segments.slice(1, -1).flatMap((s) => [s.lat1, s.lat2]);
  const dLat = marginM / 110_000;
  const dLon = marginM / (110_000 * Math.cos((Math.max(...lats.map(Math.abs)) * Math.PI) / 180));
  return {
    minLon: Math.min(...lons) - dLon,
    minLat: Math.min(...lats) - dLat,
    maxLon: Math.max(...lons) + dLon,
    maxLat: Math.max(...lats) + dLat,
  };
}

/** A square box of about `halfM` either side of a position. */
function boxAround(lon: number, lat: number, halfM: number): Box {
  const dLat = halfM / 110_000;
  const dLon = halfM / (110_000 * Math.cos((lat * Math.PI) / 180));
  return { minLon: lon - dLon, minLat: lat - dLat, maxLon: lon + dLon, maxLat: lat + dLat };
}

/** The position `offsetM` metres right (negative: left) of the (extended) line at `alongM`. */
function across(metric: LineMetric, alongM: number, offsetM: number): Position {
  const p = metric.pointAt(alongM);
  const q = geodesicDirect(
    p.lon,
    p.lat,
    p.azimuthDeg + (offsetM < 0 ? -90 : 90),
    Math.abs(offsetM),
  );
  return [q.lon, q.lat];
}

/**
 * A small signed offset from an edge: exactly on it, within a centimetre, within a few metres
 * (where the chord bounds of exact leaves must hand over to the exact foot) or within 300 m.
 */
function jitterM(rng: () => number): number {
  const sign = rng() < 0.5 ? -1 : 1;
  const r = rng();
  if (r < 0.1) return 0;
  if (r < 0.3) return sign * rng() * 0.01;
  if (r < 0.7) return sign * rng() * 5;
  return sign * rng() * 300;
}

/**
 * Points at a distance `edge + jitter` from the line, on both sides: from a point across the
 * line, moved along the geodesic from its exact foot, so that the distance is sharp even where
 * the perturbed line bends.
 */
function nearEdges(metric: LineMetric, edgesM: number[], seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const alongM = rng() * metric.lengthM;
    const sign = rng() < 0.5 ? -1 : 1;
    const edgeM = edgesM[Math.floor(rng() * edgesM.length)]!;
    const distanceM = edgeM + jitterM(rng);
    if (edgeM === 0) return across(metric, alongM, sign * distanceM);
    const [lon, lat] = across(metric, alongM, sign * edgeM);
    const foot = metric.nearest(lon, lat);
    const q = geodesicDirect(foot.footLon, foot.footLat, foot.towardAzimuthDeg, distanceM);
    return [q.lon, q.lat];
  });
}

/** Points across the line within `reachM` of it, at along-line positions `cut + jitter`. */
function nearCuts(
  metric: LineMetric,
  cutsM: number[],
  reachM: number,
  seed: number,
  n: number,
): Position[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const cutM = cutsM[Math.floor(rng() * cutsM.length)]!;
    return across(metric, cutM + jitterM(rng), (2 * rng() - 1) * reachM);
  });
}

/**
 * Around both ends: uniform points within 80 km, points behind the ends (measured from the
 * extensions) and points sharp at the extensions' zone-edge distances.
 */
function nearEnds(metric: LineMetric, edgesM: number[], seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  const ends = [metric.pointAt(0), metric.pointAt(metric.lengthM)];
  return Array.from({ length: n }, (_, k) => {
    const atStart = rng() < 0.5;
    if (k % 3 === 0) {
      const { lon, lat } = ends[atStart ? 0 : 1]!;
      const box = boxAround(lon, lat, 80_000);
      return [
        box.minLon + rng() * (box.maxLon - box.minLon),
        box.minLat + rng() * (box.maxLat - box.minLat),
      ];
    }
    const behindM = rng() * 80_000;
    const alongM = atStart ? -behindM : metric.lengthM + behindM;
    const offsetM =
      k % 3 === 1
        ? (2 * rng() - 1) * 80_000
        : (rng() < 0.5 ? -1 : 1) * (edgesM[Math.floor(rng() * edgesM.length)]! + jitterM(rng));
    return across(metric, alongM, offsetM);
  });
}

/** Points within 500 m of the area zones' vertices and within a hair of their edges. */
function nearPolygons(zs: ZoneSet, seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  const rings: Position[][] = [];
  for (const zone of zs.zones) {
    if (zone.shape.type !== 'area') continue;
    const g = zone.shape.geometry;
    if (g.type === 'Polygon') rings.push(...(g.coordinates as Position[][]));
    else for (const polygon of g.coordinates) rings.push(...(polygon as Position[][]));
  }
  return Array.from({ length: n }, (_, k) => {
    const ring = rings[Math.floor(rng() * rings.length)]!;
    const i = Math.floor(rng() * (ring.length - 1));
    const [lon1, lat1] = ring[i]!;
    if (k % 2 === 0) {
      const q = geodesicDirect(lon1, lat1, rng() * 360, rng() * 500);
      return [q.lon, q.lat];
    }
    const [lon2, lat2] = ring[i + 1]!;
    const t = rng();
    const hair = (2 * rng() - 1) * 1e-6;
    return [lon1 + t * (lon2 - lon1) + hair, lat1 + t * (lat2 - lat1) - hair];
  });
}

// The detailed line: 1,100 vertices (about 200 km, segments of about 180 m wiggling by tens of
// metres) with the whole demo zone set, 31 zones, at the default leaf size of 100 m and at 400 m.
// A segment dropped from a cell's candidates while it still holds the foot of some point of
// the cell (too tight a `footCandidates` bound), a cell decided with bounds that do not hold
// over it, or a chord bound in an exact leaf that is not rigorous shows up as a zone or side
// that differs from the direct computation near an edge, a cut or an end, or in an exact leaf.
describe.each([{ leafSizeM: 100 }, { leafSizeM: 400 }])(
  'zone index on a detailed line, first 200 km, demo zones, leaf size $leafSizeM m',
  ({ leafSizeM }) => {
    let zs: ZoneSet;
    let metric: LineMetric;
    let index: ZoneIndex;
    let probe: { count: number };
    let local: Box;
    const seed = leafSizeM;

    beforeAll(() => {
      zs = detailedPortionZoneSet();
      metric = zs.lines[zs.primaryLine]!.metric;
      probe = exactLeafProbe(zs);
      index = buildZoneIndex(zs, { leafSizeM });
      local = lineBox(metric, 80_000);
    }, 120_000);

    it('is built on a detailed line with exact leaves', () => {
      expect(metric.segmentCount - 1).toBeGreaterThanOrEqual(1_000);
      expect(metric.lengthM).toBeGreaterThan(150_000);
      expect(zs.zones).toHaveLength(31);
      expect(index.stats.exactLeaves).toBeGreaterThan(10_000);
    });

    // Cells decided wrongly anywhere (wide fans of nearly collinear segments near the ends and
    // cuts were the failure the pruning had to avoid).
    it('agrees with evaluatePoint on 20,000 uniform points around the line and 5,000 in its box', () => {
      expect(differences(zs, index, uniformIn(local, seed + 1, 20_000))).toEqual([]);
      expect(differences(zs, index, uniformIn(index.bbox, seed + 2, 5_000))).toEqual([]);
    });

    // The per-position path: candidate lists, chord bounds, plane sides and the hand-over to
    // the exact foot. Uniform points kept only if the index decides them in an exact leaf.
    it('agrees with evaluatePoint on 20,000 uniform points that land in exact leaves', () => {
      const points = inExactLeaves(index, probe, local, seed + 3, 20_000, 4_000_000);
      expect(points.length).toBeGreaterThanOrEqual(10_000);
      expect(differences(zs, index, points)).toEqual([]);
    });

    // Band and strip edges at 0, 15, 20, 25, 35 and 70 km on both sides, exactly on them,
    // within a centimetre, a few metres or 300 m: a distance bound off by more than that.
    it('agrees with evaluatePoint on 30,000 points sharp at every zone edge', () => {
      expect(differences(zs, index, nearEdges(metric, DEMO_EDGES_M, seed + 4, 30_000))).toEqual([]);
    });

    // The sector cuts and the square ends: an along-line bound (the foot's range on each
    // candidate segment) that is not rigorous, or a wrong segment holding the foot.
    it('agrees with evaluatePoint on 8,000 points sharp at the sector cuts and the ends', () => {
      const cutsM = [0, metric.lengthM];
      for (const zone of zs.zones) if (zone.spec.kind === 'sector') cutsM.push(zone.spec.fromM);
      expect(cutsM).toHaveLength(12);
      expect(differences(zs, index, nearCuts(metric, cutsM, 25_000, seed + 5, 8_000))).toEqual([]);
    });

    // Past the ends, distance and side are measured from the extensions; where the nearest
    // point of the line jumps from an end vertex to a wiggle nearby, so do they.
    it('agrees with evaluatePoint on 12,000 points around and behind the ends, 8,000 in exact leaves', () => {
      const around = nearEnds(metric, DEMO_EDGES_M, seed + 6, 12_000);
      const ends = [metric.pointAt(0), metric.pointAt(metric.lengthM)];
      const leaves = ends.flatMap(({ lon, lat }, k) =>
        inExactLeaves(index, probe, boxAround(lon, lat, 80_000), seed + 7 + k, 4_000, 2_000_000),
      );
      expect(leaves.length).toBeGreaterThanOrEqual(2_000);
      expect(differences(zs, index, [...around, ...leaves])).toEqual([]);
    });

    // The crossing and disengagement squares: an edge test that misses an edge touching a cell.
    it('agrees with evaluatePoint on 4,000 points at the area zones', () => {
      expect(differences(zs, index, nearPolygons(zs, seed + 9, 4_000))).toEqual([]);
    });
  },
);

interface HookCase {
  readonly name: string;
  readonly coordinates: Position[];
  readonly zones: (lengthM: number) => unknown[];
}

/** East 97 km, north 28 km, back west 70 km: the end comes back within 28 km of the first leg. */
const HOOK: Position[] = [
  [30, 48],
  [31.3, 48],
  [31.3, 48.25],
  [30.35, 48.25],
];
/** A tighter hook: the last leg runs back 10 km from the first, past the start. */
const TIGHT_HOOK: Position[] = [
  [30.2, 48],
  [30.9, 48],
  [30.9, 48.09],
  [30.05, 48.09],
];
const STRIP_8_KM = { id: 's', kind: 'strip', line: 'l', widthM: { left: 8000, right: 8000 } };
const CLIP = {
  type: 'Polygon',
  coordinates: [
    [
      [29, 47],
      [33, 47],
      [33, 49.5],
      [29, 49.5],
      [29, 47],
    ],
  ],
};

const HOOK_CASES: HookCase[] = [
  { name: 'square-ended strip', coordinates: HOOK, zones: () => [STRIP_8_KM] },
  {
    name: 'clipped strip running on along the extensions',
    coordinates: HOOK,
    zones: () => [{ ...STRIP_8_KM, clip: CLIP }],
  },
  {
    name: 'band 2 to 11 km',
    coordinates: HOOK,
    zones: () => [{ id: 'b', kind: 'band', line: 'l', party: 'A', minM: 2000, maxM: 11_000 }],
  },
  {
    name: 'strip, hook at the start',
    coordinates: [...HOOK].reverse(),
    zones: () => [STRIP_8_KM],
  },
  {
    name: 'strip with sectors cut inside the hook, and bands on both sides',
    coordinates: HOOK,
    zones: (lengthM) => [
      STRIP_8_KM,
      { id: 's1', kind: 'sector', strip: 's', fromM: 0, toM: lengthM - 60_000 },
      { id: 's2', kind: 'sector', strip: 's', fromM: lengthM - 60_000, toM: lengthM - 5_000 },
      { id: 's3', kind: 'sector', strip: 's', fromM: lengthM - 5_000, toM: lengthM },
      { id: 'ba', kind: 'band', line: 'l', party: 'A', minM: 0, maxM: 15_000 },
      { id: 'bb', kind: 'band', line: 'l', party: 'B', minM: 0, maxM: 13_000 },
    ],
  },
  {
    name: 'tight hook: overlapping strips, sectors, bands and a clipped strip',
    coordinates: TIGHT_HOOK,
    zones: (lengthM) => [
      { id: 's', kind: 'strip', line: 'l', widthM: { left: 6000, right: 4000 } },
      { id: 's1', kind: 'sector', strip: 's', fromM: 0, toM: 80_000 },
      { id: 's2', kind: 'sector', strip: 's', fromM: 80_000, toM: lengthM },
      { id: 'ba', kind: 'band', line: 'l', party: 'A', minM: 3000, maxM: 12_000 },
      { id: 'bb', kind: 'band', line: 'l', party: 'B', minM: 1000, maxM: 9000 },
      { ...STRIP_8_KM, id: 'c', clip: CLIP },
    ],
  },
];

function hookZoneSet(c: HookCase): ZoneSet {
  const lengthM = createLineMetric(c.coordinates, 1000).lengthM;
  return compile({
    name: c.name,
    parties: [
      { id: 'A', name: 'A' },
      { id: 'B', name: 'B' },
    ],
    primaryLine: 'l',
    lines: [
      {
        id: 'l',
        name: 'l',
        version: 1,
        sides: { left: 'A', right: 'B' },
        coordinates: c.coordinates,
      },
    ],
    zones: c.zones(lengthM).map((z, k) => ({ name: `zone ${k}`, ...(z as object) })),
  });
}

/** A `size` x `size` grid over the box, offset off round numbers. */
function grid(box: Box, size: number): Position[] {
  const out: Position[] = [];
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      out.push([
        box.minLon + ((i + 0.3183) * (box.maxLon - box.minLon)) / size,
        box.minLat + ((j + 0.2718) * (box.maxLat - box.minLat)) / size,
      ]);
    }
  }
  return out;
}

// Hooked lines: the line comes back within a zone width of its own end, so past that end the
// nearest point of the line jumps from the end vertex (distance and side measured from the
// extension) to the first leg, and the distance jumps with it. An index that bounds the
// distance over a cell by the distance at its centre, or decides the side there (what
// `extensionJump` guards against), classifies whole cells along that jump wrongly; so does a
// wrong along-line range where a sector cut or a square end crosses it.
describe.each(HOOK_CASES)('zone index on a hooked line: $name', (c) => {
  let zs: ZoneSet;
  let index: ZoneIndex;
  let probe: { count: number };
  let box: Box;

  beforeAll(() => {
    zs = hookZoneSet(c);
    probe = exactLeafProbe(zs);
    index = buildZoneIndex(zs, { leafSizeM: 100 });
    box = lineBox(zs.lines[0]!.metric, 25_000);
  }, 60_000);

  it('agrees with evaluatePoint on a 250 x 250 grid around the hook', () => {
    expect(index.stats.exactLeaves).toBeGreaterThan(1_000);
    expect(differences(zs, index, grid(box, 250))).toEqual([]);
  });

  it('agrees with evaluatePoint on 10,000 points in exact leaves around the hook', () => {
    const points = inExactLeaves(index, probe, box, 0x4b00c, 10_000, 2_000_000);
    expect(points.length).toBeGreaterThanOrEqual(5_000);
    expect(differences(zs, index, points)).toEqual([]);
  });
});
