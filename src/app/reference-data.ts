import type { Sensor } from '../core/observations/index.js';
import { compileRuleSet } from '../core/rules/index.js';
import type { CompiledRuleSet, RuleSet } from '../core/rules/index.js';
import { buildZoneIndex, createZoneModel } from '../core/zones/index.js';
import type { ZoneIndex, ZoneModel, ZoneSet, ZoneSpec } from '../core/zones/index.js';
import type { Storage, Versioned } from './ports.js';

/** The zone spec in force and its model. */
export interface ZoneState {
  /** Spec version. */
  readonly version: number;
  /** The spec. */
  readonly spec: ZoneSpec;
  /** The zone sets in force at any instant. */
  readonly model: ZoneModel;
  /** Kind of every zone of the spec, by id. */
  readonly zoneKinds: ReadonlyMap<string, string>;
}

/** The rule set in force, compiled. */
export interface RuleState {
  /** Rule set version. */
  readonly version: number;
  /** The rules, compiled. */
  readonly compiled: CompiledRuleSet;
}

/**
 * The reference data every observation is judged against — zones, rules, sensors — held in
 * memory and replaced whole when a new version is stored, so a batch sees one consistent set.
 */
export interface ReferenceData {
  /** The zones in force, if a spec was loaded. */
  zones(): ZoneState | undefined;
  /** The zone set in force at an instant, if any. */
  zoneSetAt(atMs: number): ZoneSet | undefined;
  /** The index of the zone set in force at an instant, if one was built for it. */
  zoneIndexAt(atMs: number): ZoneIndex | undefined;
  /** Builds the index of the zone set in force at an instant (seconds of work; cached). */
  prepareZoneIndex(atMs: number): void;
  /** The rules in force, if a rule set was loaded. */
  rules(): RuleState | undefined;
  /** A registered sensor. */
  sensor(id: string): Sensor | undefined;
  /** Every registered sensor. */
  sensors(): Sensor[];
  /** Replaces the zone spec. */
  setZones(v: Versioned<ZoneSpec>): void;
  /** Replaces the rule set. */
  setRules(v: Versioned<RuleSet>): void;
  /** Adds or replaces a sensor. */
  setSensor(sensor: Sensor): void;
}

function zoneState(v: Versioned<ZoneSpec>): ZoneState {
  return {
    version: v.version,
    spec: v.body,
    model: createZoneModel(v.body),
    zoneKinds: new Map(v.body.zones.map((z) => [z.id, z.kind])),
  };
}

/** Loads the current reference data from storage. */
export async function loadReferenceData(storage: Storage): Promise<ReferenceData> {
  const [zoneSpec, ruleSet, sensorList] = await Promise.all([
    storage.currentZoneSpec(),
    storage.currentRuleSet(),
    storage.listSensors(),
  ]);
  let zones = zoneSpec && zoneState(zoneSpec);
  let rules: RuleState | undefined = ruleSet && {
    version: ruleSet.version,
    compiled: compileRuleSet(ruleSet.body),
  };
  const sensors = new Map(sensorList.map((s) => [s.id, s]));
  // One index per zone set object: the model hands out the same set for a whole interval.
  let indexes = new WeakMap<ZoneSet, ZoneIndex>();
  const zoneSetAt = (atMs: number): ZoneSet | undefined => {
    const at = zones?.model.at(atMs);
    return at?.ok ? at.zoneSet : undefined;
  };
  return {
    zones: () => zones,
    zoneSetAt,
    zoneIndexAt(atMs) {
      const zs = zoneSetAt(atMs);
      return zs && indexes.get(zs);
    },
    prepareZoneIndex(atMs) {
      const zs = zoneSetAt(atMs);
      if (zs && !indexes.has(zs)) indexes.set(zs, buildZoneIndex(zs));
    },
    rules: () => rules,
    sensor: (id) => sensors.get(id),
    sensors: () => [...sensors.values()].sort((a, b) => a.id.localeCompare(b.id)),
    setZones(v) {
      zones = zoneState(v);
      indexes = new WeakMap();
    },
    setRules(v) {
      rules = { version: v.version, compiled: compileRuleSet(v.body) };
    },
    setSensor(sensor) {
      sensors.set(sensor.id, sensor);
    },
  };
}
