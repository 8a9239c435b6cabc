import { beforeAll, describe, expect, it } from 'vitest';
import { geodesicDistanceM } from '../../src/core/geo/index.js';
import type { Observation } from '../../src/core/observations/index.js';
import { classifyPosition } from '../../src/core/zones/index.js';
import { ScenarioError, generateScenario } from '../../src/sim/index.js';
import type { GeneratedScenario, Scenario } from '../../src/sim/index.js';
import {
  START_MS,
  demoRules,
  demoSpec,
  demoZoneSet,
  loadScenario,
  rulesAt,
  shortScenario,
} from './support.js';

const spec = demoSpec();
const zs = demoZoneSet(spec);
const rules = demoRules();

/** Every true position of every violation breaks its own rule, certainly, and no other. */
function checkTruthAgainstRules(g: GeneratedScenario): void {
  for (const v of g.truth.violations) {
    expect(v.positions.length, v.id).toBeGreaterThan(0);
    for (const [lon, lat] of v.positions) {
      const kind = v.kind === 'interference' ? 'interference' : v.class ? 'detection' : 'kinetic';
      const found = rulesAt(zs, rules, {
        kind,
        lon,
        lat,
        ...(v.altM !== undefined && { altM: v.altM }),
        ...(v.class !== undefined && { class: v.class }),
        ...(v.party !== undefined && { party: v.party }),
        ...(v.eventType !== undefined && { eventType: v.eventType }),
        ...(v.interferenceType !== undefined && { interferenceType: v.interferenceType }),
      });
      const where = `${v.id} at ${lon}, ${lat}`;
      expect(found, where).toContainEqual({ ruleId: v.ruleId, certainty: 'certain' });
      for (const f of found) expect([v.ruleId, ...v.alsoRuleIds], where).toContain(f.ruleId);
      if (v.zone !== undefined) {
        const c = classifyPosition(zs, {
          lon,
          lat,
          ...(v.altM !== undefined && { altM: v.altM }),
        });
        expect(c.inside, where).toContain(v.zone);
      }
    }
  }
}

describe('generateScenario on the short scenario', () => {
  const scenario = shortScenario();
  let g: GeneratedScenario;
  beforeAll(() => {
    g = generateScenario(scenario, spec, 7, START_MS);
  });

  it('is deterministic: the same seed gives the same output, byte for byte', () => {
    const again = generateScenario(scenario, spec, 7, START_MS);
    expect(JSON.stringify(again)).toBe(JSON.stringify(g));
  });

  it('differs with another seed, but keeps the same sensors and scheduled violations', () => {
    const other = generateScenario(scenario, spec, 8, START_MS);
    expect(JSON.stringify(other.deliveries)).not.toBe(JSON.stringify(g.deliveries));
    expect(other.sensors).toEqual(g.sensors);
    expect(other.truth.violations.map((v) => v.id)).toEqual(g.truth.violations.map((v) => v.id));
  });

  it('registers every sensor of the scenario with the schema fields the server needs', () => {
    expect(g.sensors.map((s) => s.id)).toEqual([
      'cam-x',
      'cam-b-01',
      'cam-b-02',
      'cam-d',
      'acu',
      'uav-1',
      'patrol-1',
      'sat-1',
    ]);
    for (const s of g.sensors) expect(s.owner).toBe('mission');
    const sat = g.sensors.find((s) => s.id === 'sat-1');
    expect(sat?.passes).toHaveLength(2);
    expect(g.sensors.find((s) => s.id === 'uav-1')?.route).toHaveLength(4);
    expect(g.sensors.find((s) => s.id === 'cam-d')?.heartbeatIntervalS).toBe(30);
  });

  it('places every scheduled violation inside the zone of the rule it breaks', () => {
    expect(g.truth.violations.map((v) => v.id).sort()).toEqual(
      [
        'v-band',
        'v-dis',
        'v-dmz',
        'v-duel-RUS',
        'v-duel-UKR',
        'v-fire',
        'v-int',
        'v-jam',
        'v-uav',
        'v-xing',
      ].sort(),
    );
    checkTruthAgainstRules(g);
  });

  it('lists the outages, technical and from interference, and sends nothing during them', () => {
    expect(g.truth.outages.map((o) => [o.sensorId, o.cause, o.scheduled])).toEqual([
      ['acu', 'power failure', true],
      ['cam-b-02', 'v-int', true],
    ]);
    for (const o of g.truth.outages) {
      const during = g.deliveries.filter(
        (d) =>
          d.observation.sensorId === o.sensorId &&
          Date.parse(d.observation.observedAt) > o.startMs &&
          Date.parse(d.observation.observedAt) < o.endMs,
      );
      expect(during, o.sensorId).toEqual([]);
    }
  });

  it('emits heartbeats on each sensor interval, except during outages', () => {
    const beats = (id: string) =>
      new Set(
        g.deliveries
          .filter((d) => d.observation.sensorId === id && d.observation.kind === 'heartbeat')
          .map((d) => Date.parse(d.observation.observedAt)),
      );
    const camX = [...beats('cam-x')].sort((a, b) => a - b);
    expect(camX).toHaveLength(120);
    for (let i = 1; i < camX.length; i++) {
      expect(Math.abs((camX[i] as number) - (camX[i - 1] as number) - 60_000)).toBeLessThanOrEqual(
        1,
      );
    }
    expect(beats('cam-d').size).toBe(240);
    expect(beats('acu').size).toBe(120 - 15);
    expect(beats('uav-1').size).toBe(0);
  });

  it('delivers in order of delivery time, never before the event, with every kind of record', () => {
    let last = -Infinity;
    const kinds = new Set<string>();
    for (const d of g.deliveries) {
      expect(d.deliverAtMs).toBeGreaterThanOrEqual(last);
      expect(d.deliverAtMs).toBeGreaterThanOrEqual(Date.parse(d.observation.observedAt));
      last = d.deliverAtMs;
      kinds.add(d.observation.kind);
    }
    expect([...kinds].sort()).toEqual([
      'detection',
      'heartbeat',
      'interference',
      'kinetic',
      'report',
    ]);
  });

  it('reports the duel as kinetic events heard by the acoustic array, with bearing and range', () => {
    const duel = g.truth.violations.filter((v) => v.kind === 'duel');
    const heard = g.deliveries
      .map((d) => d.observation)
      .filter((o) => o.sensorId === 'acu' && o.kind === 'kinetic');
    expect(heard.length).toBeGreaterThan(0);
    const acu = g.sensors.find((s) => s.id === 'acu')?.position;
    for (const o of heard) {
      const p = o.position as { bearingDeg: number; minRangeM: number; maxRangeM: number };
      expect(p.bearingDeg).toBeGreaterThanOrEqual(0);
      expect(p.bearingDeg).toBeLessThan(360);
      expect(p.minRangeM).toBeLessThanOrEqual(p.maxRangeM);
    }
    for (const v of duel) {
      expect(v.observableBy).toContain('acu');
      const [lon, lat] = v.positions[0] as [number, number];
      expect(geodesicDistanceM(acu?.lon ?? 0, acu?.lat ?? 0, lon, lat)).toBeLessThan(20_000);
    }
  });

  it('identifies objects only as the scenario allows: no mission aircraft, no civilian party', () => {
    for (const d of g.deliveries) {
      const o: Observation = d.observation;
      if (o.object?.class === 'civilian-vehicle') expect(o.object.party).toBeUndefined();
      expect(o.object?.party).not.toBe('mission');
    }
  });

  it('rejects a violation placed outside its zone, naming its path', () => {
    const bad = structuredClone(scenario) as Scenario;
    const forces = bad.violations?.forces?.[0];
    if (!forces) throw new Error('fixture changed');
    forces.at = { alongKm: 440, distanceKm: 25, side: 'UKR' };
    forces.moveTo = undefined;
    let error: unknown;
    try {
      generateScenario(bad, spec, 7, START_MS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).errors).toEqual([
      expect.objectContaining({ path: '/violations/forces/0/at', code: 'INVALID_INPUT' }),
    ]);
    expect((error as ScenarioError).message).toMatch(/not inside zone 'dmz'/);
  });
});

