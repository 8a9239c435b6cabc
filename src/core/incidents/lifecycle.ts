import type { Incident, IncidentStatus } from './incident.js';

/**
 * The allowed status changes. A verdict can be revisited (back to review) until the incident is
 * closed; a closed incident is final.
 */
export const INCIDENT_TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  detected: ['under-review'],
  'under-review': ['verified', 'not-substantiated', 'unable-to-verify'],
  verified: ['closed', 'under-review'],
  'not-substantiated': ['closed', 'under-review'],
  'unable-to-verify': ['closed', 'under-review'],
  closed: [],
};

/** The outcome of asking for a status change. */
export type TransitionResult =
  { ok: true; incident: Incident } | { ok: false; code: 'INVALID_TRANSITION'; message: string };

/** Whether the lifecycle allows moving from one status to another. */
export function isAllowedTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return INCIDENT_TRANSITIONS[from].includes(to);
}

/** Moves an incident to a new status, recording who, when and why. */
export function transitionIncident(
  incident: Incident,
  to: IncidentStatus,
  actor: string,
  reason: string,
  atMs: number,
): TransitionResult {
  if (!isAllowedTransition(incident.status, to)) {
    const allowed = INCIDENT_TRANSITIONS[incident.status];
    return {
      ok: false,
      code: 'INVALID_TRANSITION',
      message:
        `an incident that is ${incident.status} cannot become ${to}` +
        (allowed.length ? `; it can become ${allowed.join(' or ')}` : '; it is closed'),
    };
  }
  return {
    ok: true,
    incident: {
      ...incident,
      status: to,
      transitions: [...incident.transitions, { from: incident.status, to, actor, atMs, reason }],
      updatedAtMs: atMs,
      version: incident.version + 1,
    },
  };
}
