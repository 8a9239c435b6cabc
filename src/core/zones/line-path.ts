import type { LineMetric } from '../geo/index.js';

/** A point of a path with the along-line position of its nearest point on the line. */
export interface IsolinePoint {
  /** Longitude, degrees. */
  lon: number;
  /** Latitude, degrees. */
  lat: number;
  /** Along-line position of the point's foot on the line, metres. */
  alongM: number;
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
