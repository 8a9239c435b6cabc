import { intersect } from '@turf/intersect';
import { featureCollection, polygon as turfPolygon } from '@turf/helpers';
import type { Feature, FeatureCollection, LineString, MultiPolygon, Polygon } from 'geojson';
import type { LineMetric } from '../geo/index.js';
import type { ActiveZone, CompiledLine, SideExtent, ZoneSet } from './compile-zone-set.js';
import { cutAt, densifyGeodesic } from './cuts.js';
import { bandEdge } from './band-edge.js';
import { tracedLinePath } from './line-path.js';
import type { AreaGeometry } from './zone-spec.js';

/**
 * Largest distance, metres, between a displayed band edge (straight lon/lat edges) and the true
 * geodesic isoline; the requirement is under 5 m.
 */
export const DISPLAY_TOLERANCE_M = 1;
const CUT_STEP_M = 200;
const LINE_STEP_M = 1000;

type Ring = [number, number][];
const xy = (p: { lon: number; lat: number }): [number, number] => [p.lon, p.lat];

function edge(metric: LineMetric, side: -1 | 1, widthM: number, fromM: number, toM: number): Ring {
  return widthM > 0
    ? bandEdge(metric, side, widthM, fromM, toM)
    : tracedLinePath(metric, fromM, toM, LINE_STEP_M).map(xy);
}

const lonLat = (p: [number, number]) => ({ lon: p[0], lat: p[1] });

/** The geodesic from `a` to `b`, through `via` when given (a cut crossing the line). */
function cut(a: [number, number], b: [number, number], via?: { lon: number; lat: number }): Ring {
  if (!via) return densifyGeodesic(lonLat(a), lonLat(b), CUT_STEP_M);
  return [
    ...densifyGeodesic(lonLat(a), via, CUT_STEP_M),
    ...densifyGeodesic(via, lonLat(b), CUT_STEP_M).slice(1),
  ];
}

function closeRing(parts: Ring[]): Ring {
  const ring: Ring = [];
  for (const part of parts) {
    for (const p of part) {
      const last = ring[ring.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) ring.push(p);
    }
  }
  const first = ring[0] as [number, number];
  const last = ring[ring.length - 1] as [number, number];
  if (first[0] !== last[0] || first[1] !== last[1]) ring.push([first[0], first[1]]);
  return ring;
}

const firstOf = (r: Ring) => r[0] as [number, number];
const lastOf = (r: Ring) => r[r.length - 1] as [number, number];

/**
 * The outline of a zone measured from a line, between its cross-cuts at `fromM` and `toM`:
 * band edges within DISPLAY_TOLERANCE_M of the true isolines, cuts along their geodesics.
 */
export function lineZoneRing(
  metric: LineMetric,
  left: SideExtent | null,
  right: SideExtent | null,
  fromM: number,
  toM: number,
): Ring {
  if (left && right && left.minM === 0 && right.minM === 0) {
    const r = edge(metric, 1, right.maxM, fromM, toM);
    const l = edge(metric, -1, left.maxM, fromM, toM);
    return closeRing([
      cut(firstOf(l), firstOf(r), cutAt(metric, fromM)),
      r,
      cut(lastOf(r), lastOf(l), cutAt(metric, toM)),
      [...l].reverse(),
    ]);
  }
  const side: -1 | 1 = right ? 1 : -1;
  const e = (right ?? left) as SideExtent;
  const inner = edge(metric, side, e.minM, fromM, toM);
  const outer = edge(metric, side, e.maxM, fromM, toM);
  return closeRing([
    inner,
    cut(lastOf(inner), lastOf(outer)),
    [...outer].reverse(),
    cut(firstOf(outer), firstOf(inner)),
  ]);
}

/** The ring oriented counterclockwise, as RFC 7946 sec. 3.1.6 asks of exterior rings. */
function counterClockwise(ring: Ring): Ring {
  let area2 = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i] as [number, number];
    const b = ring[i + 1] as [number, number];
    area2 += a[0] * b[1] - b[0] * a[1];
  }
  return area2 < 0 ? [...ring].reverse() : ring;
}

function clipTo(ring: Ring, clip: AreaGeometry): Polygon | MultiPolygon | null {
  const clipFeature: Feature<Polygon | MultiPolygon> = {
    type: 'Feature',
    properties: {},
    geometry: clip as Polygon | MultiPolygon,
  };
  const out = intersect(featureCollection([turfPolygon([ring]), clipFeature]));
  return out ? out.geometry : null;
}

/** The display geometry of a zone in force (null when a clip leaves nothing of it). */
export function zoneDisplayGeometry(zs: ZoneSet, zone: ActiveZone): Polygon | MultiPolygon | null {
  const shape = zone.shape;
  if (shape.type === 'area') return shape.geometry as Polygon | MultiPolygon;
  const metric = (zs.lines[shape.line] as CompiledLine).metric;
  const ring = counterClockwise(
    lineZoneRing(metric, shape.left, shape.right, shape.fromM, shape.toM),
  );
  return shape.clip ? clipTo(ring, shape.clip) : { type: 'Polygon', coordinates: [ring] };
}

/** A reference line for display: its geodesic segments divided into short straight pieces. */
export function lineDisplayGeometry(line: CompiledLine): LineString {
  const m = line.metric;
  return { type: 'LineString', coordinates: tracedLinePath(m, 0, m.lengthM, LINE_STEP_M).map(xy) };
}

/** Properties shared by every feature of a zone set, so that notional data is always labelled. */
function notionalLabel(zs: ZoneSet): Record<string, unknown> {
  return zs.spec.notional ? { notional: true, notice: 'NOTIONAL - demonstration only' } : {};
}

/**
 * The zones and lines in force as a GeoJSON FeatureCollection for maps and GIS: one feature per
 * zone (id, kind, name, validity, altitude band, the zone's properties) and one per line.
 */
export function zoneSetToGeoJson(zs: ZoneSet): FeatureCollection {
  const label = notionalLabel(zs);
  const features: Feature[] = zs.lines.map((line) => ({
    type: 'Feature',
    id: line.key,
    properties: {
      ...label,
      kind: 'reference-line',
      id: line.id,
      version: line.version,
      name: line.name,
      ...(line.party !== undefined ? { party: line.party } : {}),
      sides: line.sides,
      lengthM: Math.round(line.metric.lengthM * 10) / 10,
    },
    geometry: lineDisplayGeometry(line),
  }));
  for (const zone of zs.zones) {
    const z = zone.spec;
    features.push({
      type: 'Feature',
      id: zone.id,
      properties: {
        ...label,
        ...(z.properties ?? {}),
        id: zone.id,
        kind: z.kind,
        name: z.name ?? zone.id,
        ...(z.validFrom !== undefined ? { validFrom: z.validFrom } : {}),
        ...(z.validTo !== undefined ? { validTo: z.validTo } : {}),
        ...(z.altitudeM !== undefined ? { altitudeM: z.altitudeM } : {}),
      },
      geometry: zoneDisplayGeometry(zs, zone) ?? { type: 'GeometryCollection', geometries: [] },
    });
  }
  return {
    type: 'FeatureCollection',
    ...({ name: zs.spec.name, ...label } as object),
    features,
  } as FeatureCollection;
}
