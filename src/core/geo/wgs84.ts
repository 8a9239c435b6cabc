import geographiclib from 'geographiclib-geodesic';

const { Geodesic } = geographiclib;
const WGS84 = Geodesic.WGS84;
const INVERSE_MASK = Geodesic.DISTANCE | Geodesic.AZIMUTH;
const DIRECT_MASK = Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.AZIMUTH;
const LINE_CAPS = Geodesic.LATITUDE | Geodesic.LONGITUDE | Geodesic.AZIMUTH | Geodesic.DISTANCE_IN;

/** WGS84 semi-major axis in metres. */
export const WGS84_A_M = WGS84.a;
/** WGS84 flattening. */
export const WGS84_F = WGS84.f;
/** WGS84 semi-minor axis in metres. */
export const WGS84_B_M = WGS84_A_M * (1 - WGS84_F);
/** WGS84 first eccentricity squared. */
export const WGS84_E2 = WGS84_F * (2 - WGS84_F);

/** A position in degrees on WGS84: longitude east, latitude north. */
export interface LonLat {
  /** Longitude in degrees, east positive. */
  readonly lon: number;
  /** Latitude in degrees, north positive. */
  readonly lat: number;
}

/** The solution of the inverse geodesic problem between two positions. */
export interface InverseResult {
  /** Geodesic distance in metres. */
  distanceM: number;
  /** Forward azimuth at the first point, degrees clockwise from north in (-180, 180]. */
  azimuth1Deg: number;
  /** Forward azimuth at the second point, degrees clockwise from north in (-180, 180]. */
  azimuth2Deg: number;
}

/** A position reached by the direct geodesic problem, with the azimuth of travel there. */
export interface DirectResult extends LonLat {
  /** Forward azimuth at the reached point, degrees clockwise from north. */
  azimuthDeg: number;
}

/**
 * Solves the inverse geodesic problem on WGS84 (Karney 2013, via GeographicLib): the shortest
 * distance between two positions and the azimuths at both ends.
 */
export function geodesicInverse(
  lon1: number,
  lat1: number,
  lon2: number,
  lat2: number,
): InverseResult {
  const r = WGS84.Inverse(lat1, lon1, lat2, lon2, INVERSE_MASK);
  return {
    distanceM: r.s12 as number,
    azimuth1Deg: r.azi1 as number,
    azimuth2Deg: r.azi2 as number,
  };
}

/** Geodesic distance in metres between two positions on WGS84. */
export function geodesicDistanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  return WGS84.Inverse(lat1, lon1, lat2, lon2, Geodesic.DISTANCE).s12 as number;
}

/**
 * Solves the direct geodesic problem on WGS84: the position reached by travelling `distanceM`
 * from a start position along the geodesic with initial azimuth `azimuthDeg`.
 */
export function geodesicDirect(
  lon: number,
  lat: number,
  azimuthDeg: number,
  distanceM: number,
): DirectResult {
  const r = WGS84.Direct(lat, lon, azimuthDeg, distanceM, DIRECT_MASK);
  return { lon: r.lon2 as number, lat: r.lat2 as number, azimuthDeg: r.azi2 as number };
}

/** A geodesic segment between two positions, with positions along it in metres from its start. */
export interface GeodesicSegment {
  /** Start longitude, degrees. */
  readonly lon1: number;
  /** Start latitude, degrees. */
  readonly lat1: number;
  /** End longitude, degrees. */
  readonly lon2: number;
  /** End latitude, degrees. */
  readonly lat2: number;
  /** Length of the segment in metres. */
  readonly lengthM: number;
  /** Azimuth of travel at the start, degrees. */
  readonly azimuth1Deg: number;
  /** Azimuth of travel at the end, degrees. */
  readonly azimuth2Deg: number;
  /** The position and azimuth of travel `alongM` metres from the start (may exceed the ends). */
  at(alongM: number): DirectResult;
}

function makeSegment(
  line: ReturnType<typeof WGS84.InverseLine>,
  lon1: number,
  lat1: number,
  lon2: number,
  lat2: number,
  lengthM: number,
  azimuth2Deg: number,
): GeodesicSegment {
  return {
    lon1,
    lat1,
    lon2,
    lat2,
    lengthM,
    azimuth1Deg: line.azi1,
    azimuth2Deg,
    at(alongM: number): DirectResult {
      const p = line.Position(alongM, DIRECT_MASK);
      return { lon: p.lon2 as number, lat: p.lat2 as number, azimuthDeg: p.azi2 as number };
    },
  };
}

/** The geodesic segment from one position to another. */
export function geodesicSegment(
  lon1: number,
  lat1: number,
  lon2: number,
  lat2: number,
): GeodesicSegment {
  const line = WGS84.InverseLine(lat1, lon1, lat2, lon2, LINE_CAPS);
  const end = line.Position(line.s13, DIRECT_MASK);
  return makeSegment(line, lon1, lat1, lon2, lat2, line.s13, end.azi2 as number);
}

/** The geodesic segment of `lengthM` metres leaving a position with azimuth `azimuthDeg`. */
export function geodesicSegmentFrom(
  lon: number,
  lat: number,
  azimuthDeg: number,
  lengthM: number,
): GeodesicSegment {
  const line = WGS84.DirectLine(lat, lon, azimuthDeg, lengthM, LINE_CAPS);
  const end = line.Position(lengthM, DIRECT_MASK);
  return makeSegment(
    line,
    lon,
    lat,
    end.lon2 as number,
    end.lat2 as number,
    lengthM,
    end.azi2 as number,
  );
}

/** Normalizes an angle in degrees to (-180, 180]. */
export function wrapDeg180(angleDeg: number): number {
  const r = angleDeg % 360;
  if (r <= -180) return r + 360;
  if (r > 180) return r - 360;
  return r;
}

/** Normalizes an angle in degrees to [0, 360). */
export function wrapDeg360(angleDeg: number): number {
  const r = angleDeg % 360;
  return r < 0 ? r + 360 : r;
}

/** Meridional radius of curvature in metres at a latitude in degrees. */
export function meridionalRadiusM(latDeg: number): number {
  const s = Math.sin((latDeg * Math.PI) / 180);
  return (WGS84_A_M * (1 - WGS84_E2)) / Math.pow(1 - WGS84_E2 * s * s, 1.5);
}

/** Prime-vertical radius of curvature in metres at a latitude in degrees. */
export function primeVerticalRadiusM(latDeg: number): number {
  const s = Math.sin((latDeg * Math.PI) / 180);
  return WGS84_A_M / Math.sqrt(1 - WGS84_E2 * s * s);
}
