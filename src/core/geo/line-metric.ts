import { geodesicSagBoundM, pointToChordM, toEcef } from './ecef.js';
import { nearestOnGeodesicSegment } from './nearest-on-geodesic.js';
import type { SegmentFoot } from './nearest-on-geodesic.js';
import { geodesicDistanceM, geodesicSegment, geodesicSegmentFrom, wrapDeg360 } from './wgs84.js';
import type { GeodesicSegment } from './wgs84.js';

/** The point of a line nearest to a position, and where the position lies relative to the line. */
export interface LineFoot {
  /**
   * Geodesic distance in metres from the position to the line, continued along its extension
   * for positions beyond an end (whose nearest point of the line itself is that end).
   */
  distanceM: number;
  /** Geodesic distance in metres from the position to the line itself (no extensions). */
  coreDistanceM: number;
  /** +1 right of the line's direction of travel, -1 left, 0 on the line. */
  sideSign: number;
  /**
   * Distance along the line from its first vertex to the foot, metres. Negative or beyond
   * `lengthM` when the foot lies on an extension of the line past its ends.
   */
  alongM: number;
  /** Index of the segment holding the foot (0 is the start extension). */
  segment: number;
  /** Longitude of the foot, degrees. */
  footLon: number;
  /** Latitude of the foot, degrees. */
  footLat: number;
  /** Azimuth at the foot of the geodesic towards the position, degrees. */
  towardAzimuthDeg: number;
}

/**
 * Exact geodesic distance, side and along-line position of points relative to a polyline whose
 * vertices are joined by geodesics, on WGS84. The line is extended past both ends by geodesics
 * continuing its end segments, so that "square" cuts at the ends and the side of the line are
 * defined a little beyond them.
 */
export interface LineMetric {
  /** Length of the line between its first and last vertex, metres. */
  readonly lengthM: number;
  /** Length of each extension past the ends, metres. */
  readonly extensionM: number;
  /** Number of segments including the two extensions. */
  readonly segmentCount: number;
  /** The segments, extensions included (segment 0 ends at the first vertex). */
  readonly segments: readonly GeodesicSegment[];
  /** Along-line position of each segment's start, metres (segment 0 starts at -extensionM). */
  readonly segmentStartM: Float64Array;
  /** The foot of the position on the (extended) line. */
  nearest(lon: number, lat: number, candidates?: ArrayLike<number>): LineFoot;
  /**
   * Segments that may hold the foot of some point within `radiusM` of the position: every
   * segment whose rigorous lower-bound distance is at most `radiusM`.
   */
  candidatesWithin(lon: number, lat: number, radiusM: number, from?: ArrayLike<number>): number[];
  /** A rigorous lower bound of the geodesic distance from the position to the line, metres. */
  lowerBoundM(lon: number, lat: number): number;
  /**
   * Cheap rigorous bounds of the distance from the position to the line, when its foot is on
   * one of `candidates`: out[0] a lower bound (3D distance to each segment's chord less its
   * sag), out[1] an upper bound (the geodesic distance to one point of the line), metres.
   */
  distanceBoundsM(lon: number, lat: number, candidates: ArrayLike<number>, out: Float64Array): void;
  /** Position and azimuth of travel at `alongM` metres along the (extended) line. */
  pointAt(alongM: number): { lon: number; lat: number; azimuthDeg: number; segment: number };
}

const LEAF_SIZE = 4;

