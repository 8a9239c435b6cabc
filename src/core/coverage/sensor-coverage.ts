import type { MultiPolygon, Polygon } from 'geojson';
import { geodesicDirect } from '../geo/index.js';
import { orientRing, unionPolygons } from './polygon-union.js';
import type { Ring } from './polygon-union.js';
import { coverageShape } from './shapes.js';
import { swathOutline } from './swath-outline.js';
import type { CoverageSensor } from './shapes.js';

/**
 * Default largest distance in metres between the drawn outline of a coverage polygon and the
 * true geodesic circle or swath edge.
 */
export const DEFAULT_COVERAGE_TOLERANCE_M = 2;

const MIN_CIRCLE_STEPS = 16;
const MAX_CIRCLE_STEPS = 4096;

/** Options of `sensorCoverage`. */
export interface SensorCoverageOptions {
  /** Largest outline error, metres (default DEFAULT_COVERAGE_TOLERANCE_M). */
  readonly toleranceM?: number;
  /** Satellites: only passes at or after this time, ms since the epoch. */
  readonly fromMs?: number;
  /** Satellites: only passes before this time, ms since the epoch. */
  readonly toMs?: number;
}

/**
 * How many vertices a full geodesic circle of radius `radiusM` needs so that the straight edges
 * between them cut inside the circle by at most half the tolerance (the sagitta
 * r (1 - cos(dθ / 2))); the other half is left for straight lon/lat edges bending away from the
 * geodesic chords (under a millimetre for these edge lengths).
 */
function circleSteps(radiusM: number, toleranceM: number): number {
  const ratio = toleranceM / 2 / radiusM;
  const step = ratio >= 1 ? Math.PI : 2 * Math.acos(1 - ratio);
  return Math.min(MAX_CIRCLE_STEPS, Math.max(MIN_CIRCLE_STEPS, Math.ceil((2 * Math.PI) / step)));
}

function checkRing(ring: Ring): Ring {
  for (let i = 1; i < ring.length; i++) {
    const a = ring[i - 1] as number[];
    const b = ring[i] as number[];
    if (Math.abs((a[0] as number) - (b[0] as number)) > 180 || Math.abs(b[1] as number) >= 89.9) {
      throw new RangeError(
        'coverage reaching a pole or crossing the antimeridian is not supported',
      );
    }
  }
  return ring;
}

/**
 * The geodesic circle of `radiusM` around a position as a counterclockwise ring. Its vertices
 * are exactly `radiusM` from the centre (GeographicLib's direct problem), its edges inside the
 * circle by at most `toleranceM`.
 */
export function geodesicDiskRing(
  lon: number,
  lat: number,
  radiusM: number,
  toleranceM: number = DEFAULT_COVERAGE_TOLERANCE_M,
): Ring {
  const n = circleSteps(radiusM, toleranceM);
  const ring: Ring = [];
  // Decreasing azimuth turns counterclockwise.
  for (let k = 0; k < n; k++) {
    const p = geodesicDirect(lon, lat, (-360 * k) / n, radiusM);
    ring.push([p.lon, p.lat]);
  }
  ring.push([...(ring[0] as number[])]);
  return checkRing(ring);
}

/**
 * The swath of points within `halfWidthM` of a route of geodesic segments (a geodesic buffer of
 * the polyline, round joins and caps), traced as contours of the exact distance to the route:
 * vertices on the true outline, edges within `toleranceM` of it (see `swathOutline`).
 */
export function geodesicSwath(
  route: readonly (readonly number[])[],
  halfWidthM: number,
  toleranceM: number = DEFAULT_COVERAGE_TOLERANCE_M,
): Polygon | MultiPolygon {
  const distinct = route.filter(
    (p, i) =>
      i === 0 ||
      p[0] !== (route[i - 1] as readonly number[])[0] ||
      p[1] !== (route[i - 1] as readonly number[])[1],
  );
  if (distinct.length === 1) {
    const p = distinct[0] as readonly number[];
    return {
      type: 'Polygon',
      coordinates: [geodesicDiskRing(p[0] as number, p[1] as number, halfWidthM, toleranceM)],
    };
  }
  return swathOutline(distinct, halfWidthM, toleranceM);
}

/**
 * The area a sensor observes, as RFC 7946 GeoJSON (straight lon/lat edges, exterior rings
 * counterclockwise, holes clockwise), derived from its kind:
 * - camera, radar, acoustic: the geodesic disk of `rangeM` around `position`;
 * - UAV, patrol: the swath of half-width `rangeM` along `route` (a geodesic buffer of the
 *   polyline of geodesic segments: round caps and joins, holes where a route loops round ground
 *   it does not see), or a disk around `position` when there is no route;
 * - satellite: the union of its pass footprints, only passes in `[fromMs, toMs)` when given.
 *
 * `rangeM` defaults per kind (DEFAULT_COVERAGE_RANGE_M). Tolerance: disk vertices lie exactly at
 * the geodesic range (GeographicLib's direct problem) and swath vertices on the exact outline
 * (root-found to 1 cm); the straight edges between vertices stay within `toleranceM` (default
 * 2 m) of the true circle or swath edge. Swath features narrower than a quarter to a half of
 * the half-width (a thin gap between two legs) may be missed. Null when the sensor lacks its
 * position, route or passes; an empty MultiPolygon when a satellite has no pass in the
 * interval. Throws a RangeError for coverage that crosses the antimeridian or reaches a pole.
 */
export function sensorCoverage(
  sensor: CoverageSensor,
  options: SensorCoverageOptions = {},
): Polygon | MultiPolygon | null {
  const toleranceM = options.toleranceM ?? DEFAULT_COVERAGE_TOLERANCE_M;
  if (!(toleranceM > 0)) throw new RangeError('toleranceM must be positive');
  const shape = coverageShape(sensor);
  if (!shape) return null;
  if (shape.type === 'disk') {
    return {
      type: 'Polygon',
      coordinates: [geodesicDiskRing(shape.lon, shape.lat, shape.radiusM, toleranceM)],
    };
  }
  if (shape.type === 'swath') return geodesicSwath(shape.route, shape.halfWidthM, toleranceM);
  const from = options.fromMs ?? -Infinity;
  const to = options.toMs ?? Infinity;
  const seen = new Set<string>();
  const footprints: Ring[][] = [];
  for (const pass of shape.passes) {
    if (pass.atMs < from || pass.atMs >= to) continue;
    const key = JSON.stringify(pass.ring);
    if (seen.has(key)) continue;
    seen.add(key);
    footprints.push([orientRing(pass.ring, true)]);
  }
  return unionPolygons(footprints);
}
