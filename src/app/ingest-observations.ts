import { assessObservation } from '../core/assessment/index.js';
import type { PathError } from '../core/errors/index.js';
import { mergeFindings } from '../core/incidents/index.js';
import { canonicalJson } from '../core/ledger/index.js';
import type { JsonValue } from '../core/ledger/index.js';
import type { Incident, MergeConfig } from '../core/incidents/index.js';
import { validateObservation } from '../core/observations/index.js';
import type { Observation, ObservationVocabulary } from '../core/observations/index.js';
import type { Finding } from '../core/rules/index.js';
import { observationLeafText, observationRef } from '../core/evidence/index.js';
import type { AccessPolicy, Principal } from './access.js';
import { appendWith } from './ledger-writer.js';
import type { LedgerWriter } from './ledger-writer.js';
import type {
  Bus,
  Clock,
  DomainEvent,
  Ids,
  NewObservation,
  SensorHealth,
  Storage,
  StoredIncidentSource,
} from './ports.js';
import type { ReferenceData } from './reference-data.js';
import { fail, ok } from './result.js';
import type { Result } from './result.js';
import type { SensorHealthBook } from './sensor-health-book.js';

/** One record of a batch as the transport decoded it: a value, or why it could not decode. */
export type IngestRecord =
  | { readonly value: unknown; readonly error?: undefined }
  | { readonly value?: undefined; readonly error: PathError };

/** A fault of one record of a batch, with its position in the batch. */
export interface RecordError extends PathError {
  /** Zero-based position of the record in the batch. */
  readonly index: number;
}

/** What happened to a batch. */
export interface IngestResult {
  /** Records kept. */
  readonly accepted: number;
  /** Records already kept earlier (or twice in the batch): acknowledged, not kept again. */
  readonly duplicates: number;
  /** Records refused. */
  readonly rejected: number;
  /** Why each refused record was refused. */
  readonly errors: RecordError[];
  /** Ids of incidents the batch opened. */
  readonly incidentsCreated: string[];
  /** Ids of incidents the batch added sources to. */
  readonly incidentsUpdated: string[];
}

/** Limits and defaults of ingest. */
export interface IngestConfig {
  /** How far an event time may lie ahead of the server clock, ms. */
  readonly maxClockSkewMs: number;
  /** Merge thresholds when neither the rule nor the rule set gives them. */
  readonly defaultMerge: { readonly distanceM: number; readonly windowMs: number };
  /** Whether to publish every accepted observation on the bus (live observation streams). */
  readonly publishObservations: boolean;
}

/** Ports and state the ingest use case needs. */
export interface IngestDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly bus: Bus;
  readonly policy: AccessPolicy;
  readonly reference: ReferenceData;
  readonly health: SensorHealthBook;
  readonly vocabulary: ObservationVocabulary;
  readonly serial: <T>(task: () => Promise<T>) => Promise<T>;
  readonly config: IngestConfig;
  readonly ledger: LedgerWriter;
}

const keyOf = (sensorId: string, id: string) => `${sensorId}\u0000${id}`;

interface Candidate {
  readonly index: number;
  readonly observation: Observation;
  readonly observedAtMs: number;
}

/** Validates each record and checks its sensor, key scope and clock skew. */
function screen(
  records: readonly IngestRecord[],
  principal: Principal,
  deps: IngestDeps,
  nowMs: number,
): { candidates: Candidate[]; errors: RecordError[] } {
  const candidates: Candidate[] = [];
  const errors: RecordError[] = [];
  records.forEach((r, index) => {
    if (r.error) {
      errors.push({ index, ...r.error });
      return;
    }
    const v = validateObservation(r.value, deps.vocabulary);
    if (!v.ok) {
      errors.push(...v.errors.map((e) => ({ index, ...e })));
      return;
    }
    const o = v.observation;
    if (!deps.reference.sensor(o.sensorId)) {
      errors.push({
        index,
        path: '/sensorId',
        code: 'UNKNOWN_SENSOR',
        message: `sensor '${o.sensorId}' is not registered`,
      });
      return;
    }
    const position = o.position;
    if (position && 'bearingDeg' in position && !deps.reference.sensor(o.sensorId)?.position) {
      errors.push({
        index,
        path: '/position',
        code: 'SENSOR_POSITION_REQUIRED',
        message: `a bearing needs the position of sensor '${o.sensorId}', which has none registered`,
      });
      return;
    }
    if (principal.sensorIds && !principal.sensorIds.includes(o.sensorId)) {
      errors.push({
        index,
        path: '/sensorId',
        code: 'FORBIDDEN',
        message: `this key may not report for sensor '${o.sensorId}'`,
      });
      return;
    }
    if (v.observedAtMs > nowMs + deps.config.maxClockSkewMs) {
      errors.push({
        index,
        path: '/observedAt',
        code: 'CLOCK_SKEW',
        message: `observedAt is ${Math.round((v.observedAtMs - nowMs) / 1000)} s ahead of the server clock (at most ${deps.config.maxClockSkewMs / 1000} s allowed)`,
      });
      return;
    }
    candidates.push({ index, observation: o, observedAtMs: v.observedAtMs });
  });
  return { candidates, errors };
}

