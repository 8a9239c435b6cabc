import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  geodesicDirect,
  geodesicInverse,
  geodesicSegment,
  nearestOnGeodesicSegment,
  wrapDeg180,
} from '../../src/core/geo/index.js';
import type { GeodesicSegment, SegmentFoot } from '../../src/core/geo/index.js';
import { buildZoneIndex, classifyPosition, evaluatePoint } from '../../src/core/zones/index.js';
import type { ZoneIndex, ZoneSet } from '../../src/core/zones/index.js';
import { mulberry32, loadZoneSet } from '../support/demo.js';

const SHARED_LINE = new URL(
  '../../../shared/data/notional-line-of-contact.geojson',
  import.meta.url,
);

const DMZ_HALF_WIDTH_M = 20_000;
const MARGIN_M = 1;
const TIE_M = 1e-3;

type Position = [number, number];

interface Band {
  id: string;
  side: -1 | 1;
  maxM: number;
}

const BANDS: Band[] = [
  ...[15_000, 25_000, 35_000, 70_000].map((maxM, k) => ({
    id: `withdrawal-UKR-${['lt100', 'artillery-ge100', 'mlrs', 'mlrs-heavy'][k]}`,
    side: -1 as const,
    maxM,
  })),
  ...[15_000, 25_000, 35_000, 70_000].map((maxM, k) => ({
    id: `withdrawal-RUS-${['lt100', 'artillery-ge100', 'mlrs', 'mlrs-heavy'][k]}`,
    side: 1 as const,
    maxM,
  })),
];

function loadSharedLine(): Position[] {
  const fc = JSON.parse(readFileSync(SHARED_LINE, 'utf8')) as {
    features: { properties: { kind: string }; geometry: { coordinates: Position[] } }[];
  };
  const line = fc.features.find((f) => f.properties.kind === 'reference-line');
  if (!line) throw new Error('no reference line in the shared data');
  return line.geometry.coordinates;
}

// The reference: the line's geodesic segments built directly from the shared coordinates, with
// no extension past the ends and no spatial tree; every point is solved against every segment.
interface ReferenceLine {
  coords: Position[];
  segments: GeodesicSegment[];
  starts: number[];
  lengthM: number;
}

function referenceLine(coords: Position[]): ReferenceLine {
  const segments = coords
    .slice(1)
    .map((end, i) => geodesicSegment(coords[i]![0], coords[i]![1], end[0], end[1]));
  const starts: number[] = [];
  let along = 0;
  for (const s of segments) {
    starts.push(along);
    along += s.lengthM;
  }
  return { coords, segments, starts, lengthM: along };
}

interface Reference {
  distanceM: number;
  sideSign: number;
  // Along-line position of the foot; behind the start or past the end it is the signed offset
  // from the cross-cut there (distance times the cosine of the angle at the end vertex).
  alongM: number;
  // The foot is an end vertex of the line (the nearest point of the unextended line).
  atEnd: boolean;
  // Another, distinct point of the line is as near (within a millimetre).
  tie: boolean;
}

function vertexSide(line: ReferenceLine, vertex: number, foot: SegmentFoot): number {
  if (vertex === 0 || vertex === line.coords.length - 1) return foot.sideSign;
  // The nearest point is an interior vertex only for points on the outer side of the turn
  // there: the left of a right turn, the right of a left turn.
  const incoming = line.segments[vertex - 1]!;
  const outgoing = line.segments[vertex]!;
  const turn = wrapDeg180(outgoing.azimuth1Deg - incoming.azimuth2Deg);
  return turn > 0 ? -1 : 1;
}