/** Builds the metric of a polyline given as [lon, lat] vertices joined by geodesics. */
export function createLineMetric(
  coordinates: readonly (readonly [number, number])[],
  extensionM: number,
): LineMetric {
  const core: GeodesicSegment[] = [];
  for (let i = 0; i + 1 < coordinates.length; i++) {
    const [lon1, lat1] = coordinates[i] as readonly [number, number];
    const [lon2, lat2] = coordinates[i + 1] as readonly [number, number];
    core.push(geodesicSegment(lon1, lat1, lon2, lat2));
  }
  const first = core[0] as GeodesicSegment;
  const last = core[core.length - 1] as GeodesicSegment;
  const back = geodesicSegmentFrom(first.lon1, first.lat1, first.azimuth1Deg + 180, extensionM);
  const startExt = geodesicSegment(back.lon2, back.lat2, first.lon1, first.lat1);
  const endExt = geodesicSegmentFrom(last.lon2, last.lat2, last.azimuth2Deg, extensionM);
  const segments = [startExt, ...core, endExt];
  const count = segments.length;

  const segmentStartM = new Float64Array(count);
  let along = -startExt.lengthM;
  for (let i = 0; i < count; i++) {
    segmentStartM[i] = along;
    along += (segments[i] as GeodesicSegment).lengthM;
  }
  const lengthM = core.reduce((sum, s) => sum + s.lengthM, 0);

  const ends = new Float64Array(count * 6);
  const sag = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const s = segments[i] as GeodesicSegment;
    toEcef(s.lon1, s.lat1, ends, i * 6);
    toEcef(s.lon2, s.lat2, ends, i * 6 + 3);
    sag[i] = geodesicSagBoundM(s.lengthM);
  }

  const tree = buildSphereTree(ends, sag, count);
  const p = new Float64Array(3);

  function segmentLowerBound(i: number): number {
    return pointToChordM(p, 0, ends, i * 6, i * 6 + 3) - (sag[i] as number);
  }

  /** The geodesic distance to the point of segment i over the position's projection on its chord. */
  function upperBoundVia(i: number, lon: number, lat: number): number {
    const o = i * 6;
    const ax = ends[o] as number;
    const ay = ends[o + 1] as number;
    const az = ends[o + 2] as number;
    const dx = (ends[o + 3] as number) - ax;
    const dy = (ends[o + 4] as number) - ay;
    const dz = (ends[o + 5] as number) - az;
    const len2 = dx * dx + dy * dy + dz * dz;
    const t =
      len2 > 0
        ? Math.min(
            1,
            Math.max(
              0,
              (((p[0] as number) - ax) * dx +
                ((p[1] as number) - ay) * dy +
                ((p[2] as number) - az) * dz) /
                len2,
            ),
          )
        : 0;
    const seg = segments[i] as GeodesicSegment;
    const x = seg.at(t * seg.lengthM);
    return geodesicDistanceM(lon, lat, x.lon, x.lat);
  }

  function footOn(i: number, lon: number, lat: number): SegmentFoot {
    return nearestOnGeodesicSegment(segments[i] as GeodesicSegment, lon, lat);
  }

  function vertexSide(i: number, foot: SegmentFoot): number {
    let inAz: number;
    let outAz: number;
    if (foot.clamp === 1 && i + 1 < count) {
      inAz = (segments[i] as GeodesicSegment).azimuth2Deg;
      outAz = (segments[i + 1] as GeodesicSegment).azimuth1Deg;
    } else if (foot.clamp === -1 && i > 0) {
      inAz = (segments[i - 1] as GeodesicSegment).azimuth2Deg;
      outAz = (segments[i] as GeodesicSegment).azimuth1Deg;
    } else {
      return foot.sideSign;
    }
    if (foot.distanceM < 1e-9) return 0;
    // At a vertex the right side is the sweep clockwise from the outgoing direction to the
    // reversed incoming direction; the left side is the rest of the circle.
    const toward = wrapDeg360(foot.towardAzimuthDeg - outAz);
    const back = wrapDeg360(inAz + 180 - outAz);
    return toward < back ? 1 : -1;
  }

  /**
   * The foot from the nearest point of the line itself: when that is an end vertex and the
   * position lies beyond the end, the foot on the extension there (which is then nearer).
   * Extensions never compete with the rest of the line: a position is measured from its
   * extension only when it is past the line's end.
   */
  function withEnds(i: number, foot: SegmentFoot): LineFoot {
    if (i === 1 && foot.clamp === -1) {
      const ext = footOn(0, queryLon, queryLat);
      if (ext && ext.distanceM < foot.distanceM) return finish(0, ext, foot.distanceM);
    }
    if (i === count - 2 && foot.clamp === 1) {
      const ext = footOn(count - 1, queryLon, queryLat);
      if (ext && ext.distanceM < foot.distanceM) return finish(count - 1, ext, foot.distanceM);
    }
    return finish(i, foot, foot.distanceM);
  }

  function finish(i: number, foot: SegmentFoot, coreDistanceM: number): LineFoot {
    return {
      distanceM: foot.distanceM,
      coreDistanceM,
      sideSign: foot.clamp === 0 ? foot.sideSign : vertexSide(i, foot),
      alongM: (segmentStartM[i] as number) + foot.alongM,
      segment: i,
      footLon: foot.footLon,
      footLat: foot.footLat,
      towardAzimuthDeg: foot.towardAzimuthDeg,
    };
  }

  let queryLon = 0;
  let queryLat = 0;
  const isExtension = (i: number) => i === 0 || i === count - 1;

  function nearestAmong(lon: number, lat: number, candidates: ArrayLike<number>): LineFoot {
    const order: number[] = [];
    const bounds: number[] = [];
    for (let k = 0; k < candidates.length; k++) {
      const i = candidates[k] as number;
      if (isExtension(i)) continue;
      order.push(i);
      bounds[i] = segmentLowerBound(i);
    }
    order.sort((a, b) => (bounds[a] as number) - (bounds[b] as number));
    let best: SegmentFoot | undefined;
    let bestI = -1;
    for (const i of order) {
      if (best && (bounds[i] as number) >= best.distanceM) break;
      const foot = footOn(i, lon, lat);
      if (!best || foot.distanceM < best.distanceM) {
        best = foot;
        bestI = i;
      }
    }
    if (!best) return nearestInTree(lon, lat);
    return withEnds(bestI, best);
  }

  function nearestInTree(lon: number, lat: number): LineFoot {
    let best: SegmentFoot | undefined;
    let bestI = -1;
    const stack: number[] = [0];
    while (stack.length > 0) {
      const node = stack.pop() as number;
      if (best && tree.lowerBound(node, p) >= best.distanceM) continue;
      const lo = tree.lo[node] as number;
      const hi = tree.hi[node] as number;
      if (hi - lo <= LEAF_SIZE) {
        for (let i = lo; i < hi; i++) {
          if (isExtension(i)) continue;
          if (best && segmentLowerBound(i) >= best.distanceM) continue;
          const foot = footOn(i, lon, lat);
          if (!best || foot.distanceM < best.distanceM) {
            best = foot;
            bestI = i;
          }
        }
        continue;
      }
      const left = 2 * node + 1;
      const right = 2 * node + 2;
      // Visit the nearer child first so that the bound tightens early.
      if (tree.lowerBound(left, p) < tree.lowerBound(right, p)) stack.push(right, left);
      else stack.push(left, right);
    }
    return withEnds(bestI, best as SegmentFoot);
  }

  return {
    lengthM,
    extensionM,
    segmentCount: count,
    segments,
    segmentStartM,
    nearest(lon, lat, candidates) {
      toEcef(lon, lat, p, 0);
      queryLon = lon;
      queryLat = lat;
      return candidates ? nearestAmong(lon, lat, candidates) : nearestInTree(lon, lat);
    },
    candidatesWithin(lon, lat, radiusM, from) {
      toEcef(lon, lat, p, 0);
      const out: number[] = [];
      if (from) {
        for (let k = 0; k < from.length; k++) {
          const i = from[k] as number;
          if (segmentLowerBound(i) <= radiusM) out.push(i);
        }
        return out;
      }
      const stack: number[] = [0];
      while (stack.length > 0) {
        const node = stack.pop() as number;
        if (tree.lowerBound(node, p) > radiusM) continue;
        const lo = tree.lo[node] as number;
        const hi = tree.hi[node] as number;
        if (hi - lo <= LEAF_SIZE) {
          for (let i = lo; i < hi; i++) if (segmentLowerBound(i) <= radiusM) out.push(i);
        } else stack.push(2 * node + 2, 2 * node + 1);
      }
      return out;
    },
    distanceBoundsM(lon, lat, candidates, out) {
      toEcef(lon, lat, p, 0);
      let lower = Infinity;
      let best = -1;
      let bestLower = Infinity;
      for (let k = 0; k < candidates.length; k++) {
        const i = candidates[k] as number;
        const lb = segmentLowerBound(i);
        lower = Math.min(lower, lb);
        // The upper bound must be a distance to the line itself: never via an extension.
        if (!isExtension(i) && lb < bestLower) {
          bestLower = lb;
          best = i;
        }
      }
      out[0] = Math.max(0, lower);
      out[1] = best < 0 ? Infinity : upperBoundVia(best, lon, lat);
    },
    lowerBoundM(lon, lat) {
      toEcef(lon, lat, p, 0);
      return Math.max(0, tree.lowerBound(0, p));
    },
    pointAt(alongM) {
      // The last segment whose start is at or before alongM (binary search).
      let i = 0;
      let hi = count - 1;
      while (i < hi) {
        const mid = (i + hi + 1) >> 1;
        if ((segmentStartM[mid] as number) <= alongM) i = mid;
        else hi = mid - 1;
      }
      const seg = segments[i] as GeodesicSegment;
      const at = seg.at(alongM - (segmentStartM[i] as number));
      return { lon: at.lon, lat: at.lat, azimuthDeg: at.azimuthDeg, segment: i };
    },
  };
}

