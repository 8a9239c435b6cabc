export { assessObservation } from './assess-observation.js';
export type {
  AssessmentContext,
  ObservationAssessment,
  ZoneClassification,
} from './assess-observation.js';
