/** What an observation reports. */
export const OBSERVATION_KINDS = [
  'detection',
  'kinetic',
  'interference',
  'heartbeat',
  'report',
] as const;

/** A kind of observation. */
export type ObservationKind = (typeof OBSERVATION_KINDS)[number];

/**
 * Equipment classes a detection can name. The weapon classes follow the withdrawal lines of the
 * Minsk II Package of Measures (para. 2: artillery of 100 mm calibre and more, MLRS, heavy MLRS
 * and tactical missile systems; para. 10 of the 2015 addendum: weapons under 100 mm). A
 * deployment may add classes by configuration.
 */
export const EQUIPMENT_CLASSES = [
  'personnel',
  'tank',
  'ifv-apc',
  'artillery-lt100',
  'artillery-ge100',
  'mortar',
  'mlrs',
  'mlrs-heavy',
  'tactical-missile',
  'air-defence',
  'fixed-wing',
  'rotary-wing',
  'uav-small',
  'uav-large',
  'engineering-works',
  'civilian-vehicle',
  'unknown-vehicle',
] as const;

/** Classes that are not military forces: rules about forces leave them out. */
export const CIVILIAN_CLASSES: readonly string[] = ['civilian-vehicle'];

/** Types of kinetic event, as monitors report them (OSCE SMM ceasefire-violation vocabulary). */
export const KINETIC_EVENT_TYPES = [
  'explosion-undetermined',
  'explosion-impact',
  'explosion-outgoing',
  'airburst',
  'projectile',
  'flare',
  'muzzle-flash',
  'small-arms',
  'hmg',
] as const;

/** Types of interference with the mission's sensors or with navigation. */
export const INTERFERENCE_TYPES = [
  'gps-jamming',
  'gps-spoofing',
  'camera-outage',
  'uav-loss',
  'fire-at-asset',
] as const;

/** Kinds of sensor; the kind decides how coverage is derived. */
export const SENSOR_KINDS = ['camera', 'acoustic', 'uav', 'satellite', 'patrol', 'radar'] as const;

/** A kind of sensor. */
export type SensorKind = (typeof SENSOR_KINDS)[number];

/**
 * Source reliability grades A (completely reliable) to F (cannot be judged), as in the Admiralty
 * (NATO STANAG 2511 / AJP-2.1) grading of sources.
 */
export const RELIABILITY_GRADES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

/** A source reliability grade. */
export type ReliabilityGrade = (typeof RELIABILITY_GRADES)[number];
