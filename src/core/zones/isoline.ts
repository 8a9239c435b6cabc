import { geodesicDirect } from '../geo/index.js';
import type { LineMetric, LonLat } from '../geo/index.js';

/** A point of an isoline with the along-line position of its nearest point on the line. */
export interface IsolinePoint {
  /** Longitude, degrees. */
  lon: number;
  /** Latitude, degrees. */
  lat: number;
  /** Along-line position of the point's foot on the line, metres. */
  alongM: number;
}

/** Why an isoline could not be traced. */
export class IsolineError extends Error {
  override readonly name = 'IsolineError';
}

interface Projected extends IsolinePoint {
  /** Azimuth of the distance gradient at the point (away from the line), degrees. */
  gradientAzimuthDeg: number;
}

/**
 * Projects a position onto the isoline at `widthM` on its side of the line, along the ray from
 * its foot. A point between the foot and the position keeps that foot, so when the position is
 * at least `widthM` away the isoline point is exactly `widthM` along the ray; otherwise the ray
 * is followed outwards by sphere tracing to its first point at `widthM`.
 */
function project(metric: LineMetric, widthM: number, lon: number, lat: number): Projected {
  const foot = metric.nearest(lon, lat);
  if (foot.distanceM >= widthM) {
    const p = geodesicDirect(foot.footLon, foot.footLat, foot.towardAzimuthDeg, widthM);
    return { lon: p.lon, lat: p.lat, alongM: foot.alongM, gradientAzimuthDeg: p.azimuthDeg };
  }
  let travelled = foot.distanceM;
  for (let i = 0; i < 200; i++) {
    const p = geodesicDirect(foot.footLon, foot.footLat, foot.towardAzimuthDeg, travelled);
    const f = metric.nearest(p.lon, p.lat);
    const gap = widthM - f.distanceM;
    if (gap <= 1e-6) {
      const q = geodesicDirect(f.footLon, f.footLat, f.towardAzimuthDeg, widthM);
      return { lon: q.lon, lat: q.lat, alongM: f.alongM, gradientAzimuthDeg: q.azimuthDeg };
    }
    travelled += gap;
  }
  throw new IsolineError(
    `cannot reach ${widthM} m from the line near [${lon.toFixed(6)}, ${lat.toFixed(6)}]`,
  );
}

/**
 * Traces the isoline at geodesic distance `widthM` from the line on one side (-1 left, +1
 * right), from `from` to `to` (both on it, `to` further along the line), as a polyline whose
 * straight lon/lat edges (as GeoJSON draws them) stay within `toleranceM` of the true curve.
 * Predictor-corrector contour following: step along the tangent, project back onto the
 * isoline, and halve the step while the chord's midpoint strays more than the tolerance, which
 * also resolves the kinks where the nearest part of the line changes.
 */
export function traceIsoline(
  metric: LineMetric,
  sideSign: number,
  widthM: number,
  from: LonLat,
  to: LonLat,
  toleranceM: number,
  maxStepM = 2000,
): IsolinePoint[] {
  const start = project(metric, widthM, from.lon, from.lat);
  const endAlong = metric.nearest(to.lon, to.lat).alongM;
  const out: IsolinePoint[] = [{ lon: from.lon, lat: from.lat, alongM: start.alongM }];
  let p = start;
  let step = Math.min(maxStepM, Math.max(widthM, 50));
  const minStep = 1e-3;
  for (let guard = 0; guard < 10_000_000; guard++) {
    const tangent = p.gradientAzimuthDeg - sideSign * 90;
    const q = geodesicDirect(p.lon, p.lat, tangent, step);
    let next: Projected = project(metric, widthM, q.lon, q.lat);
    const last = next.alongM >= endAlong;
    if (last)
      next = {
        lon: to.lon,
        lat: to.lat,
        alongM: endAlong,
        gradientAzimuthDeg: next.gradientAzimuthDeg,
      };
    const progress = next.alongM > p.alongM || (last && (next.lon !== p.lon || next.lat !== p.lat));
    const midDistance = metric.nearest((p.lon + next.lon) / 2, (p.lat + next.lat) / 2).distanceM;
    if (!progress || Math.abs(midDistance - widthM) > toleranceM) {
      step /= 2;
      if (step < minStep) {
        throw new IsolineError(
          `isoline at ${widthM} m does not converge near [${p.lon.toFixed(6)}, ${p.lat.toFixed(6)}]`,
        );
      }
      continue;
    }
    out.push({ lon: next.lon, lat: next.lat, alongM: next.alongM });
    if (last) return out;
    p = next;
    step = Math.min(maxStepM, step * 1.6);
  }
  throw new IsolineError(`isoline at ${widthM} m is too long to trace`);
}

/**
 * The line itself between two along-line positions, with its geodesic segments divided so that
 * straight lon/lat edges follow them closely (the zero-distance isoline).
 */
export function tracedLinePath(
  metric: LineMetric,
  fromAlongM: number,
  toAlongM: number,
  maxStepM = 1000,
): IsolinePoint[] {
  const out: IsolinePoint[] = [];
  const push = (alongM: number) => {
    const p = metric.pointAt(alongM);
    out.push({ lon: p.lon, lat: p.lat, alongM });
  };
  push(fromAlongM);
  for (let i = 0; i < metric.segmentCount; i++) {
    const start = metric.segmentStartM[i] as number;
    const end = start + (metric.segments[i]?.lengthM ?? 0);
    if (end <= fromAlongM || start >= toAlongM) continue;
    const a = Math.max(start, fromAlongM);
    const b = Math.min(end, toAlongM);
    const n = Math.max(1, Math.ceil((b - a) / maxStepM));
    for (let k = 1; k <= n; k++) {
      const s = a + ((b - a) * k) / n;
      if (s > (out[out.length - 1] as IsolinePoint).alongM) push(s);
    }
  }
  return out;
}
