import type { MultiPolygon, Polygon } from 'geojson';
import { toEcef } from '../geo/index.js';
import { shapeTests } from './cover-tests.js';
import type { DistanceTest } from './cover-tests.js';
import { assemble, ringArea2, toGeometry } from './polygon-union.js';
import type { Ring } from './polygon-union.js';

const M_PER_DEG_LAT_MIN = 110_574;
const M_PER_DEG_LON_EQ = 111_320;
const DEG = Math.PI / 180;
/** Grid nodes evaluated at most before the grid is made coarser (down to half the half-width). */
const NODE_BUDGET = 400_000;
/** Largest number of times an outline edge is halved to follow the curve. */
const MAX_REFINE_DEPTH = 14;

/** The pieces of a swath indexed in a lon/lat grid, with exact distance and inside tests. */
interface PieceIndex {
  /** Whether the position lies within the half-width of the route. */
  inside(lon: number, lat: number): boolean;
  /** Distance to the route less the half-width (positive outside; +Infinity far away). */
  excess(lon: number, lat: number): number;
}

function indexPieces(pieces: readonly DistanceTest[]): PieceIndex {
  let minLon = Infinity;
  let minLat = Infinity;
  let bw = 0;
  let bh = 0;
  for (const t of pieces) {
    minLon = Math.min(minLon, t.bbox.minLon);
    minLat = Math.min(minLat, t.bbox.minLat);
    bw = Math.max(bw, t.bbox.maxLon - t.bbox.minLon);
    bh = Math.max(bh, t.bbox.maxLat - t.bbox.minLat);
  }
  bw ||= 1;
  bh ||= 1;
  const buckets = new Map<number, DistanceTest[]>();
  const key = (c: number, r: number) => r * 1_000_003 + c;
  for (const t of pieces) {
    const c0 = Math.floor((t.bbox.minLon - minLon) / bw);
    const c1 = Math.floor((t.bbox.maxLon - minLon) / bw);
    const r0 = Math.floor((t.bbox.minLat - minLat) / bh);
    const r1 = Math.floor((t.bbox.maxLat - minLat) / bh);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const list = buckets.get(key(c, r));
        if (list) list.push(t);
        else buckets.set(key(c, r), [t]);
      }
    }
  }
  const p = new Float64Array(3);
  const candidates = (lon: number, lat: number): DistanceTest[] => {
    const list = buckets.get(key(Math.floor((lon - minLon) / bw), Math.floor((lat - minLat) / bh)));
    if (!list) return [];
    return list.filter(
      (t) =>
        lon >= t.bbox.minLon &&
        lon <= t.bbox.maxLon &&
        lat >= t.bbox.minLat &&
        lat <= t.bbox.maxLat,
    );
  };
  return {
    inside(lon, lat) {
      const list = candidates(lon, lat);
      if (list.length === 0) return false;
      toEcef(lon, lat, p, 0);
      return list.some((t) => t.covers(lon, lat, p, 0));
    },
    excess(lon, lat) {
      const list = candidates(lon, lat);
      if (list.length === 0) return Infinity;
      toEcef(lon, lat, p, 0);
      let best = Infinity;
      for (const t of list) {
        if (t.lowerBoundM(p, 0) - t.rangeM >= best) continue;
        best = Math.min(best, t.distanceM(lon, lat) - t.rangeM);
      }
      return best;
    },
  };
}

/**
 * The root of `f` on [0, 1] given f(0) <= 0 < f(1) (f(1) may be +Infinity), by the Illinois
 * variant of regula falsi, bisecting while an end is infinite; stops when the bracket is shorter
 * than `epsilon` (in units of the parameter) or |f| is below `fTol`.
 */
function findRoot(
  f: (t: number) => number,
  f0: number,
  f1: number,
  epsilon: number,
  fTol: number,
): number {
  let lo = 0;
  let hi = 1;
  let flo = f0;
  let fhi = f1;
  let side = 0;
  for (let k = 0; k < 60 && hi - lo > epsilon; k++) {
    const width = hi - lo;
    const falsi = lo - (flo * width) / (fhi - flo);
    // Regula falsi while both ends are finite (kept off the ends), else bisection.
    const t =
      Number.isFinite(flo) && Number.isFinite(fhi) && Number.isFinite(falsi)
        ? Math.min(hi - width * 1e-3, Math.max(lo + width * 1e-3, falsi))
        : lo + width / 2;
    const ft = f(t);
    if (Math.abs(ft) <= fTol) return t;
    if (ft <= 0) {
      lo = t;
      flo = ft;
      if (side === -1) fhi /= 2;
      side = -1;
    } else {
      hi = t;
      fhi = ft;
      if (side === 1) flo /= 2;
      side = 1;
    }
  }
  return (lo + hi) / 2;
}

