import { MIN_CURVATURE_RADIUS_M, geodesicSagBoundM, pointToChordM, toEcef } from './ecef.js';
import { nearestOnGeodesicSegment } from './nearest-on-geodesic.js';
import type { SegmentFoot } from './nearest-on-geodesic.js';
import { geodesicSegment, geodesicSegmentFrom, wrapDeg360 } from './wgs84.js';
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
  /**
   * Segments that may hold the foot of some point within `radiusM` of the position, whose own
   * foot is `foot`: the segments of `candidatesWithin(lon, lat, foot.coreDistanceM + 2 radiusM)`
   * less those proved farther than the centre's own segment from every such point (see
   * `footCandidates` in the implementation). Extensions are kept when within reach.
   */
  footCandidates(
    lon: number,
    lat: number,
    radiusM: number,
    foot: LineFoot,
    from?: ArrayLike<number>,
  ): number[];
  /**
   * Whether, among the points within `radiusM` of the position whose feet can only be on
   * `candidates`, some may be measured from an extension (their foot on the line is an end
   * vertex and they lie past it) while others have their foot elsewhere than on the end segment
   * there. Distance and side can jump between the two, where the nearest point of the line
   * changes from the end vertex to another part of it.
   */
  extensionJump(lon: number, lat: number, radiusM: number, candidates: ArrayLike<number>): boolean;
  /** A rigorous lower bound of the geodesic distance from the position to the line, metres. */
  lowerBoundM(lon: number, lat: number): number;
  /**
   * Cheap rigorous bounds from straight-line (ECEF) distances to the chords of
   * `candidates[from..to)`, which must include every segment that may hold the position's foot:
   * out[0] a lower bound of `distanceM`, out[1] an upper bound of `coreDistanceM` (hence of
   * `distanceM`), metres, and out[2], out[3] the least and greatest along-line position the
   * foot may have: the span of the segments that the bounds leave, unbounded past an end whose
   * extension may hold the foot; out[4], when `withSide`, the side of the line (+1 right, -1
   * left) when the planes of those segments' chords prove it, else 0.
   */
  chordBoundsM(
    lon: number,
    lat: number,
    candidates: ArrayLike<number>,
    from: number,
    to: number,
    withSide: boolean,
    out: Float64Array,
  ): void;
  /** Position and azimuth of travel at `alongM` metres along the (extended) line. */
  pointAt(alongM: number): { lon: number; lat: number; azimuthDeg: number; segment: number };
}