/** Whether two observations are the same record (RFC 8785 canonical forms are equal). */
function sameObservation(a: Observation, b: Observation): boolean {
  return canonicalJson(a as unknown as JsonValue) === canonicalJson(b as unknown as JsonValue);
}

/**
 * Indexes of records that reuse a stored (sensorId, id) for a different observation: a resend
 * of the same record is a duplicate; a different record under the same key is a conflict,
 * because a kept observation never changes.
 */
async function conflictingDuplicates(
  candidates: readonly Candidate[],
  existing: ReadonlySet<string>,
  storage: Storage,
): Promise<Set<number>> {
  const out = new Set<number>();
  for (const c of candidates) {
    const o = c.observation;
    if (!existing.has(keyOf(o.sensorId, o.id))) continue;
    const stored = await storage.getObservation({ sensorId: o.sensorId, id: o.id });
    if (stored && !sameObservation(stored.observation, o)) out.add(c.index);
  }
  return out;
}

/** Health of the sensors a batch touched: seen, back from silence, or interfered with. */
function healthAfter(
  fresh: readonly NewObservation[],
  deps: IngestDeps,
  nowMs: number,
): SensorHealth[] {
  const out = new Map<string, SensorHealth>();
  const current = (id: string) => out.get(id) ?? deps.health.get(id, nowMs);
  for (const s of fresh) {
    const o = s.observation;
    const h = current(o.sensorId);
    // Anything but an interference report from the sensor itself shows it working again.
    const back =
      h.status === 'silent' ||
      h.status === 'unknown' ||
      (h.status === 'interfered' && o.kind !== 'interference');
    out.set(o.sensorId, {
      ...h,
      status: back ? 'ok' : h.status,
      sinceMs: back ? nowMs : h.sinceMs,
      lastSeenMs: Math.max(h.lastSeenMs ?? -Infinity, s.observedAtMs),
      observationCount: h.observationCount + 1,
    });
    if (o.kind === 'interference') {
      const target = o.interference?.targetSensorId ?? o.sensorId;
      if (deps.reference.sensor(target)) {
        const t = current(target);
        out.set(target, { ...t, status: 'interfered', sinceMs: nowMs });
      }
    }
  }
  return [...out.values()];
}

/**
 * Ingests a batch of observations (P1–P4): validates every record, refuses unknown sensors,
 * sensors the key may not report for and event times beyond the clock skew, skips duplicates
 * by (sensorId, id), assesses each new observation against the zones and rules in force at its
 * event time, merges the findings into incidents, and writes everything in ONE transaction
 * before it answers; only then are the changes published. Valid records are kept when others
 * in the batch are refused.
 */
