import { multiPolygon, featureCollection } from '@turf/helpers';
import { intersect } from '@turf/intersect';
import type { MultiPolygon, Polygon, Position } from 'geojson';

/** A closed ring of [lon, lat] positions. */
export type Ring = Position[];

/** A ring as input: closed or not, any orientation, read only. */
export type RingLike = readonly (readonly number[])[];

/** Twice the signed area of a ring in the lon/lat plane: positive when counterclockwise. */
export function ringArea2(ring: RingLike): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const p = ring[i] as readonly number[];
    const q = ring[i + 1] as readonly number[];
    a += (p[0] as number) * (q[1] as number) - (q[0] as number) * (p[1] as number);
  }
  return a;
}

/** The ring oriented counterclockwise (`ccw` true) or clockwise, closed. */
export function orientRing(ring: RingLike, ccw: boolean): Ring {
  const out = ring.map((p) => [p[0] as number, p[1] as number]);
  const first = out[0];
  const last = out[out.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) {
    out.push([first[0] as number, first[1] as number]);
  }
  return ringArea2(out) > 0 === ccw ? out : out.reverse();
}

/** Rings as RFC 7946 sec. 3.1.6 asks: exterior counterclockwise, holes clockwise. */
export function orientPolygon(rings: readonly RingLike[]): Ring[] {
  return rings.map((ring, i) => orientRing(ring, i === 0));
}

/** Whether the position lies inside the ring (even-odd rule, straight lon/lat edges). */
export function inRing(lon: number, lat: number, ring: RingLike): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = (ring[i] as readonly number[])[0] as number;
    const yi = (ring[i] as readonly number[])[1] as number;
    const xj = (ring[j] as readonly number[])[0] as number;
    const yj = (ring[j] as readonly number[])[1] as number;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function bboxOf(polygons: readonly (readonly RingLike[])[]): number[] {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const rings of polygons) {
    for (const p of rings[0] ?? []) {
      b[0] = Math.min(b[0] as number, p[0] as number);
      b[1] = Math.min(b[1] as number, p[1] as number);
      b[2] = Math.max(b[2] as number, p[0] as number);
      b[3] = Math.max(b[3] as number, p[1] as number);
    }
  }
  return b;
}

/** A polygon or multipolygon from a list of polygons, with RFC 7946 ring orientation. */
export function toGeometry(polygons: readonly (readonly RingLike[])[]): Polygon | MultiPolygon {
  const oriented = polygons.map(orientPolygon);
  return oriented.length === 1
    ? { type: 'Polygon', coordinates: oriented[0] as Ring[] }
    : { type: 'MultiPolygon', coordinates: oriented };
}

/** The coordinates of a multipolygon: polygons of rings. */
type Polygons = Ring[][];

/**
 * Which of the candidate rings most tightly holds a ring: the smallest by area among those
 * holding most of its first five vertices (a majority, so that a ring touching another at a
 * vertex is not taken to be inside it); -1 for none.
 */
function tightestHolder(ring: Ring, candidates: readonly Ring[], areas: readonly number[]): number {
  const probe = ring.slice(0, Math.min(5, ring.length - 1));
  let best = -1;
  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k] as Ring;
    if (c === ring) continue;
    const inside = probe.filter((p) => inRing(p[0] as number, p[1] as number, c)).length;
    if (2 * inside > probe.length && (best < 0 || (areas[k] as number) < (areas[best] as number)))
      best = k;
  }
  return best;
}

/** Polygons from exterior rings and hole rings: each hole goes to its tightest exterior. */
export function assemble(exteriors: readonly Ring[], holes: readonly Ring[]): Polygons {
  const areas = exteriors.map((r) => Math.abs(ringArea2(r)));
  const out: Polygons = exteriors.map((r) => [orientRing(r, true)]);
  for (const hole of holes) {
    const k = tightestHolder(hole, exteriors, areas);
    if (k >= 0) (out[k] as Ring[]).push(orientRing(hole, false));
  }
  return out;
}

