import type { NoiseInput, Range, Scenario } from './scenario-schema.js';

/** The kinds of sensor the simulator models. */
export const SIM_SENSOR_KINDS = ['camera', 'acoustic', 'uav', 'satellite', 'patrol'] as const;

/** A kind of sensor the simulator models. */
export type SimSensorKind = (typeof SIM_SENSOR_KINDS)[number];

/** The noise model of one sensor kind with every field resolved. */
export interface Noise {
  /** Chance that one look detects an object in coverage (or hears an event). */
  readonly detectionProbability: number;
  /** 95% radius of the horizontal position error, metres (reported as uncertaintyM). */
  readonly positionErrorM: number;
  /** Standard deviation of the altitude error of airborne objects, metres. */
  readonly altitudeErrorM: number;
  /** Chance that a detection names another member of its confusion group. */
  readonly misclassificationRate: number;
  /** Chance that a detection of a party object names the party. */
  readonly partyIdentificationRate: number;
  /** False alarms per sensor-hour of operation (per pass for satellites). */
  readonly falseAlarmRate: number;
  /** Classes (event types for acoustic arrays) of false alarms. */
  readonly falseAlarmAs: readonly string[];
  /** Chance of a second delivery of the same observation. */
  readonly duplicateRate: number;
  /** Delay of the second delivery after the first, seconds. */
  readonly duplicateDelayS: Range;
  /** Normal delivery delay after the event, seconds. */
  readonly latencyS: Range;
  /** Chance of an extra late delay. */
  readonly lateRate: number;
  /** The extra late delay, seconds. */
  readonly lateDelayS: Range;
  /** Standard deviation of acoustic bearings, degrees. */
  readonly bearingErrorDeg: number;
  /** Standard deviation of acoustic ranges, fraction of the range. */
  readonly rangeErrorFraction: number;
}

const COMMON = {
  altitudeErrorM: 100,
  bearingErrorDeg: 2,
  rangeErrorFraction: 0.1,
  duplicateDelayS: { min: 5, max: 120 },
};

/**
 * Default noise per kind. The figures are plausible orders of magnitude for a monitoring
 * mission's sensors (EO/IR cameras with analytics, acoustic arrays, tactical UAVs, commercial
 * imagery, patrols reporting by radio), chosen for a demo, not measured.
 */
export const DEFAULT_NOISE: Readonly<Record<SimSensorKind, Noise>> = {
  camera: {
    ...COMMON,
    detectionProbability: 0.85,
    positionErrorM: 80,
    misclassificationRate: 0.04,
    partyIdentificationRate: 0.6,
    falseAlarmRate: 0.01,
    falseAlarmAs: ['unknown-vehicle', 'personnel'],
    duplicateRate: 0.01,
    latencyS: { min: 1, max: 5 },
    lateRate: 0.01,
    lateDelayS: { min: 120, max: 900 },
  },
  acoustic: {
    ...COMMON,
    detectionProbability: 0.9,
    positionErrorM: 0,
    misclassificationRate: 0.1,
    partyIdentificationRate: 0,
    falseAlarmRate: 0.01,
    falseAlarmAs: ['explosion-undetermined'],
    duplicateRate: 0.01,
    latencyS: { min: 2, max: 8 },
    lateRate: 0.01,
    lateDelayS: { min: 120, max: 900 },
    bearingErrorDeg: 1.5,
    rangeErrorFraction: 0.08,
  },
  uav: {
    ...COMMON,
    detectionProbability: 0.9,
    positionErrorM: 40,
    misclassificationRate: 0.03,
    partyIdentificationRate: 0.5,
    falseAlarmRate: 0.02,
    falseAlarmAs: ['unknown-vehicle'],
    duplicateRate: 0.02,
    latencyS: { min: 2, max: 10 },
    lateRate: 0.03,
    lateDelayS: { min: 300, max: 1800 },
  },
  satellite: {
    ...COMMON,
    detectionProbability: 0.95,
    positionErrorM: 15,
    misclassificationRate: 0.05,
    partyIdentificationRate: 0.2,
    falseAlarmRate: 0.2,
    falseAlarmAs: ['unknown-vehicle'],
    duplicateRate: 0.005,
    latencyS: { min: 1800, max: 5400 },
    lateRate: 0.05,
    lateDelayS: { min: 3600, max: 10_800 },
  },
  patrol: {
    ...COMMON,
    detectionProbability: 0.7,
    positionErrorM: 300,
    misclassificationRate: 0.08,
    partyIdentificationRate: 0.8,
    falseAlarmRate: 0.01,
    falseAlarmAs: ['personnel'],
    duplicateRate: 0.02,
    latencyS: { min: 120, max: 900 },
    lateRate: 0.1,
    lateDelayS: { min: 1800, max: 7200 },
  },
};

/** The noise of a kind: the scenario's fields over the defaults of the kind. */
export function resolveNoise(kind: SimSensorKind, input: NoiseInput | undefined): Noise {
  const base = DEFAULT_NOISE[kind];
  if (!input) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(input)) if (v !== undefined) out[k] = v;
  return out as unknown as Noise;
}

/** The noise of every kind for a scenario. */
export function scenarioNoise(s: Scenario): Readonly<Record<SimSensorKind, Noise>> {
  const out = {} as Record<SimSensorKind, Noise>;
  for (const k of SIM_SENSOR_KINDS) out[k] = resolveNoise(k, s.noise?.[k]);
  return out;
}

/**
 * Confusion groups by default: the compatible classes and event types of the notional demo rule
 * set, which the incident merge also uses, so a misclassified detection still merges.
 */
export const DEFAULT_CONFUSION_GROUPS: readonly (readonly string[])[] = [
  ['tank', 'ifv-apc', 'unknown-vehicle', 'engineering-works'],
  ['artillery-lt100', 'artillery-ge100', 'mortar', 'mlrs', 'mlrs-heavy', 'unknown-vehicle'],
  ['uav-small', 'uav-large'],
  ['fixed-wing', 'rotary-wing'],
  ['explosion-undetermined', 'explosion-impact', 'explosion-outgoing', 'airburst', 'projectile'],
  ['muzzle-flash', 'small-arms', 'hmg'],
];
