export {
  CIVILIAN_CLASSES,
  EQUIPMENT_CLASSES,
  INTERFERENCE_TYPES,
  KINETIC_EVENT_TYPES,
  OBSERVATION_KINDS,
  RELIABILITY_GRADES,
  SENSOR_KINDS,
} from './taxonomy.js';
export type { ObservationKind, ReliabilityGrade, SensorKind } from './taxonomy.js';
export {
  BearingPositionSchema,
  DetectedObjectSchema,
  EvidenceSchema,
  IdSchema,
  InterferenceSchema,
  KineticEventSchema,
  ObservationSchema,
  PointPositionSchema,
  ReportSchema,
} from './observation-schema.js';
export type { BearingPosition, Observation, PointPosition } from './observation-schema.js';
export { SatellitePassSchema, SensorSchema } from './sensor-schema.js';
export type { Sensor } from './sensor-schema.js';
export { createVocabulary, parseRfc3339, validateObservation } from './validate-observation.js';
export type { ObservationValidation, ObservationVocabulary } from './validate-observation.js';
export {
  DEFAULT_BEARING_UNCERTAINTY_DEG,
  DEFAULT_POSITION_ERROR_M,
  locateObservation,
} from './locate-observation.js';
export type { ObservationLocation } from './locate-observation.js';
