import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { beforeAll, describe, expect, it } from 'vitest';
import { geodesicDirect, geodesicInverse } from '../../src/core/geo/index.js';
import type { LineMetric } from '../../src/core/geo/index.js';
import {
  DISPLAY_TOLERANCE_M,
  evaluatePoint,
  zoneSetToGeoJson,
} from '../../src/core/zones/index.js';
import type { ActiveZone, ZoneSet } from '../../src/core/zones/index.js';
import { mulberry32, loadZoneSet } from '../support/demo.js';

const EDGE_TOLERANCE_M = 5;
const END_MARGIN_M = 1;
const STEP_M = 10;
const SAMPLES_PER_EDGE = 200;
const TIE_M = 0.01;

type Ring = Position[];
type Pt = [number, number];

function ringsOf(geometry: Polygon | MultiPolygon): Ring[] {
  return geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
}

// A line-based zone as the classifier sees it: distance extents per side between two cuts.
interface LineZone {
  zone: ActiveZone;
  index: number;
  metric: LineMetric;
  fromM: number;
  toM: number;
  // [side, minM, maxM] for each side the zone has.
  extents: [-1 | 1, number, number][];
}

function lineZones(zs: ZoneSet): LineZone[] {
  const out: LineZone[] = [];
  zs.zones.forEach((zone, index) => {
    const shape = zone.shape;
    if (shape.type !== 'line' || zone.spec.kind === 'no-fly') return;
    const extents: [-1 | 1, number, number][] = [];
    if (shape.left) extents.push([-1, shape.left.minM, shape.left.maxM]);
    if (shape.right) extents.push([1, shape.right.minM, shape.right.maxM]);
    const metric = zs.lines[shape.line]!.metric;
    out.push({ zone, index, metric, fromM: shape.fromM, toM: shape.toM, extents });
  });
  return out;
}

function edgeMidpoints(ring: Ring): Pt[] {
  return ring.slice(1).map((p, i) => [(ring[i]![0]! + p[0]!) / 2, (ring[i]![1]! + p[1]!) / 2]);
}

// Whether the point is on one of the zone's distance edges: its outer width on a side, or the
// line itself for a zone that starts at the line.
function edgeOf(z: LineZone, distanceM: number, sideSign: number): number | undefined {
  for (const [side, minM, maxM] of z.extents) {
    if (
      Math.abs(distanceM - maxM) < EDGE_TOLERANCE_M &&
      (sideSign === side || z.extents.length === 2)
    ) {
      return maxM;
    }
    if (minM === 0 && z.extents.length === 1 && distanceM < EDGE_TOLERANCE_M) return 0;
  }
  return undefined;
}

// Whether the nearest point of the line to the position (any of them, when several parts of
// the line are equally near, as at the corners of an edge) lies between the zone's cuts.
function footBetweenCuts(z: LineZone, lon: number, lat: number, alongM: number): boolean {
  const within = (a: number) => a >= z.fromM - END_MARGIN_M && a <= z.toM + END_MARGIN_M;
  if (within(alongM)) return true;
  const feet = Array.from({ length: z.metric.segmentCount }, (_, i) =>
    z.metric.nearest(lon, lat, [i]),
  );
  const least = Math.min(...feet.map((f) => f.distanceM));
  return feet.some((f) => f.distanceM - least < TIE_M && within(f.alongM));
}

function clearOfCuts(z: LineZone, alongM: number): boolean {
  return alongM > z.fromM + END_MARGIN_M && alongM < z.toM - END_MARGIN_M;
}

function orientation(a: Position, b: Position, c: Position): number {
  return Math.sign((b[0]! - a[0]!) * (c[1]! - a[1]!) - (b[1]! - a[1]!) * (c[0]! - a[0]!));
}

function onSegment(a: Position, b: Position, c: Position): boolean {
  return (
    Math.min(a[0]!, b[0]!) <= c[0]! &&
    c[0]! <= Math.max(a[0]!, b[0]!) &&
    Math.min(a[1]!, b[1]!) <= c[1]! &&
    c[1]! <= Math.max(a[1]!, b[1]!)
  );
}

