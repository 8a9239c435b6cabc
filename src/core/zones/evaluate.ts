import {
  geodesicDistanceM,
  geodesicSegmentFrom,
  nearestOnGeodesicSegment,
  toEcef,
} from '../geo/index.js';
import type { GeodesicSegment, LineFoot, LineMetric } from '../geo/index.js';
import type { ZoneSet } from './compile-zone-set.js';
import { FALSE, TRUE, UNKNOWN, evaluateExpr } from './tri.js';
import type { Tri } from './tri.js';

/** The exact classification of one position against a zone set. */
export interface PointEvaluation {
  /** 1 when the position is in the zone (same order as `ZoneSet.zones`), else 0. */
  readonly zones: Uint8Array;
  /** The foot of the position on each line of the zone set (same order as `ZoneSet.lines`). */
  readonly feet: readonly LineFoot[];
}

/** Whether a foot on the line satisfies a side requirement (a point on the line is on both). */
export function isOnSide(foot: LineFoot, side: -1 | 0 | 1): boolean {
  return side === 0 || foot.sideSign === 0 || foot.sideSign === side;
}

/** Whether an along-line position lies in an `along` primitive's interval. */
export function isAlong(
  alongM: number,
  p: { readonly minM: number; readonly maxM: number; readonly maxInclusive: boolean },
): boolean {
  return alongM >= p.minM && (p.maxInclusive ? alongM <= p.maxM : alongM < p.maxM);
}

/**
 * The three-valued value of an `along` primitive over a region within `radiusM` of the point
 * (lon, lat), whose foot is at `alongM`, `distanceM` from the line, when the feet of the
 * region's points can only lie on the given candidate segments (those within
 * reach = distanceM + 2 radiusM of the point).
 *
 * The foot on one geodesic segment moves no faster than the position (1/cos(d/R) <= 1.01 for d
 * under 500 km), so the feet of the region's points on each candidate lie within 1.01 radiusM
 * of the point's own foot on it. True when every such along-line range is inside the interval,
 * false when every one is outside it.
 */
export function alongOverSegments(
  metric: LineMetric,
  candidates: ArrayLike<number>,
  p: { readonly minM: number; readonly maxM: number; readonly maxInclusive: boolean },
  lon: number,
  lat: number,
  foot: { readonly alongM: number; readonly distanceM: number },
  radiusM: number,
): Tri {
  const reach = foot.distanceM + 2 * radiusM;
  if (reach > 500_000) return UNKNOWN;
  if (candidates.length === 1) {
    return judgeAlong(p, foot.alongM - 1.01 * radiusM, foot.alongM + 1.01 * radiusM);
  }
  let result: Tri | undefined;
  const last = metric.segmentCount - 1;
  for (let k = 0; k < candidates.length; k++) {
    const s = candidates[k] as number;
    const a = metric.segmentStartM[s] as number;
    const b = a + (metric.segments[s]?.lengthM ?? 0);
    if (s === 0 || s === last) {
      // An extension holds the foot only of positions behind the end of its end segment.
      const own = unclampedAlong(metric, s === 0 ? 1 : last - 1, lon, lat, 1.01 * radiusM + 1);
      if (
        (s === 0 && own - 1.01 * radiusM > a + (metric.segments[0]?.lengthM ?? 0)) ||
        (s === last && own + 1.01 * radiusM < a)
      ) {
        continue;
      }
    }
    if (s === 1 || s === last - 1) {
      // Positions past an end of the line are measured from the extension there, not from the
      // end vertex: the end segment holds no foot of a region wholly past its end.
      const own = unclampedAlong(metric, s, lon, lat, 1.01 * radiusM + 1);
      if ((s === 1 && own + 1.01 * radiusM < a) || (s === last - 1 && own - 1.01 * radiusM > b)) {
        continue;
      }
    }
    let v = judgeAlong(p, a, b);
    if (v === UNKNOWN) {
      // Feet on this segment of the region's points lie within 1.01 radiusM of the point's own
      // (unclamped) projection on the segment's geodesic, clamped to the segment.
      const own = unclampedAlong(metric, s, lon, lat, 1.01 * radiusM + 1);
      v = judgeAlong(
        p,
        Math.min(b, Math.max(a, own - 1.01 * radiusM)),
        Math.max(a, Math.min(b, own + 1.01 * radiusM)),
      );
    }
    if (v === UNKNOWN || (result !== undefined && v !== result)) return UNKNOWN;
    result = v;
  }
  return result ?? FALSE;
}