const LEAF_SIZE = 4;
const DEG = Math.PI / 180;

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

  // The unit normal of the plane through the earth's centre and each segment's chord.
  const planes = new Float64Array(count * 3);
  for (let i = 0; i < count; i++) {
    const o = i * 6;
    const nx =
      (ends[o + 1] as number) * (ends[o + 5] as number) -
      (ends[o + 2] as number) * (ends[o + 4] as number);
    const ny =
      (ends[o + 2] as number) * (ends[o + 3] as number) -
      (ends[o] as number) * (ends[o + 5] as number);
    const nz =
      (ends[o] as number) * (ends[o + 4] as number) -
      (ends[o + 1] as number) * (ends[o + 3] as number);
    const n = Math.sqrt(nx * nx + ny * ny + nz * nz);
    planes[i * 3] = n > 0 ? nx / n : 0;
    planes[i * 3 + 1] = n > 0 ? ny / n : 0;
    planes[i * 3 + 2] = n > 0 ? nz / n : 0;
  }

  const tree = buildSphereTree(ends, sag, count);
  const p = new Float64Array(3);

  function segmentLowerBound(i: number): number {
    return pointToChordM(p, 0, ends, i * 6, i * 6 + 3) - (sag[i] as number);
  }

  /**
   * The foot of the position (lon, lat), whose ECEF coordinates are in p, on segment i. Newton
   * starts from the projection on the segment's chord, close to the foot on short segments.
   */
  function footOn(i: number, lon: number, lat: number): SegmentFoot {
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
        ? (((p[0] as number) - ax) * dx +
            ((p[1] as number) - ay) * dy +
            ((p[2] as number) - az) * dz) /
          len2
        : 0;
    const seg = segments[i] as GeodesicSegment;
    return nearestOnGeodesicSegment(seg, lon, lat, Math.min(1, Math.max(0, t)) * seg.lengthM);
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

  let lowerScratch = new Float64Array(64);
  const rangeI = new Float64Array(6);
  const rangeJ = new Float64Array(6);
  /**
   * The straight-line distance from p to chord i, and into `range` the end points of the part
   * of the chord that holds the nearest point of every point within radiusM of p (projection
   * on a line is 1-Lipschitz, so that part is the chord clamped to t +- radiusM).
   */
  function chordReach(i: number, radiusM: number, range: Float64Array): number {
    const o = i * 6;
    const ax = ends[o] as number;
    const ay = ends[o + 1] as number;
    const az = ends[o + 2] as number;
    const dx = (ends[o + 3] as number) - ax;
    const dy = (ends[o + 4] as number) - ay;
    const dz = (ends[o + 5] as number) - az;
    const len = Math.sqrt(dx * dx + dy * dy + dz * dz);
    const px = (p[0] as number) - ax;
    const py = (p[1] as number) - ay;
    const pz = (p[2] as number) - az;
    const ux = len > 0 ? dx / len : 0;
    const uy = len > 0 ? dy / len : 0;
    const uz = len > 0 ? dz / len : 0;
    const t = px * ux + py * uy + pz * uz;
    const tc = Math.min(len, Math.max(0, t));
    const ex = px - tc * ux;
    const ey = py - tc * uy;
    const ez = pz - tc * uz;
    const t1 = Math.min(len, Math.max(0, t - radiusM));
    const t2 = Math.min(len, Math.max(0, t + radiusM));
    range[0] = ax + t1 * ux;
    range[1] = ay + t1 * uy;
    range[2] = az + t1 * uz;
    range[3] = ax + t2 * ux;
    range[4] = ay + t2 * uy;
    range[5] = az + t2 * uz;
    return Math.sqrt(ex * ex + ey * ey + ez * ez);
  }

  /**
   * The side of the line of the position p, from the planes through the earth's centre and the
   * chords of the segments that may hold its foot (those whose lower bound is in
   * lowerScratch at most `upper`): +1 right, -1 left, 0 when not proved.
   *
   * Let h(x) = m . x, m the plane's unit normal, and F the foot on segment i (inside it, or an
   * end vertex). F lies within the sag s of the chord, so |h(F)| <= s. The geodesic from F to p,
   * of length d <= upper, has curvature at most 1/R, so h(p) = h(F) + d m.w + e with
   * |e| <= d^2 / (2 R), where w = cos(phi) t + sin(phi) n is its initial direction, t the
   * segment's direction at F, n its right normal and phi the angle from t to w. The chord's
   * direction is within L / R of t (the tangent turns at most that much along the segment), and
   * m is perpendicular to the chord, so |m.t| <= L / R; and m.n < 0 (m is close to -n, within
   * the angle between the geocentric and geodetic verticals). So when h(p) exceeds
   * s + d^2 / (2 R) + d L / R, sin(phi) < 0: p is left of the segment's geodesic at F, and right
   * when h(p) is below the negative of that. The foot's side is that of the segment holding it
   * when F is inside it, and at a vertex the side on which p lies for both segments meeting
   * there (both may hold the foot then), which is what the direct computation reads.
   */
  function planeSide(
    candidates: ArrayLike<number>,
    from: number,
    to: number,
    upper: number,
  ): number {
    if (!(upper < 100_000)) return 0;
    const k = 1 / MIN_CURVATURE_RADIUS_M;
    let side = 0;
    for (let c = from; c < to; c++) {
      const i = candidates[c] as number;
      if (isExtension(i) || (lowerScratch[c - from] as number) > upper) continue;
      const seg = segments[i] as GeodesicSegment;
      if (!(seg.lengthM < 200_000)) return 0;
      const h =
        (planes[i * 3] as number) * (p[0] as number) +
        (planes[i * 3 + 1] as number) * (p[1] as number) +
        (planes[i * 3 + 2] as number) * (p[2] as number);
      const margin = (sag[i] as number) + 0.5 * k * upper * upper + k * upper * seg.lengthM + 1e-6;
      const s = h > margin ? -1 : h < -margin ? 1 : 0;
      if (s === 0 || (side !== 0 && s !== side)) return 0;
      side = s;
    }
    return side;
  }

  // Frames (a vertex and a unit tangent there) near the ends: 0 the first vertex and the first
  // segment's direction, 1 the last vertex and the last segment's direction reversed (both
  // pointing into the line), 2 the second vertex and the second segment's direction reversed,
  // 3 the last but one vertex and the last but one segment's direction.
  const frames = new Float64Array(24);
  const setFrame = (k: number, lon: number, lat: number, azimuthDeg: number) => {
    const sl = Math.sin(lat * DEG);
    const cl = Math.cos(lat * DEG);
    const so = Math.sin(lon * DEG);
    const co = Math.cos(lon * DEG);
    const sa = Math.sin(azimuthDeg * DEG);
    const ca = Math.cos(azimuthDeg * DEG);
    toEcef(lon, lat, frames, k * 6);
    frames[k * 6 + 3] = ca * -sl * co + sa * -so;
    frames[k * 6 + 4] = ca * -sl * so + sa * co;
    frames[k * 6 + 5] = ca * cl;
  };
  setFrame(0, first.lon1, first.lat1, first.azimuth1Deg);
  setFrame(1, last.lon2, last.lat2, last.azimuth2Deg + 180);
  const second = (count > 3 ? segments[2] : first) as GeodesicSegment;
  const penultimate = (count > 3 ? segments[count - 3] : last) as GeodesicSegment;
  setFrame(2, second.lon1, second.lat1, second.azimuth1Deg + 180);
  setFrame(3, penultimate.lon2, penultimate.lat2, penultimate.azimuth2Deg);

  /**
   * Whether every point q within radiusM of p lies strictly ahead of frame k's vertex V in the
   * direction of its tangent t, so that a geodesic from V to q leaves it at an acute angle to t.
   * With w that initial direction and d the geodesic's length, (q - V).t = d w.t + e with
   * |e| <= k^2 d^3 / 6: the geodesic's acceleration is along the surface normal, of size at
   * most k, and the normal turns at most k per metre from its value at V, which is
   * perpendicular to t. So w.t > 0 when (q - V).t exceeds k^2 d^3 / 6.
   */
  function aheadOf(k: number, radiusM: number): boolean {
    const o = k * 6;
    const dx = (p[0] as number) - (frames[o] as number);
    const dy = (p[1] as number) - (frames[o + 1] as number);
    const dz = (p[2] as number) - (frames[o + 2] as number);
    const ahead =
      dx * (frames[o + 3] as number) +
      dy * (frames[o + 4] as number) +
      dz * (frames[o + 5] as number) -
      radiusM;
    const chord = Math.sqrt(dx * dx + dy * dy + dz * dz) + radiusM;
    const d = chord + chordExcessM(chord);
    const kk = 1 / MIN_CURVATURE_RADIUS_M;
    return ahead > (kk * kk * d * d * d) / 6 + 1e-6;
  }

  /**
   * Whether segment j is farther than segment i from every point within radiusM of the
   * position p = (lon, lat), whose distance to i is gi, from exact geodesic distances (for
   * points far from the line, where a geodesic exceeds its chord by more than the difference to
   * be proved). The difference of the distances to j and to i changes at most at the rate
   * |w_j - w_i|, w the unit tangents at the point of the geodesics from the two feet. Each is
   * within k G / 2 of the chord from its foot (the angle between a curve's end tangent and its
   * chord is at most half its total turning), and the chords' directions differ by at most
   * 2 S / (|q - x_j| + |q - x_i|) (Dunkl-Williams), S the largest distance between points of
   * the two segments.
   */
  function farther(
    i: number,
    j: number,
    ei: number,
    ej: number,
    gi: number,
    lon: number,
    lat: number,
    radiusM: number,
  ): boolean {
    const di = ei - (sag[i] as number) - radiusM;
    const dj = ej - (sag[j] as number) - radiusM;
    const s = chordSpread(i, j) + (sag[i] as number) + (sag[j] as number);
    const chords = di > 0 && dj > 0 ? (2 * s) / (di + dj) : 2;
    const turn = 2 * radiusM + gi;
    const k = 1 / (2 * MIN_CURVATURE_RADIUS_M);
    // Hopeless even with the largest distance to j that its chord allows.
    const most = ej + (sag[j] as number);
    const gMost = most + chordExcessM(most);
    if (gMost - gi - Math.min(2, chords + k * (turn + gMost)) * radiusM <= 1e-3) return false;
    const gj = footOn(j, lon, lat).distanceM;
    return gj - gi - Math.min(2, chords + k * (turn + gj)) * radiusM > 1e-3;
  }

  /** The largest distance between a point of chord i and a point of chord j. */
  function chordSpread(i: number, j: number): number {
    let m = 0;
    for (const a of [i * 6, i * 6 + 3]) {
      for (const b of [j * 6, j * 6 + 3]) {
        const dx = (ends[a] as number) - (ends[b] as number);
        const dy = (ends[a + 1] as number) - (ends[b + 1] as number);
        const dz = (ends[a + 2] as number) - (ends[b + 2] as number);
        m = Math.max(m, dx * dx + dy * dy + dz * dz);
      }
    }
    return Math.sqrt(m);
  }

  let queryLon = 0;
  let queryLat = 0;
  const isExtension = (i: number) => i === 0 || i === count - 1;

  let order = new Int32Array(64);
  let orderBound = new Float64Array(64);

  function nearestAmong(lon: number, lat: number, candidates: ArrayLike<number>): LineFoot {
    if (order.length < candidates.length) {
      order = new Int32Array(2 * candidates.length);
      orderBound = new Float64Array(2 * candidates.length);
    }
    // The core candidates by increasing lower bound (insertion sort for the usual short lists).
    let n = 0;
    const long = candidates.length > 32;
    for (let k = 0; k < candidates.length; k++) {
      const i = candidates[k] as number;
      if (isExtension(i)) continue;
      const b = segmentLowerBound(i);
      let m = n++;
      while (!long && m > 0 && (orderBound[m - 1] as number) > b) {
        orderBound[m] = orderBound[m - 1] as number;
        order[m] = order[m - 1] as number;
        m--;
      }
      orderBound[m] = b;
      order[m] = i;
    }
    if (long) {
      const perm = Array.from({ length: n }, (_, k) => k).sort(
        (a, b) => (orderBound[a] as number) - (orderBound[b] as number),
      );
      const o = Int32Array.from(perm, (k) => order[k] as number);
      const ob = Float64Array.from(perm, (k) => orderBound[k] as number);
      order.set(o);
      orderBound.set(ob);
    }
    let best: SegmentFoot | undefined;
    let bestI = -1;
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      if (best && (orderBound[k] as number) >= best.distanceM) break;
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
    footCandidates(lon, lat, radiusM, foot, from) {
      const within = this.candidatesWithin(lon, lat, foot.coreDistanceM + 2 * radiusM, from);
      // p holds the position (candidatesWithin set it).
      const i = Math.min(count - 2, Math.max(1, foot.segment));
      const ei = chordReach(i, radiusM, rangeI);
      const excessI = (sag[i] as number) + chordExcessM(ei + radiusM + (sag[i] as number));
      const out: number[] = [];
      for (const j of within) {
        if (j === i || isExtension(j)) {
          out.push(j);
          continue;
        }
        const ej = chordReach(j, radiusM, rangeJ);
        // Over the ball of radius r around the position, the difference of the straight-line
        // distances to the two chords changes at most at the rate |u_j - u_i| of the unit
        // vectors from their nearest points, which Dunkl-Williams bounds by 2 S / (E_j + E_i),
        // S the largest distance between the chords' parts nearest to the ball.
        const rate =
          ei > radiusM && ej > radiusM
            ? Math.min(2, (2 * spread(rangeI, rangeJ)) / (ej + ei - 2 * radiusM))
            : 2;
        if (ej - ei - rate * radiusM - (sag[j] as number) - excessI > 1e-3) continue;
        if (excessI > 0.05 && farther(i, j, ei, ej, foot.coreDistanceM, lon, lat, radiusM)) {
          continue;
        }
        out.push(j);
      }
      // An extension holds feet only of positions whose foot on the line is its end vertex.
      const start = out.includes(1) && !aheadOf(0, radiusM);
      const end = out.includes(count - 2) && !aheadOf(1, radiusM);
      let n = 0;
      for (const j of out) if ((j !== 0 || start) && (j !== count - 1 || end)) out[n++] = j;
      out.length = n;
      return out;
    },
    extensionJump(lon, lat, radiusM, candidates) {
      toEcef(lon, lat, p, 0);
      let start = false;
      let end = false;
      for (let k = 0; k < candidates.length; k++) {
        start ||= candidates[k] === 0;
        end ||= candidates[k] === count - 1;
      }
      // A segment next to the end segment whose foot is the vertex they share, for every point,
      // brings no foot that the end segment does not hold.
      let second = false;
      let penultimate = false;
      for (let k = 0; k < candidates.length; k++) {
        const j = candidates[k] as number;
        if (isExtension(j)) continue;
        if (start && j !== 1) {
          if (j !== 2) return true;
          second = true;
        }
        if (end && j !== count - 2) {
          if (j !== count - 3) return true;
          penultimate = true;
        }
      }
      return (second && !aheadOf(2, radiusM)) || (penultimate && !aheadOf(3, radiusM));
    },
    chordBoundsM(lon, lat, candidates, from, to, withSide, out) {
      toEcef(lon, lat, p, 0);
      if (lowerScratch.length < to - from) lowerScratch = new Float64Array(2 * (to - from));
      // The geodesic distance to segment i is at least the straight-line distance to its chord
      // less its sag, and at most that distance plus the sag (every point of the chord lies
      // within the sag of a point of the geodesic) plus the most by which a geodesic exceeds
      // its chord.
      let upper = Infinity;
      for (let k = from; k < to; k++) {
        const i = candidates[k] as number;
        const e = pointToChordM(p, 0, ends, i * 6, i * 6 + 3);
        lowerScratch[k - from] = e - (sag[i] as number);
        if (isExtension(i)) continue;
        const u = e + (sag[i] as number);
        upper = Math.min(upper, u + chordExcessM(u));
      }
      let lower = Infinity;
      let alongLo = Infinity;
      let alongHi = -Infinity;
      let first = false;
      let last = false;
      for (let k = from; k < to; k++) {
        const i = candidates[k] as number;
        const lb = lowerScratch[k - from] as number;
        if (isExtension(i) || lb > upper) continue;
        lower = Math.min(lower, lb);
        alongLo = Math.min(alongLo, segmentStartM[i] as number);
        alongHi = Math.max(alongHi, segmentStartM[i + 1] as number);
        first ||= i === 1;
        last ||= i === count - 2;
      }
      // An extension is nearer only for positions whose foot on the line is its end vertex.
      for (let k = from; k < to; k++) {
        const i = candidates[k] as number;
        if ((i === 0 && first) || (i === count - 1 && last)) {
          lower = Math.min(lower, lowerScratch[k - from] as number);
        }
      }
      out[0] = Math.max(0, lower);
      out[1] = upper;
      out[2] = first ? -Infinity : alongLo;
      out[3] = last ? Infinity : alongHi;
      out[4] = !withSide || first || last ? 0 : planeSide(candidates, from, to, upper);
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

/**
 * How much longer than the straight line between two points of WGS84 the geodesic between them
 * may be, given the straight-line distance `chordM` (at most 1,500 km, so that the geodesic is
 * under 2,000 km): a curve of length s whose curvature is at most k has a chord of at least
 * (2 / k) sin(k s / 2) (Schur's comparison), so s - chord <= k^2 s^3 / 24, and a geodesic's
 * curvature in space is its normal curvature. With k s <= 0.32, s^3 <= 1.013 chord^3.
 */
export function chordExcessM(chordM: number): number {
  if (!(chordM <= 1_500_000)) return Infinity;
  const k = 1 / MIN_CURVATURE_RADIUS_M;
  return (k * k * chordM * chordM * chordM) / 23.6 + 1e-9 * chordM;
}

/** The largest distance between a point of one straight segment and a point of another. */
function spread(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let x = 0; x < 6; x += 3) {
    for (let y = 0; y < 6; y += 3) {
      const dx = (a[x] as number) - (b[y] as number);
      const dy = (a[x + 1] as number) - (b[y + 1] as number);
      const dz = (a[x + 2] as number) - (b[y + 2] as number);
      m = Math.max(m, dx * dx + dy * dy + dz * dz);
    }
  }
  return Math.sqrt(m);
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
