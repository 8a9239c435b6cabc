import {
  MIN_CURVATURE_RADIUS_M,
  geodesicDistanceM,
  geodesicSagBoundM,
  geodesicSegment,
  nearestOnGeodesicSegment,
  pointToChordM,
  preparePlanarPolygon,
  toEcef,
} from '../geo/index.js';
import type { GeodesicSegment, LonLatBox } from '../geo/index.js';
import type { CoverageShape } from './shapes.js';

const DEG = Math.PI / 180;
/** Metres per degree of latitude, at least (the meridian is shortest per degree at the equator). */
const MIN_M_PER_DEG_LAT = 110_574;
const A_M = 6_378_137;
const WHOLE_WORLD: LonLatBox = { minLon: -180, minLat: -90, maxLon: 180, maxLat: 90 };

/**
 * A piece of a sensor's coverage prepared for testing points: a lon/lat box that holds every
 * covered point, and the exact test.
 */
export interface CoverTest {
  /** Box holding every covered position. */
  readonly bbox: LonLatBox;
  /** Whether the position, with its ECEF coordinates at `ecef[offset..offset+2]`, is covered. */
  covers(lon: number, lat: number, ecef: Float64Array, offset: number): boolean;
}

/** A disk or swath piece, which also measures distances. */
export interface DistanceTest extends CoverTest {
  /** Half-width or radius of the piece, metres. */
  readonly rangeM: number;
  /** A lower bound of the geodesic distance, metres, from the position (ECEF) to the core. */
  lowerBoundM(ecef: Float64Array, offset: number): number;
  /** The geodesic distance in metres from the position to the piece's core (centre or segment). */
  distanceM(lon: number, lat: number): number;
}

/**
 * A box holding every position within `radiusM` of (lon, lat): latitude by the shortest metres
 * per degree; longitude because the straight-line distance between two points is at least
 * 2 rho sin(dlon / 2), rho the smaller distance of the two from the axis (at least
 * a cos(lat) on WGS84), and the geodesic distance is at least the straight-line one.
 */
export function diskBox(lon: number, lat: number, radiusM: number): LonLatBox {
  const dLat = (radiusM / MIN_M_PER_DEG_LAT) * 1.000_001 + 1e-9;
  const maxAbsLat = Math.abs(lat) + dLat;
  if (maxAbsLat >= 90) {
    return {
      minLon: -180,
      minLat: Math.max(-90, lat - dLat),
      maxLon: 180,
      maxLat: Math.min(90, lat + dLat),
    };
  }
  const s = radiusM / (2 * A_M * Math.cos(maxAbsLat * DEG));
  if (s >= 1) return { ...WHOLE_WORLD, minLat: lat - dLat, maxLat: lat + dLat };
  const dLon = (2 * Math.asin(s)) / DEG + 1e-9;
  if (lon - dLon < -180 || lon + dLon > 180) {
    return { minLon: -180, minLat: lat - dLat, maxLon: 180, maxLat: lat + dLat };
  }
  return { minLon: lon - dLon, minLat: lat - dLat, maxLon: lon + dLon, maxLat: lat + dLat };
}

function union(a: LonLatBox, b: LonLatBox): LonLatBox {
  return {
    minLon: Math.min(a.minLon, b.minLon),
    minLat: Math.min(a.minLat, b.minLat),
    maxLon: Math.max(a.maxLon, b.maxLon),
    maxLat: Math.max(a.maxLat, b.maxLat),
  };
}

/**
 * How much longer than the straight line between two surface points the geodesic between them
 * can be, given the straight-line distance (at most 400 km): s - chord <= k^2 s^3 / 24 for a
 * curve of curvature at most k (Schur), and a geodesic's curvature in space is its normal
 * curvature, at most 1 / MIN_CURVATURE_RADIUS_M.
 */
function chordExcessM(chordM: number): number {
  if (!(chordM <= 400_000)) return Infinity;
  const k = 1 / MIN_CURVATURE_RADIUS_M;
  return (k * k * chordM * chordM * chordM) / 23.9 + 1e-9 * chordM;
}

