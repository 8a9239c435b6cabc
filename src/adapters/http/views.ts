import type { SensorHealth, StoredIncidentSource, StoredObservation } from '../../app/index.js';
import type { Incident } from '../../core/incidents/index.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** An incident as the API shows it: times as RFC 3339, the position as one object. */
export function incidentView(i: Incident) {
  return {
    id: i.id,
    ruleId: i.ruleId,
    severity: i.severity,
    status: i.status,
    certainty: i.certainty,
    firstObservedAt: iso(i.firstObservedAtMs),
    lastObservedAt: iso(i.lastObservedAtMs),
    position:
      i.lon === null || i.lat === null ? null : { lon: i.lon, lat: i.lat, radiusM: i.radiusM ?? 0 },
    zones: i.zones,
    sectors: i.sectors,
    classes: i.classes,
    eventTypes: i.eventTypes,
    parties: i.parties,
    maxCount: i.maxCount,
    sensorIds: i.sensorIds,
    corroboration: i.corroboration,
    sourceCount: i.sourceCount,
    transitions: i.transitions.map((t) => ({
      from: t.from,
      to: t.to,
      actor: t.actor,
      at: iso(t.atMs),
      reason: t.reason,
    })),
    createdAt: iso(i.createdAtMs),
    updatedAt: iso(i.updatedAtMs),
    version: i.version,
  };
}

/** An incident source as the API shows it. */
export function sourceView(s: StoredIncidentSource) {
  return {
    sensorId: s.sensorId,
    observationId: s.observationId,
    observedAt: iso(s.observedAtMs),
    certainty: s.certainty,
  };
}

/** A stored observation as the API shows it. */
export function observationView(o: Omit<StoredObservation, 'seq'> & { seq?: number }) {
  return {
    seq: o.seq ?? 0,
    observation: o.observation,
    receivedAt: iso(o.receivedAtMs),
    position:
      o.lon === null || o.lat === null ? null : { lon: o.lon, lat: o.lat, radiusM: o.radiusM ?? 0 },
    inside: o.inside,
    possiblyInside: o.possiblyInside,
    side: o.side,
    distanceToLineM: o.distanceToLineM,
    zoneSpecVersion: o.zoneSpecVersion,
    ruleIds: o.ruleIds,
    leafIndex: o.leafIndex,
  };
}

/** Sensor health as the API shows it. */
export function healthView(h: SensorHealth) {
  return {
    sensorId: h.sensorId,
    status: h.status,
    lastSeen: h.lastSeenMs === null ? null : iso(h.lastSeenMs),
    since: iso(h.sinceMs),
    observationCount: h.observationCount,
  };
}
