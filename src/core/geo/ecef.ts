import { WGS84_A_M, WGS84_E2 } from './wgs84.js';

const DEG = Math.PI / 180;

/**
 * Smallest radius of normal curvature on WGS84 (the meridional radius at the equator), metres.
 * A geodesic's curvature in space is its normal curvature, so it never bends tighter than this.
 */
export const MIN_CURVATURE_RADIUS_M = WGS84_A_M * (1 - WGS84_E2);

/**
 * Writes the earth-centred, earth-fixed coordinates (metres) of a point on the WGS84 surface
 * into `out` at `offset`. Straight-line (chord) distances between such points never exceed
 * the geodesic distance, which makes them rigorous lower bounds for pruning.
 */
export function toEcef(lon: number, lat: number, out: Float64Array, offset: number): void {
  const sinLat = Math.sin(lat * DEG);
  const cosLat = Math.cos(lat * DEG);
  const n = WGS84_A_M / Math.sqrt(1 - WGS84_E2 * sinLat * sinLat);
  out[offset] = n * cosLat * Math.cos(lon * DEG);
  out[offset + 1] = n * cosLat * Math.sin(lon * DEG);
  out[offset + 2] = n * (1 - WGS84_E2) * sinLat;
}

/**
 * Upper bound in metres on how far any point of a geodesic of length `lengthM` lies from the
 * straight chord between its end points: a curve whose curvature is at most 1/R deviates from
 * its chord by at most L^2 / (8 R).
 */
export function geodesicSagBoundM(lengthM: number): number {
  return (lengthM * lengthM) / (8 * MIN_CURVATURE_RADIUS_M) + 1e-6;
}

/** Euclidean distance in metres from point p to the segment a-b, all in ECEF at given offsets. */
export function pointToChordM(
  p: Float64Array,
  pOffset: number,
  ab: Float64Array,
  aOffset: number,
  bOffset: number,
): number {
  const ax = ab[aOffset] as number;
  const ay = ab[aOffset + 1] as number;
  const az = ab[aOffset + 2] as number;
  const dx = (ab[bOffset] as number) - ax;
  const dy = (ab[bOffset + 1] as number) - ay;
  const dz = (ab[bOffset + 2] as number) - az;
  const px = (p[pOffset] as number) - ax;
  const py = (p[pOffset + 1] as number) - ay;
  const pz = (p[pOffset + 2] as number) - az;
  const len2 = dx * dx + dy * dy + dz * dz;
  let t = len2 > 0 ? (px * dx + py * dy + pz * dz) / len2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  const ex = px - t * dx;
  const ey = py - t * dy;
  const ez = pz - t * dz;
  return Math.sqrt(ex * ex + ey * ey + ez * ez);
}