/** The exact test of a geodesic disk: straight-line bounds first, GeographicLib when close. */
function diskTest(lon: number, lat: number, radiusM: number): DistanceTest {
  const c = new Float64Array(3);
  toEcef(lon, lat, c, 0);
  const cx = c[0] as number;
  const cy = c[1] as number;
  const cz = c[2] as number;
  const chordTo = (ecef: Float64Array, o: number) =>
    Math.hypot(
      (ecef[o] as number) - cx,
      (ecef[o + 1] as number) - cy,
      (ecef[o + 2] as number) - cz,
    );
  return {
    bbox: diskBox(lon, lat, radiusM),
    rangeM: radiusM,
    lowerBoundM: chordTo,
    distanceM: (plon, plat) => geodesicDistanceM(lon, lat, plon, plat),
    covers(plon, plat, ecef, o) {
      const dx = (ecef[o] as number) - cx;
      const dy = (ecef[o + 1] as number) - cy;
      const dz = (ecef[o + 2] as number) - cz;
      const chord = Math.sqrt(dx * dx + dy * dy + dz * dz);
      if (chord > radiusM) return false;
      if (chord + chordExcessM(chord) <= radiusM) return true;
      return geodesicDistanceM(lon, lat, plon, plat) <= radiusM;
    },
  };
}

/**
 * The exact test of the points within `halfWidthM` of a geodesic segment. The distance to the
 * segment is within the segment's sag (plus the chord excess above) of the straight-line
 * distance to its chord; only positions within that margin of the edge need the exact foot
 * (nearestOnGeodesicSegment).
 */
function segmentTest(seg: GeodesicSegment, halfWidthM: number): DistanceTest {
  const ends = new Float64Array(6);
  toEcef(seg.lon1, seg.lat1, ends, 0);
  toEcef(seg.lon2, seg.lat2, ends, 3);
  const sag = geodesicSagBoundM(seg.lengthM);
  // Every covered point is within halfWidthM + lengthM / 2 of an end.
  const reach = halfWidthM + seg.lengthM / 2;
  return {
    bbox: union(diskBox(seg.lon1, seg.lat1, reach), diskBox(seg.lon2, seg.lat2, reach)),
    rangeM: halfWidthM,
    lowerBoundM: (ecef, o) => pointToChordM(ecef, o, ends, 0, 3) - sag,
    distanceM: (lon, lat) => nearestOnGeodesicSegment(seg, lon, lat).distanceM,
    covers(lon, lat, ecef, o) {
      const e = pointToChordM(ecef, o, ends, 0, 3);
      if (e - sag > halfWidthM) return false;
      const upper = e + sag;
      if (upper + chordExcessM(upper) <= halfWidthM) return true;
      return nearestOnGeodesicSegment(seg, lon, lat).distanceM <= halfWidthM;
    },
  };
}

/**
 * The point tests of a disk or swath shape. A swath is cut into pieces of at most
 * max(half-width, 2 km) along its route so that each piece has a tight box.
 */
export function shapeTests(shape: Exclude<CoverageShape, { type: 'passes' }>): DistanceTest[] {
  if (shape.type === 'disk') return [diskTest(shape.lon, shape.lat, shape.radiusM)];
  const w = shape.halfWidthM;
  const pieceM = Math.max(w, 2_000);
  const out: DistanceTest[] = [];
  for (let i = 0; i + 1 < shape.route.length; i++) {
    const a = shape.route[i] as readonly [number, number];
    const b = shape.route[i + 1] as readonly [number, number];
    const seg = geodesicSegment(a[0], a[1], b[0], b[1]);
    const n = Math.max(1, Math.ceil(seg.lengthM / pieceM));
    let prev = { lon: a[0], lat: a[1] };
    for (let k = 1; k <= n; k++) {
      const next = k === n ? { lon: b[0], lat: b[1] } : seg.at((seg.lengthM * k) / n);
      const piece = geodesicSegment(prev.lon, prev.lat, next.lon, next.lat);
      out.push(piece.lengthM > 1e-3 ? segmentTest(piece, w) : diskTest(prev.lon, prev.lat, w));
      prev = next;
    }
  }
  if (out.length === 0) {
    const p = shape.route[0] as readonly [number, number];
    out.push(diskTest(p[0], p[1], w));
  }
  return out;
}

/** The point test of a footprint ring (straight lon/lat edges, even-odd rule). */
export function footprintTest(ring: readonly (readonly number[])[]): CoverTest {
  const polygon = preparePlanarPolygon([[ring]]);
  return {
    bbox: polygon.bbox,
    covers: (lon, lat) => polygon.contains(lon, lat),
  };
}
