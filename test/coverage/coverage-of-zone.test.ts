import type { MultiPolygon, Polygon, Position } from 'geojson';
import { cellToLatLng, polygonToCells } from 'h3-js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  coverageOfZone,
  sensorCoverage,
  uptimeFromActivity,
  zoneCells,
} from '../../src/core/coverage/index.js';
import type { CoverageSensor, SensorUptime } from '../../src/core/coverage/index.js';
import {
  geodesicDirect,
  geodesicDistanceM,
  preparePlanarPolygon,
} from '../../src/core/geo/index.js';
import type { PlanarPolygon } from '../../src/core/geo/index.js';
import { zoneDisplayGeometry } from '../../src/core/zones/index.js';
import type { ZoneSet } from '../../src/core/zones/index.js';
import { loadZoneSet, mulberry32 } from '../support/demo.js';

const FROM = Date.parse('2026-01-01T00:00:00Z');
const HOUR = 3_600_000;
const TO = FROM + 24 * HOUR;
const ALL_DAY: [number, number][] = [[FROM, TO]];
const DEG = Math.PI / 180;

let zs: ZoneSet;
let dmz: Polygon | MultiPolygon;
let prepared: PlanarPolygon;

beforeAll(() => {
  zs = loadZoneSet();
  const zone = zs.zones.find((z) => z.id === 'dmz')!;
  dmz = zoneDisplayGeometry(zs, zone)!;
  prepared = preparePlanarPolygon(dmz.type === 'Polygon' ? [dmz.coordinates] : dmz.coordinates);
});

/** A point `alongM` metres along the demo line of contact, moved `offsetM` to its right. */
function onLine(alongM: number, offsetM = 0): { lon: number; lat: number } {
  const p = zs.lines[0]!.metric.pointAt(alongM);
  if (offsetM === 0) return { lon: p.lon, lat: p.lat };
  const q = geodesicDirect(p.lon, p.lat, p.azimuthDeg + 90, offsetM);
  return { lon: q.lon, lat: q.lat };
}

function camera(id: string, at: { lon: number; lat: number }, rangeM: number): CoverageSensor {
  return { id, kind: 'camera', position: at, rangeM };
}

/** Uniform random points of the zone (by area), from its bounding box by rejection. */
function randomZonePoints(n: number, seed: number): [number, number][] {
  const rnd = mulberry32(seed);
  const { minLon, maxLon, minLat, maxLat } = prepared.bbox;
  const s0 = Math.sin(minLat * DEG);
  const s1 = Math.sin(maxLat * DEG);
  const out: [number, number][] = [];
  while (out.length < n) {
    const lon = minLon + rnd() * (maxLon - minLon);
    const lat = Math.asin(s0 + rnd() * (s1 - s0)) / DEG;
    if (prepared.contains(lon, lat)) out.push([lon, lat]);
  }
  return out;
}