function segmentsIntersect(a: Position, b: Position, c: Position, d: Position): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4 && o1 * o2 <= 0 && o3 * o4 <= 0) return true;
  return (
    (o1 === 0 && onSegment(a, b, c)) ||
    (o2 === 0 && onSegment(a, b, d)) ||
    (o3 === 0 && onSegment(c, d, a)) ||
    (o4 === 0 && onSegment(c, d, b))
  );
}

// Pairs of non-adjacent edges of a closed ring that meet, found through a grid of buckets.
function selfIntersections(ring: Ring, cellDeg = 0.05): string[] {
  const n = ring.length - 1;
  const buckets = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const a = ring[i]!;
    const b = ring[i + 1]!;
    for (
      let x = Math.floor(Math.min(a[0]!, b[0]!) / cellDeg);
      x <= Math.floor(Math.max(a[0]!, b[0]!) / cellDeg);
      x++
    ) {
      for (
        let y = Math.floor(Math.min(a[1]!, b[1]!) / cellDeg);
        y <= Math.floor(Math.max(a[1]!, b[1]!) / cellDeg);
        y++
      ) {
        const key = `${x}:${y}`;
        const list = buckets.get(key) ?? [];
        list.push(i);
        buckets.set(key, list);
      }
    }
  }
  const found = new Set<string>();
  for (const list of buckets.values()) {
    for (let p = 0; p < list.length; p++) {
      for (let q = p + 1; q < list.length; q++) {
        const i = Math.min(list[p]!, list[q]!);
        const j = Math.max(list[p]!, list[q]!);
        if (j - i <= 1 || (i === 0 && j === n - 1)) continue;
        if (segmentsIntersect(ring[i]!, ring[i + 1]!, ring[j]!, ring[j + 1]!)) {
          found.add(`edges ${i} and ${j} cross near [${ring[i + 1]![0]}, ${ring[i + 1]![1]}]`);
        }
      }
    }
  }
  return [...found];
}

// Even-odd containment in rings with straight lon/lat edges, as a map draws them.
function ringsContain(rings: Ring[], lon: number, lat: number): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i] as [number, number];
      const [xj, yj] = ring[j] as [number, number];
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi)
        inside = !inside;
    }
  }
  return inside;
}

function step(p: Pt, azimuthDeg: number, distanceM: number): Pt {
  const q = geodesicDirect(p[0], p[1], azimuthDeg, distanceM);
  return [q.lon, q.lat];
}

function evenlyChosen<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, k) => items[Math.floor((k * items.length) / n)]!);
}

// Problems found, counted by kind, with the first few spelt out.
class Problems {
  private readonly counts = new Map<string, number>();
  readonly examples: string[] = [];

  add(kind: string, detail: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (this.examples.length < 30) this.examples.push(`${kind}: ${detail}`);
  }

  summary(): string[] {
    return [...this.counts].map(([kind, n]) => `${kind} (${n})`);
  }
}

function expectNone(problems: Problems): void {
  expect(problems.summary(), problems.examples.join('\n')).toEqual([]);
}

