import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import {
  approximateAreaM2,
  cellsOutline,
  clipIntervals,
  coverageOfZone,
  coverageShape,
  totalDurationMs,
} from '../core/coverage/index.js';
import type { Interval, SensorUptime, ZoneCoverage } from '../core/coverage/index.js';
import type { ErrorCode } from '../core/errors/index.js';
import type { Sensor } from '../core/observations/index.js';
import { zoneDisplayGeometry } from '../core/zones/index.js';
import type { AccessPolicy, Principal } from './access.js';
import type { Clock, Storage } from './ports.js';
import type { ReferenceData } from './reference-data.js';
import { fail, ok } from './result.js';
import type { Result } from './result.js';

/** Longest window a coverage query may ask for, ms (31 days). */
export const MAX_COVERAGE_WINDOW_MS = 31 * 86_400_000;

/**
 * How long one report of a sensor without a heartbeat interval (a UAV or patrol that reports
 * only what it sees) counts as the sensor being up, ms.
 */
export const UNSCHEDULED_REPORT_VALIDITY_MS = 15 * 60_000;

/** A coverage query: a zone and a window of event time. */
export interface CoverageQuery {
  /** The zone (its geometry in force at `fromMs` is used for the whole window). */
  readonly zoneId: string;
  /** Start of the window, Unix ms (inclusive). */
  readonly fromMs: number;
  /** End of the window, Unix ms (exclusive). */
  readonly toMs: number;
  /** H3 resolution 0-15; chosen from the zone's area when absent. */
  readonly resolution?: number;
}

/** One sensor's part in the coverage of the zone. */
export interface SensorCoverageReport {
  /** The sensor. */
  readonly sensorId: string;
  /** Its kind. */
  readonly kind: Sensor['kind'];
  /**
   * How long each report counted as the sensor being up, ms: its heartbeat interval, or
   * UNSCHEDULED_REPORT_VALIDITY_MS without one; null for satellites (their passes count).
   */
  readonly reportValidityMs: number | null;
  /** Share of the window during which it was up, 0-1; null for satellites. */
  readonly upFraction: number | null;
  /** For satellites, its passes in the window. */
  readonly passes?: number;
  /** Share of the zone's cells in its coverage, whether it was up or not, 0-1. */
  readonly inRangeFraction: number;
  /** Share of the zone's cells it observed at least once in the window, 0-1. */
  readonly areaFraction: number;
  /** Mean over the zone's cells of the share of the window it observed them, 0-1. */
  readonly timeFraction: number;
}

/** What part of a zone was observed in a window, and where it was not. */
export interface CoverageReport {
  /** The zone. */
  readonly zoneId: string;
  /** Version of the zone spec whose geometry was used. */
  readonly zoneSpecVersion: number;
  /** Start of the window, Unix ms. */
  readonly fromMs: number;
  /** End of the window evaluated, Unix ms: the query's, or the server clock if earlier. */
  readonly toMs: number;
  /** H3 resolution of the cells. */
  readonly resolution: number;
  /** Cells whose centres lie in the zone. */
  readonly totalCells: number;
  /** Cells some sensor observed at least once in the window. */
  readonly observedCells: number;
  /** observedCells / totalCells. */
  readonly areaFraction: number;
  /** Mean over the cells of the share of the window during which some sensor observed them. */
  readonly timeFraction: number;
  /** Share of the cells within the coverage of some registered sensor, up or not. */
  readonly inRangeFraction: number;
  /**
   * The cells never observed in the window, merged into polygons, one feature each, largest
   * first, with `cause` `no-sensor` (no registered sensor covers it) or `sensor-silent` (sensors
   * cover it, but none reported during the window).
   */
  readonly blindSpots: FeatureCollection<Polygon>;
  /** The sensors whose coverage reaches the zone, by id. */
  readonly sensors: readonly SensorCoverageReport[];
}

/** Ports and state of the coverage query. */
export interface QueryCoverageDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly policy: AccessPolicy;
  readonly reference: ReferenceData;
}

/** A sensor of the query with what its kind needs. */
interface Candidate {
  readonly sensor: Sensor;
  /** Report validity, ms; undefined for satellites. */
  readonly validityMs?: number;
  /** Up intervals clipped to the window (satellites: none). */
  up: [number, number][];
}

const GEOMETRY_CACHE_SIZE = 64;

const invalid = <T>(path: string, code: ErrorCode, message: string): Result<T> =>
  fail<T>('INVALID_INPUT', message, [{ path, code, message }]);

/** The parameters' faults, if any. */
function checkQuery(q: CoverageQuery): Result<never> | undefined {
  if (!Number.isFinite(q.fromMs)) return invalid('/from', 'INVALID_TIME', 'from is not a time');
  if (!Number.isFinite(q.toMs)) return invalid('/to', 'INVALID_TIME', 'to is not a time');
  if (!(q.toMs > q.fromMs)) {
    return invalid('/to', 'INVALID_INTERVAL', 'to must be after from');
  }
  if (q.toMs - q.fromMs > MAX_COVERAGE_WINDOW_MS) {
    return invalid('/to', 'TOO_LARGE', 'the window may be at most 31 days long');
  }
  const r = q.resolution;
  if (r !== undefined && !(Number.isInteger(r) && r >= 0 && r <= 15)) {
    return invalid('/resolution', 'INVALID_INPUT', 'resolution must be an integer 0 to 15');
  }
  return undefined;
}

