import { geodesicDistanceM } from '../geo/index.js';
import type { Finding } from '../rules/index.js';
import type { Incident, IncidentSource } from './incident.js';

/** When findings of one rule are taken to be the same event. */
export interface MergeConfig {
  /** Extra distance allowed between a finding and an incident beyond their radii, metres. */
  readonly distanceM: number;
  /** Time allowed between a finding and the incident's first to last source, ms. */
  readonly windowMs: number;
  /** Groups of classes or event types that may describe the same thing. */
  readonly compatible: readonly (readonly string[])[];
}

/** A source to attach to an incident. */
export interface SourceLink {
  /** The incident. */
  readonly incidentId: string;
  /** The source. */
  readonly source: IncidentSource;
}

/** Incidents created and changed by merging a batch of findings, and the new source links. */
export interface MergeOutcome {
  /** New incidents. */
  readonly created: Incident[];
  /** Existing incidents that gained sources (latest state). */
  readonly updated: Incident[];
  /** Every new source link. */
  readonly links: SourceLink[];
}

/** Radius floor so that a position given as exact still has a weight. */
const MIN_RADIUS_M = 1;

function isCompatible(
  value: string | undefined,
  present: readonly string[],
  groups: readonly (readonly string[])[],
): boolean {
  if (value === undefined || present.length === 0 || present.includes(value)) return true;
  return groups.some((g) => g.includes(value) && present.some((p) => g.includes(p)));
}

/** How well a finding fits an incident: 0 is a perfect fit, above 2 no fit. */
function fit(i: Incident, f: Finding, c: MergeConfig): number {
  if (i.ruleId !== f.ruleId || i.status === 'closed') return Infinity;
  const dtMs = Math.max(
    0,
    i.firstObservedAtMs - f.observedAtMs,
    f.observedAtMs - i.lastObservedAtMs,
  );
  if (dtMs > c.windowMs) return Infinity;
  if (!isCompatible(f.class, i.classes, c.compatible)) return Infinity;
  if (!isCompatible(f.eventType, i.eventTypes, c.compatible)) return Infinity;
  // Objects of different identified parties are different events, wherever they are.
  if (f.party !== undefined && i.parties.length > 0 && !i.parties.includes(f.party)) {
    return Infinity;
  }
  const timeFit = c.windowMs > 0 ? dtMs / c.windowMs : 0;
  // Without a position on either side only time and class can tell; such findings (e.g.
  // interference reported by a sensor of unknown position) merge on those alone.
  if (i.lon === null || i.lat === null || f.lon === null || f.lat === null) return 1 + timeFit;
  const allowedM = c.distanceM + (i.radiusM ?? 0) + (f.radiusM ?? 0);
  const dM = geodesicDistanceM(i.lon, i.lat, f.lon, f.lat);
  if (dM > allowedM) return Infinity;
  return dM / Math.max(allowedM, 1) + timeFit;
}

const union = (xs: readonly string[], x: string | undefined) =>
  x === undefined || xs.includes(x) ? xs : [...xs, x].sort();

/**
 * The position estimate of an incident with one more finding: the inverse-variance weighted mean
 * (weights 1/r^2) and the combined radius 1/sqrt(sum 1/r^2).
 */
function fuse(i: Incident, f: Finding): Pick<Incident, 'lon' | 'lat' | 'radiusM'> {
  if (f.lon === null || f.lat === null) return { lon: i.lon, lat: i.lat, radiusM: i.radiusM };
  if (i.lon === null || i.lat === null) {
    return { lon: f.lon, lat: f.lat, radiusM: Math.max(f.radiusM ?? 0, MIN_RADIUS_M) };
  }
  const ri = Math.max(i.radiusM ?? 0, MIN_RADIUS_M);
  const rf = Math.max(f.radiusM ?? 0, MIN_RADIUS_M);
  const wi = 1 / (ri * ri);
  const wf = 1 / (rf * rf);
  return {
    lon: (i.lon * wi + f.lon * wf) / (wi + wf),
    lat: (i.lat * wi + f.lat * wf) / (wi + wf),
    radiusM: 1 / Math.sqrt(wi + wf),
  };
}

