import type { PathError } from '../core/errors/index.js';
import { geodesicDirect, meridionalRadiusM, primeVerticalRadiusM } from '../core/geo/index.js';
import type { CompiledLine, ZoneSet } from '../core/zones/index.js';
import type { Place } from './scenario-schema.js';

/** A position, degrees WGS84. */
export interface LonLat {
  /** Longitude, degrees. */
  readonly lon: number;
  /** Latitude, degrees. */
  readonly lat: number;
}

/**
 * A piecewise-linear trajectory in time: between two fixes the position is interpolated
 * linearly in longitude and latitude (legs are at most tens of kilometres, where this is within
 * metres of the geodesic).
 */
export interface Track {
  /** Fix times, Unix ms, non-decreasing. */
  readonly timesMs: readonly number[];
  /** Fix longitudes. */
  readonly lons: readonly number[];
  /** Fix latitudes. */
  readonly lats: readonly number[];
}

/** The position on a track at a time (clamped to its first and last fix). */
export function trackAt(track: Track, tMs: number): LonLat {
  const ts = track.timesMs;
  const n = ts.length;
  if (tMs <= (ts[0] as number) || n === 1)
    return { lon: track.lons[0] as number, lat: track.lats[0] as number };
  if (tMs >= (ts[n - 1] as number))
    return { lon: track.lons[n - 1] as number, lat: track.lats[n - 1] as number };
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((ts[mid] as number) <= tMs) lo = mid;
    else hi = mid;
  }
  const t0 = ts[lo] as number;
  const t1 = ts[hi] as number;
  const f = t1 > t0 ? (tMs - t0) / (t1 - t0) : 0;
  return {
    lon: (track.lons[lo] as number) + f * ((track.lons[hi] as number) - (track.lons[lo] as number)),
    lat: (track.lats[lo] as number) + f * ((track.lats[hi] as number) - (track.lats[lo] as number)),
  };
}

/** Bounding box of a track, degrees. */
export function trackBox(track: Track): { w: number; s: number; e: number; n: number } {
  return {
    w: Math.min(...track.lons),
    e: Math.max(...track.lons),
    s: Math.min(...track.lats),
    n: Math.max(...track.lats),
  };
}

/** A position moved by a local east/north offset in metres (a tangent-plane step). */
export function offsetLonLat(lon: number, lat: number, eastM: number, northM: number): LonLat {
  const phi = (lat * Math.PI) / 180;
  const dLat = (northM / meridionalRadiusM(lat)) * (180 / Math.PI);
  const dLon = (eastM / (primeVerticalRadiusM(lat) * Math.cos(phi))) * (180 / Math.PI);
  return { lon: lon + dLon, lat: lat + dLat };
}

const R_M = 6_371_008.8;
const RAD = Math.PI / 180;

/**
 * Approximate distance in metres (equirectangular, mean Earth radius): within 0.5% below a few
 * hundred kilometres, enough for coverage tests; zone decisions use the exact core functions.
 */
export function approxDistanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const x = (lon2 - lon1) * RAD * Math.cos(((lat1 + lat2) / 2) * RAD);
  const y = (lat2 - lat1) * RAD;
  return R_M * Math.hypot(x, y);
}

/** Half-widths in degrees of a square of `radiusM` around a latitude, for quick rejection. */
export function degreesAround(lat: number, radiusM: number): { dLon: number; dLat: number } {
  const dLat = (radiusM / R_M / RAD) * 1.01;
  return { dLat, dLon: dLat / Math.max(0.01, Math.cos(lat * RAD)) };
}

/** Resolves scenario places against the zone set's primary line and area zones. */
export interface PlaceFrame {
  /** The primary line. */
  readonly line: CompiledLine;
  /** Length of the primary line, metres. */
  readonly lengthM: number;
  /** -1 for the left side, +1 for the right, for a side name (party id, left or right). */
  sideSign(side: string): -1 | 1 | undefined;
  /** The position of a place; an unresolvable place adds an error and gives undefined. */
  resolve(place: Place, path: string, errors: PathError[]): LonLat | undefined;
  /** A position `distanceM` from the line at `alongM`, on the side of the sign. */
  offLine(alongM: number, sign: -1 | 1, distanceM: number): LonLat;
}

