import { nonFiniteErrors, schemaErrors } from '../core/errors/index.js';
import type { PathError } from '../core/errors/index.js';
import { createVocabulary } from '../core/observations/index.js';
import type { ZoneSpec } from '../core/zones/index.js';
import { ScenarioSchema } from './scenario-schema.js';
import type { Place, Range, Scenario, Spread } from './scenario-schema.js';

/** The outcome of validating a scenario. */
export type ScenarioValidation =
  { ok: true; scenario: Scenario } | { ok: false; errors: PathError[] };

/** A scenario that cannot be generated, with every fault and its JSON Pointer. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  /** The faults. */
  readonly errors: PathError[];
  /** Creates the error; the message lists the faults. */
  constructor(errors: PathError[]) {
    super(errors.map((e) => `${e.path || '/'}: ${e.code}: ${e.message}`).join('\n'));
    this.errors = errors;
  }
}

/** The ids of the sensors of a fixed group: the id itself for one place, else `ID-01`, ... */
export function groupSensorIds(id: string, count: number): string[] {
  if (count === 1) return [id];
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `${id}-${String(i + 1).padStart(width, '0')}`);
}

function placeCount(g: { at?: readonly Place[]; spread?: Spread }): number {
  return g.at?.length ?? g.spread?.count ?? 0;
}

/** Every sensor id a scenario registers, in registration order. */
export function scenarioSensorIds(s: Scenario): string[] {
  const fixed = [...(s.sensors.cameras ?? []), ...(s.sensors.acoustic ?? [])];
  return [
    ...fixed.flatMap((g) => groupSensorIds(g.id, placeCount(g))),
    ...(s.sensors.uavs ?? []).map((u) => u.id),
    ...(s.sensors.satellites ?? []).map((u) => u.id),
    ...(s.sensors.patrols ?? []).map((u) => u.id),
  ];
}

function checkPlace(p: Place, path: string, errors: PathError[]): void {
  const absolute = p.lon !== undefined || p.lat !== undefined;
  const relative = p.alongKm !== undefined || p.distanceKm !== undefined || p.side !== undefined;
  const zone = p.zone !== undefined;
  const forms = [absolute, relative, zone].filter(Boolean).length;
  if (forms !== 1) {
    errors.push({
      path,
      code: 'INVALID_INPUT',
      message:
        'a place is exactly one of {lon, lat}, {alongKm, distanceKm, side} or {zone}' +
        (forms === 0 ? ' (none given)' : ' (several given)'),
    });
    return;
  }
  if (absolute && (p.lon === undefined || p.lat === undefined)) {
    errors.push({ path, code: 'MISSING_FIELD', message: 'give both lon and lat' });
  }
  if (relative && p.alongKm === undefined) {
    errors.push({ path: `${path}/alongKm`, code: 'MISSING_FIELD', message: 'give alongKm' });
  }
  if (relative && (p.distanceKm ?? 0) > 0 && p.side === undefined) {
    errors.push({
      path: `${path}/side`,
      code: 'MISSING_FIELD',
      message: 'a place off the line needs a side (a party id, left or right)',
    });
  }
}

function checkRange(r: Range | undefined, path: string, errors: PathError[]): void {
  if (r && r.min > r.max) {
    errors.push({
      path: `${path}/min`,
      code: 'INVALID_RANGE',
      message: `min ${r.min} is greater than max ${r.max}`,
    });
  }
}

function checkSpan(
  startS: number,
  scenarioS: number,
  path: string,
  errors: PathError[],
  field = 'startS',
): void {
  if (startS >= scenarioS) {
    errors.push({
      path: `${path}/${field}`,
      code: 'INVALID_RANGE',
      message: `${startS} s is not within the scenario's ${scenarioS} s`,
    });
  }
}

/** Walks every place of the scenario with its path. */
function eachPlace(s: Scenario, visit: (p: Place, path: string) => void): void {
  const list = (ps: readonly Place[] | undefined, path: string) =>
    ps?.forEach((p, i) => visit(p, `${path}/${i}`));
  s.sensors.cameras?.forEach((g, i) => list(g.at, `/sensors/cameras/${i}/at`));
  s.sensors.acoustic?.forEach((g, i) => list(g.at, `/sensors/acoustic/${i}/at`));
  s.sensors.uavs?.forEach((g, i) => list(g.route, `/sensors/uavs/${i}/route`));
  s.sensors.satellites?.forEach((g, i) => list(g.targets, `/sensors/satellites/${i}/targets`));
  s.sensors.patrols?.forEach((g, i) => list(g.route, `/sensors/patrols/${i}/route`));
  const v = s.violations;
  v?.forces?.forEach((f, i) => {
    visit(f.at, `/violations/forces/${i}/at`);
    if (f.moveTo) visit(f.moveTo, `/violations/forces/${i}/moveTo`);
  });
  v?.fire?.forEach((f, i) => visit(f.at, `/violations/fire/${i}/at`));
  v?.uavFlights?.forEach((f, i) => list(f.route, `/violations/uavFlights/${i}/route`));
}