/**
 * The box less a valid multipolygon: the box with the exteriors of the outermost polygons as
 * holes, and each hole of a polygon with the exteriors of the polygons directly inside it.
 */
function complement(box: Ring, polygons: Polygons): Polygons {
  const holes = polygons.flatMap((rings) => rings.slice(1));
  const holeAreas = holes.map((r) => Math.abs(ringArea2(r)));
  const inHole: Ring[][] = holes.map(() => []);
  const top: Ring[] = [];
  for (const rings of polygons) {
    const exterior = rings[0] as Ring;
    const k = tightestHolder(exterior, holes, holeAreas);
    (k >= 0 ? (inHole[k] as Ring[]) : top).push(orientRing(exterior, false));
  }
  return [[box, ...top], ...holes.map((h, k) => [orientRing(h, true), ...(inHole[k] as Ring[])])];
}

/** The polygons whose complement in the box is `rest`. */
function uncomplement(rest: Polygons, isBox: (ring: Ring) => boolean): Polygons {
  const exteriors: Ring[] = [];
  const holes: Ring[] = [];
  for (const rings of rest) {
    const [outer, ...inner] = rings as [Ring, ...Ring[]];
    if (!isBox(outer)) holes.push(outer);
    exteriors.push(...inner);
  }
  return assemble(exteriors, holes);
}

/**
 * The union of polygons (each an exterior ring and optional holes; straight lon/lat edges),
 * as a Polygon or MultiPolygon with RFC 7946 orientation; an empty MultiPolygon for none.
 *
 * Only an intersection operation is at hand (@turf/intersect), so unions are taken by De
 * Morgan's law: within a box around all pieces, the intersection of the complements of two
 * multipolygons is the box less their union. In that result the polygon whose exterior is the
 * box has the union's outer boundaries as its holes; every other polygon is a region the union
 * encloses (a hole of the union), whose own holes are parts of the union nested inside it.
 * Pieces are merged two at a time in a balanced tree, so each intersection has two operands
 * (the sweep slows down badly with many).
 */
export function unionPolygons(polygons: readonly (readonly RingLike[])[]): Polygon | MultiPolygon {
  const pieces = polygons.filter((p) => p.length > 0 && (p[0] as RingLike).length >= 4);
  if (pieces.length === 0) return { type: 'MultiPolygon', coordinates: [] };
  if (pieces.length === 1) return toGeometry(pieces);
  const [w, s, e, n] = bboxOf(pieces) as [number, number, number, number];
  const pad = Math.max(e - w, n - s) * 0.01 + 1e-6;
  const box: Ring = [
    [w - pad, s - pad],
    [e + pad, s - pad],
    [e + pad, n + pad],
    [w - pad, n + pad],
    [w - pad, s - pad],
  ];
  const isBox = (ring: Ring) => {
    const [bw, bs, be, bn] = bboxOf([[ring]]) as [number, number, number, number];
    return bw <= w - pad / 2 && bs <= s - pad / 2 && be >= e + pad / 2 && bn >= n + pad / 2;
  };
  const union2 = (a: Polygons, b: Polygons): Polygons => {
    const out = intersect(
      featureCollection([multiPolygon(complement(box, a)), multiPolygon(complement(box, b))]),
    );
    if (!out) return [[box]];
    const rest =
      out.geometry.type === 'Polygon' ? [out.geometry.coordinates] : out.geometry.coordinates;
    return uncomplement(rest, isBox);
  };
  let level: Polygons[] = pieces.map((rings) => [orientPolygon(rings)]);
  while (level.length > 1) {
    const next: Polygons[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(
        i + 1 < level.length
          ? union2(level[i] as Polygons, level[i + 1] as Polygons)
          : (level[i] as Polygons),
      );
    }
    level = next;
  }
  return toGeometry(level[0] as Polygons);
}
