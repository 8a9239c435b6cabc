import type { Certainty, Severity } from '../rules/index.js';

/**
 * Where an incident is in its review (V1): new, being reviewed, a verdict, closed. Attribution
 * of responsibility is a separate decision, not a status.
 */
export const INCIDENT_STATUSES = [
  'detected',
  'under-review',
  'verified',
  'not-substantiated',
  'unable-to-verify',
  'closed',
] as const;

/** An incident status. */
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** One change of status, with who made it, when and why. */
export interface IncidentTransition {
  /** Status before. */
  readonly from: IncidentStatus;
  /** Status after. */
  readonly to: IncidentStatus;
  /** Who made the change (a user or key id; "system" for automatic ones). */
  readonly actor: string;
  /** When, Unix ms. */
  readonly atMs: number;
  /** Why, in words. */
  readonly reason: string;
}

/** An observation that is a source of an incident. */
export interface IncidentSource {
  /** Reporting sensor. */
  readonly sensorId: string;
  /** Observation id (unique per sensor). */
  readonly observationId: string;
  /** Event time, Unix ms. */
  readonly observedAtMs: number;
  /** Whether this source alone is certainly a violation, or possibly. */
  readonly certainty: Certainty;
}

/**
 * One event that breaks a rule, as seen by one or more observations: the findings of the same
 * rule close in space and time with compatible classes, merged.
 */
export interface Incident {
  /** Incident id. */
  readonly id: string;
  /** The rule broken. */
  readonly ruleId: string;
  /** Severity of the rule. */
  readonly severity: Severity;
  /** Review status. */
  readonly status: IncidentStatus;
  /** Certain if any source is certainly a violation; possible otherwise. */
  readonly certainty: Certainty;
  /** Earliest event time of its sources, Unix ms. */
  readonly firstObservedAtMs: number;
  /** Latest event time of its sources, Unix ms. */
  readonly lastObservedAtMs: number;
  /** Best estimate of where it happened, degrees; null while no source has a position. */
  readonly lon: number | null;
  /** Best estimate of where it happened, degrees, or null. */
  readonly lat: number | null;
  /** Radius around the estimate that holds it, metres, or null. */
  readonly radiusM: number | null;
  /** Zones the sources matched. */
  readonly zones: readonly string[];
  /** Sectors its sources are in. */
  readonly sectors: readonly string[];
  /** Equipment classes reported by its sources. */
  readonly classes: readonly string[];
  /** Event types reported by its sources. */
  readonly eventTypes: readonly string[];
  /** Parties its sources identified. */
  readonly parties: readonly string[];
  /** Largest number of objects or events any one source reported. */
  readonly maxCount: number;
  /** Distinct sensors among its sources. */
  readonly sensorIds: readonly string[];
  /** Number of distinct sensors that saw it (its corroboration). */
  readonly corroboration: number;
  /** Number of source observations. */
  readonly sourceCount: number;
  /** Status changes, oldest first. */
  readonly transitions: readonly IncidentTransition[];
  /** When it was created, Unix ms (processing time). */
  readonly createdAtMs: number;
  /** When it last changed, Unix ms (processing time). */
  readonly updatedAtMs: number;
  /** Increases by one with every change; used to detect concurrent edits. */
  readonly version: number;
}
