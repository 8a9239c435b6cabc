import { geodesicDirect } from '../geo/index.js';
import type { Observation } from './observation-schema.js';
import type { Sensor } from './sensor-schema.js';
import type { SensorKind } from './taxonomy.js';

/**
 * Error radius of an observation that states none, by sensor kind, metres: typical 95% errors
 * of a geo-referenced camera detection, an acoustic localisation, a UAV camera fix, a satellite
 * image, a patrol's estimate, a ground radar return.
 */
export const DEFAULT_POSITION_ERROR_M: Readonly<Record<SensorKind, number>> = {
  camera: 50,
  acoustic: 500,
  uav: 30,
  satellite: 10,
  patrol: 100,
  radar: 150,
};

/** Half-width of a bearing's error when the observation does not state it, degrees. */
export const DEFAULT_BEARING_UNCERTAINTY_DEG = 2;

/** Where an observation puts what it saw. */
export type ObservationLocation =
  | {
      /** A position with an error radius. */
      readonly type: 'point';
      /** Longitude, degrees. */
      readonly lon: number;
      /** Latitude, degrees. */
      readonly lat: number;
      /** Altitude, metres, if known. */
      readonly altM?: number;
      /** Error radius, metres. */
      readonly radiusM: number;
    }
  | {
      /** A bearing and range from the sensor. */
      readonly type: 'bearing';
      /** The observer (the sensor's registered position). */
      readonly observerLon: number;
      /** The observer. */
      readonly observerLat: number;
      /** Bearing, degrees from true north. */
      readonly bearingDeg: number;
      /** Half-width of the bearing error, degrees. */
      readonly bearingUncertaintyDeg: number;
      /** Nearest range, metres. */
      readonly minRangeM: number;
      /** Farthest range, metres. */
      readonly maxRangeM: number;
      /** Altitude, metres, if known. */
      readonly altM?: number;
      /** Best single estimate: the middle of the range on the bearing. */
      readonly lon: number;
      /** Best single estimate. */
      readonly lat: number;
      /** Radius around the estimate that holds the whole wedge, metres. */
      readonly radiusM: number;
    }
  | {
      /** Neither the observation nor its sensor gives a position. */
      readonly type: 'none';
    };

/**
 * Resolves where an observation puts what it saw: its own position (with the sensor's default
 * error if it states none), a bearing wedge from the sensor's registered position, or the
 * sensor's position for observations without one (heartbeats, interference).
 */
export function locateObservation(o: Observation, sensor: Sensor): ObservationLocation {
  const p = o.position;
  const defaultErrorM = sensor.positionErrorM ?? DEFAULT_POSITION_ERROR_M[sensor.kind];
  if (p && 'lon' in p) {
    return {
      type: 'point',
      lon: p.lon,
      lat: p.lat,
      ...(p.altM !== undefined && { altM: p.altM }),
      radiusM: p.uncertaintyM ?? defaultErrorM,
    };
  }
  const s = sensor.position;
  if (!s) return { type: 'none' };
  if (!p) return { type: 'point', lon: s.lon, lat: s.lat, radiusM: 0 };
  const bearingUncertaintyDeg = p.bearingUncertaintyDeg ?? DEFAULT_BEARING_UNCERTAINTY_DEG;
  const midM = (p.minRangeM + p.maxRangeM) / 2;
  const mid = geodesicDirect(s.lon, s.lat, p.bearingDeg, midM);
  // The farthest points of an annular sector from a point on its axis are its corners (the
  // distance along each arc and each radial edge is largest at an end), so the enclosing radius
  // is the larger corner distance, computed in the sector's plane.
  const u = (Math.min(bearingUncertaintyDeg, 90) * Math.PI) / 180;
  const corner = (rangeM: number) => Math.hypot(rangeM * Math.cos(u) - midM, rangeM * Math.sin(u));
  const radiusM = Math.max(corner(p.minRangeM), corner(p.maxRangeM));
  return {
    type: 'bearing',
    observerLon: s.lon,
    observerLat: s.lat,
    bearingDeg: p.bearingDeg,
    bearingUncertaintyDeg,
    minRangeM: p.minRangeM,
    maxRangeM: p.maxRangeM,
    ...(p.altM !== undefined && { altM: p.altM }),
    lon: mid.lon,
    lat: mid.lat,
    radiusM,
  };
}
