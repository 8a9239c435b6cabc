import type { Incident, IncidentTransition } from '../incidents/index.js';
import { canonicalJson } from '../ledger/index.js';
import type { JsonObject, JsonValue, LedgerLeaf } from '../ledger/index.js';
import type { Observation } from '../observations/index.js';
import type { Authorization } from '../rules/index.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** What the server derived from an observation when it kept it (all of it goes in the leaf). */
export interface DerivedObservationFacts {
  /** Receive time, Unix ms. */
  readonly receivedAtMs: number;
  /** Best position estimate, degrees, or null. */
  readonly lon: number | null;
  /** Best position estimate, degrees, or null. */
  readonly lat: number | null;
  /** Radius holding the position, metres, or null. */
  readonly radiusM: number | null;
  /** Zones that certainly contain it. */
  readonly inside: readonly string[];
  /** Zones that may contain it. */
  readonly possiblyInside: readonly string[];
  /** Side of the line, if decided. */
  readonly side: string | null;
  /** Distance to the primary line, metres, or null. */
  readonly distanceToLineM: number | null;
  /** Zone spec version it was classified against. */
  readonly zoneSpecVersion: number;
  /** Rules it broke. */
  readonly ruleIds: readonly string[];
  /** Rules a prior notification authorized. */
  readonly authorized: readonly Authorization[];
}

/** The ledger ref of an observation: `observation:<sensorId>/<id>`. */
export function observationRef(sensorId: string, id: string): string {
  return `observation:${sensorId}/${id}`;
}

/** The ledger ref of an incident's decisions: `incident:<id>`. */
export function incidentRef(id: string): string {
  return `incident:${id}`;
}

/**
 * The ledger leaf of an observation as kept: the record exactly as submitted, when it arrived,
 * and what the server concluded from it (position, zones, rules). Changing any of it after the
 * fact changes the leaf hash.
 */
export function observationLeaf(
  observation: Observation,
  facts: DerivedObservationFacts,
): LedgerLeaf {
  const position: JsonValue =
    facts.lon === null || facts.lat === null
      ? null
      : { lon: facts.lon, lat: facts.lat, radiusM: facts.radiusM ?? 0 };
  return {
    kind: 'observation',
    record: {
      sensorId: observation.sensorId,
      id: observation.id,
      receivedAt: iso(facts.receivedAtMs),
      observation: observation as unknown as JsonObject,
      derived: {
        position,
        inside: [...facts.inside],
        possiblyInside: [...facts.possiblyInside],
        side: facts.side,
        distanceToLineM: facts.distanceToLineM,
        zoneSpecVersion: facts.zoneSpecVersion,
        ruleIds: [...facts.ruleIds],
        authorized: facts.authorized.map((a) => ({
          ruleId: a.ruleId,
          notificationId: a.notificationId,
        })),
      },
    },
  };
}

const json = (value: unknown): string => canonicalJson(value as JsonValue);

function listText(list: readonly string[]): string {
  if (list.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < list.length; i++) out += (i === 0 ? '' : ',') + json(list[i]);
  return `${out}]`;
}

/**
 * `canonicalJson(observationLeaf(observation, facts))`, written directly: the members of the
 * leaf, the record and the derived facts are fixed, so they are written in RFC 8785 order
 * without building the leaf object or sorting its names; only the observation is serialised
 * generically. Throws as canonicalJson does on anything that is not JSON.
 */
export function observationLeafText(
  observation: Observation,
  facts: DerivedObservationFacts,
): string {
  const position =
    facts.lon === null || facts.lat === null
      ? 'null'
      : `{"lat":${json(facts.lat)},"lon":${json(facts.lon)},"radiusM":${json(facts.radiusM ?? 0)}}`;
  let authorized = '[';
  for (let i = 0; i < facts.authorized.length; i++) {
    const a = facts.authorized[i] as Authorization;
    authorized += `${i === 0 ? '' : ','}{"notificationId":${json(a.notificationId)},"ruleId":${json(a.ruleId)}}`;
  }
  // Names in UTF-16 order: "position" < "possiblyInside".
  return (
    `{"kind":"observation","record":{"derived":{"authorized":${authorized}],` +
    `"distanceToLineM":${json(facts.distanceToLineM)},"inside":${listText(facts.inside)},` +
    `"position":${position},"possiblyInside":${listText(facts.possiblyInside)},` +
    `"ruleIds":${listText(facts.ruleIds)},"side":${json(facts.side)},` +
    `"zoneSpecVersion":${json(facts.zoneSpecVersion)}},"id":${json(observation.id)},` +
    `"observation":${json(observation)},"receivedAt":${json(iso(facts.receivedAtMs))},` +
    `"sensorId":${json(observation.sensorId)}}}`
  );
}

/**
 * The ledger leaf of an incident status change: which incident, its version after the change,
 * and the transition (who, when, from, to, why).
 */
export function transitionLeaf(
  incident: Pick<Incident, 'id' | 'version'>,
  t: IncidentTransition,
): LedgerLeaf {
  return {
    kind: 'incident-transition',
    record: {
      incidentId: incident.id,
      version: incident.version,
      from: t.from,
      to: t.to,
      actor: t.actor,
      at: iso(t.atMs),
      reason: t.reason,
    },
  };
}

/** The ledger leaf of a new zone spec version: the whole spec, who stored it and when. */
export function zoneChangeLeaf(
  version: number,
  spec: unknown,
  actor: string,
  atMs: number,
): LedgerLeaf {
  return {
    kind: 'zone-change',
    record: { version, actor, at: iso(atMs), spec: spec as JsonObject },
  };
}

/** The ledger leaf of a new rule set version: the whole rule set, who stored it and when. */
export function ruleChangeLeaf(
  version: number,
  ruleSet: unknown,
  actor: string,
  atMs: number,
): LedgerLeaf {
  return {
    kind: 'rule-change',
    record: { version, actor, at: iso(atMs), ruleSet: ruleSet as JsonObject },
  };
}

/**
 * The ledger leaf of a change to the keys that sign checkpoints: a key `added` (its verifier
 * key in the signed-note vkey format) or `retired`, by whom and when.
 */
export function keyChangeLeaf(
  action: 'added' | 'retired',
  vkey: string,
  actor: string,
  atMs: number,
): LedgerLeaf {
  return { kind: 'key-change', record: { action, vkey, actor, at: iso(atMs) } };
}
