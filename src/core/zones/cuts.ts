import { geodesicDirect, geodesicInverse, geodesicSegment } from '../geo/index.js';
import type { LineMetric, LonLat } from '../geo/index.js';

/** A square cut across a line: a geodesic through a point of the line, perpendicular to it. */
export interface SquareCut {
  /** Along-line position of the cut, metres from the first vertex. */
  alongM: number;
  /** The point of the line where it is cut. */
  centre: LonLat;
  /** Local direction of the line at the cut, degrees; the cut runs at +/-90 degrees to it. */
  lineAzimuthDeg: number;
}

/** A point on a cut at a given distance from the line, with its own foot on the line. */
export interface CutEnd extends LonLat {
  /** Along-line position of the point's nearest point on the line, metres. */
  footAlongM: number;
}

/**
 * The square cut at `alongM`. The local direction of the line is that of the chord between the
 * points `baselineM / 2` before and after the cut, so that a wiggly, detailed line is cut across
 * its general course rather than across its last small wiggle.
 */
export function squareCutAt(metric: LineMetric, alongM: number, baselineM: number): SquareCut {
  const a = metric.pointAt(alongM - baselineM / 2);
  const b = metric.pointAt(alongM + baselineM / 2);
  const centre = metric.pointAt(alongM);
  const chord = geodesicSegment(a.lon, a.lat, b.lon, b.lat);
  const lineAzimuthDeg = chord.at(chord.lengthM / 2).azimuthDeg;
  return { alongM, centre: { lon: centre.lon, lat: centre.lat }, lineAzimuthDeg };
}

/** Why a cut could not be drawn. */
export class CutError extends Error {
  override readonly name = 'CutError';
}

/**
 * Walks along the cut from the line towards one side (-1 left, +1 right) to the first point
 * whose geodesic distance from the line is `targetM`. Distance to a set is 1-Lipschitz, so a
 * step of (target - current distance) can never pass the first such point ("sphere tracing");
 * the walk converges from below.
 */
export function cutEnd(
  metric: LineMetric,
  cut: SquareCut,
  sideSign: number,
  targetM: number,
): CutEnd {
  if (targetM <= 0) {
    const foot = metric.nearest(cut.centre.lon, cut.centre.lat);
    return { ...cut.centre, footAlongM: foot.alongM };
  }
  const azimuth = cut.lineAzimuthDeg + sideSign * 90;
  let travelled = 0;
  for (let i = 0; i < 500; i++) {
    const p = geodesicDirect(cut.centre.lon, cut.centre.lat, azimuth, travelled);
    const foot = metric.nearest(p.lon, p.lat);
    const gap = targetM - foot.distanceM;
    if (gap <= 1e-4) {
      if (foot.sideSign !== sideSign) {
        throw new CutError(
          `the cut at ${(cut.alongM / 1000).toFixed(3)} km along the line reaches ${targetM} m on the other side of the line`,
        );
      }
      return { lon: p.lon, lat: p.lat, footAlongM: foot.alongM };
    }
    travelled += gap;
    if (travelled > 4 * targetM + 10_000) break;
  }
  throw new CutError(
    `the cut at ${(cut.alongM / 1000).toFixed(3)} km along the line never gets ${targetM} m from it: the line bends back along the cut`,
  );
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