/** The never-observed cells as one feature per polygon, largest first. */
function blindSpotFeatures(
  parts: readonly { cause: 'no-sensor' | 'sensor-silent'; outline: MultiPolygon }[],
  label: Record<string, unknown>,
): Feature<Polygon>[] {
  const features: Feature<Polygon>[] = [];
  for (const { cause, outline } of parts) {
    for (const coordinates of outline.coordinates) {
      const geometry: Polygon = { type: 'Polygon', coordinates };
      const areaKm2 = Math.round(approximateAreaM2(geometry) / 1e4) / 100;
      features.push({ type: 'Feature', properties: { ...label, cause, areaKm2 }, geometry });
    }
  }
  return features.sort(
    (a, b) => (b.properties?.areaKm2 as number) - (a.properties?.areaKm2 as number),
  );
}

/**
 * The coverage query (S3): for a zone and a window of event time, what share of the zone the
 * sensors observed, for how much of the window, where they did not (blind spots, told apart by
 * cause), and each sensor's part.
 *
 * A sensor is up from each of its reports (an observation of any kind, a heartbeat included)
 * until its heartbeat interval after it (UNSCHEDULED_REPORT_VALIDITY_MS when it has none); while
 * up it observes all of its coverage (camera, radar and acoustic: a disk of `rangeM` around its
 * position; UAV and patrol: a swath along its route; see `coverageShape`). A satellite observes
 * its pass footprints at the pass times, which adds to the area observed but no time. The
 * sensors are those registered now, with their registered geometry, and the zone's geometry is
 * the one in force at `fromMs`. The window may be at most 31 days; it ends at the server clock
 * at the latest.
 */
