import { cellsToMultiPolygon } from 'h3-js';
import type { MultiPolygon, Polygon } from 'geojson';
import { toEcef } from '../geo/index.js';
import { footprintTest, shapeTests } from './cover-tests.js';
import type { CoverTest } from './cover-tests.js';
import { clipIntervals, totalDurationMs } from './intervals.js';
import type { Interval } from './intervals.js';
import { orientPolygon } from './polygon-union.js';
import { coverageShape } from './shapes.js';
import type { CoverageSensor } from './shapes.js';
import {
  DEFAULT_MAX_CELLS,
  DEFAULT_TARGET_CELLS,
  approximateAreaM2,
  chooseCoverageResolution,
  expectedCellCount,
  zoneCells,
} from './zone-cells.js';
import type { ZoneCells } from './zone-cells.js';

/** A sensor and when it was up. */
export interface SensorUptime {
  /** The sensor (its kind, position, route, range or passes decide what it covers). */
  readonly sensor: CoverageSensor;
  /**
   * Intervals `[fromMs, toMs)` during which the sensor was up (e.g. from `uptimeFromActivity`);
   * they may overlap and reach outside the query window. Ignored for satellites, whose passes
   * say when they imaged.
   */
  readonly up: readonly Interval[];
}

/** A coverage query: a zone, the sensors, a time window. */
export interface ZoneCoverageQuery {
  /** The zone's display geometry (straight lon/lat edges, as GeoJSON). */
  readonly zone: Polygon | MultiPolygon;
  /** The sensors that may cover it. */
  readonly sensors: readonly SensorUptime[];
  /** Start of the window, ms since the epoch (inclusive). */
  readonly fromMs: number;
  /** End of the window, ms since the epoch (exclusive). */
  readonly toMs: number;
  /** H3 resolution (0-15); chosen from the zone's area when absent. */
  readonly resolution?: number;
  /** Cells aimed at when the resolution is chosen (default DEFAULT_TARGET_CELLS). */
  readonly targetCells?: number;
  /** Most cells evaluated; a coarser resolution is taken above it (default DEFAULT_MAX_CELLS). */
  readonly maxCells?: number;
  /**
   * How long a satellite image counts as observing what it shows, ms (default 0: a pass makes a
   * cell observed but adds no observed time).
   */
  readonly imageValidityMs?: number;
  /** Whether to return every cell with its observed share of the window (for heat maps). */
  readonly includeCells?: boolean;
}

/** One sensor's part in the coverage of a zone. */
export interface SensorCoverageShare {
  /** The sensor. */
  readonly sensorId: string;
  /** Cells of the zone the sensor observed at least once in the window. */
  readonly observedCells: number;
  /** Share of the zone's cells the sensor observed at least once in the window, 0-1. */
  readonly areaFraction: number;
  /** Mean over the zone's cells of the share of the window the sensor observed them, 0-1. */
  readonly timeFraction: number;
}

/** One cell of the zone and how much of the window it was observed. */
export interface CellCoverage {
  /** H3 cell id. */
  readonly cell: string;
  /** Whether any sensor observed it in the window. */
  readonly observed: boolean;
  /** Share of the window during which at least one sensor observed it, 0-1. */
  readonly timeFraction: number;
}

/** What part of a zone the sensors observed in a window, and where they did not. */
export interface ZoneCoverage {
  /** H3 resolution of the cells. */
  readonly resolution: number;
  /** Cells whose centres lie in the zone. */
  readonly totalCells: number;
  /** Cells observed at least once in the window. */
  readonly observedCells: number;
  /** observedCells / totalCells (0 for a zone without cells). */
  readonly areaFraction: number;
  /** Mean over the cells of the share of the window during which some sensor observed them. */
  readonly timeFraction: number;
  /** The cells never observed in the window, merged into polygons (RFC 7946 orientation). */
  readonly blindSpots: MultiPolygon;
  /** Each sensor's part, in the order given. */
  readonly bySensor: readonly SensorCoverageShare[];
  /** Every cell, when `includeCells` was asked for. */
  readonly cells?: readonly CellCoverage[];
}

/** Something that observed: a sensor's geometry over its up-time, or one satellite pass. */
interface Source {
  sensor: number;
  tests: CoverTest[];
  intervals: [number, number][];
  durationMs: number;
}

/** Cells bucketed in a lon/lat grid, for box queries. */
interface CellGrid {
  query(test: CoverTest, visit: (cell: number) => void): void;
}

