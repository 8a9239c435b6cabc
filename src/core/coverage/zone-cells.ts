import {
  POLYGON_TO_CELLS_FLAGS,
  cellToBoundary,
  cellToChildren,
  cellToLatLng,
  getHexagonAreaAvg,
  getHexagonEdgeLengthAvg,
  polygonToCellsExperimental,
} from 'h3-js';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { preparePlanarPolygon, segmentTouchesBox } from '../geo/index.js';
import type { LonLatBox, PlanarPolygon } from '../geo/index.js';

/** Cells a coverage query aims at when it picks the resolution itself. */
export const DEFAULT_TARGET_CELLS = 20_000;
/** Most cells a coverage query evaluates; above it a coarser resolution is taken. */
export const DEFAULT_MAX_CELLS = 200_000;
/** Finest resolution chosen automatically (H3 resolution 12 cells are about 300 m2). */
export const MAX_AUTO_RESOLUTION = 12;

const EARTH_RADIUS_M = 6_371_008.8;
const M_PER_DEG_LAT_MIN = 110_574;
const M_PER_DEG_LAT_MAX = 111_694;
const M_PER_DEG_LON_EQ = 111_320;
const MAX_COARSE_CELLS = 50_000;
const WORLD: LonLatBox = { minLon: -180, minLat: -90, maxLon: 180, maxLat: 90 };
const DEG = Math.PI / 180;

/** The H3 cells of a zone with their centres. */
export interface ZoneCells {
  /** H3 resolution of the cells. */
  readonly resolution: number;
  /** Cell ids. */
  readonly cells: readonly string[];
  /** Centre longitude of each cell, degrees. */
  readonly lon: Float64Array;
  /** Centre latitude of each cell, degrees. */
  readonly lat: Float64Array;
}

/** The polygons of a Polygon or MultiPolygon. */
export function polygonsOf(zone: Polygon | MultiPolygon): Position[][][] {
  return zone.type === 'Polygon' ? [zone.coordinates] : zone.coordinates;
}

/**
 * Area of a Polygon or MultiPolygon with straight lon/lat edges, square metres, on a sphere of
 * the mean earth radius (the trapezoid sum of sin(lat) over longitude; good to a fraction of a
 * percent, enough to pick a resolution).
 */
export function approximateAreaM2(zone: Polygon | MultiPolygon): number {
  let total = 0;
  for (const rings of polygonsOf(zone)) {
    rings.forEach((ring, i) => {
      let a = 0;
      for (let k = 0; k + 1 < ring.length; k++) {
        const p = ring[k] as Position;
        const q = ring[k + 1] as Position;
        a +=
          ((q[0] as number) - (p[0] as number)) *
          DEG *
          (Math.sin((p[1] as number) * DEG) + Math.sin((q[1] as number) * DEG));
      }
      const area = (Math.abs(a) / 2) * EARTH_RADIUS_M * EARTH_RADIUS_M;
      total += i === 0 ? area : -area;
    });
  }
  return Math.max(0, total);
}

/** Expected number of cells of a resolution in an area (from H3's average hexagon area). */
export function expectedCellCount(areaM2: number, resolution: number): number {
  return areaM2 / getHexagonAreaAvg(resolution, 'm2');
}

/**
 * The finest H3 resolution (at most MAX_AUTO_RESOLUTION) at which a zone is expected to hold
 * at most `targetCells` cells: resolution 7 (about 5 km2 a cell) for a 40 km strip some
 * 900 km long.
 */
export function chooseCoverageResolution(
  zone: Polygon | MultiPolygon,
  targetCells: number = DEFAULT_TARGET_CELLS,
): number {
  const area = approximateAreaM2(zone);
  let res = 0;
  while (res < MAX_AUTO_RESOLUTION && expectedCellCount(area, res + 1) <= targetCells) res++;
  return res;
}

/** Polygon edges bucketed in a lon/lat grid, to find edges near a box quickly. */
function edgeGrid(polygon: PlanarPolygon): (box: LonLatBox) => boolean {
  const { bbox, edges, edgeCount } = polygon;
  const g = Math.max(1, Math.ceil(Math.sqrt(edgeCount / 2)));
  const w = (bbox.maxLon - bbox.minLon) / g || 1;
  const h = (bbox.maxLat - bbox.minLat) / g || 1;
  const col = (x: number) => Math.min(g - 1, Math.max(0, Math.floor((x - bbox.minLon) / w)));
  const row = (y: number) => Math.min(g - 1, Math.max(0, Math.floor((y - bbox.minLat) / h)));
  const buckets: number[][] = Array.from({ length: g * g }, () => []);
  for (let e = 0; e < edgeCount; e++) {
    const x1 = edges[e * 4] as number;
    const y1 = edges[e * 4 + 1] as number;
    const x2 = edges[e * 4 + 2] as number;
    const y2 = edges[e * 4 + 3] as number;
    for (let r = row(Math.min(y1, y2)); r <= row(Math.max(y1, y2)); r++) {
      for (let c = col(Math.min(x1, x2)); c <= col(Math.max(x1, x2)); c++) {
        (buckets[r * g + c] as number[]).push(e);
      }
    }
  }
  return (box) => {
    if (
      box.maxLon < bbox.minLon ||
      box.minLon > bbox.maxLon ||
      box.maxLat < bbox.minLat ||
      box.minLat > bbox.maxLat
    ) {
      return false;
    }
    for (let r = row(box.minLat); r <= row(box.maxLat); r++) {
      for (let c = col(box.minLon); c <= col(box.maxLon); c++) {
        for (const e of buckets[r * g + c] as number[]) {
          const o = e * 4;
          const x1 = edges[o] as number;
          const y1 = edges[o + 1] as number;
          if (segmentTouchesBox(x1, y1, edges[o + 2] as number, edges[o + 3] as number, box)) {
            return true;
          }
        }
      }
    }
    return false;
  };
}