function reference(line: ReferenceLine, lon: number, lat: number): Reference {
  const feet = line.segments.map((s) => nearestOnGeodesicSegment(s, lon, lat));
  let best = 0;
  feet.forEach((f, i) => {
    if (f.distanceM < feet[best]!.distanceM) best = i;
  });
  const foot = feet[best]!;
  const last = line.segments.length - 1;
  let alongM = line.starts[best]! + foot.alongM;
  let sideSign = foot.sideSign;
  let atEnd = false;
  if (foot.clamp !== 0) {
    const vertex = best + (foot.clamp > 0 ? 1 : 0);
    sideSign = vertexSide(line, vertex, foot);
    const cos = Math.cos(((foot.towardAzimuthDeg - foot.lineAzimuthDeg) * Math.PI) / 180);
    if (vertex === 0) {
      atEnd = true;
      alongM = foot.distanceM * cos;
    } else if (vertex === last + 1) {
      atEnd = true;
      alongM = line.lengthM + foot.distanceM * cos;
    }
  }
  const tie = feet.some(
    (f, i) =>
      i !== best &&
      f.distanceM - foot.distanceM < TIE_M &&
      geodesicInverse(f.footLon, f.footLat, foot.footLon, foot.footLat).distanceM > MARGIN_M,
  );
  return { distanceM: foot.distanceM, sideSign, alongM, atEnd, tie };
}

function pointOnLine(line: ReferenceLine, alongM: number) {
  let i = 0;
  while (i + 1 < line.segments.length && line.starts[i + 1]! <= alongM) i++;
  return line.segments[i]!.at(alongM - line.starts[i]!);
}

// A point `offsetM` to the right (negative: left) of the line at `alongM`, along the normal.
function offsetFromLine(line: ReferenceLine, alongM: number, offsetM: number): Position {
  const p = pointOnLine(line, alongM);
  const q = geodesicDirect(
    p.lon,
    p.lat,
    p.azimuthDeg + (offsetM >= 0 ? 90 : -90),
    Math.abs(offsetM),
  );
  return [q.lon, q.lat];
}

function jitter(rng: () => number, [lon, lat]: Position, maxM: number): Position {
  const q = geodesicDirect(lon, lat, rng() * 360, rng() * maxM);
  return [q.lon, q.lat];
}

function randomPointsNearLine(line: ReferenceLine, seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const p = offsetFromLine(line, rng() * line.lengthM, (2 * rng() - 1) * 60_000);
    return jitter(rng, p, 1000);
  });
}

function pointsNearDmzEdge(line: ReferenceLine, seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const delta = (1.5 + rng() * 48.5) * (rng() < 0.5 ? -1 : 1);
    const side = rng() < 0.5 ? -1 : 1;
    return offsetFromLine(line, rng() * line.lengthM, side * (DMZ_HALF_WIDTH_M + delta));
  });
}

// Points around both ends, before and after the cross-cuts there, on both sides.
function pointsAroundEnds(line: ReferenceLine, seed: number, n: number): Position[] {
  const rng = mulberry32(seed);
  const first = line.segments[0]!;
  const lastSeg = line.segments[line.segments.length - 1]!;
  return Array.from({ length: n }, (_, k) => {
    const offsetM = (2 * rng() - 1) * 60_000;
    const shiftM = (2 * rng() - 1) * 15_000;
    const [lon, lat, azimuthDeg] =
      k % 2 === 0
        ? [first.lon1, first.lat1, first.azimuth1Deg]
        : [lastSeg.lon2, lastSeg.lat2, lastSeg.azimuth2Deg];
    const c = geodesicDirect(lon, lat, azimuthDeg + (shiftM >= 0 ? 0 : 180), Math.abs(shiftM));
    const q = geodesicDirect(
      c.lon,
      c.lat,
      c.azimuthDeg + (offsetM >= 0 ? 90 : -90),
      Math.abs(offsetM),
    );
    return [q.lon, q.lat];
  });
}

interface Tally {
  checked: Record<string, number>;
  mismatches: string[];
  total: number;
}

function newTally(): Tally {
  return { checked: {}, mismatches: [], total: 0 };
}

function expectNoMismatch(t: Tally): void {
  expect(t.mismatches, `${t.total} mismatches, the first ${t.mismatches.length} shown`).toEqual([]);
}

