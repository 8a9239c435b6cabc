import { meridionalRadiusM, primeVerticalRadiusM } from './wgs84.js';

const DEG = Math.PI / 180;

/**
 * An upper bound in metres of the geodesic distance from the centre of a lon/lat rectangle to
 * any point in it. The straight lon/lat path from the centre is no shorter than the geodesic,
 * and its length is bounded by the largest metric coefficients over the rectangle: the
 * meridional radius grows towards the poles, the parallel radius N cos(lat) towards the equator.
 */
export function cellRadiusBoundM(
  minLon: number,
  minLat: number,
  maxLon: number,
  maxLat: number,
): number {
  const poleward = Math.max(Math.abs(minLat), Math.abs(maxLat));
  const equatorward = minLat <= 0 && maxLat >= 0 ? 0 : Math.min(Math.abs(minLat), Math.abs(maxLat));
  const halfLatM = meridionalRadiusM(poleward) * ((maxLat - minLat) / 2) * DEG;
  const halfLonM =
    primeVerticalRadiusM(equatorward) * Math.cos(equatorward * DEG) * ((maxLon - minLon) / 2) * DEG;
  return Math.hypot(halfLatM, halfLonM) * (1 + 1e-9) + 1e-6;
}