export function createQueryCoverage(deps: QueryCoverageDeps) {
  const { storage, policy, reference } = deps;
  const geometryCache = new Map<string, Polygon | MultiPolygon | null>();

  /** The zone's display geometry at an instant, or the failure. */
  function zoneGeometry(
    zoneId: string,
    atMs: number,
  ): Result<{ geometry: Polygon | MultiPolygon | null; version: number; notional: boolean }> {
    const zones = reference.zones();
    if (!zones) return fail('NOT_FOUND', 'no zone spec loaded');
    if (!zones.zoneKinds.has(zoneId)) return fail('NOT_FOUND', `no zone '${zoneId}'`);
    const at = zones.model.at(atMs);
    if (!at.ok) return fail('INVALID_INPUT', 'the zones do not build at that time', at.errors);
    const zone = at.zoneSet.zones.find((z) => z.id === zoneId);
    if (!zone) {
      const when = new Date(atMs).toISOString();
      return fail('NOT_FOUND', `zone '${zoneId}' is not in force at ${when}`);
    }
    const interval = zones.model.changes.filter((t) => t <= atMs).length;
    const key = `${zones.version}:${interval}:${zoneId}`;
    let geometry = geometryCache.get(key);
    if (geometry === undefined) {
      geometry = zoneDisplayGeometry(at.zoneSet, zone);
      if (geometryCache.size >= GEOMETRY_CACHE_SIZE) geometryCache.clear();
      geometryCache.set(key, geometry);
    }
    return ok({ geometry, version: zones.version, notional: zones.spec.notional === true });
  }

  /** The sensors that may cover something, with their up-time in the window. */
  async function candidates(
    principal: Principal,
    fromMs: number,
    toMs: number,
  ): Promise<Candidate[]> {
    const list: Candidate[] = [];
    for (const sensor of policy.visible(principal, 'sensor', reference.sensors())) {
      if (!coverageShape(sensor)) continue;
      if (sensor.kind === 'satellite') list.push({ sensor, up: [] });
      else {
        const validityMs =
          sensor.heartbeatIntervalS !== undefined
            ? sensor.heartbeatIntervalS * 1000
            : UNSCHEDULED_REPORT_VALIDITY_MS;
        list.push({ sensor, validityMs, up: [] });
      }
    }
    const scheduled = list.filter((c) => c.validityMs !== undefined);
    const entry = (c: Candidate) => ({ sensorId: c.sensor.id, maxGapMs: c.validityMs as number });
    // Reports before the window count as far as they reach into it: for the sensors of each
    // report validity, the reports that long before the window.
    const byValidity = new Map<number, Candidate[]>();
    for (const c of scheduled) {
      const group = byValidity.get(c.validityMs as number);
      if (group) group.push(c);
      else byValidity.set(c.validityMs as number, [c]);
    }
    const reads = [...byValidity].map(([validityMs, group]) => ({
      fromMs: fromMs - validityMs,
      toMs: fromMs,
      sensors: group.map(entry),
    }));
    if (scheduled.length > 0) reads.push({ fromMs, toMs, sensors: scheduled.map(entry) });
    // Each report keeps the sensor up for its validity: a run [first, last] for last + validity.
    const reach = new Map(scheduled.map((c) => [c.sensor.id, { c, up: [] as Interval[] }]));
    for (const read of reads) {
      for (const [sensorId, runs] of await storage.sensorActivity(read)) {
        const r = reach.get(sensorId);
        if (!r) continue;
        const validityMs = r.c.validityMs as number;
        for (const [first, last] of runs) r.up.push([first, last + validityMs]);
      }
    }
    for (const { c, up } of reach.values()) c.up = clipIntervals(up, fromMs, toMs);
    return list;
  }

  return async function queryCoverage(
    principal: Principal,
    query: CoverageQuery,
  ): Promise<Result<CoverageReport>> {
    for (const action of ['zones:read', 'sensors:read', 'observations:read'] as const) {
      if (!policy.can(principal, action))
        return fail('FORBIDDEN', 'this key may not read coverage');
    }
    const faults = checkQuery(query);
    if (faults) return faults;
    const { zoneId, fromMs } = query;
    const toMs = Math.min(query.toMs, deps.clock.nowMs());
    if (!(toMs > fromMs)) return invalid('/from', 'INVALID_INTERVAL', 'from is in the future');
    const zone = zoneGeometry(zoneId, fromMs);
    if (!zone.ok) return zone;
    const { geometry, version, notional } = zone.value;
    const label = notional ? { notional: true, notice: 'NOTIONAL - demonstration only' } : {};
    const sensors = await candidates(principal, fromMs, toMs);
    const windowMs = toMs - fromMs;
    const base = { zoneId, zoneSpecVersion: version, fromMs, toMs };
    if (!geometry) {
      return ok({
        ...base,
        resolution: query.resolution ?? 0,
        totalCells: 0,
        observedCells: 0,
        areaFraction: 0,
        timeFraction: 0,
        inRangeFraction: 0,
        blindSpots: { type: 'FeatureCollection', features: [] },
        sensors: [],
      });
    }

    const uptimes: SensorUptime[] = sensors.map((c) => ({ sensor: c.sensor, up: c.up }));
    const real = coverageOfZone({
      zone: geometry,
      sensors: uptimes,
      fromMs,
      toMs,
      ...(query.resolution !== undefined && { resolution: query.resolution }),
      includeCells: true,
    });
    // Sensors silent all window observed nothing: what they would have covered tells blind
    // spots for want of a sensor from blind spots for want of reports.
    const silent = sensors.filter((c) => c.validityMs !== undefined && c.up.length === 0);
    let reach: ZoneCoverage | undefined;
    if (silent.length > 0) {
      reach = coverageOfZone({
        zone: geometry,
        sensors: silent.map((c) => ({ sensor: c.sensor, up: [[fromMs, toMs]] })),
        fromMs,
        toMs,
        resolution: real.resolution,
        includeCells: true,
      });
    }
    const silentCells = new Set(reach?.cells?.filter((c) => c.observed).map((c) => c.cell));
    const noSensor: string[] = [];
    const sensorSilent: string[] = [];
    for (const c of real.cells ?? []) {
      if (!c.observed) (silentCells.has(c.cell) ? sensorSilent : noSensor).push(c.cell);
    }
    const n = real.totalCells;
    const blindSpots = blindSpotFeatures(
      [
        { cause: 'no-sensor', outline: reach ? cellsOutline(noSensor) : real.blindSpots },
        { cause: 'sensor-silent', outline: cellsOutline(sensorSilent) },
      ],
      label,
    );

    const reachOf = new Map(reach?.bySensor.map((s) => [s.sensorId, s.areaFraction]));
    const reports: SensorCoverageReport[] = [];
    sensors.forEach((c, i) => {
      const share = real.bySensor[i];
      if (!share) return;
      const inRange = reachOf.get(c.sensor.id) ?? share.areaFraction;
      if (inRange === 0) return;
      const shape = coverageShape(c.sensor);
      reports.push({
        sensorId: c.sensor.id,
        kind: c.sensor.kind,
        reportValidityMs: c.validityMs ?? null,
        upFraction: c.validityMs === undefined ? null : totalDurationMs(c.up) / windowMs,
        ...(shape?.type === 'passes' && {
          passes: shape.passes.filter((p) => p.atMs >= fromMs && p.atMs < toMs).length,
        }),
        inRangeFraction: inRange,
        areaFraction: share.areaFraction,
        timeFraction: share.timeFraction,
      });
    });

    return ok({
      ...base,
      resolution: real.resolution,
      totalCells: n,
      observedCells: real.observedCells,
      areaFraction: real.areaFraction,
      timeFraction: real.timeFraction,
      inRangeFraction: n > 0 ? (n - noSensor.length) / n : 0,
      blindSpots: { type: 'FeatureCollection', features: blindSpots },
      sensors: reports,
    });
  };
}

/** The coverage query. */
export type QueryCoverage = ReturnType<typeof createQueryCoverage>;