function areaCentre(zs: ZoneSet, id: string): LonLat | undefined {
  const z = zs.zones.find((x) => x.id === id);
  const g = z && 'geometry' in z.spec ? z.spec.geometry : undefined;
  if (!g) return undefined;
  const ring = (g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0]?.[0]) ?? [];
  const pts = ring.slice(0, -1);
  if (pts.length === 0) return undefined;
  return {
    lon: pts.reduce((a, p) => a + (p[0] as number), 0) / pts.length,
    lat: pts.reduce((a, p) => a + (p[1] as number), 0) / pts.length,
  };
}

/** Creates the place frame of a compiled zone set (it needs a primary line). */
export function createPlaceFrame(zs: ZoneSet): PlaceFrame {
  const line = zs.lines[zs.primaryLine];
  if (!line) throw new Error('the zone spec has no primary line to place positions along');
  const sideSign = (side: string): -1 | 1 | undefined => {
    if (side === 'left' || line.sides.left === side) return -1;
    if (side === 'right' || line.sides.right === side) return 1;
    return undefined;
  };
  const offLine = (alongM: number, sign: -1 | 1, distanceM: number): LonLat => {
    const p = line.metric.pointAt(alongM);
    if (distanceM === 0) return { lon: p.lon, lat: p.lat };
    const q = geodesicDirect(p.lon, p.lat, p.azimuthDeg + 90 * sign, distanceM);
    return { lon: q.lon, lat: q.lat };
  };
  return {
    line,
    lengthM: line.metric.lengthM,
    sideSign,
    offLine,
    resolve(place, path, errors) {
      if (place.lon !== undefined && place.lat !== undefined) {
        return { lon: place.lon, lat: place.lat };
      }
      if (place.zone !== undefined) {
        const c = areaCentre(zs, place.zone);
        if (!c) {
          errors.push({
            path: `${path}/zone`,
            code: 'UNKNOWN_ZONE',
            message: `'${place.zone}' is not an area zone with a geometry in force`,
          });
        }
        return c;
      }
      const distanceM = (place.distanceKm ?? 0) * 1000;
      const sign = distanceM === 0 ? 1 : sideSign(place.side ?? '');
      if (sign === undefined) {
        errors.push({
          path: `${path}/side`,
          code: 'UNKNOWN_PARTY',
          message: `'${place.side ?? ''}' holds no side of the primary line '${line.id}'`,
        });
        return undefined;
      }
      return offLine((place.alongKm ?? 0) * 1000, sign, distanceM);
    },
  };
}

/** A polyline route with cumulative distances, for sensors and objects that follow it. */
export interface Route {
  /** Vertices. */
  readonly points: readonly LonLat[];
  /** Distance from the start to each vertex, metres. */
  readonly cumM: readonly number[];
  /** Total length, metres. */
  readonly lengthM: number;
}

/** A route through the given points (distances approximate, see approxDistanceM). */
export function createRoute(points: readonly LonLat[]): Route {
  const cumM = [0];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as LonLat;
    const b = points[i] as LonLat;
    cumM.push((cumM[i - 1] as number) + approxDistanceM(a.lon, a.lat, b.lon, b.lat));
  }
  return { points, cumM, lengthM: cumM[cumM.length - 1] as number };
}

/** The position `distanceM` along a route (clamped to its ends). */
export function routeAt(route: Route, distanceM: number): LonLat {
  const pts = route.points;
  if (distanceM <= 0 || pts.length === 1) return pts[0] as LonLat;
  if (distanceM >= route.lengthM) return pts[pts.length - 1] as LonLat;
  let i = 1;
  while (i < pts.length - 1 && (route.cumM[i] as number) < distanceM) i++;
  const a = pts[i - 1] as LonLat;
  const b = pts[i] as LonLat;
  const d0 = route.cumM[i - 1] as number;
  const seg = (route.cumM[i] as number) - d0;
  const f = seg > 0 ? (distanceM - d0) / seg : 0;
  return { lon: a.lon + f * (b.lon - a.lon), lat: a.lat + f * (b.lat - a.lat) };
}

/** Rounds degrees to 1e-6 (about 0.1 m), which keeps generated JSON short. */
export function roundDeg(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
