import { describe, expect, it } from 'vitest';
import type { Finding } from '../rules/index.js';
import {
  INCIDENT_STATUSES,
  INCIDENT_TRANSITIONS,
  isAllowedTransition,
  mergeFindings,
  transitionIncident,
} from './index.js';
import type { Incident, IncidentStatus } from './index.js';

const T0 = Date.UTC(2026, 0, 2, 10);

/** A new incident, opened through the public surface from one finding. */
function detected(): Incident {
  const f: Finding = {
    ruleId: 'dmz-forces',
    severity: 'high',
    certainty: 'certain',
    sensorId: 'cam-1',
    observationId: 'o-1',
    observedAtMs: T0,
    lon: 37.5,
    lat: 48.1,
    radiusM: 50,
    zones: ['dmz'],
    sectors: ['sector-06'],
    class: 'tank',
    count: 2,
  };
  const config = { distanceM: 1000, windowMs: 1_800_000, compatible: [] };
  return mergeFindings(
    [],
    [f],
    () => config,
    () => 'inc-1',
    T0,
  ).created[0] as Incident;
}

/** An incident in a given status (its history is not what these tests look at). */
const inStatus = (status: IncidentStatus): Incident => ({ ...detected(), status });

/** The lifecycle of issue 3: detected -> under-review -> a verdict -> closed; verdicts reopen. */
const LIFECYCLE: Record<IncidentStatus, IncidentStatus[]> = {
  detected: ['under-review'],
  'under-review': ['verified', 'not-substantiated', 'unable-to-verify'],
  verified: ['closed', 'under-review'],
  'not-substantiated': ['closed', 'under-review'],
  'unable-to-verify': ['closed', 'under-review'],
  closed: [],
};

const PAIRS = INCIDENT_STATUSES.flatMap((from) =>
  INCIDENT_STATUSES.map((to) => [from, to] as const),
);
const ALLOWED = PAIRS.filter(([from, to]) => INCIDENT_TRANSITIONS[from].includes(to));
const REFUSED = PAIRS.filter(([from, to]) => !INCIDENT_TRANSITIONS[from].includes(to));

describe('incident lifecycle', () => {
  it('allows exactly the transitions of the documented lifecycle', () => {
    expect(INCIDENT_TRANSITIONS).toEqual(LIFECYCLE);
    expect(Object.keys(INCIDENT_TRANSITIONS).sort()).toEqual([...INCIDENT_STATUSES].sort());
    expect(ALLOWED).toHaveLength(10);
    expect(REFUSED).toHaveLength(26);
  });

  it('opens incidents as detected, with no transitions, at version 1', () => {
    expect(detected()).toMatchObject({ status: 'detected', transitions: [], version: 1 });
  });

  it.each(ALLOWED)('moves %s -> %s, recording actor, time and reason', (from, to) => {
    expect(isAllowedTransition(from, to)).toBe(true);
    const before = inStatus(from);
    const snapshot = structuredClone(before);
    const r = transitionIncident(before, to, 'officer-7', `reviewed: ${to}`, T0 + 3_600_000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.incident).toEqual({
      ...before,
      status: to,
      transitions: [
        { from, to, actor: 'officer-7', atMs: T0 + 3_600_000, reason: `reviewed: ${to}` },
      ],
      updatedAtMs: T0 + 3_600_000,
      version: before.version + 1,
    });
    expect(before).toEqual(snapshot);
  });

  it.each(REFUSED)('refuses %s -> %s with INVALID_TRANSITION', (from, to) => {
    expect(isAllowedTransition(from, to)).toBe(false);
    const before = inStatus(from);
    const r = transitionIncident(before, to, 'officer-7', 'because', T0 + 1000);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('INVALID_TRANSITION');
    expect(r.message).toContain(`an incident that is ${from} cannot become ${to}`);
    const allowed = INCIDENT_TRANSITIONS[from];
    expect(r.message).toContain(
      allowed.length > 0 ? `it can become ${allowed.join(' or ')}` : 'it is closed',
    );
  });

  it('keeps the whole history, oldest first, through a review that is revisited', () => {
    const path: [IncidentStatus, string, string][] = [
      ['under-review', 'officer-1', 'picked up'],
      ['verified', 'officer-1', 'two cameras agree'],
      ['under-review', 'officer-2', 'new imagery'],
      ['not-substantiated', 'officer-2', 'the vehicles were civilian'],
      ['closed', 'chief-1', 'done'],
    ];
    let incident = detected();
    path.forEach(([to, actor, reason], k) => {
      const r = transitionIncident(incident, to, actor, reason, T0 + (k + 1) * 60_000);
      if (!r.ok) throw new Error(r.message);
      incident = r.incident;
    });
    expect(incident.status).toBe('closed');
    expect(incident.version).toBe(6);
    expect(incident.updatedAtMs).toBe(T0 + 5 * 60_000);
    expect(incident.transitions).toEqual([
      {
        from: 'detected',
        to: 'under-review',
        actor: 'officer-1',
        atMs: T0 + 60_000,
        reason: 'picked up',
      },
      {
        from: 'under-review',
        to: 'verified',
        actor: 'officer-1',
        atMs: T0 + 120_000,
        reason: 'two cameras agree',
      },
      {
        from: 'verified',
        to: 'under-review',
        actor: 'officer-2',
        atMs: T0 + 180_000,
        reason: 'new imagery',
      },
      {
        from: 'under-review',
        to: 'not-substantiated',
        actor: 'officer-2',
        atMs: T0 + 240_000,
        reason: 'the vehicles were civilian',
      },
      {
        from: 'not-substantiated',
        to: 'closed',
        actor: 'chief-1',
        atMs: T0 + 300_000,
        reason: 'done',
      },
    ]);
    for (const to of INCIDENT_STATUSES) {
      expect(transitionIncident(incident, to, 'chief-1', 'reopen', T0).ok).toBe(false);
    }
  });
});
