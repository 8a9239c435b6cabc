import geographiclib from 'geographiclib-geodesic';
import type { GeodesicSegment } from './wgs84.js';

const { Geodesic } = geographiclib;
const WGS84 = Geodesic.WGS84;
const MASK = Geodesic.DISTANCE | Geodesic.AZIMUTH | Geodesic.REDUCEDLENGTH | Geodesic.GEODESICSCALE;
const DEG = Math.PI / 180;
const MEAN_RADIUS_M = 6_371_008.8;
const TOLERANCE_M = 1e-7;
const MAX_ITERATIONS = 40;

/** The point of a geodesic segment nearest to a given position. */
export interface SegmentFoot {
  /** Geodesic distance in metres from the position to the foot. */
  distanceM: number;
  /** Distance of the foot from the segment start, metres, in [0, lengthM]. */
  alongM: number;
  /** +1 when the position is right of the direction of travel at the foot, -1 left, 0 on it. */
  sideSign: number;
  /** -1 when the foot is the segment start, +1 when it is the segment end, else 0. */
  clamp: number;
  /** Longitude of the foot, degrees. */
  footLon: number;
  /** Latitude of the foot, degrees. */
  footLat: number;
  /** Azimuth of travel along the segment at the foot, degrees. */
  lineAzimuthDeg: number;
  /** Azimuth at the foot of the geodesic from the foot to the position, degrees. */
  towardAzimuthDeg: number;
}

function initialGuess(seg: GeodesicSegment, lon: number, lat: number): number {
  const k = Math.cos(seg.lat1 * DEG);
  const bx = (seg.lon2 - seg.lon1) * k;
  const by = seg.lat2 - seg.lat1;
  const px = (lon - seg.lon1) * k;
  const py = lat - seg.lat1;
  const len2 = bx * bx + by * by;
  const f = len2 > 0 ? (px * bx + py * by) / len2 : 0;
  return Math.min(Math.max(f, 0), 1) * seg.lengthM;
}

/**
 * Finds the point of a geodesic segment nearest to a position, exact to well under a
 * millimetre. The foot is where the geodesic to the position meets the segment at a right
 * angle (first variation of arc length); Newton steps use the reduced length m12 and geodesic
 * scale M21 of GeographicLib (Karney 2013, sec. 3) as the exact local rate, so convergence is
 * quadratic from the planar first guess.
 */
export function nearestOnGeodesicSegment(
  seg: GeodesicSegment,
  lon: number,
  lat: number,
  guessM?: number,
): SegmentFoot {
  const length = seg.lengthM;
  let t =
    guessM === undefined ? initialGuess(seg, lon, lat) : Math.min(Math.max(guessM, 0), length);
  let foot = seg.at(t);
  let inv = WGS84.Inverse(foot.lat, foot.lon, lat, lon, MASK);
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const s = inv.s12 as number;
    if (s < 1e-9) break;
    const cosTheta = Math.cos(((inv.azi1 as number) - foot.azimuthDeg) * DEG);
    const m12 = inv.m12 as number;
    const bigM = inv.M21 as number;
    const rate = bigM > 0.05 && m12 > 0 ? m12 / bigM : MEAN_RADIUS_M * Math.tan(s / MEAN_RADIUS_M);
    let step = rate * cosTheta;
    if (Math.abs(step) > s) step = Math.sign(step) * s;
    const next = Math.min(Math.max(t + step, 0), length);
    if (Math.abs(next - t) <= TOLERANCE_M) break;
    t = next;
    foot = seg.at(t);
    inv = WGS84.Inverse(foot.lat, foot.lon, lat, lon, MASK);
  }
  const distanceM = inv.s12 as number;
  const towardAzimuthDeg = inv.azi1 as number;
  const sinTheta = Math.sin((towardAzimuthDeg - foot.azimuthDeg) * DEG);
  return {
    distanceM,
    alongM: t,
    sideSign: distanceM < 1e-9 ? 0 : sinTheta > 0 ? 1 : sinTheta < 0 ? -1 : 0,
    clamp: t <= 0 ? -1 : t >= length ? 1 : 0,
    footLon: foot.lon,
    footLat: foot.lat,
    lineAzimuthDeg: foot.azimuthDeg,
    towardAzimuthDeg,
  };
}
