import { INCIDENT_STATUSES, transitionIncident } from '../core/incidents/index.js';
import type { Incident, IncidentStatus } from '../core/incidents/index.js';
import { incidentRef, transitionLeaf } from '../core/evidence/index.js';
import type { AccessPolicy, Principal } from './access.js';
import { appendWith } from './ledger-writer.js';
import type { LedgerWriter } from './ledger-writer.js';
import type {
  Bus,
  Clock,
  IncidentQuery,
  ObservationQuery,
  Page,
  Storage,
  StoredIncidentSource,
  StoredObservation,
} from './ports.js';
import { fail, ok } from './result.js';
import type { Result } from './result.js';

/** Ports of the incident and observation read and review use cases. */
export interface ReviewDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly bus: Bus;
  readonly policy: AccessPolicy;
  readonly serial: <T>(task: () => Promise<T>) => Promise<T>;
  readonly ledger: LedgerWriter;
}

/** An incident with its source observations. */
export interface IncidentDetail {
  /** The incident. */
  readonly incident: Incident;
  /** Its sources, in event-time order. */
  readonly sources: StoredIncidentSource[];
}

/**
 * Reading observations and incidents, and moving incidents through their review (V1). Every
 * read passes the access policy, the one place releasability will be enforced.
 */
export function createReviewIncidents(deps: ReviewDeps) {
  const { storage, policy } = deps;
  return {
    /** One page of observations. */
    async listObservations(
      principal: Principal,
      query: ObservationQuery,
    ): Promise<Result<Page<StoredObservation>>> {
      if (!policy.can(principal, 'observations:read')) {
        return fail('FORBIDDEN', 'this key may not read observations');
      }
      const page = await storage.listObservations(query);
      return ok({ ...page, items: policy.visible(principal, 'observation', page.items) });
    },
    /** One page of incidents. */
    async listIncidents(
      principal: Principal,
      query: IncidentQuery,
    ): Promise<Result<Page<Incident>>> {
      if (!policy.can(principal, 'incidents:read')) {
        return fail('FORBIDDEN', 'this key may not read incidents');
      }
      const page = await storage.listIncidents(query);
      return ok({ ...page, items: policy.visible(principal, 'incident', page.items) });
    },
    /** One incident with its sources. */
    async getIncident(principal: Principal, id: string): Promise<Result<IncidentDetail>> {
      if (!policy.can(principal, 'incidents:read')) {
        return fail('FORBIDDEN', 'this key may not read incidents');
      }
      const found = await storage.getIncident(id);
      const [incident] = found ? policy.visible(principal, 'incident', [found]) : [];
      if (!incident) return fail('NOT_FOUND', `no incident '${id}'`);
      return ok({ incident, sources: await storage.incidentSources(id) });
    },
    /** Moves an incident to a new status, with who, when and why. */
    transition(
      principal: Principal,
      id: string,
      to: string,
      reason: string,
    ): Promise<Result<Incident>> {
      return deps.serial(async () => {
        if (!policy.can(principal, 'incidents:review')) {
          return fail<Incident>('FORBIDDEN', 'this key may not review incidents');
        }
        if (!(INCIDENT_STATUSES as readonly string[]).includes(to)) {
          return fail<Incident>('INVALID_INPUT', `'${to}' is not an incident status`, [
            {
              path: '/to',
              code: 'UNKNOWN_TERM',
              message: `one of ${INCIDENT_STATUSES.join(', ')}`,
            },
          ]);
        }
        const current = await storage.getIncident(id);
        if (!current || policy.visible(principal, 'incident', [current]).length === 0) {
          return fail<Incident>('NOT_FOUND', `no incident '${id}'`);
        }
        const t = transitionIncident(
          current,
          to as IncidentStatus,
          principal.id,
          reason,
          deps.clock.nowMs(),
        );
        if (!t.ok) return fail<Incident>(t.code, t.message);
        const change = t.incident.transitions.at(-1);
        const leaves = change
          ? [{ ref: incidentRef(id), leaf: transitionLeaf(t.incident, change) }]
          : [];
        const replaced = await appendWith(deps.ledger, leaves, (ledger) =>
          storage.replaceIncident(t.incident, current.version, ledger),
        );
        if (!replaced) {
          // Nothing was written, the ledger append included.
          deps.ledger.reset();
          return fail<Incident>('CONFLICT', 'the incident changed meanwhile; reload and retry');
        }
        deps.bus.publish([{ type: 'incident.updated', incident: t.incident }]);
        return ok(t.incident);
      });
    },
  };
}

/** The incident and observation use cases. */
export type ReviewIncidents = ReturnType<typeof createReviewIncidents>;
