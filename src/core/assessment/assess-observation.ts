import { locateObservation } from '../observations/index.js';
import type { Observation, ObservationLocation, Sensor } from '../observations/index.js';
import { evaluateRules } from '../rules/index.js';
import type {
  CompiledRuleSet,
  ObservationFacts,
  RuleContext,
  RuleEvaluation,
} from '../rules/index.js';
import {
  classifyObserverBearing,
  classifyPosition,
  classifyPositionIndexed,
} from '../zones/index.js';
import type { ZoneIndex, ZoneSet } from '../zones/index.js';

/** Where an observation is relative to the zones in force at its event time. */
export interface ZoneClassification {
  /** Zones that certainly contain it. */
  readonly inside: string[];
  /** Zones that may contain it given its uncertainty (or an unknown altitude). */
  readonly possiblyInside: string[];
  /** Party whose side of the primary line it is on, if decided. */
  readonly side: string | null;
  /** Distance to the primary line, metres. */
  readonly distanceToLineM: number | null;
}

/** Everything Armistice decides about one observation. */
export interface ObservationAssessment {
  /** Where it puts what it saw. */
  readonly location: ObservationLocation;
  /** Where that is relative to the zones. */
  readonly zones: ZoneClassification;
  /** What the rules see. */
  readonly facts: ObservationFacts;
  /** The rules' verdict. */
  readonly evaluation: RuleEvaluation;
}

/** What one assessment depends on besides the observation and its sensor. */
export interface AssessmentContext {
  /** Zones in force at the observation's event time (undefined: none). */
  readonly zoneSet: ZoneSet | undefined;
  /**
   * The index of that zone set, if built: points and the disks it can decide are classified
   * through it (the same zones and side, no distance measured); the rest directly.
   */
  readonly zoneIndex?: ZoneIndex;
  /** Rules in force (undefined: none). */
  readonly rules: CompiledRuleSet | undefined;
  /** Zone kinds and prior notifications the rules use. */
  readonly ruleContext: RuleContext;
  /** Owner organisation of the sensor an interference targets, if it names one. */
  readonly targetOwner?: string;
}

const NOWHERE: ZoneClassification = {
  inside: [],
  possiblyInside: [],
  side: null,
  distanceToLineM: null,
};

function classify(
  zs: ZoneSet | undefined,
  index: ZoneIndex | undefined,
  loc: ObservationLocation,
): ZoneClassification {
  if (!zs || loc.type === 'none') return NOWHERE;
  let c;
  if (loc.type === 'point') {
    const p = {
      lon: loc.lon,
      lat: loc.lat,
      uncertaintyM: loc.radiusM,
      ...(loc.altM !== undefined && { altM: loc.altM }),
    };
    c = (index && classifyPositionIndexed(zs, index, p)) ?? classifyPosition(zs, p);
  } else {
    c = classifyObserverBearing(zs, loc);
  }
  return {
    inside: c.inside,
    possiblyInside: c.possiblyInside,
    side: c.side,
    distanceToLineM: c.distanceToLineM,
  };
}

/**
 * Assesses one validated observation: locates it (its position, a bearing wedge from its
 * sensor, or the sensor's position), classifies it against the zones in force at its event time,
 * and applies the rules. Pure: the same inputs always give the same assessment, so any decision
 * can be replayed.
 */
export function assessObservation(
  o: Observation,
  observedAtMs: number,
  sensor: Sensor,
  ctx: AssessmentContext,
): ObservationAssessment {
  const location = locateObservation(o, sensor);
  const zones = classify(ctx.zoneSet, ctx.zoneIndex, location);
  const at = location.type === 'none' ? undefined : location;
  const facts: ObservationFacts = {
    sensorId: o.sensorId,
    observationId: o.id,
    kind: o.kind,
    observedAtMs,
    sensorOwner: sensor.owner,
    ...(o.object?.party !== undefined && { party: o.object.party }),
    ...(o.object && { class: o.object.class }),
    count: o.object?.count ?? o.event?.count ?? 1,
    ...(o.object?.activity !== undefined && { activity: o.object.activity }),
    ...(o.event && { eventType: o.event.type }),
    ...(o.interference && {
      interferenceType: o.interference.type,
      targetOwner: o.interference.targetSensorId ? ctx.targetOwner : sensor.owner,
    }),
    inside: zones.inside,
    possiblyInside: zones.possiblyInside,
    side: zones.side,
    lon: at?.lon ?? null,
    lat: at?.lat ?? null,
    radiusM: at?.radiusM ?? null,
  };
  const evaluation = ctx.rules
    ? evaluateRules(ctx.rules, facts, ctx.ruleContext)
    : { findings: [], authorized: [] };
  return { location, zones, facts, evaluation };
}
