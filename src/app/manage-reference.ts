import type { PathError } from '../core/errors/index.js';
import { schemaErrors, nonFiniteErrors } from '../core/errors/index.js';
import { SensorSchema, parseRfc3339 } from '../core/observations/index.js';
import type { ObservationVocabulary, Sensor } from '../core/observations/index.js';
import { validateRuleSet } from '../core/rules/index.js';
import type { RuleSet } from '../core/rules/index.js';
import { compileZoneSet, validateZoneSpec, zoneSetToGeoJson } from '../core/zones/index.js';
import type { ZoneSpec } from '../core/zones/index.js';
import { ruleChangeLeaf, zoneChangeLeaf } from '../core/evidence/index.js';
import type { AccessPolicy, Principal } from './access.js';
import { appendWith } from './ledger-writer.js';
import type { LedgerWriter } from './ledger-writer.js';
import { SENSOR_OUTAGE_RULE_ID } from './check-sensor-health.js';
import type { Bus, Clock, SensorHealth, Storage, Versioned } from './ports.js';
import type { ReferenceData } from './reference-data.js';
import { fail, ok } from './result.js';
import type { Result } from './result.js';
import type { SensorHealthBook } from './sensor-health-book.js';

/** Ports and state of the reference-data use cases. */
export interface ManageReferenceDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly bus: Bus;
  readonly policy: AccessPolicy;
  readonly reference: ReferenceData;
  readonly health: SensorHealthBook;
  readonly vocabulary: ObservationVocabulary;
  readonly serial: <T>(task: () => Promise<T>) => Promise<T>;
  readonly ledger: LedgerWriter;
  /** Whether to build the zone index when the spec changes. */
  readonly zoneIndex: boolean;
}

const denied = <T>(what: string): Result<T> => fail<T>('FORBIDDEN', `this key may not ${what}`);

