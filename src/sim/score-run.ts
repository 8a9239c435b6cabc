import { geodesicDistanceM } from '../core/geo/index.js';
import { parseRfc3339 } from '../core/observations/index.js';
import type { ClockMapping, Truth, TruthOutage, TruthViolation } from './truth.js';

/** An incident as `GET /api/v1/incidents` shows it (the fields the scorer reads). */
export interface IncidentRecord {
  /** Incident id. */
  readonly id: string;
  /** The rule broken (`sensor-outage` for silent sensors). */
  readonly ruleId: string;
  /** `certain` or `possible`. */
  readonly certainty?: string;
  /** Earliest event time of its sources, RFC 3339. */
  readonly firstObservedAt: string;
  /** Latest event time of its sources, RFC 3339. */
  readonly lastObservedAt: string;
  /** Best estimate of where, or null. */
  readonly position: { lon: number; lat: number; radiusM?: number } | null;
  /** Sensors among its sources. */
  readonly sensorIds?: readonly string[];
  /** When the server created it, RFC 3339 (server clock). */
  readonly createdAt: string;
}

/** How incidents are matched to the truth. */
export interface ScoreOptions {
  /**
   * Largest distance from an incident's position to the nearest true position of a violation,
   * beyond the incident's own radius (counted up to 5 km), metres (default 3,000).
   */
  readonly distanceToleranceM?: number;
  /** Slack around a violation's time span that an incident's span must overlap, ms (default 15 min). */
  readonly timeToleranceMs?: number;
  /** How server time maps to simulated time (default: the truth's, else identity). */
  readonly clock?: ClockMapping;
  /** The rule id of sensor-outage incidents (default `sensor-outage`). */
  readonly outageRuleId?: string;
  /** Count only incidents whose certainty is `certain`. */
  readonly certainOnly?: boolean;
}

/** Scores of one rule. */
export interface RuleScore {
  /** The rule. */
  readonly ruleId: string;
  /** True violations of the rule. */
  readonly violations: number;
  /** Those matched by at least one incident. */
  readonly detected: number;
  /** Incidents of the rule considered. */
  readonly incidents: number;
  /** Incidents matching no violation. */
  readonly falsePositives: number;
  /** Matched incidents / incidents (null without incidents). */
  readonly precision: number | null;
  /** Detected / violations (null without violations). */
  readonly recall: number | null;
  /** Median detection latency, ms of simulated time (null without detections). */
  readonly latencyMedianMs: number | null;
  /** 95th percentile detection latency, ms (null without detections). */
  readonly latencyP95Ms: number | null;
}

/** How one violation was detected. */
export interface ViolationMatch {
  /** The violation. */
  readonly violationId: string;
  /** Its rule. */
  readonly ruleId: string;
  /** Incidents matching it (empty: missed). */
  readonly incidentIds: readonly string[];
  /** Earliest incident creation minus the violation's start, ms of simulated time. */
  readonly latencyMs: number | null;
  /** Whether some sensor had a chance to observe it. */
  readonly observable: boolean;
}

/** The score of a run against its truth. */
export interface ScoreReport {
  /** Violation incidents considered (outage incidents are scored apart). */
  readonly incidents: number;
  /** Of those, matching some violation. */
  readonly truePositives: number;
  /** Of those, matching none. */
  readonly falsePositives: number;
  /** True violations. */
  readonly violations: number;
  /** Violations some sensor had a chance to observe. */
  readonly observable: number;
  /** Violations matched by an incident. */
  readonly detected: number;
  /** truePositives / incidents (null without incidents). */
  readonly precision: number | null;
  /** detected / violations (null without violations). */
  readonly recall: number | null;
  /** Detected observable violations / observable violations. */
  readonly recallObservable: number | null;
  /** Median detection latency, ms of simulated time. */
  readonly latencyMedianMs: number | null;
  /** 95th percentile detection latency, ms. */
  readonly latencyP95Ms: number | null;
  /** Per rule, sorted by rule id (rules of the truth and of the incidents). */
  readonly perRule: readonly RuleScore[];
  /** Sensor outages of sensors on a heartbeat schedule, against outage incidents. */
  readonly outages: {
    readonly truth: number;
    readonly detected: number;
    readonly incidents: number;
    readonly falsePositives: number;
    readonly recall: number | null;
    readonly precision: number | null;
    readonly latencyMedianMs: number | null;
  };
  /** Each violation with the incidents that matched it. */
  readonly matches: readonly ViolationMatch[];
  /** Incidents that matched nothing (violation rules and outages). */
  readonly falseIncidentIds: readonly string[];
}