function checkSensors(s: Scenario, errors: PathError[]): Set<string> {
  const groups = [
    ...(s.sensors.cameras ?? []).map((g, i) => ({ g, path: `/sensors/cameras/${i}` })),
    ...(s.sensors.acoustic ?? []).map((g, i) => ({ g, path: `/sensors/acoustic/${i}` })),
  ];
  for (const { g, path } of groups) {
    if ((g.at === undefined) === (g.spread === undefined)) {
      errors.push({
        path,
        code: g.at ? 'INVALID_INPUT' : 'MISSING_FIELD',
        message: 'give exactly one of `at` and `spread`',
      });
    }
  }
  const ids = new Set<string>();
  const paths = [
    ...groups.map(({ g, path }) => ({ ids: groupSensorIds(g.id, placeCount(g)), path })),
    ...(['uavs', 'satellites', 'patrols'] as const).flatMap((k) =>
      (s.sensors[k] ?? []).map((g, i) => ({ ids: [g.id], path: `/sensors/${k}/${i}` })),
    ),
  ];
  for (const p of paths) {
    for (const id of p.ids) {
      if (ids.has(id)) {
        errors.push({
          path: `${p.path}/id`,
          code: 'DUPLICATE_ID',
          message: `sensor id '${id}' is used twice`,
        });
      }
      ids.add(id);
    }
  }
  return ids;
}

function checkTerms(s: Scenario, errors: PathError[]): void {
  const vocab = createVocabulary();
  const term = (value: string, terms: ReadonlySet<string>, path: string, what: string) => {
    if (!terms.has(value)) {
      errors.push({ path, code: 'UNKNOWN_TERM', message: `'${value}' is not a known ${what}` });
    }
  };
  s.background?.forces?.forEach((f, i) =>
    term(f.class, vocab.classes, `/background/forces/${i}/class`, 'class'),
  );
  const v = s.violations;
  v?.forces?.forEach((f, i) =>
    term(f.class, vocab.classes, `/violations/forces/${i}/class`, 'class'),
  );
  v?.fire?.forEach((f, i) =>
    term(f.eventType, vocab.eventTypes, `/violations/fire/${i}/eventType`, 'event type'),
  );
  v?.interference?.forEach((f, i) =>
    term(
      f.type,
      vocab.interferenceTypes,
      `/violations/interference/${i}/type`,
      'interference type',
    ),
  );
  for (const [kind, noise] of Object.entries(s.noise ?? {})) {
    const terms = kind === 'acoustic' ? vocab.eventTypes : vocab.classes;
    noise?.falseAlarmAs?.forEach((t, i) =>
      term(t, terms, `/noise/${kind}/falseAlarmAs/${i}`, 'class or event type'),
    );
  }
}

function checkViolations(s: Scenario, sensorIds: Set<string>, errors: PathError[]): void {
  const v = s.violations ?? {};
  const ids = new Set<string>();
  const all = (['forces', 'fire', 'duels', 'uavFlights', 'interference'] as const).flatMap((k) =>
    (v[k] ?? []).map((x, i) => ({ x, path: `/violations/${k}/${i}` })),
  );
  for (const { x, path } of all) {
    if (ids.has(x.id)) {
      errors.push({
        path: `${path}/id`,
        code: 'DUPLICATE_ID',
        message: `violation id '${x.id}' is used twice`,
      });
    }
    ids.add(x.id);
    checkSpan(x.startS, s.durationS, path, errors);
  }
  v.interference?.forEach((f, i) => {
    const path = `/violations/interference/${i}`;
    for (const field of ['target', 'reporter'] as const) {
      const id = f[field];
      if (id !== undefined && !sensorIds.has(id)) {
        errors.push({
          path: `${path}/${field}`,
          code: 'UNKNOWN_SENSOR',
          message: `'${id}' is not a sensor of the scenario`,
        });
      }
    }
  });
  s.outages?.forEach((o, i) => {
    if (!sensorIds.has(o.sensor)) {
      errors.push({
        path: `/outages/${i}/sensor`,
        code: 'UNKNOWN_SENSOR',
        message: `'${o.sensor}' is not a sensor of the scenario`,
      });
    }
    checkSpan(o.startS, s.durationS, `/outages/${i}`, errors);
  });
}

