import { parseRfc3339 } from '../observations/index.js';
import type { Sensor, SensorKind } from '../observations/index.js';

/**
 * Default coverage radius (camera, radar, acoustic) or swath half-width (UAV, patrol) in metres
 * by sensor kind, used when a sensor has no `rangeM`. Satellites cover their pass footprints.
 */
export const DEFAULT_COVERAGE_RANGE_M: Readonly<Record<Exclude<SensorKind, 'satellite'>, number>> =
  {
    camera: 5_000,
    radar: 20_000,
    acoustic: 10_000,
    uav: 2_000,
    patrol: 1_000,
  };

/** The fields of a sensor that decide its coverage (a registered `Sensor` has them all). */
export type CoverageSensor = Pick<Sensor, 'id' | 'kind'> &
  Partial<Pick<Sensor, 'position' | 'route' | 'rangeM' | 'passes'>>;

/** One satellite pass as coverage uses it. */
export interface PassShape {
  /** Time of the image, milliseconds since the epoch. */
  readonly atMs: number;
  /** The imaged area: one closed ring of [lon, lat] positions. */
  readonly ring: readonly (readonly number[])[];
}

/** What a sensor covers, before it is turned into a polygon or a point test. */
export type CoverageShape =
  | {
      /** A geodesic disk. */
      readonly type: 'disk';
      /** Centre longitude, degrees. */
      readonly lon: number;
      /** Centre latitude, degrees. */
      readonly lat: number;
      /** Radius, metres. */
      readonly radiusM: number;
    }
  | {
      /** All points within `halfWidthM` of a polyline of geodesic segments. */
      readonly type: 'swath';
      /** Route vertices [lon, lat], consecutive duplicates removed (at least two). */
      readonly route: readonly (readonly [number, number])[];
      /** Half-width of the swath, metres. */
      readonly halfWidthM: number;
    }
  | {
      /** The footprints of satellite passes. */
      readonly type: 'passes';
      /** Passes with a parseable time, in the order given. */
      readonly passes: readonly PassShape[];
    };

/** The coverage radius or swath half-width of a sensor: its `rangeM` or the kind's default. */
export function coverageRangeM(sensor: CoverageSensor): number | undefined {
  if (sensor.kind === 'satellite') return undefined;
  return sensor.rangeM ?? DEFAULT_COVERAGE_RANGE_M[sensor.kind];
}

/**
 * The shape a sensor covers, from its kind: camera, radar and acoustic sensors a disk around
 * their position; UAVs and patrols a swath along their route (a disk around their position when
 * they have no route, as for a hovering UAV or a fixed post); satellites their pass footprints.
 * Null when the sensor lacks what its kind needs (no position, no route, no passes, no positive
 * range).
 */
export function coverageShape(sensor: CoverageSensor): CoverageShape | null {
  if (sensor.kind === 'satellite') {
    const passes: PassShape[] = [];
    for (const pass of sensor.passes ?? []) {
      const atMs = parseRfc3339(pass.at);
      if (Number.isFinite(atMs) && pass.footprint.length >= 4) {
        passes.push({ atMs, ring: pass.footprint });
      }
    }
    return passes.length > 0 ? { type: 'passes', passes } : null;
  }
  const rangeM = coverageRangeM(sensor) as number;
  if (!(rangeM > 0) || !Number.isFinite(rangeM)) return null;
  if (sensor.kind === 'uav' || sensor.kind === 'patrol') {
    const route: [number, number][] = [];
    for (const p of sensor.route ?? []) {
      const lon = p[0] as number;
      const lat = p[1] as number;
      const last = route[route.length - 1];
      if (!last || last[0] !== lon || last[1] !== lat) route.push([lon, lat]);
    }
    if (route.length >= 2) return { type: 'swath', route, halfWidthM: rangeM };
    const at = route[0] ?? (sensor.position ? [sensor.position.lon, sensor.position.lat] : null);
    return at
      ? { type: 'disk', lon: at[0] as number, lat: at[1] as number, radiusM: rangeM }
      : null;
  }
  if (!sensor.position) return null;
  return { type: 'disk', lon: sensor.position.lon, lat: sensor.position.lat, radiusM: rangeM };
}