/** Whether every along-line position between lo and hi is in the interval, none is, or unknown. */
function judgeAlong(
  p: { readonly minM: number; readonly maxM: number; readonly maxInclusive: boolean },
  lo: number,
  hi: number,
): Tri {
  if (isAlong(lo, p) && isAlong(hi, p)) return TRUE;
  if (hi < p.minM || (p.maxInclusive ? lo > p.maxM : lo >= p.maxM)) return FALSE;
  return UNKNOWN;
}

/**
 * The along-line position of the projection of a position on the geodesic of segment `s`,
 * continued `marginM` past both ends (so a projection beyond an end is told apart from one at
 * it, up to the margin).
 */
function unclampedAlong(
  metric: LineMetric,
  s: number,
  lon: number,
  lat: number,
  marginM: number,
): number {
  const seg = metric.segments[s] as GeodesicSegment;
  const start = metric.segmentStartM[s] as number;
  const foot = nearestOnGeodesicSegment(seg, lon, lat);
  if (foot.clamp === 0) return start + foot.alongM;
  // The segment's geodesic continued past both ends, at least 5 km (kept for other regions).
  let continued = continuedSegments.get(metric);
  if (!continued) {
    continued = new Map();
    continuedSegments.set(metric, continued);
  }
  let longer = continued.get(s);
  if (!longer || longer.marginM < marginM) {
    const margin = Math.max(marginM, 5000);
    const back = geodesicSegmentFrom(seg.lon1, seg.lat1, seg.azimuth1Deg + 180, margin);
    longer = {
      marginM: margin,
      segment: geodesicSegmentFrom(
        back.lon2,
        back.lat2,
        back.azimuth2Deg + 180,
        seg.lengthM + 2 * margin,
      ),
    };
    continued.set(s, longer);
  }
  return start - longer.marginM + nearestOnGeodesicSegment(longer.segment, lon, lat).alongM;
}

/** Segments' geodesics continued past both ends by `marginM`, by line and segment. */
const continuedSegments = new WeakMap<
  LineMetric,
  Map<number, { marginM: number; segment: GeodesicSegment }>
>();

const chordA = new Float64Array(3);
const chordB = new Float64Array(3);

/** The straight-line distance between two points of WGS84, metres. */
function chordM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  toEcef(lon1, lat1, chordA, 0);
  toEcef(lon2, lat2, chordB, 0);
  return Math.hypot(
    (chordA[0] as number) - (chordB[0] as number),
    (chordA[1] as number) - (chordB[1] as number),
    (chordA[2] as number) - (chordB[2] as number),
  );
}

/** Evaluates every zone exactly at a position: geodesic distances and polygon containment. */
export function evaluatePoint(zs: ZoneSet, lon: number, lat: number): PointEvaluation {
  const feet = zs.lines.map((l) => l.metric.nearest(lon, lat));
  const values = new Uint8Array(zs.primitives.length);
  zs.primitives.forEach((p, i) => {
    if (p.kind === 'near') {
      const foot = feet[p.line] as LineFoot;
      values[i] = isOnSide(foot, p.side) && foot.distanceM <= p.maxM ? TRUE : FALSE;
    } else if (p.kind === 'along') {
      values[i] = isAlong((feet[p.line] as LineFoot).alongM, p) ? TRUE : FALSE;
    } else {
      values[i] = p.polygon.contains(lon, lat) ? TRUE : FALSE;
    }
  });
  const zones = new Uint8Array(zs.zones.length);
  zs.zones.forEach((z, i) => {
    zones[i] = evaluateExpr(z.expr, values) === TRUE ? 1 : 0;
  });
  return { zones, feet };
}

/**
 * Whether the side of the line may change within `radiusM` of a position `distanceM` from the
 * line without crossing it. That happens only behind the far ends of the extended line, where
 * the nearest point is an end point; a foot there lies within distanceM + 2 radiusM.
 */
export function isSideAmbiguousNearEnds(
  metric: LineMetric,
  lon: number,
  lat: number,
  distanceM: number,
  radiusM: number,
): boolean {
  const first = metric.segments[0];
  const last = metric.segments[metric.segmentCount - 1];
  if (!first || !last) return true;
  const reach = distanceM + 2 * radiusM;
  if (metric.lowerBoundM(lon, lat) > reach) return true;
  // Beyond a far end the side changes only across the line's geodesic continued past it.
  return (
    crossesContinuation(
      lon,
      lat,
      reach,
      radiusM,
      first.lon1,
      first.lat1,
      first.azimuth1Deg + 180,
    ) || crossesContinuation(lon, lat, reach, radiusM, last.lon2, last.lat2, last.azimuth2Deg)
  );
}

