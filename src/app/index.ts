export { createRolePolicy } from './access.js';
export type { AccessPolicy, Action, Principal } from './access.js';
export { SENSOR_OUTAGE_RULE_ID, silenceThresholdMs } from './check-sensor-health.js';
export { createApp } from './create-app.js';
export type { App, AppConfig, AppPorts, StatusSummary } from './create-app.js';
export type { IngestRecord, IngestResult, RecordError } from './ingest-observations.js';
export type { IncidentDetail } from './review-incidents.js';
export type {
  ApiKeyRecord,
  Bus,
  Clock,
  DomainEvent,
  IncidentQuery,
  Ids,
  IngestCommit,
  NewObservation,
  ObservationKey,
  ObservationQuery,
  Page,
  SensorHealth,
  Storage,
  StorageCounts,
  StoredIncidentSource,
  StoredObservation,
  Versioned,
} from './ports.js';
export type { Result, UseCaseError } from './result.js';