function count(t: Tally, key: string): void {
  t.checked[key] = (t.checked[key] ?? 0) + 1;
}

function mismatch(t: Tally, what: string, p: Position, ref: Reference, got: unknown): void {
  t.total++;
  if (t.mismatches.length < 40) {
    t.mismatches.push(
      `${what} at [${p[0].toFixed(7)}, ${p[1].toFixed(7)}]: reference d=${ref.distanceM.toFixed(3)} ` +
        `side=${ref.sideSign} along=${ref.alongM.toFixed(3)}, got ${JSON.stringify(got)}`,
    );
  }
}

function clearOfEnds(line: ReferenceLine, ref: Reference): boolean {
  return Math.abs(ref.alongM) > MARGIN_M && Math.abs(ref.alongM - line.lengthM) > MARGIN_M;
}

function checkPoint(
  zs: ZoneSet,
  index: ZoneIndex,
  line: ReferenceLine,
  p: Position,
  t: Tally,
): Reference {
  const [lon, lat] = p;
  const ref = reference(line, lon, lat);
  const ev = evaluatePoint(zs, lon, lat);
  const cls = index.classes[index.classify(lon, lat)]!;
  const pos = classifyPosition(zs, { lon, lat });
  const foot = ev.feet[zs.primaryLine]!;
  const zoneIndex = (id: string) => zs.zones.findIndex((z) => z.id === id);
  if (!clearOfEnds(line, ref) || ref.tie) return ref;
  const inStrip = ref.alongM >= 0 && ref.alongM <= line.lengthM;

  if (Math.abs(ref.distanceM - DMZ_HALF_WIDTH_M) > MARGIN_M) {
    count(t, 'dmz');
    const want = inStrip && ref.distanceM <= DMZ_HALF_WIDTH_M;
    const i = zoneIndex('dmz');
    const got = [ev.zones[i] === 1, cls.zones[i] === 1, pos.inside.includes('dmz')];
    if (got.some((g) => g !== want)) mismatch(t, `dmz should be ${want}`, p, ref, got);
  }

  if (ref.distanceM > MARGIN_M) {
    for (const band of BANDS) {
      if (Math.abs(ref.distanceM - band.maxM) <= MARGIN_M) continue;
      count(t, 'band');
      const want = inStrip && ref.sideSign === band.side && ref.distanceM <= band.maxM;
      const i = zoneIndex(band.id);
      const got = [ev.zones[i] === 1, cls.zones[i] === 1, pos.inside.includes(band.id)];
      if (got.some((g) => g !== want)) mismatch(t, `${band.id} should be ${want}`, p, ref, got);
    }
    count(t, 'side');
    const party = ref.sideSign < 0 ? 'UKR' : 'RUS';
    const got = { foot: foot.sideSign, index: cls.side, position: pos.side, sign: pos.sideSign };
    if (
      got.foot !== ref.sideSign ||
      got.index !== ref.sideSign ||
      got.position !== party ||
      got.sign !== ref.sideSign
    ) {
      mismatch(t, `side should be ${ref.sideSign}`, p, ref, got);
    }
  }

  if (inStrip) {
    count(t, 'distance');
    const d = pos.distanceToLineM ?? NaN;
    if (!(Math.abs(d - ref.distanceM) < 0.5) || !(Math.abs(foot.distanceM - ref.distanceM) < 0.5)) {
      mismatch(t, 'distance', p, ref, { position: d, foot: foot.distanceM });
    }
    const along = pos.alongLineM ?? NaN;
    if (!(Math.abs(along - ref.alongM) < 0.5)) mismatch(t, 'along', p, ref, along);
  }

  if (inStrip && Math.abs(ref.distanceM - DMZ_HALF_WIDTH_M) > MARGIN_M) {
    const wantDmz = ref.distanceM <= DMZ_HALF_WIDTH_M;
    for (const [i, zone] of zs.zones.entries()) {
      if (zone.spec.kind !== 'sector') continue;
      const { fromM, toM } = zone.spec;
      if (Math.abs(ref.alongM - fromM) <= MARGIN_M || Math.abs(ref.alongM - toM) <= MARGIN_M) {
        continue;
      }
      count(t, 'sector');
      const want = wantDmz && ref.alongM >= fromM && ref.alongM < toM;
      const got = [ev.zones[i] === 1, cls.zones[i] === 1, pos.inside.includes(zone.id)];
      if (got.some((g) => g !== want)) mismatch(t, `${zone.id} should be ${want}`, p, ref, got);
    }
  }
  return ref;
}