function checkRanges(s: Scenario, errors: PathError[]): void {
  s.background?.forces?.forEach((f, i) => {
    const path = `/background/forces/${i}`;
    checkRange(f.countPerUnit, `${path}/countPerUnit`, errors);
    checkRange(f.distanceKm, `${path}/distanceKm`, errors);
    checkRange(f.alongKm, `${path}/alongKm`, errors);
    checkRange(f.dwellS, `${path}/dwellS`, errors);
  });
  for (const [kind, noise] of Object.entries(s.noise ?? {})) {
    for (const key of ['latencyS', 'lateDelayS', 'duplicateDelayS'] as const) {
      checkRange(noise?.[key], `/noise/${kind}/${key}`, errors);
    }
  }
  const schedules = [
    ...(s.sensors.uavs ?? []).map((u, i) => ({
      sch: u.sorties,
      path: `/sensors/uavs/${i}/sorties`,
    })),
    ...(s.sensors.patrols ?? []).map((u, i) => ({
      sch: u.departures,
      path: `/sensors/patrols/${i}/departures`,
    })),
  ];
  for (const { sch, path } of schedules) checkSpan(sch.firstS, s.durationS, path, errors, 'firstS');
  if ((s.sensors.uavs ?? []).some((u) => u.sorties.durationS === undefined)) {
    (s.sensors.uavs ?? []).forEach((u, i) => {
      if (u.sorties.durationS === undefined) {
        errors.push({
          path: `/sensors/uavs/${i}/sorties/durationS`,
          code: 'MISSING_FIELD',
          message: 'a UAV sortie needs a duration',
        });
      }
    });
  }
}

function checkAgainstSpec(s: Scenario, spec: ZoneSpec, errors: PathError[]): void {
  const zones = new Map(spec.zones.map((z) => [z.id, z]));
  const parties = spec.parties ? new Set(spec.parties.map((p) => p.id)) : undefined;
  const zoneRef = (id: string, path: string, area: boolean) => {
    const z = zones.get(id);
    if (!z) {
      errors.push({ path, code: 'UNKNOWN_ZONE', message: `'${id}' is not a zone of the spec` });
    } else if (area && !('geometry' in z && z.geometry)) {
      errors.push({
        path,
        code: 'INVALID_INPUT',
        message: `'${id}' is not an area zone with a geometry`,
      });
    }
  };
  const party = (id: string | undefined, path: string, extra: string[] = []) => {
    if (id === undefined || !parties || parties.has(id) || extra.includes(id)) return;
    errors.push({ path, code: 'UNKNOWN_PARTY', message: `'${id}' is not a party of the spec` });
  };
  eachPlace(s, (p, path) => {
    if (p.zone !== undefined) zoneRef(p.zone, `${path}/zone`, true);
    party(p.side, `${path}/side`, ['left', 'right']);
  });
  for (const k of ['cameras', 'acoustic'] as const) {
    s.sensors[k]?.forEach((g, i) =>
      g.spread?.sides.forEach((side, j) =>
        party(side, `/sensors/${k}/${i}/spread/sides/${j}`, ['left', 'right']),
      ),
    );
  }
  s.background?.forces?.forEach((f, i) => party(f.party, `/background/forces/${i}/party`));
  s.background?.traffic?.forEach((t, i) =>
    t.crossings.forEach((c, j) => zoneRef(c, `/background/traffic/${i}/crossings/${j}`, true)),
  );
  const v = s.violations ?? {};
  for (const k of ['forces', 'fire', 'duels', 'uavFlights'] as const) {
    v[k]?.forEach((x, i) => zoneRef(x.zone, `/violations/${k}/${i}/zone`, false));
  }
  for (const k of ['forces', 'fire', 'uavFlights'] as const) {
    v[k]?.forEach((x, i) => party(x.party, `/violations/${k}/${i}/party`));
  }
  v.duels?.forEach((d, i) =>
    d.parties?.forEach((p, j) => party(p, `/violations/duels/${i}/parties/${j}`)),
  );
}

/**
 * Validates a scenario (already parsed from JSON): its shape against the schema, then that ids
 * are unique, places take exactly one form, ranges are ordered, times fall within the scenario,
 * classes and types are in the taxonomy and referenced sensors exist; given the zone spec, also
 * that zones and parties it names exist. Returns the typed scenario or every fault with its
 * JSON Pointer.
 */
export function validateScenario(value: unknown, spec?: ZoneSpec): ScenarioValidation {
  const notFinite = nonFiniteErrors(value, '');
  if (notFinite.length > 0) return { ok: false, errors: notFinite };
  const errors = schemaErrors(ScenarioSchema, value, '');
  if (errors.length > 0) return { ok: false, errors };
  const s = value as Scenario;
  eachPlace(s, (p, path) => checkPlace(p, path, errors));
  const sensorIds = checkSensors(s, errors);
  checkTerms(s, errors);
  checkRanges(s, errors);
  checkViolations(s, sensorIds, errors);
  if (spec) checkAgainstSpec(s, spec, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenario: s };
}
