export { INCIDENT_STATUSES } from './incident.js';
export type { Incident, IncidentSource, IncidentStatus, IncidentTransition } from './incident.js';
export { INCIDENT_TRANSITIONS, isAllowedTransition, transitionIncident } from './lifecycle.js';
export type { TransitionResult } from './lifecycle.js';
export { mergeFindings } from './merge-findings.js';
export type { MergeConfig, MergeOutcome, SourceLink } from './merge-findings.js';