describe('zone membership against a brute-force geodesic reference (notional demo)', () => {
  let zs: ZoneSet;
  let index: ZoneIndex;
  let line: ReferenceLine;

  beforeAll(() => {
    zs = loadZoneSet();
    line = referenceLine(loadSharedLine());
    index = buildZoneIndex(zs, { leafSizeM: 400 });
  }, 60_000);

  it('uses the shared notional line, about 918 km long', () => {
    expect(zs.spec.lines[0]?.coordinates).toEqual(line.coords);
    expect(zs.lines[zs.primaryLine]?.sides).toEqual({ left: 'UKR', right: 'RUS' });
    expect(line.lengthM).toBeGreaterThan(917_000);
    expect(line.lengthM).toBeLessThan(919_000);
    expect(Math.abs(zs.lines[zs.primaryLine]!.metric.lengthM - line.lengthM)).toBeLessThan(1e-6);
  });

  it('agrees with the brute force on 10,000 random points within 60 km of the line', () => {
    const t = newTally();
    const points = randomPointsNearLine(line, 0x5eed, 10_000);
    let ties = 0;
    for (const p of points) if (checkPoint(zs, index, line, p, t).tie) ties++;
    expectNoMismatch(t);
    expect(ties).toBeLessThan(10);
    expect(t.checked.dmz).toBeGreaterThan(9_900);
    expect(t.checked.side).toBeGreaterThan(9_900);
    expect(t.checked.distance).toBeGreaterThan(9_900);
    expect(t.checked.band).toBeGreaterThan(8 * 9_800);
    expect(t.checked.sector).toBeGreaterThan(10 * 3_000);
  });

  it('is sharp at the 20 km edge of the strip (1.5 m to 50 m either side)', () => {
    const t = newTally();
    const points = pointsNearDmzEdge(line, 0xed9e, 5_000);
    let near = 0;
    for (const p of points) {
      const ref = checkPoint(zs, index, line, p, t);
      if (Math.abs(ref.distanceM - DMZ_HALF_WIDTH_M) <= 50) near++;
    }
    expectNoMismatch(t);
    expect(t.checked.dmz).toBeGreaterThan(4_900);
    // At least 3,000 of them are within 50 m of the edge (the others lie on the inner side of
    // bends, where another part of the line is nearer than the one they were offset from).
    expect(near).toBeGreaterThan(3_000);
  });

  it('stops the strip and the bands at the cross-cuts through the ends', () => {
    const t = newTally();
    const points = pointsAroundEnds(line, 0xe4d5, 2_000);
    let beyond = 0;
    for (const p of points) {
      const ref = checkPoint(zs, index, line, p, t);
      if (ref.atEnd && clearOfEnds(line, ref)) beyond++;
    }
    expectNoMismatch(t);
    expect(beyond).toBeGreaterThan(600);
    expect(t.checked.dmz).toBeGreaterThan(1_900);
  });

  it('measures from the line itself, not from its extension past the end', () => {
    // 68.8 km from the line on the RUS side, nearest to it 25 km before its north-east end,
    // but 67.7 km from the geodesic that continues the last segment past the end.
    const p: Position = [37.74, 50.67];
    const ref = reference(line, p[0], p[1]);
    expect(ref.atEnd).toBe(false);
    expect(ref.sideSign).toBe(1);
    expect(ref.distanceM).toBeGreaterThan(68_700);
    expect(ref.distanceM).toBeLessThan(68_800);
    const pos = classifyPosition(zs, { lon: p[0], lat: p[1] });
    expect(pos.distanceToLineM).toBeCloseTo(ref.distanceM, 1);
    expect(pos.alongLineM).toBeCloseTo(ref.alongM, 1);
    expect(pos.inside).toContain('withdrawal-RUS-mlrs-heavy');
  });
});

