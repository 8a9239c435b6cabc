import type { Incident } from '../core/incidents/index.js';
import type { Sensor } from '../core/observations/index.js';
import { classifyPosition } from '../core/zones/index.js';
import type { Bus, Clock, Ids, SensorHealth, Storage } from './ports.js';
import type { ReferenceData } from './reference-data.js';
import type { SensorHealthBook } from './sensor-health-book.js';

/** A sensor silent again within this time of its last outage continues that outage incident. */
export const OUTAGE_MERGE_WINDOW_MS = 6 * 3_600_000;

/** The reserved rule id of sensor outages (S2): they are incidents like any other finding. */
export const SENSOR_OUTAGE_RULE_ID = 'sensor-outage';

/** Ports and state of the health check. */
export interface HealthCheckDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly bus: Bus;
  readonly reference: ReferenceData;
  readonly health: SensorHealthBook;
  readonly serial: <T>(task: () => Promise<T>) => Promise<T>;
  /** Extra time past the expected interval before a sensor counts as silent, ms: max(this, interval / 2). */
  readonly graceMs: number;
}

/**
 * How long a sensor may stay quiet before it counts as silent: its heartbeat interval plus a
 * grace for delivery delay (at least `graceMs`, at least half the interval).
 */
export function silenceThresholdMs(sensor: Sensor, graceMs: number): number | undefined {
  if (sensor.heartbeatIntervalS === undefined) return undefined;
  const intervalMs = sensor.heartbeatIntervalS * 1000;
  return intervalMs + Math.max(graceMs, intervalMs / 2);
}

/** Zones and sectors at the sensor's position, so the outage reaches the sector responsible. */
function placeOf(
  sensor: Sensor,
  reference: ReferenceData,
  nowMs: number,
): { zones: string[]; sectors: string[] } {
  const lon = sensor.position?.lon ?? sensor.route?.[0]?.[0];
  const lat = sensor.position?.lat ?? sensor.route?.[0]?.[1];
  const zs = reference.zoneSetAt(nowMs);
  if (lon === undefined || lat === undefined || !zs) return { zones: [], sectors: [] };
  const inside = classifyPosition(zs, { lon, lat }).inside;
  const kinds = reference.zones()?.zoneKinds;
  return { zones: inside, sectors: inside.filter((z) => kinds?.get(z) === 'sector') };
}

function outageIncident(
  sensor: Sensor,
  h: SensorHealth,
  id: string,
  nowMs: number,
  place: { zones: string[]; sectors: string[] },
): Incident {
  const since = h.lastSeenMs ?? h.sinceMs;
  return {
    id,
    ruleId: SENSOR_OUTAGE_RULE_ID,
    severity: 'medium',
    status: 'detected',
    certainty: 'certain',
    firstObservedAtMs: since,
    lastObservedAtMs: since,
    lon: sensor.position?.lon ?? sensor.route?.[0]?.[0] ?? null,
    lat: sensor.position?.lat ?? sensor.route?.[0]?.[1] ?? null,
    radiusM: sensor.position || sensor.route ? 0 : null,
    zones: place.zones,
    sectors: place.sectors,
    classes: [],
    eventTypes: [],
    parties: [],
    maxCount: 1,
    sensorIds: [sensor.id],
    corroboration: 1,
    sourceCount: 0,
    transitions: [],
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    version: 1,
  };
}

/**
 * Marks sensors silent that reported nothing for longer than their expected interval, and opens
 * a sensor-outage incident for each (S2). Runs on a timer of the composition root; tests call it
 * with a fake clock.
 *
 * Silence is judged at the server clock minus the usual delivery delay of reports
 * (`SensorHealthBook.deliveryLagMs`): otherwise transport delay counts as silence, and when the
 * demo runs thousands of times faster than real time, a second of delay is an hour and every
 * sensor would flap silent. A sensor that stops reporting is still found, that delay later; so
 * is a network that stops altogether, since the delay is learnt from reports that arrive.
 */
export function createCheckSensorHealth(deps: HealthCheckDeps) {
  return (): Promise<{ silenced: string[] }> =>
    deps.serial(async () => {
      const nowMs = deps.clock.nowMs();
      const judgeMs = nowMs - deps.health.deliveryLagMs();
      const changed: SensorHealth[] = [];
      const incidents: Incident[] = [];
      const reopened: Incident[] = [];
      const recent = await deps.storage.openIncidentsBetween(
        nowMs - OUTAGE_MERGE_WINDOW_MS,
        nowMs,
        [SENSOR_OUTAGE_RULE_ID],
      );
      for (const sensor of deps.reference.sensors()) {
        const thresholdMs = silenceThresholdMs(sensor, deps.graceMs);
        if (thresholdMs === undefined) continue;
        const h = deps.health.get(sensor.id, nowMs);
        // Silence is a sensor that stopped reporting; one never heard from stays `unknown` (not
        // commissioned yet, or registered ahead of its first report) rather than an outage.
        if (h.status === 'silent' || h.lastSeenMs === null) continue;
        const quietSinceMs = h.lastSeenMs;
        if (judgeMs - quietSinceMs <= thresholdMs) continue;
        const silent: SensorHealth = { ...h, status: 'silent', sinceMs: nowMs };
        changed.push(silent);
        // A sensor that keeps dropping out is one outage incident, not one per drop-out.
        const open = recent.find((i) => i.sensorIds[0] === sensor.id);
        if (open) {
          reopened.push({
            ...open,
            lastObservedAtMs: Math.max(open.lastObservedAtMs, quietSinceMs),
            sourceCount: open.sourceCount,
            updatedAtMs: nowMs,
            version: open.version + 1,
          });
          continue;
        }
        const place = placeOf(sensor, deps.reference, nowMs);
        incidents.push(outageIncident(sensor, silent, deps.ids.next('inc'), nowMs, place));
      }
      if (changed.length === 0) return { silenced: [] };
      await deps.storage.commitIngest({
        observations: [],
        createdIncidents: incidents,
        updatedIncidents: reopened,
        sources: [],
        sensorHealth: changed,
      });
      deps.health.apply(changed);
      deps.bus.publish([
        ...changed.map((health) => ({ type: 'sensor.health' as const, health })),
        ...incidents.map((incident) => ({ type: 'incident.created' as const, incident })),
        ...reopened.map((incident) => ({ type: 'incident.updated' as const, incident })),
      ]);
      return { silenced: changed.map((h) => h.sensorId) };
    });
}
