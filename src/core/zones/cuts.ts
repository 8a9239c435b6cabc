import { geodesicInverse, geodesicSegment } from '../geo/index.js';
import type { LineMetric, LonLat } from '../geo/index.js';

/**
 * The point `alongM` metres along the line and the direction of the cut there: the geodesic
 * normal to the line, whose points (up to where another part of the line is nearer) have that
 * point as their nearest point on the line. Cross-cuts defined this way never cross each other,
 * so sectors between them partition a strip exactly, however wiggly the line.
 */
export function cutAt(metric: LineMetric, alongM: number): LonLat & { rightAzimuthDeg: number } {
  const p = metric.pointAt(alongM);
  return { lon: p.lon, lat: p.lat, rightAzimuthDeg: p.azimuthDeg + 90 };
}

/**
 * Positions along the geodesic between two points, spaced at most `maxStepM` apart, both ends
 * included. Straight lon/lat edges between them then follow the geodesic to within
 * millimetres for steps of a few hundred metres.
 */
export function densifyGeodesic(a: LonLat, b: LonLat, maxStepM: number): [number, number][] {
  const inv = geodesicInverse(a.lon, a.lat, b.lon, b.lat);
  const n = Math.max(1, Math.ceil(inv.distanceM / maxStepM));
  const out: [number, number][] = [[a.lon, a.lat]];
  if (n > 1) {
    const seg = geodesicSegment(a.lon, a.lat, b.lon, b.lat);
    for (let k = 1; k < n; k++) {
      const p = seg.at((seg.lengthM * k) / n);
      out.push([p.lon, p.lat]);
    }
  }
  out.push([b.lon, b.lat]);
  return out;
}