/**
 * A percentile of a list by linear interpolation between closest ranks (the definition of
 * NumPy's default and of Hyndman and Fan's type 7): p = 50 of [1, 2, 3, 4] is 2.5.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * (p / 100);
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

interface Parsed {
  readonly record: IncidentRecord;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly createdSimMs: number;
}

function nearestM(v: TruthViolation, lon: number, lat: number): number {
  let best = Infinity;
  const points = v.positions.length > 0 ? v.positions : [[v.lon, v.lat] as const];
  for (const [plon, plat] of points) {
    best = Math.min(best, geodesicDistanceM(lon, lat, plon, plat));
  }
  return best;
}

function isViolationMatch(
  i: Parsed,
  v: TruthViolation,
  ruleIds: readonly string[],
  distM: number,
  tolMs: number,
): boolean {
  if (!ruleIds.includes(i.record.ruleId)) return false;
  if (i.lastMs < v.startMs - tolMs || i.firstMs > v.endMs + tolMs) return false;
  const p = i.record.position;
  if (!p) return v.kind === 'interference';
  const allowed = distM + Math.min(5000, p.radiusM ?? 0);
  return nearestM(v, p.lon, p.lat) <= allowed;
}

function isOutageMatch(i: Parsed, o: TruthOutage, tolMs: number): boolean {
  if (!(i.record.sensorIds ?? []).includes(o.sensorId)) return false;
  // The server dates an outage incident from the last report it had, so allow the tolerance
  // before the start; it notices the silence only after an interval, so allow it after too.
  return i.lastMs >= o.startMs - tolMs && i.firstMs <= o.endMs + tolMs;
}

/**
 * Scores incidents against the ground truth. An incident matches a violation when it is of the
 * same rule (an incident of one of the violation's `alsoRuleIds` is not counted false, but does
 * not detect it either), its span of event times overlaps the violation's span widened by the time
 * tolerance, and its position lies within the distance tolerance (plus its own radius, up to
 * 5 km) of one of the violation's true positions. Precision is the share of incidents that
 * match some violation; recall the share of violations matched by some incident; detection
 * latency is the earliest matching incident's creation (mapped to simulated time) minus the
 * violation's start. Outage incidents are scored apart, against the outages of sensors on a
 * heartbeat schedule. Only incidents whose event times fall within the truth's span (widened
 * by the tolerance) are considered, so earlier runs on the same server do not count.
 */