interface SphereTree {
  lo: Int32Array;
  hi: Int32Array;
  lowerBound(node: number, p: Float64Array): number;
}

/**
 * A binary tree of bounding spheres over consecutive segments (lines are spatially coherent,
 * so index ranges make tight groups). Each sphere contains every point of its segments'
 * geodesics, so |p - centre| - radius is a rigorous lower bound of the distance to them.
 */
function buildSphereTree(ends: Float64Array, sag: Float64Array, count: number): SphereTree {
  let size = 1;
  while (size < count) size *= 2;
  const nodes = 2 * Math.max(1, Math.ceil(count / LEAF_SIZE)) * 2 + 2 * size;
  const lo = new Int32Array(nodes).fill(-1);
  const hi = new Int32Array(nodes).fill(-1);
  const centre = new Float64Array(nodes * 3);
  const radius = new Float64Array(nodes);

  function build(node: number, from: number, to: number): void {
    lo[node] = from;
    hi[node] = to;
    let cx = 0;
    let cy = 0;
    let cz = 0;
    for (let i = from; i < to; i++) {
      for (const o of [i * 6, i * 6 + 3]) {
        cx += ends[o] as number;
        cy += ends[o + 1] as number;
        cz += ends[o + 2] as number;
      }
    }
    const n = 2 * (to - from);
    cx /= n;
    cy /= n;
    cz /= n;
    let r = 0;
    for (let i = from; i < to; i++) {
      for (const o of [i * 6, i * 6 + 3]) {
        const dx = (ends[o] as number) - cx;
        const dy = (ends[o + 1] as number) - cy;
        const dz = (ends[o + 2] as number) - cz;
        r = Math.max(r, Math.sqrt(dx * dx + dy * dy + dz * dz) + (sag[i] as number));
      }
    }
    centre[node * 3] = cx;
    centre[node * 3 + 1] = cy;
    centre[node * 3 + 2] = cz;
    radius[node] = r + 1e-6;
    if (to - from <= LEAF_SIZE) return;
    const mid = (from + to) >> 1;
    build(2 * node + 1, from, mid);
    build(2 * node + 2, mid, to);
  }
  build(0, 0, count);

  return {
    lo,
    hi,
    lowerBound(node, p) {
      const dx = (p[0] as number) - (centre[node * 3] as number);
      const dy = (p[1] as number) - (centre[node * 3 + 1] as number);
      const dz = (p[2] as number) - (centre[node * 3 + 2] as number);
      return Math.sqrt(dx * dx + dy * dy + dz * dz) - (radius[node] as number);
    },
  };
}