export function createIngestObservations(deps: IngestDeps) {
  return (principal: Principal, records: readonly IngestRecord[]): Promise<Result<IngestResult>> =>
    deps.serial(async () => {
      if (!deps.policy.can(principal, 'observations:write')) {
        return fail<IngestResult>('FORBIDDEN', 'this key may not post observations');
      }
      const nowMs = deps.clock.nowMs();
      const { candidates, errors } = screen(records, principal, deps, nowMs);
      const existing = await deps.storage.existingObservationKeys(
        candidates.map((c) => ({ sensorId: c.observation.sensorId, id: c.observation.id })),
      );
      let duplicates = 0;
      const seen = new Map<string, Observation>();
      const conflicts = await conflictingDuplicates(candidates, existing, deps.storage);
      const fresh: NewObservation[] = [];
      const findings: Finding[] = [];
      const zones = deps.reference.zones();
      const rules = deps.reference.rules();
      for (const c of candidates) {
        const o = c.observation;
        const key = keyOf(o.sensorId, o.id);
        const earlier = seen.get(key);
        if (conflicts.has(c.index) || (earlier && !sameObservation(earlier, o))) {
          errors.push({
            index: c.index,
            path: '/id',
            code: 'CONFLICT',
            message: `sensor '${o.sensorId}' already reported a different observation '${o.id}'; observations are immutable`,
          });
          continue;
        }
        if (existing.has(key) || earlier) {
          duplicates++;
          continue;
        }
        seen.set(key, o);
        const sensor = deps.reference.sensor(o.sensorId);
        if (!sensor) continue;
        const target = o.interference?.targetSensorId;
        const a = assessObservation(o, c.observedAtMs, sensor, {
          zoneSet: deps.reference.zoneSetAt(c.observedAtMs),
          zoneIndex: deps.reference.zoneIndexAt(c.observedAtMs),
          rules: rules?.compiled,
          ruleContext: { zoneKinds: zones?.zoneKinds ?? new Map(), notifications: [] },
          ...(target && { targetOwner: deps.reference.sensor(target)?.owner ?? 'unknown' }),
        });
        findings.push(...a.evaluation.findings);
        const at = a.location.type === 'none' ? null : a.location;
        fresh.push({
          observation: o,
          observedAtMs: c.observedAtMs,
          receivedAtMs: nowMs,
          lon: at?.lon ?? null,
          lat: at?.lat ?? null,
          radiusM: at?.radiusM ?? null,
          inside: a.zones.inside,
          possiblyInside: a.zones.possiblyInside,
          side: a.zones.side,
          distanceToLineM: a.zones.distanceToLineM,
          zoneSpecVersion: zones?.version ?? 0,
          ruleIds: a.evaluation.findings.map((f) => f.ruleId),
          authorized: a.evaluation.authorized,
          leafIndex: null,
        });
      }
      const merged = await mergeBatch(findings, deps, nowMs);
      const sensorHealth = healthAfter(fresh, deps, nowMs);
      const changedHealth = sensorHealth.filter(
        (h) => deps.health.get(h.sensorId, nowMs).status !== h.status,
      );
      const leaves = fresh.map((o) => ({
        ref: observationRef(o.observation.sensorId, o.observation.id),
        kind: 'observation' as const,
        text: observationLeafText(o.observation, o),
      }));
      const kept = await appendWith(deps.ledger, leaves, async (ledger) => {
        const numbered = fresh.map((o, i) => ({ ...o, leafIndex: ledger.fromSize + i }));
        await deps.storage.commitIngest({
          observations: numbered,
          createdIncidents: merged.created,
          updatedIncidents: merged.updated,
          sources: merged.sources,
          sensorHealth,
          ledger,
        });
        return numbered;
      });
      deps.health.apply(sensorHealth, nowMs);
      publish(deps, merged.created, merged.updated, changedHealth, kept);
      return ok<IngestResult>({
        accepted: kept.length,
        duplicates,
        rejected: records.length - fresh.length - duplicates,
        errors,
        incidentsCreated: merged.created.map((i) => i.id),
        incidentsUpdated: merged.updated.map((i) => i.id),
      });
    });
}

/** Merge thresholds of a rule: its own, else the rule set's, else the configured defaults. */
function mergeConfigFor(deps: Pick<IngestDeps, 'reference' | 'config'>) {
  const rules = deps.reference.rules()?.compiled;
  const set = rules?.ruleSet;
  const compatible = set?.compatibleClasses ?? [];
  return (ruleId: string): MergeConfig => {
    const own = rules?.byId.get(ruleId)?.merge;
    const distanceM = own?.distanceM ?? set?.merge?.distanceM ?? deps.config.defaultMerge.distanceM;
    const windowS = own?.windowS ?? set?.merge?.windowS;
    const windowMs = windowS === undefined ? deps.config.defaultMerge.windowMs : windowS * 1000;
    return { distanceM, windowMs, compatible };
  };
}

async function mergeBatch(
  findings: readonly Finding[],
  deps: IngestDeps,
  nowMs: number,
): Promise<{ created: Incident[]; updated: Incident[]; sources: StoredIncidentSource[] }> {
  if (findings.length === 0) return { created: [], updated: [], sources: [] };
  const configFor = mergeConfigFor(deps);
  const ruleIds = [...new Set(findings.map((f) => f.ruleId))];
  const widestMs = Math.max(...ruleIds.map((r) => configFor(r).windowMs));
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const f of findings) {
    fromMs = Math.min(fromMs, f.observedAtMs);
    toMs = Math.max(toMs, f.observedAtMs);
  }
  const open = await deps.storage.openIncidentsBetween(fromMs - widestMs, toMs + widestMs, ruleIds);
  const outcome = mergeFindings(open, findings, configFor, () => deps.ids.next('inc'), nowMs);
  return {
    created: outcome.created,
    updated: outcome.updated,
    sources: outcome.links.map((l) => ({ incidentId: l.incidentId, ...l.source })),
  };
}

function publish(
  deps: IngestDeps,
  created: readonly Incident[],
  updated: readonly Incident[],
  health: readonly SensorHealth[],
  fresh: readonly NewObservation[],
): void {
  const events: DomainEvent[] = [
    ...created.map((incident) => ({ type: 'incident.created' as const, incident })),
    ...updated.map((incident) => ({ type: 'incident.updated' as const, incident })),
    ...health.map((h) => ({ type: 'sensor.health' as const, health: h })),
  ];
  if (events.length > 0) deps.bus.publish(events);
  if (deps.config.publishObservations && fresh.length > 0) {
    deps.bus.publish(
      fresh.map((observation) => ({ type: 'observation.accepted' as const, observation })),
    );
  }
}