describe('display geometry of the notional demo zone set', () => {
  let zs: ZoneSet;
  let fc: FeatureCollection;
  let zoneFeatures: Map<string, Feature>;

  beforeAll(() => {
    zs = loadZoneSet();
    fc = zoneSetToGeoJson(zs);
    zoneFeatures = new Map(
      fc.features
        .filter((f) => f.properties?.kind !== 'reference-line')
        .map((f) => [String(f.id), f]),
    );
  }, 60_000);

  const rings = (id: string): Ring[] =>
    ringsOf(zoneFeatures.get(id)!.geometry as Polygon | MultiPolygon);

  it('has one feature per zone and the reference line, all labelled notional', () => {
    expect(fc.type).toBe('FeatureCollection');
    expect([...zoneFeatures.keys()]).toEqual(zs.zones.map((z) => z.id));
    const lines = fc.features.filter((f) => f.properties?.kind === 'reference-line');
    expect(lines).toHaveLength(zs.lines.length);
    expect(lines[0]?.geometry.type).toBe('LineString');
    for (const f of fc.features) expect(f.properties?.notional).toBe(true);
    expect((fc as FeatureCollection & { notional?: boolean }).notional).toBe(true);
    expect(DISPLAY_TOLERANCE_M).toBeLessThanOrEqual(EDGE_TOLERANCE_M);
  });

  it('draws every zone as closed, well-formed rings', () => {
    const problems = new Problems();
    const isPosition = (p: Position) =>
      p.length === 2 &&
      Number.isFinite(p[0]) &&
      Number.isFinite(p[1]) &&
      Math.abs(p[0]!) <= 180 &&
      Math.abs(p[1]!) <= 90;
    for (const [id, f] of zoneFeatures) {
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
      const rs = ringsOf(f.geometry as Polygon | MultiPolygon);
      if (rs.length === 0) problems.add(id, 'no rings');
      for (const ring of rs) {
        if (ring.length < 4) problems.add(id, `a ring of ${ring.length} positions`);
        const bad = ring.find((p) => !isPosition(p));
        if (bad) problems.add(id, `bad position ${JSON.stringify(bad)}`);
        const [first, last] = [ring[0]!, ring[ring.length - 1]!];
        if (first[0] !== last[0] || first[1] !== last[1]) problems.add(id, 'ring not closed');
      }
    }
    expectNone(problems);
  });

  it('draws simple rings, whose edges meet only their neighbours', () => {
    const problems = new Problems();
    for (const [id, f] of zoneFeatures) {
      for (const ring of ringsOf(f.geometry as Polygon | MultiPolygon)) {
        for (const hit of selfIntersections(ring)) problems.add(id, hit);
      }
    }
    expectNone(problems);
  });

  it('puts every vertex and edge midpoint of the strip and bands within 5 m of an edge', () => {
    const problems = new Problems();
    const checked = new Map<string, number>();
    for (const z of lineZones(zs)) {
      if (z.zone.spec.kind === 'sector') continue;
      let n = 0;
      for (const ring of rings(z.zone.id)) {
        for (const [lon, lat] of [...(ring as Pt[]), ...edgeMidpoints(ring)]) {
          const foot = z.metric.nearest(lon, lat);
          if (!clearOfCuts(z, foot.alongM)) continue;
          n++;
          if (edgeOf(z, foot.distanceM, foot.sideSign) === undefined) {
            problems.add(
              `${z.zone.id} off the edges`,
              `[${lon}, ${lat}] is ${foot.distanceM.toFixed(2)} m from the line ` +
                `on side ${foot.sideSign} (along ${foot.alongM.toFixed(1)})`,
            );
          }
        }
      }
      checked.set(z.zone.id, n);
    }
    expectNone(problems);
    expect(checked.size).toBe(9);
    for (const n of checked.values()) expect(n).toBeGreaterThan(1_000);
  });

  // The width edges stop at the cuts. The cuts themselves are drawn as geodesics from the line
  // to the edges' ends, which is only approximate where a bend of the line takes over before
  // the edge (docs/zones.md, "Display geometry"), so their vertices are not checked here.
  it('draws the width edges of the strip and the bands only between the cross-cuts', () => {
    const problems = new Problems();
    for (const z of lineZones(zs)) {
      if (z.zone.spec.kind === 'sector') continue;
      for (const ring of rings(z.zone.id)) {
        for (const [lon, lat] of [...(ring as Pt[]), ...edgeMidpoints(ring)]) {
          const foot = z.metric.nearest(lon, lat);
          if (edgeOf(z, foot.distanceM, foot.sideSign) === undefined) continue;
          if (!footBetweenCuts(z, lon, lat, foot.alongM)) {
            problems.add(
              `${z.zone.id} past a cut`,
              `[${lon}, ${lat}] d=${foot.distanceM.toFixed(2)} along=${foot.alongM.toFixed(1)}`,
            );
          }
        }
      }
    }
    expectNone(problems);
  });

  it('puts the width edges of the sectors on the strip edges between their cuts', () => {
    const problems = new Problems();
    for (const z of lineZones(zs)) {
      if (z.zone.spec.kind !== 'sector') continue;
      for (const ring of rings(z.zone.id)) {
        for (const [lon, lat] of [...(ring as Pt[]), ...edgeMidpoints(ring)]) {
          const foot = z.metric.nearest(lon, lat);
          const onEdge = edgeOf(z, foot.distanceM, foot.sideSign) !== undefined;
          // Cut vertices (not on a width edge) are approximate where the line bends; skip them.
          if (!onEdge) continue;
          const outside = !footBetweenCuts(z, lon, lat, foot.alongM);
          if (outside) {
            problems.add(
              `${z.zone.id} ${outside ? 'past a cut' : 'off the edges'}`,
              `[${lon}, ${lat}] d=${foot.distanceM.toFixed(2)} along=${foot.alongM.toFixed(1)}`,
            );
          }
        }
      }
    }
    expectNone(problems);
  });

  it('classifies points 10 m inside each edge as in the zone and 10 m outside as not', () => {
    const problems = new Problems();
    for (const z of lineZones(zs)) {
      if (z.zone.spec.kind === 'sector') continue;
      const edges = new Map<string, EdgeSample[]>();
      for (const ring of rings(z.zone.id)) {
        for (const p of ring as Pt[]) {
          const sample = edgeSample(z, p);
          if (!sample) continue;
          edges.set(sample.edge, [...(edges.get(sample.edge) ?? []), sample]);
        }
      }
      const widthEdges = [...edges.keys()].filter((k) => !k.startsWith('cut'));
      expect(widthEdges).toHaveLength(2);
      expect([...edges.keys()].filter((k) => k.startsWith('cut')).length).toBeGreaterThan(0);
      for (const [edge, samples] of edges) {
        // Cuts are approximate where a bend takes over (see above); test the width edges.
        if (edge.startsWith('cut')) continue;
        let tested = 0;
        for (const { p, inward } of evenlyChosen(samples, SAMPLES_PER_EDGE)) {
          const inside = step(p, inward, STEP_M);
          const outside = step(p, inward + 180, STEP_M);
          if (!edge.startsWith('cut') && isCorner(z, edge, inside, outside)) continue;
          tested++;
          const inZone = evaluatePoint(zs, inside[0], inside[1]).zones[z.index];
          const outZone = evaluatePoint(zs, outside[0], outside[1]).zones[z.index];
          if (inZone !== 1 || outZone !== 0) {
            problems.add(
              `${z.zone.id} ${edge}`,
              `[${p[0]}, ${p[1]}]: 10 m inside ${inZone}, 10 m outside ${outZone}`,
            );
          }
        }
        expect(tested).toBeGreaterThan(Math.min(samples.length, SAMPLES_PER_EDGE) * 0.9);
      }
    }
    expectNone(problems);
  });

  it('contains exactly the points the classifier puts in each zone, away from the edges', () => {
    const CUT_MARGIN_M = 40_000;
    const rng = mulberry32(0xd15b);
    const metric = zs.lines[zs.primaryLine]!.metric;
    const zones = lineZones(zs);
    const problems = new Problems();
    let checked = 0;
    for (let k = 0; k < 4_000; k++) {
      const c = metric.pointAt(rng() * metric.lengthM + (rng() - 0.5) * 40_000);
      const [lon, lat] = step(
        [c.lon, c.lat],
        c.azimuthDeg + (rng() < 0.5 ? 90 : -90),
        rng() * 80_000,
      );
      const exact = evaluatePoint(zs, lon, lat);
      const foot = exact.feet[zs.primaryLine]!;
      for (const z of zones) {
        const margin = 20;
        const nearEdge =
          foot.distanceM < margin ||
          z.extents.some(([, , maxM]) => Math.abs(foot.distanceM - maxM) < margin) ||
          // Cuts are drawn approximately where a bend of the line takes over (docs/zones.md):
          // compare the drawing with the classifier away from them.
          Math.abs(foot.alongM - z.fromM) < CUT_MARGIN_M ||
          Math.abs(foot.alongM - z.toM) < CUT_MARGIN_M;
        if (nearEdge) continue;
        checked++;
        const drawn = ringsContain(rings(z.zone.id), lon, lat);
        if (drawn !== (exact.zones[z.index] === 1)) {
          problems.add(
            `${z.zone.id} ${drawn ? 'drawn but not classified' : 'classified but not drawn'}`,
            `[${lon}, ${lat}] d=${foot.distanceM.toFixed(1)}, along=${foot.alongM.toFixed(1)}`,
          );
        }
      }
    }
    expectNone(problems);
    expect(checked).toBeGreaterThan(4_000 * 15);
  });

  it('draws the area zones exactly as the classifier tests them', () => {
    const rng = mulberry32(0xa4ea);
    const problems = new Problems();
    zs.zones.forEach((zone, index) => {
      if (zone.shape.type !== 'area') return;
      const rs = rings(zone.id);
      const [lon0, lat0] = rs[0]![0] as Pt;
      for (let k = 0; k < 300; k++) {
        const [lon, lat] = step([lon0, lat0], rng() * 360, rng() * 4_000);
        const drawn = ringsContain(rs, lon, lat);
        if (drawn !== (evaluatePoint(zs, lon, lat).zones[index] === 1)) {
          problems.add(zone.id, `[${lon}, ${lat}]: drawn ${drawn}`);
        }
      }
    });
    expectNone(problems);
  });
});

