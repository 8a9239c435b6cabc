import { geodesicSagBoundM, pointToChordM, toEcef } from './ecef.js';
import { meridionalRadiusM, primeVerticalRadiusM } from './wgs84.js';

const DEG = Math.PI / 180;

/** A lon/lat rectangle in degrees. */
export interface LonLatBox {
  /** West edge, degrees. */
  minLon: number;
  /** South edge, degrees. */
  minLat: number;
  /** East edge, degrees. */
  maxLon: number;
  /** North edge, degrees. */
  maxLat: number;
}

/**
 * A polygon (or multipolygon) whose edges are straight lines in longitude/latitude, as
 * RFC 7946 sec. 3.1.1 defines GeoJSON lines, prepared for fast point-in-polygon tests, edge
 * queries against rectangles and lower bounds of the distance to its boundary.
 */
export interface PlanarPolygon {
  /** Bounding box of all rings. */
  readonly bbox: LonLatBox;
  /** Number of edges over all rings. */
  readonly edgeCount: number;
  /** Edge end points: lon1, lat1, lon2, lat2 per edge. */
  readonly edges: Float64Array;
  /** Whether the position is inside (even-odd rule over all rings: holes are excluded). */
  contains(lon: number, lat: number): boolean;
  /** Edges (ids) that touch the closed rectangle, from `candidates` or from all edges. */
  edgesTouchingBox(box: LonLatBox, candidates?: ArrayLike<number>): number[];
  /** A rigorous lower bound of the geodesic distance in metres from the position to the boundary. */
  boundaryLowerBoundM(lon: number, lat: number): number;
}

const SLABS_PER_EDGE = 0.5;

/** Prepares polygon rings given as arrays of [lon, lat] positions (each ring closed). */
export function preparePlanarPolygon(
  polygons: readonly (readonly (readonly (readonly number[])[])[])[],
): PlanarPolygon {
  const list: number[] = [];
  for (const rings of polygons) {
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const a = ring[i] as readonly number[];
        const b = ring[i + 1] as readonly number[];
        if (a[0] === b[0] && a[1] === b[1]) continue;
        list.push(a[0] as number, a[1] as number, b[0] as number, b[1] as number);
      }
    }
  }
  const edges = Float64Array.from(list);
  const edgeCount = edges.length / 4;
  const bbox: LonLatBox = {
    minLon: Infinity,
    minLat: Infinity,
    maxLon: -Infinity,
    maxLat: -Infinity,
  };
  for (let e = 0; e < edgeCount; e++) {
    for (const k of [0, 2]) {
      bbox.minLon = Math.min(bbox.minLon, edges[e * 4 + k] as number);
      bbox.maxLon = Math.max(bbox.maxLon, edges[e * 4 + k] as number);
      bbox.minLat = Math.min(bbox.minLat, edges[e * 4 + k + 1] as number);
      bbox.maxLat = Math.max(bbox.maxLat, edges[e * 4 + k + 1] as number);
    }
  }

  const slabCount = Math.max(1, Math.ceil(edgeCount * SLABS_PER_EDGE));
  const slabHeight = (bbox.maxLat - bbox.minLat) / slabCount || 1;
  const slabs: number[][] = Array.from({ length: slabCount }, () => []);
  for (let e = 0; e < edgeCount; e++) {
    const y1 = edges[e * 4 + 1] as number;
    const y2 = edges[e * 4 + 3] as number;
    const from = Math.max(0, Math.floor((Math.min(y1, y2) - bbox.minLat) / slabHeight));
    const to = Math.min(slabCount - 1, Math.floor((Math.max(y1, y2) - bbox.minLat) / slabHeight));
    for (let s = from; s <= to; s++) (slabs[s] as number[]).push(e);
  }

  // ECEF chords and sag bounds of each edge for distance lower bounds. A straight lon/lat
  // line bends in space by its normal curvature (at most 1/R_min) plus its geodesic curvature
  // (at most tan|lat|/N), hence the larger sag bound than for a geodesic.
  const ecef = new Float64Array(edgeCount * 6);
  const sag = new Float64Array(edgeCount);
  for (let e = 0; e < edgeCount; e++) {
    const lon1 = edges[e * 4] as number;
    const lat1 = edges[e * 4 + 1] as number;
    const lon2 = edges[e * 4 + 2] as number;
    const lat2 = edges[e * 4 + 3] as number;
    toEcef(lon1, lat1, ecef, e * 6);
    toEcef(lon2, lat2, ecef, e * 6 + 3);
    const latMax = Math.max(Math.abs(lat1), Math.abs(lat2));
    const lengthBound = Math.hypot(
      meridionalRadiusM(latMax) * Math.abs(lat2 - lat1) * DEG,
      primeVerticalRadiusM(0) *
        Math.cos(Math.min(Math.abs(lat1), Math.abs(lat2)) * DEG) *
        Math.abs(lon2 - lon1) *
        DEG,
    );
    sag[e] = geodesicSagBoundM(lengthBound) * (1 + Math.tan(Math.min(latMax, 89) * DEG)) * 1.01;
  }
  const p = new Float64Array(3);

  return {
    bbox,
    edgeCount,
    edges,
    contains(lon, lat) {
      if (lon < bbox.minLon || lon > bbox.maxLon || lat < bbox.minLat || lat > bbox.maxLat)
        return false;
      const s = Math.min(slabCount - 1, Math.max(0, Math.floor((lat - bbox.minLat) / slabHeight)));
      let inside = false;
      for (const e of slabs[s] as number[]) {
        const x1 = edges[e * 4] as number;
        const y1 = edges[e * 4 + 1] as number;
        const x2 = edges[e * 4 + 2] as number;
        const y2 = edges[e * 4 + 3] as number;
        if (y1 > lat !== y2 > lat && lon < ((x2 - x1) * (lat - y1)) / (y2 - y1) + x1)
          inside = !inside;
      }
      return inside;
    },
    edgesTouchingBox(box, candidates) {
      const out: number[] = [];
      const n = candidates ? candidates.length : edgeCount;
      for (let k = 0; k < n; k++) {
        const e = candidates ? (candidates[k] as number) : k;
        if (
          segmentTouchesBox(
            edges[e * 4] as number,
            edges[e * 4 + 1] as number,
            edges[e * 4 + 2] as number,
            edges[e * 4 + 3] as number,
            box,
          )
        ) {
          out.push(e);
        }
      }
      return out;
    },
    boundaryLowerBoundM(lon, lat) {
      toEcef(lon, lat, p, 0);
      let best = Infinity;
      for (let e = 0; e < edgeCount; e++) {
        const d = pointToChordM(p, 0, ecef, e * 6, e * 6 + 3) - (sag[e] as number);
        if (d < best) best = d;
      }
      return Math.max(0, best);
    },
  };
}

/** Whether the segment (x1, y1)-(x2, y2) touches the closed box (Liang-Barsky clipping). */
export function segmentTouchesBox(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  box: LonLatBox,
): boolean {
  const dx = x2 - x1;
  const dy = y2 - y1;
  let t0 = 0;
  let t1 = 1;
  const p = [-dx, dx, -dy, dy];
  const q = [x1 - box.minLon, box.maxLon - x1, y1 - box.minLat, box.maxLat - y1];
  for (let i = 0; i < 4; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    if (pi === 0) {
      if (qi < 0) return false;
      continue;
    }
    const r = qi / pi;
    if (pi < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
  }
  return true;
}
