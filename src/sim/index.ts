export { createRng } from './create-rng.js';
export type { Rng } from './create-rng.js';
export {
  AcousticGroupSchema,
  CameraGroupSchema,
  DuelViolationSchema,
  FireViolationSchema,
  ForceGroupSchema,
  ForcesViolationSchema,
  InterferenceViolationSchema,
  NoiseSchema,
  OutageSchema,
  PatrolSchema,
  PlaceSchema,
  RangeSchema,
  SatelliteSchema,
  ScenarioSchema,
  ScheduleSchema,
  SpreadSchema,
  TrafficSchema,
  UavFlightViolationSchema,
  UavSchema,
} from './scenario-schema.js';
export type { NoiseInput, Place, Range, Scenario, Schedule, Spread } from './scenario-schema.js';
export {
  ScenarioError,
  groupSensorIds,
  scenarioSensorIds,
  validateScenario,
} from './validate-scenario.js';
export type { ScenarioValidation } from './validate-scenario.js';
export {
  DEFAULT_CONFUSION_GROUPS,
  DEFAULT_NOISE,
  SIM_SENSOR_KINDS,
  resolveNoise,
} from './resolve-noise.js';
export type { Noise, SimSensorKind } from './resolve-noise.js';
export { generateScenario } from './generate-scenario.js';
export type {
  ClockMapping,
  Delivery,
  GeneratedScenario,
  GenerationStats,
  Truth,
  TruthOutage,
  TruthViolation,
  ViolationKind,
} from './truth.js';
export { percentile, scoreRun } from './score-run.js';
export type {
  IncidentRecord,
  RuleScore,
  ScoreOptions,
  ScoreReport,
  ViolationMatch,
} from './score-run.js';
export { fetchIncidents } from './fetch-incidents.js';
export type { FetchIncidentsOptions } from './fetch-incidents.js';
export { ApiError, defaultSleep } from './api-request.js';
export type { ApiTarget, RetryPolicy, Sleep } from './api-request.js';
export { parseTruth } from './parse-truth.js';
export { MAX_BATCH, defaultSimStartMs, fetchZoneSpec, runSimulation } from './run-simulation.js';
export type {
  RejectedRecord,
  RunSimulationOptions,
  SimulationProgress,
  SimulationResult,
} from './run-simulation.js';