/**
 * A lon/lat box holding the centres of all descendants of a cell. Descendant centres lie within
 * 1.0063 times the circumradius of the cell's centre (measured over random cells of resolutions
 * 3-7 and their descendants 1-3 resolutions finer), and a hexagon's larger half-extent is at
 * least cos 15 deg of its circumradius, so the box of the outline grown to 1.25 times its larger
 * half-extent (in metres) around its middle holds them with room to spare.
 */
function descendantBox(cell: string): LonLatBox {
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const [lat, lon] of cellToBoundary(cell)) {
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
  }
  const maxAbsLat = Math.max(Math.abs(minLat), Math.abs(maxLat));
  if (maxLon - minLon > 180 || maxAbsLat >= 85) return WORLD;
  const cosLat = Math.cos(Math.min(89, maxAbsLat + (maxLat - minLat)) * DEG);
  const halfM = Math.max(
    ((maxLat - minLat) / 2) * M_PER_DEG_LAT_MAX,
    ((maxLon - minLon) / 2) * M_PER_DEG_LON_EQ * Math.cos(maxAbsLat * DEG),
  );
  const rM = 1.25 * halfM;
  const midLon = (minLon + maxLon) / 2;
  const midLat = (minLat + maxLat) / 2;
  const dLat = rM / M_PER_DEG_LAT_MIN;
  const dLon = rM / (M_PER_DEG_LON_EQ * cosLat);
  return {
    minLon: midLon - dLon,
    minLat: midLat - dLat,
    maxLon: midLon + dLon,
    maxLat: midLat + dLat,
  };
}

/** The zone's box grown by `marginM`, as a closed ring densified to 32 points a side. */
function grownBoxRing(box: LonLatBox, marginM: number): number[][] {
  const maxAbsLat = Math.min(89, Math.max(Math.abs(box.minLat), Math.abs(box.maxLat)) + 1);
  const dLat = marginM / M_PER_DEG_LAT_MIN;
  const dLon = marginM / (M_PER_DEG_LON_EQ * Math.cos(maxAbsLat * DEG));
  const w = Math.max(-180, box.minLon - dLon);
  const e = Math.min(180, box.maxLon + dLon);
  const s = Math.max(-89.999, box.minLat - dLat);
  const n = Math.min(89.999, box.maxLat + dLat);
  const corners = [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
  const ring: number[][] = [];
  for (let k = 0; k < 4; k++) {
    const a = corners[k] as number[];
    const b = corners[k + 1] as number[];
    for (let j = 0; j < 32; j++) {
      const t = j / 32;
      ring.push([
        (a[0] as number) + ((b[0] as number) - (a[0] as number)) * t,
        (a[1] as number) + ((b[1] as number) - (a[1] as number)) * t,
      ]);
    }
  }
  ring.push([w, s]);
  return ring;
}

/**
 * The H3 cells of a resolution whose centres lie inside a zone (straight lon/lat edges, even-odd
 * rule): the same set as h3-js `polygonToCells`, found faster for zones with many vertices.
 * The coarser cells over the zone's box are kept when the box of their descendants' centres
 * touches an edge of the zone or when their centre is inside it (a box no edge touches lies
 * wholly inside or wholly outside); their children's centres are tested against the prepared
 * zone.
 */
export function zoneCells(zone: Polygon | MultiPolygon, resolution: number): ZoneCells {
  const polygons = polygonsOf(zone);
  const prepared = preparePlanarPolygon(polygons);
  const nearEdge = edgeGrid(prepared);
  const box = prepared.bbox;
  const boxAreaM2 =
    (box.maxLat - box.minLat) * M_PER_DEG_LAT_MIN * (box.maxLon - box.minLon) * M_PER_DEG_LON_EQ;
  let coarse = Math.max(0, resolution - 2);
  while (coarse > 0 && expectedCellCount(boxAreaM2, coarse) > MAX_COARSE_CELLS) coarse--;
  const seeds = polygonToCellsExperimental(
    [grownBoxRing(box, 3 * getHexagonEdgeLengthAvg(coarse, 'm'))],
    coarse,
    POLYGON_TO_CELLS_FLAGS.containmentOverlapping,
    true,
  );
  const cells: string[] = [];
  const lon: number[] = [];
  const lat: number[] = [];
  for (const parent of seeds) {
    const [pla, plo] = cellToLatLng(parent);
    if (!prepared.contains(plo, pla) && !nearEdge(descendantBox(parent))) continue;
    for (const child of cellToChildren(parent, resolution)) {
      const [la, lo] = cellToLatLng(child);
      if (prepared.contains(lo, la)) {
        cells.push(child);
        lon.push(lo);
        lat.push(la);
      }
    }
  }
  return { resolution, cells, lon: Float64Array.from(lon), lat: Float64Array.from(lat) };
}