/**
 * Whether the geodesic continuing from (endLon, endLat) at `azimuthDeg` passes within radiusM
 * of the position, when that end is within reach of it.
 */
function crossesContinuation(
  lon: number,
  lat: number,
  reach: number,
  radiusM: number,
  endLon: number,
  endLat: number,
  azimuthDeg: number,
): boolean {
  return (
    // The straight line is never longer than the geodesic: a cheap test first.
    chordM(lon, lat, endLon, endLat) <= reach &&
    geodesicDistanceM(lon, lat, endLon, endLat) <= reach &&
    nearestOnGeodesicSegment(
      geodesicSegmentFrom(endLon, endLat, azimuthDeg, reach + radiusM + 1000),
      lon,
      lat,
    ).distanceM <= radiusM
  );
}

/**
 * The three-valued value of a "near" primitive over a region that lies within `radiusM` of a
 * point at `distanceM` from the line: distance to a set is 1-Lipschitz, so every point of the
 * region is between distanceM - radiusM and distanceM + radiusM from the line, and the side
 * cannot change unless the region reaches the line (or the ends, see isSideAmbiguousNearEnds).
 */
export function nearOverRegion(
  side: -1 | 0 | 1,
  maxM: number,
  distanceM: number,
  sideSign: number,
  radiusM: number,
  sideAmbiguous: boolean,
): Tri {
  return nearOverBounds(side, maxM, distanceM, distanceM, sideSign, radiusM, sideAmbiguous);
}

/**
 * Like `nearOverRegion`, when the distance at the point is known only to lie between `lowM`
 * and `highM` (every point of the region is then between lowM - radiusM and highM + radiusM
 * from the line).
 */
export function nearOverBounds(
  side: -1 | 0 | 1,
  maxM: number,
  lowM: number,
  highM: number,
  sideSign: number,
  radiusM: number,
  sideAmbiguous: boolean,
): Tri {
  if (lowM - radiusM > maxM) return FALSE;
  if (side === 0) return highM + radiusM <= maxM ? TRUE : UNKNOWN;
  if (lowM <= radiusM || sideAmbiguous) return UNKNOWN;
  if (sideSign !== side) return FALSE;
  return highM + radiusM <= maxM ? TRUE : UNKNOWN;
}

/** The three-valued evaluation of a disk: per zone, and the side of the primary line. */
export interface DiskEvaluation {
  /** Per zone: 1 the whole disk is inside, 0 none of it, 2 part of it may be. */
  readonly zones: Uint8Array;
  /** Feet of the disk's centre on each line. */
  readonly feet: readonly LineFoot[];
}

/**
 * Evaluates every zone over the disk of `radiusM` around a position: which zones surely
 * contain all of it, which surely contain none of it, and which may contain part of it.
 */
export function evaluateDisk(
  zs: ZoneSet,
  lon: number,
  lat: number,
  radiusM: number,
): DiskEvaluation {
  const feet = zs.lines.map((l) => l.metric.nearest(lon, lat));
  const ambiguous = zs.lines.map((l, i) =>
    isSideAmbiguousNearEnds(l.metric, lon, lat, (feet[i] as LineFoot).distanceM, radiusM),
  );
  const values = new Uint8Array(zs.primitives.length);
  zs.primitives.forEach((p, i) => {
    if (p.kind === 'near') {
      const foot = feet[p.line] as LineFoot;
      values[i] = nearOverRegion(
        p.side,
        p.maxM,
        foot.distanceM,
        foot.sideSign,
        radiusM,
        ambiguous[p.line] as boolean,
      );
      return;
    }
    if (p.kind === 'along') {
      const foot = feet[p.line] as LineFoot;
      const metric = (zs.lines[p.line] as ZoneSet['lines'][number]).metric;
      values[i] = alongOverSegments(
        metric,
        metric.candidatesWithin(lon, lat, foot.coreDistanceM + 2 * radiusM),
        p,
        lon,
        lat,
        foot,
        radiusM,
      );
      return;
    }
    if (p.polygon.boundaryLowerBoundM(lon, lat) > radiusM)
      values[i] = p.polygon.contains(lon, lat) ? TRUE : FALSE;
    else values[i] = UNKNOWN;
  });
  const zones = new Uint8Array(zs.zones.length);
  zs.zones.forEach((z, i) => {
    zones[i] = evaluateExpr(z.expr, values);
  });
  return { zones, feet };
}