function cellGrid(zc: ZoneCells, ecef: Float64Array): CellGrid {
  const n = zc.cells.length;
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (let i = 0; i < n; i++) {
    minLon = Math.min(minLon, zc.lon[i] as number);
    maxLon = Math.max(maxLon, zc.lon[i] as number);
    minLat = Math.min(minLat, zc.lat[i] as number);
    maxLat = Math.max(maxLat, zc.lat[i] as number);
  }
  const g = Math.max(1, Math.ceil(Math.sqrt(n / 8)));
  const w = (maxLon - minLon) / g || 1;
  const h = (maxLat - minLat) / g || 1;
  const col = (x: number) => Math.min(g - 1, Math.max(0, Math.floor((x - minLon) / w)));
  const row = (y: number) => Math.min(g - 1, Math.max(0, Math.floor((y - minLat) / h)));
  // Compressed rows: the cells of bucket b are order[start[b] .. start[b + 1]).
  const start = new Int32Array(g * g + 1);
  const bucket = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = row(zc.lat[i] as number) * g + col(zc.lon[i] as number);
    bucket[i] = b;
    start[b + 1] = (start[b + 1] as number) + 1;
  }
  for (let b = 0; b < g * g; b++) start[b + 1] = (start[b + 1] as number) + (start[b] as number);
  const fill = start.slice(0, g * g);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bucket[i] as number;
    order[fill[b] as number] = i;
    fill[b] = (fill[b] as number) + 1;
  }
  return {
    query(test, visit) {
      const box = test.bbox;
      if (box.maxLon < minLon || box.minLon > maxLon || box.maxLat < minLat || box.minLat > maxLat)
        return;
      for (let r = row(box.minLat); r <= row(box.maxLat); r++) {
        for (let c = col(box.minLon); c <= col(box.maxLon); c++) {
          const b = r * g + c;
          for (let k = start[b] as number; k < (start[b + 1] as number); k++) {
            const i = order[k] as number;
            const lon = zc.lon[i] as number;
            const lat = zc.lat[i] as number;
            if (lon < box.minLon || lon > box.maxLon || lat < box.minLat || lat > box.maxLat)
              continue;
            if (test.covers(lon, lat, ecef, i * 3)) visit(i);
          }
        }
      }
    },
  };
}

/** The sources of each sensor: its geometry over its up-time, or each satellite pass. */
function sourcesOf(query: ZoneCoverageQuery): Source[] {
  const { fromMs, toMs } = query;
  const validity = query.imageValidityMs ?? 0;
  const sources: Source[] = [];
  query.sensors.forEach(({ sensor, up }, index) => {
    const shape = coverageShape(sensor);
    if (!shape) return;
    if (shape.type === 'passes') {
      for (const pass of shape.passes) {
        if (pass.atMs < fromMs || pass.atMs >= toMs) continue;
        const end = Math.min(toMs, pass.atMs + validity);
        sources.push({
          sensor: index,
          tests: [footprintTest(pass.ring)],
          intervals: end > pass.atMs ? [[pass.atMs, end]] : [],
          durationMs: Math.max(0, end - pass.atMs),
        });
      }
      return;
    }
    const intervals = clipIntervals(up, fromMs, toMs);
    if (intervals.length === 0) return;
    sources.push({
      sensor: index,
      tests: shapeTests(shape),
      intervals,
      durationMs: totalDurationMs(intervals),
    });
  });
  return sources;
}

/** Total length of the union of the intervals of some sources. */
function unionDurationMs(
  sources: readonly Source[],
  ids: readonly number[],
  from: number,
  to: number,
): number {
  if (to - from === 1) return (sources[ids[from] as number] as Source).durationMs;
  const list: [number, number][] = [];
  for (let k = from; k < to; k++) list.push(...(sources[ids[k] as number] as Source).intervals);
  list.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of list) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

function resolveCells(query: ZoneCoverageQuery): ZoneCells {
  const maxCells = query.maxCells ?? DEFAULT_MAX_CELLS;
  const auto = query.resolution === undefined;
  let res = auto
    ? chooseCoverageResolution(query.zone, query.targetCells ?? DEFAULT_TARGET_CELLS)
    : Math.min(15, Math.max(0, Math.round(query.resolution as number)));
  const area = approximateAreaM2(query.zone);
  while (res > 0 && expectedCellCount(area, res) > 2 * maxCells) res--;
  let zc = zoneCells(query.zone, res);
  while (res > 0 && zc.cells.length > maxCells) zc = zoneCells(query.zone, --res);
  // A zone narrower than the chosen cells: refine while it holds no cell centre.
  while (auto && zc.cells.length === 0 && res < 15 && expectedCellCount(area, res + 1) <= maxCells)
    zc = zoneCells(query.zone, ++res);
  return zc;
}

