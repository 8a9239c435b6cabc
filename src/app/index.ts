export { createRolePolicy } from './access.js';
export type { AccessPolicy, Action, Principal } from './access.js';
export { SENSOR_OUTAGE_RULE_ID, silenceThresholdMs } from './check-sensor-health.js';
export { createApp } from './create-app.js';
export type { App, AppConfig, AppPorts, StatusSummary } from './create-app.js';
export type { IngestRecord, IngestResult, RecordError } from './ingest-observations.js';
export type { IncidentDetail } from './review-incidents.js';
export { checkpointNoteText } from './manage-ledger.js';
export type {
  CosignatureOutcome,
  EvidenceParts,
  LedgerKeys,
  LedgerSettings,
  LedgerWitness,
} from './manage-ledger.js';
export { MAX_COVERAGE_WINDOW_MS, UNSCHEDULED_REPORT_VALIDITY_MS } from './query-coverage.js';
export type { CoverageQuery, CoverageReport, SensorCoverageReport } from './query-coverage.js';
export type {
  ActivityRun,
  ApiKeyRecord,
  Bus,
  Clock,
  DomainEvent,
  IncidentQuery,
  Ids,
  IngestCommit,
  LedgerAppend,
  LedgerLeafRecord,
  NewObservation,
  ObservationKey,
  ObservationQuery,
  Page,
  SensorActivityQuery,
  SensorHealth,
  Storage,
  StorageCounts,
  StoredCheckpoint,
  StoredIncidentSource,
  StoredObservation,
  Versioned,
} from './ports.js';
export type { Result, UseCaseError } from './result.js';
