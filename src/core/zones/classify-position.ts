import { formatMgrs, geodesicDirect } from '../geo/index.js';
import type { LineFoot } from '../geo/index.js';
import type { ActiveZone, ZoneSet } from './compile-zone-set.js';
import type { ZoneIndex } from './zone-index.js';
import { evaluateDisk, evaluatePoint } from './evaluate.js';
import { FALSE, TRUE, UNKNOWN } from './tri.js';
import type { Tri } from './tri.js';

/** A position, optionally with altitude (metres above the WGS84 ellipsoid) and an error radius. */
export interface PointPosition {
  /** Longitude, degrees. */
  readonly lon: number;
  /** Latitude, degrees. */
  readonly lat: number;
  /** Altitude above the WGS84 ellipsoid, metres, when known. */
  readonly altM?: number;
  /** Radius within which the true position lies, metres (0 or absent: exact). */
  readonly uncertaintyM?: number;
}

/**
 * Where an observer placed an event it heard or saw: a bearing from its own position and a
 * range of distances (an explosion heard, a muzzle flash seen).
 */
export interface ObserverBearing {
  /** Observer longitude, degrees. */
  readonly observerLon: number;
  /** Observer latitude, degrees. */
  readonly observerLat: number;
  /** Bearing from the observer, degrees clockwise from true north. */
  readonly bearingDeg: number;
  /** Half-width of the bearing's uncertainty, degrees (default 2). */
  readonly bearingUncertaintyDeg?: number;
  /** Nearest possible distance from the observer, metres. */
  readonly minRangeM: number;
  /** Farthest possible distance from the observer, metres. */
  readonly maxRangeM: number;
  /** Altitude above the WGS84 ellipsoid, metres, when known. */
  readonly altM?: number;
}

/** The classification of a position against the zones in force. */
export interface PositionClassification {
  /** Zones that certainly contain the position (all of its uncertainty region). */
  readonly inside: string[];
  /** Zones that contain part of the uncertainty region, or whose altitude band cannot be checked. */
  readonly possiblyInside: string[];
  /** The party holding the side of the primary line the position is on, or null. */
  readonly side: string | null;
  /** -1 left of the primary line, +1 right, 0 on it or undetermined. */
  readonly sideSign: -1 | 0 | 1;
  /** Geodesic distance to the primary line, metres (null without a primary line). */
  readonly distanceToLineM: number | null;
  /** Position of the foot along the primary line, metres from its first vertex. */
  readonly alongLineM: number | null;
  /** The best estimate of the position, as MGRS (1 m). */
  readonly mgrs: string | null;
  /** The best estimate of the position. */
  readonly lon: number;
  /** The best estimate of the position. */
  readonly lat: number;
}

/** Three-valued altitude test: unknown altitude against a band gives UNKNOWN. */
function altitudeTri(zone: ActiveZone, altM: number | undefined): Tri {
  const band = zone.spec.altitudeM;
  if (!band) return TRUE;
  if (altM === undefined) return UNKNOWN;
  const ok =
    (band.minM === undefined || altM >= band.minM) &&
    (band.maxM === undefined || altM <= band.maxM);
  return ok ? TRUE : FALSE;
}

function and(a: Tri, b: Tri): Tri {
  if (a === FALSE || b === FALSE) return FALSE;
  return a === TRUE && b === TRUE ? TRUE : UNKNOWN;
}

/** The zones certainly and possibly containing a position, its altitude band included. */
function zoneLists(
  zs: ZoneSet,
  values: ArrayLike<number>,
  altM: number | undefined,
): { inside: string[]; possiblyInside: string[] } {
  const inside: string[] = [];
  const possiblyInside: string[] = [];
  zs.zones.forEach((zone, i) => {
    const v = and(values[i] as Tri, altitudeTri(zone, altM));
    if (v === TRUE) inside.push(zone.id);
    else if (v === UNKNOWN) possiblyInside.push(zone.id);
  });
  return { inside, possiblyInside };
}

/** The party holding a side of the primary line (-1 left, +1 right), or null. */
function partyOfSide(zs: ZoneSet, sideSign: number): string | null {
  const line = zs.lines[zs.primaryLine];
  if (!line || sideSign === 0) return null;
  return (sideSign < 0 ? line.sides.left : line.sides.right) ?? null;
}

function result(
  zs: ZoneSet,
  values: ArrayLike<number>,
  altM: number | undefined,
  feet: readonly LineFoot[],
  lon: number,
  lat: number,
  sideKnown: boolean,
): PositionClassification {
  const { inside, possiblyInside } = zoneLists(zs, values, altM);
  const foot = feet[zs.primaryLine];
  const sideSign = (sideKnown && foot ? Math.sign(foot.sideSign) : 0) as -1 | 0 | 1;
  const side = partyOfSide(zs, sideSign);
  const mgrs = lat >= -80 && lat <= 84 ? formatMgrs(lon, lat, 5) : null;
  return {
    inside,
    possiblyInside,
    side,
    sideSign,
    distanceToLineM: foot ? foot.coreDistanceM : null,
    alongLineM: foot ? foot.alongM : null,
    mgrs,
    lon,
    lat,
  };
}