/**
 * What fraction of a zone its sensors observed in the window `[fromMs, toMs)`, when, and where
 * they did not, on the zone's H3 cells (those whose centres lie in the zone; the resolution is
 * chosen from the zone's area for at most `targetCells` cells, and made coarser above `maxCells`).
 *
 * A cell is observed at an instant when its centre lies in the coverage of a sensor up at that
 * instant: camera, radar and acoustic sensors cover their geodesic disk, UAVs and patrols
 * their whole swath along the route (the route is not timed: a UAV up is taken to observe its
 * whole swath), each during its `up` intervals. A satellite pass in the window makes the cells
 * of its footprint observed, for `imageValidityMs` after the pass (zero by default: observed,
 * but for no measurable time). Disks and swaths are tested exactly by geodesic distance,
 * footprints as straight-edged lon/lat polygons.
 *
 * `areaFraction` is the share of cells observed at least once; `timeFraction` the mean over
 * cells of the share of the window during which at least one sensor observed them (the
 * up-intervals of the sensors covering a cell merged); `blindSpots` the never-observed cells as
 * polygons, so blind and observed cells add up to all cells. Throws a RangeError for an empty
 * or non-finite window.
 */
export function coverageOfZone(query: ZoneCoverageQuery): ZoneCoverage {
  const { fromMs, toMs } = query;
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || !(toMs > fromMs)) {
    throw new RangeError('the window must be finite with fromMs < toMs');
  }
  const zc = resolveCells(query);
  const n = zc.cells.length;
  const ecef = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) toEcef(zc.lon[i] as number, zc.lat[i] as number, ecef, i * 3);
  const grid = cellGrid(zc, ecef);
  const sources = sourcesOf(query);

  // For each cell, the sources observing it, in source order (so grouped by sensor).
  const cellSources: (number[] | undefined)[] = new Array(n);
  const sourceMark = new Int32Array(n).fill(-1);
  const sensorMark = new Int32Array(n).fill(-1);
  const sensorCells = new Array<number>(query.sensors.length).fill(0);
  sources.forEach((source, s) => {
    const visit = (i: number) => {
      if (sourceMark[i] === s) return;
      sourceMark[i] = s;
      (cellSources[i] ??= []).push(s);
      if (sensorMark[i] !== source.sensor) {
        sensorMark[i] = source.sensor;
        sensorCells[source.sensor] = (sensorCells[source.sensor] as number) + 1;
      }
    };
    for (const test of source.tests) grid.query(test, visit);
  });

  const windowMs = toMs - fromMs;
  const sensorTime = new Array<number>(query.sensors.length).fill(0);
  const blind: string[] = [];
  const cells: CellCoverage[] = [];
  let observed = 0;
  let timeSum = 0;
  for (let i = 0; i < n; i++) {
    const ids = cellSources[i];
    let cellTime = 0;
    if (ids) {
      observed++;
      cellTime = unionDurationMs(sources, ids, 0, ids.length) / windowMs;
      timeSum += cellTime;
      // Runs of the same sensor.
      for (let a = 0; a < ids.length;) {
        const sensor = (sources[ids[a] as number] as Source).sensor;
        let b = a + 1;
        while (b < ids.length && (sources[ids[b] as number] as Source).sensor === sensor) b++;
        sensorTime[sensor] = (sensorTime[sensor] as number) + unionDurationMs(sources, ids, a, b);
        a = b;
      }
    } else {
      blind.push(zc.cells[i] as string);
    }
    if (query.includeCells) {
      cells.push({
        cell: zc.cells[i] as string,
        observed: ids !== undefined,
        timeFraction: cellTime,
      });
    }
  }

  const blindSpots: MultiPolygon = {
    type: 'MultiPolygon',
    coordinates: blind.length > 0 ? cellsToMultiPolygon(blind, true).map(orientPolygon) : [],
  };
  return {
    resolution: zc.resolution,
    totalCells: n,
    observedCells: observed,
    areaFraction: n > 0 ? observed / n : 0,
    timeFraction: n > 0 ? timeSum / n : 0,
    blindSpots,
    bySensor: query.sensors.map(({ sensor }, k) => ({
      sensorId: sensor.id,
      observedCells: sensorCells[k] as number,
      areaFraction: n > 0 ? (sensorCells[k] as number) / n : 0,
      timeFraction: n > 0 ? (sensorTime[k] as number) / windowMs / n : 0,
    })),
    ...(query.includeCells ? { cells } : {}),
  };
}