// Dense sampling of a segment every 50 m, refined by golden-section search around the best
// sample: the distance from a point to the segment with geodesicInverse alone.
function sampledNearest(seg: GeodesicSegment, lon: number, lat: number, stepM: number) {
  const dist = (s: number) => {
    const q = seg.at(s);
    return geodesicInverse(q.lon, q.lat, lon, lat).distanceM;
  };
  const n = Math.max(1, Math.ceil(seg.lengthM / stepM));
  let bestS = 0;
  let bestD = Infinity;
  for (let k = 0; k <= n; k++) {
    const s = (seg.lengthM * k) / n;
    const d = dist(s);
    if (d < bestD) {
      bestD = d;
      bestS = s;
    }
  }
  return { distanceM: bestD, alongM: bestS, refine: () => goldenSection(dist, bestS, seg, stepM) };
}

function goldenSection(
  dist: (s: number) => number,
  around: number,
  seg: GeodesicSegment,
  stepM: number,
) {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = Math.max(0, around - stepM);
  let b = Math.min(seg.lengthM, around + stepM);
  for (let k = 0; k < 80 && b - a > 1e-6; k++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (dist(c) < dist(d)) b = d;
    else a = c;
  }
  const s = (a + b) / 2;
  const best = [0, seg.lengthM, s].reduce((x, y) => (dist(y) < dist(x) ? y : x));
  return { distanceM: dist(best), alongM: best };
}

describe('the brute-force reference itself', () => {
  it('matches dense sampling of the nearest segments on 50 points', () => {
    const line = referenceLine(loadSharedLine());
    const rng = mulberry32(0xb0b);
    const offsets = [100, 1_000, 5_000, 20_000, 60_000];
    const problems: string[] = [];
    for (let k = 0; k < 50; k++) {
      const offset = offsets[k % offsets.length]! * (rng() < 0.5 ? -1 : 1);
      const [lon, lat] = jitter(rng, offsetFromLine(line, rng() * line.lengthM, offset), 500);
      const ref = reference(line, lon, lat);
      // Coarse samples every 1 km bound each segment's distance within 500 m, so every segment
      // that can hold the nearest point has a coarse distance within 500 m of the least one.
      const coarse = line.segments.map((s) => sampledNearest(s, lon, lat, 1000).distanceM);
      const least = Math.min(...coarse);
      const near = line.segments.filter((_, i) => coarse[i]! <= least + 500);
      expect(near.length).toBeGreaterThan(0);
      let dense = Infinity;
      for (const seg of near) {
        const sampled = sampledNearest(seg, lon, lat, 50);
        const refined = sampled.refine();
        const solved = nearestOnGeodesicSegment(seg, lon, lat);
        expect(refined.distanceM).toBeLessThanOrEqual(sampled.distanceM);
        if (Math.abs(refined.distanceM - solved.distanceM) >= 0.05) {
          problems.push(`segment at [${seg.lon1}, ${seg.lat1}] from [${lon}, ${lat}]`);
        }
        if (Math.abs(refined.alongM - solved.alongM) >= 1) {
          problems.push(`foot along ${refined.alongM} vs ${solved.alongM} from [${lon}, ${lat}]`);
        }
        dense = Math.min(dense, refined.distanceM);
      }
      expect(Math.abs(dense - ref.distanceM)).toBeLessThan(0.05);
    }
    expect(problems).toEqual([]);
  });
});