/**
 * Classifies a position: exact for a point; for a position with an error radius, the zones
 * that hold the whole disk are `inside` and those it overlaps are `possiblyInside`. The side is
 * reported only when the whole uncertainty region is on one side.
 */
export function classifyPosition(zs: ZoneSet, p: PointPosition): PositionClassification {
  const r = p.uncertaintyM ?? 0;
  if (r <= 0) {
    const e = evaluatePoint(zs, p.lon, p.lat);
    return result(zs, e.zones, p.altM, e.feet, p.lon, p.lat, true);
  }
  const e = evaluateDisk(zs, p.lon, p.lat, r);
  const foot = e.feet[zs.primaryLine];
  return result(zs, e.zones, p.altM, e.feet, p.lon, p.lat, !foot || foot.distanceM > r);
}

/**
 * Classifies a position through a zone index when the index can decide it: a point always, a
 * disk when every cell it may reach is decided with one class. Gives the same zones and side as
 * `classifyPosition`; it measures no distance (`distanceToLineM`, `alongLineM` and `mgrs` are
 * null). Undefined when the index cannot decide the disk: then call `classifyPosition`.
 */
export function classifyPositionIndexed(
  zs: ZoneSet,
  index: ZoneIndex,
  p: PointPosition,
): PositionClassification | undefined {
  const r = p.uncertaintyM ?? 0;
  const id = r > 0 ? index.classifyDisk(p.lon, p.lat, r) : index.classify(p.lon, p.lat);
  const cls = id >= 0 ? index.classes[id] : undefined;
  if (!cls) return undefined;
  // A class holds 1 for each zone containing the position: TRUE in three values.
  const values = Array.from(cls.zones, (bit) => (bit ? TRUE : FALSE));
  return {
    ...zoneLists(zs, values, p.altM),
    side: partyOfSide(zs, cls.side),
    sideSign: cls.side,
    distanceToLineM: null,
    alongLineM: null,
    mgrs: null,
    lon: p.lon,
    lat: p.lat,
  };
}

/**
 * Disks that together cover the annular sector an observer's bearing and range describe: rings
 * of disks at range steps, each ring spanning the bearing uncertainty.
 */
export function coverObserverBearing(
  o: ObserverBearing,
): { lon: number; lat: number; r: number }[] {
  const half = o.bearingUncertaintyDeg ?? 2;
  const depth = Math.max(0, o.maxRangeM - o.minRangeM);
  const rings = Math.min(64, Math.max(1, Math.ceil(depth / 500)));
  const step = depth / rings;
  const disks: { lon: number; lat: number; r: number }[] = [];
  for (let k = 0; k < rings; k++) {
    const mid = o.minRangeM + step * (k + 0.5);
    const arc = (2 * Math.PI * (o.minRangeM + step * (k + 1)) * half) / 180 + 1;
    const across = Math.min(64, Math.max(1, Math.ceil(arc / Math.max(step, 250))));
    const width = arc / across;
    const r = Math.hypot(step / 2, width / 2) * 1.05 + 1;
    for (let j = 0; j < across; j++) {
      const bearing = o.bearingDeg - half + (2 * half * (j + 0.5)) / across;
      const q = geodesicDirect(o.observerLon, o.observerLat, bearing, mid);
      disks.push({ lon: q.lon, lat: q.lat, r });
    }
  }
  return disks;
}

/**
 * Classifies an event placed by an observer's bearing and range: `inside` the zones that hold
 * every covering disk, `possiblyInside` those any disk may reach. The reported position is the
 * middle of the range along the bearing.
 */
export function classifyObserverBearing(zs: ZoneSet, o: ObserverBearing): PositionClassification {
  const disks = coverObserverBearing(o);
  const allTrue = new Uint8Array(zs.zones.length).fill(1);
  const anyPart = new Uint8Array(zs.zones.length);
  let sideSign = 0;
  let sideKnown = true;
  for (const d of disks) {
    const e = evaluateDisk(zs, d.lon, d.lat, d.r);
    e.zones.forEach((v, i) => {
      if (v !== TRUE) allTrue[i] = 0;
      if (v !== FALSE) anyPart[i] = 1;
    });
    const foot = e.feet[zs.primaryLine];
    if (foot) {
      if (foot.distanceM <= d.r) sideKnown = false;
      else if (sideSign === 0) sideSign = foot.sideSign;
      else if (sideSign !== foot.sideSign) sideKnown = false;
    }
  }
  const mid = geodesicDirect(
    o.observerLon,
    o.observerLat,
    o.bearingDeg,
    (o.minRangeM + o.maxRangeM) / 2,
  );
  const values = zs.zones.map((_, i) => (allTrue[i] ? TRUE : anyPart[i] ? UNKNOWN : FALSE));
  const centre = evaluatePoint(zs, mid.lon, mid.lat);
  const out = result(zs, values, o.altM, centre.feet, mid.lon, mid.lat, sideKnown);
  return out;
}