/** Adds a finding to an incident. */
function absorb(i: Incident, f: Finding, nowMs: number): Incident {
  const sensorIds = union(i.sensorIds, f.sensorId);
  return {
    ...i,
    certainty: i.certainty === 'certain' || f.certainty === 'certain' ? 'certain' : 'possible',
    firstObservedAtMs: Math.min(i.firstObservedAtMs, f.observedAtMs),
    lastObservedAtMs: Math.max(i.lastObservedAtMs, f.observedAtMs),
    ...fuse(i, f),
    zones: f.zones.reduce(union, i.zones),
    sectors: f.sectors.reduce(union, i.sectors),
    classes: union(i.classes, f.class),
    eventTypes: union(i.eventTypes, f.eventType),
    parties: union(i.parties, f.party),
    maxCount: Math.max(i.maxCount, f.count),
    sensorIds,
    corroboration: sensorIds.length,
    sourceCount: i.sourceCount + 1,
    updatedAtMs: nowMs,
    version: i.version + 1,
  };
}

function open(f: Finding, id: string, nowMs: number): Incident {
  return {
    id,
    ruleId: f.ruleId,
    severity: f.severity,
    status: 'detected',
    certainty: f.certainty,
    firstObservedAtMs: f.observedAtMs,
    lastObservedAtMs: f.observedAtMs,
    lon: f.lon,
    lat: f.lat,
    radiusM: f.radiusM === null ? null : Math.max(f.radiusM, MIN_RADIUS_M),
    zones: [...f.zones].sort(),
    sectors: [...f.sectors].sort(),
    classes: f.class === undefined ? [] : [f.class],
    eventTypes: f.eventType === undefined ? [] : [f.eventType],
    parties: f.party === undefined ? [] : [f.party],
    maxCount: f.count,
    sensorIds: [f.sensorId],
    corroboration: 1,
    sourceCount: 1,
    transitions: [],
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    version: 1,
  };
}

/**
 * Merges findings into incidents (V2). Each finding, in event-time order, joins the incident of
 * the same rule that fits it best — not closed, within the time window of its sources, within
 * the merge distance plus both radii, with a compatible class or event type — or opens a new
 * one. Incidents opened earlier in the same batch take later findings too, so a batch holding
 * five cameras' views of one explosion yields one incident with five sources.
 */
export function mergeFindings(
  incidents: readonly Incident[],
  findings: readonly Finding[],
  configFor: (ruleId: string) => MergeConfig,
  newId: () => string,
  nowMs: number,
): MergeOutcome {
  const working = [...incidents];
  const isNew = new Set<string>();
  const changed = new Set<string>();
  const links: SourceLink[] = [];
  const ordered = [...findings].sort(
    (a, b) =>
      a.observedAtMs - b.observedAtMs ||
      a.sensorId.localeCompare(b.sensorId) ||
      a.observationId.localeCompare(b.observationId),
  );
  for (const f of ordered) {
    const config = configFor(f.ruleId);
    let best = -1;
    let bestFit = Infinity;
    working.forEach((i, k) => {
      const s = fit(i, f, config);
      if (s < bestFit) {
        bestFit = s;
        best = k;
      }
    });
    let incident: Incident;
    if (best >= 0) {
      incident = absorb(working[best] as Incident, f, nowMs);
      working[best] = incident;
      if (!isNew.has(incident.id)) changed.add(incident.id);
    } else {
      incident = open(f, newId(), nowMs);
      working.push(incident);
      isNew.add(incident.id);
    }
    links.push({
      incidentId: incident.id,
      source: {
        sensorId: f.sensorId,
        observationId: f.observationId,
        observedAtMs: f.observedAtMs,
        certainty: f.certainty,
      },
    });
  }
  return {
    created: working.filter((i) => isNew.has(i.id)),
    updated: working.filter((i) => changed.has(i.id)),
    links,
  };
}