function validateSensor(
  value: unknown,
): { ok: true; sensor: Sensor } | { ok: false; errors: PathError[] } {
  const errors = [...nonFiniteErrors(value, '')];
  if (errors.length === 0) errors.push(...schemaErrors(SensorSchema, value, ''));
  if (errors.length > 0) return { ok: false, errors };
  const sensor = value as Sensor;
  if (sensor.passes) {
    sensor.passes.forEach((p, i) => {
      if (Number.isNaN(parseRfc3339(p.at))) {
        errors.push({
          path: `/passes/${i}/at`,
          code: 'INVALID_TIME',
          message: 'not an RFC 3339 date-time with a time zone',
        });
      }
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, sensor };
}

/**
 * The use cases that change or read the reference data: zone spec and rule set versions (history
 * kept), and the sensor registry. A new zone spec must build at every instant it defines; a rule
 * set must name only zones of the current spec and known terms.
 */
export function createManageReference(deps: ManageReferenceDeps) {
  const { storage, policy, reference } = deps;
  const geoJsonCache = new Map<string, unknown>();
  return {
    /**
     * The zones in force at an instant as a GeoJSON FeatureCollection (display geometry, within
     * 1 m of the true edges), cached per spec version and validity interval.
     */
    async zonesGeoJson(principal: Principal, atMs: number): Promise<Result<unknown>> {
      if (!policy.can(principal, 'zones:read')) return denied('read zones');
      const zones = reference.zones();
      if (!zones) return fail('NOT_FOUND', 'no zone spec loaded');
      const interval = zones.model.changes.filter((t) => t <= atMs).length;
      const key = `${zones.version}:${interval}`;
      let geoJson = geoJsonCache.get(key);
      if (geoJson === undefined) {
        const at = zones.model.at(atMs);
        if (!at.ok) return fail('INVALID_INPUT', 'the zones do not build at that time', at.errors);
        geoJson = zoneSetToGeoJson(at.zoneSet);
        geoJsonCache.set(key, geoJson);
      }
      return ok(geoJson);
    },
    /** The current zone spec and its version. */
    async getZones(principal: Principal): Promise<Result<Versioned<ZoneSpec> | undefined>> {
      if (!policy.can(principal, 'zones:read')) return denied('read zones');
      return ok(await storage.currentZoneSpec());
    },
    /** Every zone spec version, newest first. */
    async zoneHistory(principal: Principal): Promise<Result<Versioned<ZoneSpec>[]>> {
      if (!policy.can(principal, 'zones:read')) return denied('read zones');
      return ok(await storage.zoneSpecHistory());
    },
    /** Validates and stores a new zone spec version, and puts it in force. */
    putZones(principal: Principal, value: unknown): Promise<Result<Versioned<ZoneSpec>>> {
      return deps.serial(async () => {
        if (!policy.can(principal, 'zones:write')) return denied('change zones');
        const v = validateZoneSpec(value);
        if (!v.ok) return fail('INVALID_INPUT', 'the zone spec is not valid', v.errors);
        const nowMs = deps.clock.nowMs();
        const built = compileZoneSet(v.spec, nowMs);
        if (!built.ok) return fail('INVALID_INPUT', 'the zone spec does not build', built.errors);
        const version = ((await storage.currentZoneSpec())?.version ?? 0) + 1;
        const leaf = zoneChangeLeaf(version, v.spec, principal.id, nowMs);
        const stored = await appendWith(deps.ledger, [{ ref: `zone-spec:${version}`, leaf }], (l) =>
          storage.putZoneSpec(v.spec, principal.id, nowMs, l),
        );
        reference.setZones(stored);
        if (deps.zoneIndex) reference.prepareZoneIndex(nowMs);
        return ok(stored);
      });
    },
    /** The current rule set and its version. */
    async getRules(principal: Principal): Promise<Result<Versioned<RuleSet> | undefined>> {
      if (!policy.can(principal, 'rules:read')) return denied('read rules');
      return ok(await storage.currentRuleSet());
    },
    /** Validates and stores a new rule set version, and puts it in force. */
    putRules(principal: Principal, value: unknown): Promise<Result<Versioned<RuleSet>>> {
      return deps.serial(async () => {
        if (!policy.can(principal, 'rules:write')) return denied('change rules');
        const zones = reference.zones();
        const v = validateRuleSet(value, {
          vocabulary: deps.vocabulary,
          ...(zones && { zoneIds: new Set(zones.zoneKinds.keys()) }),
        });
        if (!v.ok) return fail('INVALID_INPUT', 'the rule set is not valid', v.errors);
        const reserved = v.ruleSet.rules.findIndex((r) => r.id === SENSOR_OUTAGE_RULE_ID);
        if (reserved >= 0) {
          return fail('INVALID_INPUT', 'the rule set is not valid', [
            {
              path: `/rules/${reserved}/id`,
              code: 'DUPLICATE_ID',
              message: `'${SENSOR_OUTAGE_RULE_ID}' is reserved for sensor outages`,
            },
          ]);
        }
        const nowMs = deps.clock.nowMs();
        const version = ((await storage.currentRuleSet())?.version ?? 0) + 1;
        const leaf = ruleChangeLeaf(version, v.ruleSet, principal.id, nowMs);
        const stored = await appendWith(deps.ledger, [{ ref: `rule-set:${version}`, leaf }], (l) =>
          storage.putRuleSet(v.ruleSet, principal.id, nowMs, l),
        );
        reference.setRules(stored);
        return ok(stored);
      });
    },
    /** Every registered sensor. */
    async listSensors(principal: Principal): Promise<Result<Sensor[]>> {
      if (!policy.can(principal, 'sensors:read')) return denied('read sensors');
      return ok(policy.visible(principal, 'sensor', reference.sensors()));
    },
    /** One sensor. */
    async getSensor(principal: Principal, id: string): Promise<Result<Sensor>> {
      if (!policy.can(principal, 'sensors:read')) return denied('read sensors');
      const s = reference.sensor(id);
      const [visible] = s ? policy.visible(principal, 'sensor', [s]) : [];
      return visible ? ok(visible) : fail('NOT_FOUND', `no sensor '${id}'`);
    },
    /** Registers or replaces a sensor; `created` tells which. */
    putSensor(
      principal: Principal,
      id: string,
      value: unknown,
    ): Promise<Result<{ sensor: Sensor; created: boolean }>> {
      return deps.serial(async () => {
        if (!policy.can(principal, 'sensors:write')) return denied('change sensors');
        const v = validateSensor(value);
        if (!v.ok) return fail('INVALID_INPUT', 'the sensor is not valid', v.errors);
        if (v.sensor.id !== id) {
          return fail('INVALID_INPUT', `the body's id '${v.sensor.id}' is not '${id}'`, [
            { path: '/id', code: 'INVALID_INPUT', message: `must be '${id}' as in the URL` },
          ]);
        }
        const nowMs = deps.clock.nowMs();
        const created = await storage.putSensor(v.sensor, nowMs);
        reference.setSensor(v.sensor);
        if (created) {
          const h: SensorHealth = deps.health.get(id, nowMs);
          await storage.putSensorHealth([h]);
          deps.health.apply([h]);
        }
        return ok({ sensor: v.sensor, created });
      });
    },
    /** Health of one sensor. */
    async sensorHealth(principal: Principal, id: string): Promise<Result<SensorHealth>> {
      if (!policy.can(principal, 'sensors:read')) return denied('read sensors');
      const s = reference.sensor(id);
      if (!s || policy.visible(principal, 'sensor', [s]).length === 0) {
        return fail('NOT_FOUND', `no sensor '${id}'`);
      }
      return ok(deps.health.get(id, deps.clock.nowMs()));
    },
    /** Health of every sensor. */
    async allSensorHealth(principal: Principal): Promise<Result<SensorHealth[]>> {
      if (!policy.can(principal, 'sensors:read')) return denied('read sensors');
      const visible = new Set(
        policy.visible(principal, 'sensor', reference.sensors()).map((s) => s.id),
      );
      const nowMs = deps.clock.nowMs();
      return ok([...visible].map((id) => deps.health.get(id, nowMs)));
    },
  };
}

/** The reference-data use cases. */
export type ManageReference = ReturnType<typeof createManageReference>;