interface EdgeSample {
  edge: string;
  p: Pt;
  // Azimuth at p pointing into the zone, across the edge.
  inward: number;
}

// Which edge of the zone a ring vertex is on, and which way is inward: a width edge (inward is
// towards the line), the line itself (inward is the zone's side) or a cut at either end
// (inward is along the line into the zone).
function edgeSample(z: LineZone, p: Pt): EdgeSample | undefined {
  const foot = z.metric.nearest(p[0], p[1]);
  if (clearOfCuts(z, foot.alongM)) {
    const width = edgeOf(z, foot.distanceM, foot.sideSign);
    if (width === undefined) return undefined;
    if (width === 0) {
      const along = z.metric.pointAt(foot.alongM).azimuthDeg;
      return { edge: 'line', p, inward: along + 90 * z.extents[0]![0] };
    }
    const away = geodesicInverse(foot.footLon, foot.footLat, p[0], p[1]).azimuth2Deg;
    return { edge: `width ${width} side ${foot.sideSign}`, p, inward: away + 180 };
  }
  const widest = Math.max(...z.extents.map(([, , maxM]) => maxM));
  if (foot.distanceM < 100 || foot.distanceM > widest - 100) return undefined;
  const atStart = Math.abs(foot.alongM - z.fromM) <= END_MARGIN_M;
  const across = geodesicInverse(foot.footLon, foot.footLat, p[0], p[1]).azimuth2Deg;
  const forward = across - 90 * foot.sideSign;
  return { edge: `cut ${atStart ? 'start' : 'end'}`, p, inward: atStart ? forward : forward + 180 };
}

// Near a corner of a width edge (where two parts of the line are equally near) a step across
// the edge need not change the distance to the line by the step: such samples are left out.
function isCorner(z: LineZone, edge: string, inside: Pt, outside: Pt): boolean {
  const dIn = z.metric.nearest(inside[0], inside[1]).distanceM;
  const dOut = z.metric.nearest(outside[0], outside[1]).distanceM;
  if (edge === 'line') return dIn < STEP_M / 2 || dOut < STEP_M / 2;
  const width = Number(edge.split(' ')[1]);
  return !(dIn < width - STEP_M / 2 && dOut > width + STEP_M / 2);
}
