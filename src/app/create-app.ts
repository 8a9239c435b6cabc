import type { MerkleHasher } from '../core/ledger/index.js';
import type { ObservationVocabulary } from '../core/observations/index.js';
import type { AccessPolicy, Principal } from './access.js';
import { createCheckSensorHealth } from './check-sensor-health.js';
import { createIngestObservations } from './ingest-observations.js';
import type { IngestConfig } from './ingest-observations.js';
import { createLedgerWriter } from './ledger-writer.js';
import { createManageLedger } from './manage-ledger.js';
import type { LedgerSettings } from './manage-ledger.js';
import { createManageReference } from './manage-reference.js';
import { createQueryCoverage } from './query-coverage.js';
import type {
  Bus,
  Clock,
  DomainEvent,
  Ids,
  SensorHealth,
  Storage,
  StorageCounts,
} from './ports.js';
import { loadReferenceData } from './reference-data.js';
import type { ReferenceData } from './reference-data.js';
import { fail, ok } from './result.js';
import type { Result } from './result.js';
import { createReviewIncidents } from './review-incidents.js';
import { createSensorHealthBook } from './sensor-health-book.js';
import { createSerialQueue } from './serial.js';

/** The ports the application is built from. */
export interface AppPorts {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly bus: Bus;
  readonly policy: AccessPolicy;
  /** RFC 9162 hashing of the evidence ledger (SHA-256 from the crypto adapter). */
  readonly hasher: MerkleHasher;
  /** The ledger's signing key, origin and witnesses. */
  readonly ledger: LedgerSettings;
}

/** Settings of the application. */
export interface AppConfig extends IngestConfig {
  /** Terms observations may use. */
  readonly vocabulary: ObservationVocabulary;
  /** Grace past a sensor's heartbeat interval before it counts as silent, ms. */
  readonly healthGraceMs: number;
  /**
   * Whether to build the zone index of the zones in force now, at start and whenever the spec
   * changes (seconds of work, then tens of millions of positions per second). Without it every
   * position is classified by the direct geodesic computation.
   */
  readonly zoneIndex: boolean;
}

/** What the status page shows. */
export interface StatusSummary {
  /** Counts of observations and incidents. */
  readonly counts: StorageCounts;
  /** Health of every sensor. */
  readonly sensors: SensorHealth[];
  /** Zone spec version in force (0: none). */
  readonly zoneSpecVersion: number;
  /** Rule set version in force (0: none). */
  readonly ruleSetVersion: number;
  /** Server clock, Unix ms. */
  readonly nowMs: number;
}

/**
 * Builds every use case over the given ports: ingest, reference data, incident review, sensor
 * health and status. Loads the reference data and sensor health from storage first.
 */
export async function createApp(ports: AppPorts, config: AppConfig) {
  const reference: ReferenceData = await loadReferenceData(ports.storage);
  if (config.zoneIndex) reference.prepareZoneIndex(ports.clock.nowMs());
  const health = createSensorHealthBook(await ports.storage.listSensorHealth());
  const serial = createSerialQueue();
  const ledger = createLedgerWriter(ports.storage, ports.hasher);
  const shared = { ...ports, reference, health, serial, ledger };
  const manageLedger = createManageLedger({ ...shared, settings: ports.ledger });
  await manageLedger.reconcileSigningKeys('system');
  return {
    ledger: manageLedger,
    ingestObservations: createIngestObservations({
      ...shared,
      vocabulary: config.vocabulary,
      config,
    }),
    reference: createManageReference({
      ...shared,
      vocabulary: config.vocabulary,
      zoneIndex: config.zoneIndex,
    }),
    incidents: createReviewIncidents(shared),
    checkSensorHealth: createCheckSensorHealth({ ...shared, graceMs: config.healthGraceMs }),
    /** Coverage of a zone over a window, and its blind spots (S3). */
    coverage: createQueryCoverage(shared),
    /** Resolves a principal from the SHA-256 of an API key's secret. */
    async authenticate(keyHash: string): Promise<Principal | undefined> {
      const key = await ports.storage.apiKeyByHash(keyHash);
      if (!key || key.revokedAtMs !== null) return undefined;
      return { id: key.id, role: key.role };
    },
    /** Counts and health for the status page. */
    async status(principal: Principal): Promise<Result<StatusSummary>> {
      if (!ports.policy.can(principal, 'status:read')) {
        return fail('FORBIDDEN', 'this key may not read the status');
      }
      const counts = await ports.storage.counts();
      const nowMs = ports.clock.nowMs();
      return ok({
        counts,
        sensors: reference.sensors().map((s) => health.get(s.id, nowMs)),
        zoneSpecVersion: reference.zones()?.version ?? 0,
        ruleSetVersion: reference.rules()?.version ?? 0,
        nowMs,
      });
    },
    /** The server clock, Unix ms. */
    nowMs: () => ports.clock.nowMs(),
    /**
     * Subscribes a principal to committed changes; the policy decides which events reach it,
     * exactly as it decides reads.
     */
    subscribe(principal: Principal, handler: (event: DomainEvent) => void): () => void {
      const { policy } = ports;
      return ports.bus.subscribe((event) => {
        if (event.type === 'sensor.health') {
          if (policy.can(principal, 'sensors:read')) handler(event);
        } else if (event.type === 'observation.accepted') {
          const ok = policy.can(principal, 'observations:read');
          if (ok && policy.visible(principal, 'observation', [event.observation]).length)
            handler(event);
        } else if (
          policy.can(principal, 'incidents:read') &&
          policy.visible(principal, 'incident', [event.incident]).length
        ) {
          handler(event);
        }
      });
    },
  };
}

/** The application: every use case. */
export type App = Awaited<ReturnType<typeof createApp>>;