describe('coverageOfZone on the demo dmz', () => {
  it('matches a Monte Carlo estimate of the observed area', () => {
    const length = zs.lines[0]!.metric.lengthM;
    const cams = [0.05, 0.18, 0.2, 0.37, 0.5, 0.66, 0.9].map((f, i) =>
      camera(`cam-${i}`, onLine(f * length, (i % 3) * 8_000 - 8_000), 12_000 + 2_000 * i),
    );
    const started = performance.now();
    const result = coverageOfZone({
      zone: dmz,
      sensors: cams.map((sensor) => ({ sensor, up: ALL_DAY })),
      fromMs: FROM,
      toMs: TO,
    });
    const elapsedMs = performance.now() - started;
    console.info(
      `coverage of dmz: ${result.totalCells} cells at res ${result.resolution} in ${elapsedMs.toFixed(0)} ms`,
    );
    expect(result.resolution).toBe(7);

    const points = randomZonePoints(20_000, 11);
    // Which camera sees which point, by geodesic distance (a latitude gap alone rules out most).
    const sees = cams.map((c) =>
      points.map(
        ([lon, lat]) =>
          Math.abs(lat - c.position!.lat) * 110_574 <= c.rangeM! &&
          geodesicDistanceM(c.position!.lon, c.position!.lat, lon, lat) <= c.rangeM!,
      ),
    );
    const p = points.filter((_, j) => sees.some((row) => row[j])).length / points.length;
    const se = Math.sqrt((p * (1 - p)) / points.length);
    console.info(
      `areaFraction ${result.areaFraction.toFixed(4)}, Monte Carlo ${p.toFixed(4)} +- ${se.toFixed(4)}`,
    );
    // Sampling error of the estimate, plus the ~5 km2 cells along the disks' edges.
    expect(Math.abs(result.areaFraction - p)).toBeLessThan(3 * se + 0.005);
    expect(result.timeFraction).toBeCloseTo(result.areaFraction, 12);
    expect(p).toBeGreaterThan(0.1);

    // Each sensor's share, against its own Monte Carlo estimate.
    for (const [k, c] of cams.entries()) {
      const own = sees[k]!.filter(Boolean).length / points.length;
      expect(Math.abs(result.bySensor[k]!.areaFraction - own)).toBeLessThan(0.006);
      expect(result.bySensor[k]!.sensorId).toBe(c.id);
    }
  });

  it('has blind spots that are exactly the cells never observed', () => {
    const cams = [0.1, 0.4, 0.7].map((f, i) =>
      camera(`cam-${i}`, onLine(f * zs.lines[0]!.metric.lengthM), 15_000),
    );
    const result = coverageOfZone({
      zone: dmz,
      sensors: cams.map((sensor) => ({ sensor, up: ALL_DAY })),
      fromMs: FROM,
      toMs: TO,
      includeCells: true,
    });
    const cells = result.cells!;
    expect(cells).toHaveLength(result.totalCells);
    const blind = new Set(cells.filter((c) => !c.observed).map((c) => c.cell));
    expect(result.observedCells + blind.size).toBe(result.totalCells);
    expect(result.observedCells).toBe(cells.filter((c) => c.observed).length);

    // The blind-spot polygons hold the centres of the blind cells and of no other cell.
    const fromPolygons = new Set(zoneCells(result.blindSpots, result.resolution).cells);
    // (zoneCells finds the same cells as h3 polygonToCells; spot-check one polygon with it.)
    const small = result.blindSpots.coordinates.reduce((a, b) =>
      a[0]!.length < b[0]!.length ? a : b,
    );
    for (const cell of polygonToCells(small, result.resolution, true)) {
      expect(blind.has(cell)).toBe(true);
    }
    expect(fromPolygons).toEqual(blind);
    for (const polygon of result.blindSpots.coordinates) {
      polygon.forEach((ring, i) => expect(signedArea2(ring) > 0).toBe(i === 0));
    }
  });

  it('halves the observed time of the cells only a half-down sensor covers', () => {
    const a = camera('a', onLine(100_000), 10_000);
    const b = camera('b', onLine(400_000), 10_000);
    // b reports every 10 minutes for the first 6 h and from 12 h to 18 h, then is silent.
    const reports: number[] = [];
    for (let t = FROM; t < FROM + 6 * HOUR; t += 600_000) reports.push(t);
    for (let t = FROM + 12 * HOUR; t < FROM + 18 * HOUR; t += 600_000) reports.push(t);
    const bUp = uptimeFromActivity(reports, 600_000, FROM, TO);
    expect(bUp).toEqual([
      [FROM, FROM + 6 * HOUR],
      [FROM + 12 * HOUR, FROM + 18 * HOUR],
    ]);
    const sensors: SensorUptime[] = [
      { sensor: a, up: ALL_DAY },
      { sensor: b, up: bUp },
    ];
    const result = coverageOfZone({
      zone: dmz,
      sensors,
      fromMs: FROM,
      toMs: TO,
      includeCells: true,
    });
    const [shareA, shareB] = result.bySensor;
    expect(shareA!.observedCells).toBeGreaterThan(20);
    expect(shareB!.observedCells).toBeGreaterThan(20);
    expect(shareA!.timeFraction).toBeCloseTo(shareA!.areaFraction, 12);
    expect(shareB!.timeFraction).toBeCloseTo(shareB!.areaFraction / 2, 12);
    const observed = result.cells!.filter((c) => c.observed);
    expect(observed.filter((c) => c.timeFraction === 1)).toHaveLength(shareA!.observedCells);
    expect(observed.filter((c) => c.timeFraction === 0.5)).toHaveLength(shareB!.observedCells);
    expect(result.timeFraction).toBeCloseTo(shareA!.areaFraction + shareB!.areaFraction / 2, 12);
  });

  it('merges the overlapping up-times of sensors that cover the same cells', () => {
    const at = onLine(250_000);
    const sensors: SensorUptime[] = [
      { sensor: camera('early', at, 8_000), up: [[FROM, FROM + 12 * HOUR]] },
      { sensor: camera('late', at, 8_000), up: [[FROM + 6 * HOUR, FROM + 18 * HOUR]] },
    ];
    const result = coverageOfZone({
      zone: dmz,
      sensors,
      fromMs: FROM,
      toMs: TO,
      includeCells: true,
    });
    const observed = result.cells!.filter((c) => c.observed);
    expect(observed.length).toBeGreaterThan(10);
    for (const c of observed) expect(c.timeFraction).toBeCloseTo(0.75, 12);
    expect(result.bySensor[0]!.timeFraction).toBeCloseTo(result.areaFraction / 2, 12);
    expect(result.timeFraction).toBeCloseTo(0.75 * result.areaFraction, 12);
  });

  it('counts a sensor only while it is up in the window', () => {
    const c = camera('c', onLine(300_000), 10_000);
    const outside = coverageOfZone({
      zone: dmz,
      sensors: [{ sensor: c, up: [[FROM - 2 * HOUR, FROM]] }],
      fromMs: FROM,
      toMs: TO,
    });
    expect(outside.observedCells).toBe(0);
    expect(outside.areaFraction).toBe(0);
    expect(outside.blindSpots.coordinates.length).toBeGreaterThan(0);
    expect(() => coverageOfZone({ zone: dmz, sensors: [], fromMs: TO, toMs: FROM })).toThrow(
      RangeError,
    );
  });

  it('observes a UAV swath where its polygon is, away from the outline', () => {
    const route = [0.3, 0.32, 0.35, 0.4].map((f, i) =>
      Object.values(onLine(f * zs.lines[0]!.metric.lengthM, i % 2 === 0 ? -6_000 : 6_000)),
    );
    const uav: CoverageSensor = { id: 'uav', kind: 'uav', route, rangeM: 2_500 };
    // The zone here: the box around the route, at resolution 9 (about 0.1 km2 a cell).
    const lons = route.map((p) => p[0]!);
    const lats = route.map((p) => p[1]!);
    const [w, e, s, n] = [
      Math.min(...lons) - 0.1,
      Math.max(...lons) + 0.1,
      Math.min(...lats) - 0.1,
      Math.max(...lats) + 0.1,
    ];
    const box: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [w, s],
          [e, s],
          [e, n],
          [w, n],
          [w, s],
        ],
      ],
    };
    const result = coverageOfZone({
      zone: box,
      sensors: [{ sensor: uav, up: [[FROM, FROM + HOUR]] }],
      fromMs: FROM,
      toMs: TO,
      resolution: 9,
      includeCells: true,
    });
    expect(result.resolution).toBe(9);
    const swath = sensorCoverage(uav)!;
    const inSwath = preparePlanarPolygon(
      swath.type === 'Polygon' ? [swath.coordinates] : swath.coordinates,
    );
    const near = inSwath.bbox;
    let checked = 0;
    for (const cell of result.cells!) {
      const [lat, lon] = cellToLatLng(cell.cell);
      if (lon < near.minLon || lon > near.maxLon || lat < near.minLat || lat > near.maxLat) {
        expect(cell.observed).toBe(false);
        continue;
      }
      if (inSwath.boundaryLowerBoundM(lon, lat) < 10) continue;
      expect(cell.observed).toBe(inSwath.contains(lon, lat));
      if (cell.observed) {
        expect(cell.timeFraction).toBeCloseTo(1 / 24, 12);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1_000);
  });

  it('counts satellite passes in the window, for no time unless images stay valid', () => {
    const c = onLine(500_000);
    const footprint: Position[] = [0, 90, 180, 270, 0].map((az) => {
      const p = geodesicDirect(c.lon, c.lat, 45 - az, 15_000);
      return [p.lon, p.lat];
    });
    const satellite: CoverageSensor = {
      id: 'sat',
      kind: 'satellite',
      passes: [
        { at: new Date(FROM + 6 * HOUR).toISOString(), footprint },
        {
          at: new Date(TO + HOUR).toISOString(),
          footprint: footprint.map(([x, y]) => [x! + 1, y!]),
        },
      ],
    };
    const query = { zone: dmz, sensors: [{ sensor: satellite, up: [] }], fromMs: FROM, toMs: TO };
    const plain = coverageOfZone(query);
    expect(plain.observedCells).toBeGreaterThan(10);
    expect(plain.timeFraction).toBe(0);
    const valid = coverageOfZone({ ...query, imageValidityMs: 12 * HOUR });
    expect(valid.observedCells).toBe(plain.observedCells);
    expect(valid.timeFraction).toBeCloseTo(plain.areaFraction / 2, 12);
    // Only the first pass falls in the window: its footprint is a 21 km square, about 450 km2.
    const km2 = (plain.observedCells * 5.16e6) / 1e6;
    expect(km2).toBeGreaterThan(350);
    expect(km2).toBeLessThan(550);
  });

  it('takes a coarser resolution above the cell cap', () => {
    const result = coverageOfZone({
      zone: dmz,
      sensors: [],
      fromMs: FROM,
      toMs: TO,
      resolution: 8,
      maxCells: 10_000,
    });
    expect(result.resolution).toBe(7);
    expect(result.totalCells).toBeLessThanOrEqual(10_000);
    expect(result.areaFraction).toBe(0);
    expect(result.blindSpots.coordinates.length).toBeGreaterThan(0);
  });
});

function signedArea2(ring: Position[]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  }
  return a;
}