export function scoreRun(
  truth: Truth,
  incidents: readonly IncidentRecord[],
  options: ScoreOptions = {},
): ScoreReport {
  const distM = options.distanceToleranceM ?? 3000;
  const tolMs = options.timeToleranceMs ?? 15 * 60_000;
  const clock = options.clock ?? truth.clock ?? { simStartMs: 0, serverStartMs: 0, speed: 1 };
  const outageRule = options.outageRuleId ?? 'sensor-outage';
  const toSim = (serverMs: number) =>
    clock.simStartMs + (serverMs - clock.serverStartMs) * clock.speed;
  const parsed: Parsed[] = [];
  for (const record of incidents) {
    if (options.certainOnly && record.certainty !== 'certain') continue;
    const firstMs = parseRfc3339(record.firstObservedAt);
    const lastMs = parseRfc3339(record.lastObservedAt);
    if (lastMs < truth.startMs - tolMs || firstMs > truth.endMs + tolMs) continue;
    // A sensor silent from the very end of the scenario stopped because the simulated world
    // did: the server rightly reports the silence, but it is no outage of the scenario.
    if (record.ruleId === outageRule && firstMs >= truth.endMs - tolMs) continue;
    parsed.push({ record, firstMs, lastMs, createdSimMs: toSim(parseRfc3339(record.createdAt)) });
  }
  const violationIncidents = parsed.filter((i) => i.record.ruleId !== outageRule);
  const outageIncidents = parsed.filter((i) => i.record.ruleId === outageRule);

  const matchedIncidents = new Set<string>();
  const matches: ViolationMatch[] = truth.violations.map((v) => {
    const hits = violationIncidents.filter((i) => isViolationMatch(i, v, [v.ruleId], distM, tolMs));
    for (const h of hits) matchedIncidents.add(h.record.id);
    // Incidents of the other rules the activity breaks are not false, but only incidents of
    // its own rule count as detecting it.
    const also = v.alsoRuleIds ?? [];
    for (const i of also.length > 0 ? violationIncidents : []) {
      if (isViolationMatch(i, v, also, distM, tolMs)) matchedIncidents.add(i.record.id);
    }
    const latencyMs =
      hits.length === 0 ? null : Math.min(...hits.map((h) => h.createdSimMs)) - v.startMs;
    return {
      violationId: v.id,
      ruleId: v.ruleId,
      incidentIds: hits.map((h) => h.record.id),
      latencyMs,
      observable: v.observableBy.length > 0,
    };
  });

  const ruleIds = [
    ...new Set([
      ...truth.violations.map((v) => v.ruleId),
      ...violationIncidents.map((i) => i.record.ruleId),
    ]),
  ].sort();
  const perRule: RuleScore[] = ruleIds.map((ruleId) => {
    const ms = matches.filter((m) => m.ruleId === ruleId);
    const is = violationIncidents.filter((i) => i.record.ruleId === ruleId);
    const tp = is.filter((i) => matchedIncidents.has(i.record.id)).length;
    const lat = ms.flatMap((m) => (m.latencyMs === null ? [] : [m.latencyMs]));
    const detected = ms.filter((m) => m.incidentIds.length > 0).length;
    return {
      ruleId,
      violations: ms.length,
      detected,
      incidents: is.length,
      falsePositives: is.length - tp,
      precision: ratio(tp, is.length),
      recall: ratio(detected, ms.length),
      latencyMedianMs: percentile(lat, 50),
      latencyP95Ms: percentile(lat, 95),
    };
  });

  const scheduled = truth.outages.filter((o) => o.scheduled !== false);
  const outageMatched = new Set<string>();
  const outageLatencies: number[] = [];
  let outagesDetected = 0;
  for (const o of scheduled) {
    const hits = outageIncidents.filter((i) => isOutageMatch(i, o, tolMs));
    for (const h of hits) outageMatched.add(h.record.id);
    if (hits.length > 0) {
      outagesDetected++;
      outageLatencies.push(Math.min(...hits.map((h) => h.createdSimMs)) - o.startMs);
    }
  }

  const latencies = matches.flatMap((m) => (m.latencyMs === null ? [] : [m.latencyMs]));
  const detected = matches.filter((m) => m.incidentIds.length > 0).length;
  const observable = matches.filter((m) => m.observable);
  const tp = violationIncidents.filter((i) => matchedIncidents.has(i.record.id)).length;
  return {
    incidents: violationIncidents.length,
    truePositives: tp,
    falsePositives: violationIncidents.length - tp,
    violations: matches.length,
    observable: observable.length,
    detected,
    precision: ratio(tp, violationIncidents.length),
    recall: ratio(detected, matches.length),
    recallObservable: ratio(
      observable.filter((m) => m.incidentIds.length > 0).length,
      observable.length,
    ),
    latencyMedianMs: percentile(latencies, 50),
    latencyP95Ms: percentile(latencies, 95),
    perRule,
    outages: {
      truth: scheduled.length,
      detected: outagesDetected,
      incidents: outageIncidents.length,
      falsePositives: outageIncidents.length - outageMatched.size,
      recall: ratio(outagesDetected, scheduled.length),
      precision: ratio(outageMatched.size, outageIncidents.length),
      latencyMedianMs: percentile(outageLatencies, 50),
    },
    matches,
    falseIncidentIds: [
      ...violationIncidents.filter((i) => !matchedIncidents.has(i.record.id)),
      ...outageIncidents.filter((i) => !outageMatched.has(i.record.id)),
    ].map((i) => i.record.id),
  };
}
