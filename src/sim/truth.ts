import type { Observation, Sensor } from '../core/observations/index.js';

/** What kind of scheduled violation a truth record comes from. */
export type ViolationKind = 'forces' | 'fire' | 'duel' | 'uav-flight' | 'interference';

/** One true violation: what the rules should find, where and when. */
export interface TruthViolation {
  /** Violation id (from the scenario; duels add `-PARTY`). */
  readonly id: string;
  /** The rule it breaks. */
  readonly ruleId: string;
  /** Other rules the same activity breaks; their incidents that match it are true too. */
  readonly alsoRuleIds: readonly string[];
  /** Where it comes from in the scenario. */
  readonly kind: ViolationKind;
  /** Start, Unix ms (simulated time). */
  readonly startMs: number;
  /** End, Unix ms (simulated time). */
  readonly endMs: number;
  /** Representative position (the first), degrees. */
  readonly lon: number;
  /** Representative position (the first), degrees. */
  readonly lat: number;
  /** The zone it was placed in, if any. */
  readonly zone?: string;
  /** Equipment class, for forces and UAV flights. */
  readonly class?: string;
  /** Kinetic event type, for fire and duels. */
  readonly eventType?: string;
  /** Interference type, for interference. */
  readonly interferenceType?: string;
  /** Party responsible. */
  readonly party?: string;
  /** Number of objects or events. */
  readonly count: number;
  /** Altitude, metres, for UAV flights. */
  readonly altM?: number;
  /** The sensor interfered with. */
  readonly targetSensorId?: string;
  /** True positions: a fix a minute of a moving object, or every event. */
  readonly positions: readonly (readonly [number, number])[];
  /** Sensors that had at least one chance to observe it (in coverage while working). */
  readonly observableBy: readonly string[];
}

/** A period when a sensor was silent. */
export interface TruthOutage {
  /** The sensor. */
  readonly sensorId: string;
  /** Start, Unix ms. */
  readonly startMs: number;
  /** End, Unix ms. */
  readonly endMs: number;
  /** Why: a technical failure, or the interference violation that caused it. */
  readonly cause: string;
  /** Whether the sensor reports on a heartbeat schedule, so its silence can be noticed. */
  readonly scheduled: boolean;
}

/**
 * How the server's clock relates to simulated time: simulated = simStartMs + (server −
 * serverStartMs) × speed. With the server on the simulated clock, speed is 1 and the starts
 * are equal.
 */
export interface ClockMapping {
  /** Simulated time at the start of the run, Unix ms. */
  readonly simStartMs: number;
  /** Server (or wall) time at the start of the run, Unix ms. */
  readonly serverStartMs: number;
  /** Simulated milliseconds per server millisecond. */
  readonly speed: number;
}

/** The ground truth of a generated scenario. */
export interface Truth {
  /** Scenario name. */
  readonly scenario: string;
  /** Whether the scenario is notional (demonstration only). */
  readonly notional: boolean;
  /** Seed it was generated with. */
  readonly seed: number;
  /** Start of the simulated span, Unix ms. */
  readonly startMs: number;
  /** End of the simulated span, Unix ms. */
  readonly endMs: number;
  /** Every true violation. */
  readonly violations: readonly TruthViolation[];
  /** Every sensor outage (technical or caused by interference). */
  readonly outages: readonly TruthOutage[];
  /** How server time maps to simulated time, once a run has started. */
  readonly clock?: ClockMapping;
}

/** One observation and when to deliver it (simulated time). */
export interface Delivery {
  /** When the observation reaches the server, Unix ms (never before its event time). */
  readonly deliverAtMs: number;
  /** The observation. */
  readonly observation: Observation;
}

/** Counts of what a generation produced. */
export interface GenerationStats {
  /** Observations by kind (unique, before duplication). */
  readonly observations: Readonly<Record<string, number>>;
  /** Detections and kinetic observations of real objects and events. */
  readonly trueDetections: number;
  /** Chances sensors had to detect (object or event in coverage while working). */
  readonly opportunities: number;
  /** False alarms. */
  readonly falseAlarms: number;
  /** Detections that named a wrong class or event type. */
  readonly misclassified: number;
  /** Deliveries that repeat an earlier one. */
  readonly duplicates: number;
  /** Deliveries held back by a late delay. */
  readonly late: number;
  /** All deliveries. */
  readonly deliveries: number;
}

/** The output of generating a scenario. */
export interface GeneratedScenario {
  /** Sensors to register. */
  readonly sensors: readonly Sensor[];
  /** Deliveries in the order of delivery. */
  readonly deliveries: readonly Delivery[];
  /** The ground truth. */
  readonly truth: Truth;
  /** Counts. */
  readonly stats: GenerationStats;
}