describe('background forces', () => {
  it('stay outside every zone a rule applies to them, seen by a perfect satellite', () => {
    const day = loadScenario('examples/scenarios/notional-day.json', spec);
    const scenario: Scenario = {
      name: 'background only',
      durationS: 6 * 3600,
      noise: {
        satellite: {
          detectionProbability: 1,
          positionErrorM: 0,
          misclassificationRate: 0,
          partyIdentificationRate: 1,
          falseAlarmRate: 0,
          duplicateRate: 0,
        },
      },
      sensors: {
        satellites: [
          {
            id: 'eye',
            firstPassS: 0,
            revisitS: 1800,
            footprintKm: { widthKm: 1000, heightKm: 1000 },
            targets: [{ lon: 35, lat: 48.4 }],
          },
        ],
      },
      background: { forces: day.background?.forces ?? [] },
    };
    const g = generateScenario(scenario, spec, 3, START_MS);
    const seen = g.deliveries.map((d) => d.observation).filter((o) => o.kind === 'detection');
    const units = (day.background?.forces ?? []).reduce((n, f) => n + f.units, 0);
    expect(seen.length).toBe(units * 12);
    for (const o of seen) {
      const p = o.position as { lon: number; lat: number };
      const found = rulesAt(zs, rules, {
        kind: 'detection',
        lon: p.lon,
        lat: p.lat,
        ...(o.object?.class !== undefined && { class: o.object.class }),
        ...(o.object?.party !== undefined && { party: o.object.party }),
      });
      expect(found, JSON.stringify(o)).toEqual([]);
    }
  });
});

describe('the notional day example', () => {
  const scenario = loadScenario('examples/scenarios/notional-day.json', spec);
  let g: GeneratedScenario;
  beforeAll(() => {
    g = generateScenario(scenario, spec, 42, START_MS);
  });

  it('is labelled notional', () => {
    expect(scenario.notional).toBe(true);
    expect(scenario.description).toMatch(/NOTIONAL/);
    expect(g.truth.notional).toBe(true);
  });

  it('has 40 to 80 sensors, a few dozen violations and on the order of 100k observations', () => {
    expect(g.sensors.length).toBeGreaterThanOrEqual(40);
    expect(g.sensors.length).toBeLessThanOrEqual(80);
    expect(g.truth.violations.length).toBeGreaterThanOrEqual(24);
    expect(g.truth.violations.length).toBeLessThanOrEqual(60);
    expect(g.deliveries.length).toBeGreaterThan(60_000);
    expect(g.deliveries.length).toBeLessThan(200_000);
    expect(new Set(g.truth.violations.map((v) => v.ruleId)).size).toBeGreaterThanOrEqual(12);
  });

  it('places every violation inside the zone of the rule it breaks', () => {
    checkTruthAgainstRules(g);
  });

  it('gives nearly every violation a sensor that could observe it', () => {
    const blind = g.truth.violations.filter((v) => v.observableBy.length === 0);
    expect(blind.length).toBeLessThanOrEqual(2);
  });
});