/**
 * The outline of the points within `halfWidthM` of a route of geodesic segments: contours of
 * the exact distance to the route (GeographicLib geodesics), as a Polygon or MultiPolygon with
 * RFC 7946 orientation.
 *
 * Marching squares on a lon/lat grid of spacing a quarter of the half-width (at most half of it
 * for very long routes), evaluated only near the route, gives the topology: simple rings that
 * never cross, exteriors counterclockwise and holes clockwise (inside on the left). Each vertex
 * is where the distance equals the half-width along a grid edge (regula falsi to 1 cm); each
 * edge is then halved, with a new vertex on the true outline along its normal, until its
 * midpoint lies within half the tolerance of the outline. Features of the swath narrower than
 * the grid spacing (a gap of under a few hundred metres between two passes of a UAV with a 2 km
 * half-width) may be missed.
 */
export function swathOutline(
  route: readonly (readonly number[])[],
  halfWidthM: number,
  toleranceM: number,
): Polygon | MultiPolygon {
  const pieces = shapeTests({
    type: 'swath',
    route: route.map((p) => [p[0] as number, p[1] as number] as const),
    halfWidthM,
  });
  const index = indexPieces(pieces);
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  let areaM2 = 0;
  for (const t of pieces) {
    minLon = Math.min(minLon, t.bbox.minLon);
    minLat = Math.min(minLat, t.bbox.minLat);
    maxLon = Math.max(maxLon, t.bbox.maxLon);
    maxLat = Math.max(maxLat, t.bbox.maxLat);
    areaM2 +=
      (t.bbox.maxLat - t.bbox.minLat) *
      M_PER_DEG_LAT_MIN *
      (t.bbox.maxLon - t.bbox.minLon) *
      M_PER_DEG_LON_EQ;
  }
  if (minLon <= -180 || maxLon >= 180 || minLat <= -89.9 || maxLat >= 89.9) {
    throw new RangeError('coverage reaching a pole or crossing the antimeridian is not supported');
  }
  const maxAbsLat = Math.max(Math.abs(minLat), Math.abs(maxLat));
  const hM = Math.min(halfWidthM / 2, Math.max(halfWidthM / 4, Math.sqrt(areaM2 / NODE_BUDGET)));
  const hLat = hM / M_PER_DEG_LAT_MIN;
  const hLon = hM / (M_PER_DEG_LON_EQ * Math.cos(maxAbsLat * DEG));
  const lon0 = minLon - 2 * hLon;
  const lat0 = minLat - 2 * hLat;
  const ni = Math.ceil((maxLon - lon0) / hLon) + 4;
  const lonOf = (i: number) => lon0 + i * hLon;
  const latOf = (j: number) => lat0 + j * hLat;
  const nodeKey = (i: number, j: number) => j * ni + i;

  // Inside flags of the nodes within reach of some piece; every other node is outside.
  const nodes = new Map<number, boolean>();
  for (const t of pieces) {
    const i0 = Math.floor((t.bbox.minLon - lon0) / hLon);
    const i1 = Math.ceil((t.bbox.maxLon - lon0) / hLon);
    const j0 = Math.floor((t.bbox.minLat - lat0) / hLat);
    const j1 = Math.ceil((t.bbox.maxLat - lat0) / hLat);
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const k = nodeKey(i, j);
        if (!nodes.has(k)) nodes.set(k, index.inside(lonOf(i), latOf(j)));
      }
    }
  }
  const isIn = (i: number, j: number) => nodes.get(nodeKey(i, j)) === true;

  // Crossing points on grid edges, keyed by edge: 2 * node + 0 (towards +i) or 1 (towards +j).
  const points = new Map<number, [number, number]>();
  const crossing = (i: number, j: number, vertical: boolean): number => {
    const key = 2 * nodeKey(i, j) + (vertical ? 1 : 0);
    if (points.has(key)) return key;
    const i2 = vertical ? i : i + 1;
    const j2 = vertical ? j + 1 : j;
    const aIn = isIn(i, j);
    const [pi, pj, qi, qj] = aIn ? [i, j, i2, j2] : [i2, j2, i, j];
    const f = (t: number) => index.excess(lonOf(pi + (qi - pi) * t), latOf(pj + (qj - pj) * t));
    const t = findRoot(f, f(0), f(1), 0.01 / hM, 0.01);
    points.set(key, [lonOf(pi + (qi - pi) * t), latOf(pj + (qj - pj) * t)]);
    return key;
  };

  // Marching squares: in each cell, segments from an edge where the counterclockwise walk
  // round the cell goes from inside to outside to one where it comes back in.
  const next = new Map<number, number>();
  const cells = new Set<number>();
  for (const [k, inside] of nodes) {
    if (!inside) continue;
    const i = k % ni;
    const j = (k - i) / ni;
    for (const [ci, cj] of [
      [i - 1, j - 1],
      [i, j - 1],
      [i - 1, j],
      [i, j],
    ] as const) {
      cells.add(nodeKey(ci, cj));
    }
  }
  for (const k of cells) {
    const i = k % ni;
    const j = (k - i) / ni;
    const corner = [isIn(i, j), isIn(i + 1, j), isIn(i + 1, j + 1), isIn(i, j + 1)];
    if (corner.every((c) => c === corner[0])) continue;
    // Edges in counterclockwise order: bottom, right, top, left.
    const edges: [number, number, boolean][] = [
      [i, j, false],
      [i + 1, j, true],
      [i, j + 1, false],
      [i, j, true],
    ];
    const keys: (number | undefined)[] = [];
    const exits: number[] = [];
    for (let e = 0; e < 4; e++) {
      const from = corner[e] as boolean;
      if (from === corner[(e + 1) % 4]) continue;
      const [ei, ej, v] = edges[e] as [number, number, boolean];
      keys[e] = crossing(ei, ej, v);
      if (from) exits.push(e);
    }
    if (exits.length === 1) {
      const exit = exits[0] as number;
      const entry = keys.findIndex((k, e) => k !== undefined && e !== exit);
      next.set(keys[exit] as number, keys[entry] as number);
      continue;
    }
    // A saddle: an exit joins the entry on the next edge counterclockwise when the outside
    // corner between them is cut off (the centre is inside), else the one on the previous edge.
    const centreIn = index.inside(lonOf(i + 0.5), latOf(j + 0.5));
    for (const e of exits) {
      next.set(keys[e] as number, keys[(e + (centreIn ? 1 : 3)) % 4] as number);
    }
  }

  const refine = (p: number[], q: number[], depth: number, out: Ring) => {
    if (depth >= MAX_REFINE_DEPTH) return;
    const mLon = ((p[0] as number) + (q[0] as number)) / 2;
    const mLat = ((p[1] as number) + (q[1] as number)) / 2;
    const fm = index.excess(mLon, mLat);
    if (!(Math.abs(fm) > toleranceM / 2) || !Number.isFinite(fm)) return;
    const kx = M_PER_DEG_LON_EQ * Math.cos(mLat * DEG);
    const ky = M_PER_DEG_LAT_MIN;
    const ex = ((q[0] as number) - (p[0] as number)) * kx;
    const ey = ((q[1] as number) - (p[1] as number)) * ky;
    const len = Math.hypot(ex, ey);
    if (!(len > 0.01)) return;
    // Inside is on the left: outward is the right normal (ey, -ex).
    const sign = fm < 0 ? 1 : -1;
    const dx = (sign * ey) / len / kx;
    const dy = (sign * -ex) / len / ky;
    // Search along the normal up to the edge length for the outline.
    let reach = Math.min(len, 2 * Math.abs(fm));
    let fr = index.excess(mLon + dx * reach, mLat + dy * reach);
    while (Math.sign(fr) === Math.sign(fm) && reach < len) {
      reach = Math.min(len, reach * 2);
      fr = index.excess(mLon + dx * reach, mLat + dy * reach);
    }
    if (Math.sign(fr) === Math.sign(fm)) return;
    // Oriented so that it starts at or below zero and ends above.
    const h = (u: number) => index.excess(mLon + dx * reach * u, mLat + dy * reach * u);
    const t =
      fm < 0
        ? findRoot(h, fm, fr, 0.01 / reach, 0.01)
        : findRoot((u) => -h(u), -fm, -fr, 0.01 / reach, 0.01);
    const b = [mLon + dx * reach * t, mLat + dy * reach * t];
    refine(p, b, depth + 1, out);
    out.push(b);
    refine(b, q, depth + 1, out);
  };

  const exteriors: Ring[] = [];
  const holes: Ring[] = [];
  const done = new Set<number>();
  for (const start of next.keys()) {
    if (done.has(start)) continue;
    const keys: number[] = [];
    for (let k: number | undefined = start; k !== undefined && !done.has(k); k = next.get(k)) {
      done.add(k);
      keys.push(k);
    }
    const coarse = keys.map((k) => points.get(k) as [number, number]);
    const ring: Ring = [];
    for (let v = 0; v < coarse.length; v++) {
      const p = coarse[v] as number[];
      ring.push([p[0] as number, p[1] as number]);
      refine(p, coarse[(v + 1) % coarse.length] as number[], 0, ring);
    }
    ring.push([...(ring[0] as number[])]);
    if (ring.length < 4) continue;
    (ringArea2(ring) > 0 ? exteriors : holes).push(ring);
  }
  const polygons = assemble(exteriors, holes);
  return polygons.length === 0 ? { type: 'MultiPolygon', coordinates: [] } : toGeometry(polygons);
}
