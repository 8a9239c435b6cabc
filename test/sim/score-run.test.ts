import { describe, expect, it } from 'vitest';
import { parseTruth, percentile, scoreRun } from '../../src/sim/index.js';
import type { IncidentRecord, Truth, TruthViolation } from '../../src/sim/index.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function violation(id: string, ruleId: string, startMin: number, endMin: number): TruthViolation {
  return {
    id,
    ruleId,
    alsoRuleIds: [],
    kind: 'forces',
    startMs: T0 + startMin * MIN,
    endMs: T0 + endMin * MIN,
    lon: 36.5,
    lat: 47.8,
    class: 'tank',
    party: 'A',
    count: 1,
    positions: [
      [36.5, 47.8],
      [36.52, 47.8],
    ],
    observableBy: ['cam'],
  };
}

function truth(violations: TruthViolation[], extra: Partial<Truth> = {}): Truth {
  return {
    scenario: 'hand-made',
    notional: true,
    seed: 1,
    startMs: T0,
    endMs: T0 + 24 * 60 * MIN,
    violations,
    outages: [],
    ...extra,
  };
}

function incident(
  id: string,
  ruleId: string,
  firstMin: number,
  lastMin: number,
  createdMin: number,
  lon = 36.5,
  lat = 47.8,
  extra: Partial<IncidentRecord> = {},
): IncidentRecord {
  return {
    id,
    ruleId,
    certainty: 'certain',
    firstObservedAt: iso(T0 + firstMin * MIN),
    lastObservedAt: iso(T0 + lastMin * MIN),
    position: { lon, lat, radiusM: 50 },
    sensorIds: ['cam'],
    createdAt: iso(T0 + createdMin * MIN),
    ...extra,
  };
}

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 95)).toBe(10.5);
    expect(percentile([0, 100], 95)).toBe(95);
  });
});

describe('scoreRun', () => {
  const two = [violation('v1', 'dmz-forces', 60, 120), violation('v2', 'no-fly-uav', 300, 330)];

  it('scores a perfect run 1 and 1, with latency from violation start to incident creation', () => {
    const r = scoreRun(truth(two), [
      incident('i1', 'dmz-forces', 61, 119, 62),
      incident('i2', 'no-fly-uav', 305, 320, 306, 36.52, 47.8),
    ]);
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(1);
    expect(r.recallObservable).toBe(1);
    expect(r.latencyMedianMs).toBe(4 * MIN);
    expect(r.latencyP95Ms).toBeCloseTo(2 * MIN + 0.95 * 4 * MIN, 6);
    expect(r.matches.map((m) => [m.violationId, m.incidentIds, m.latencyMs])).toEqual([
      ['v1', ['i1'], 2 * MIN],
      ['v2', ['i2'], 6 * MIN],
    ]);
    expect(r.falseIncidentIds).toEqual([]);
  });

  it('counts a missed violation against recall, not precision', () => {
    const r = scoreRun(truth(two), [incident('i1', 'dmz-forces', 61, 119, 62)]);
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(0.5);
    expect(r.detected).toBe(1);
    const rule = r.perRule.find((p) => p.ruleId === 'no-fly-uav');
    expect(rule).toMatchObject({
      violations: 1,
      detected: 0,
      incidents: 0,
      recall: 0,
      precision: null,
    });
  });

  it('counts an incident of the wrong rule, place or time as false', () => {
    const r = scoreRun(truth(two), [
      incident('ok', 'dmz-forces', 61, 119, 62),
      incident('rule', 'crossing-military', 61, 119, 62),
      incident('far', 'dmz-forces', 61, 119, 62, 36.7, 47.8),
      incident('late', 'dmz-forces', 200, 210, 201),
    ]);
    expect(r.incidents).toBe(4);
    expect(r.truePositives).toBe(1);
    expect(r.precision).toBe(0.25);
    expect(r.recall).toBe(0.5);
    expect([...r.falseIncidentIds].sort()).toEqual(['far', 'late', 'rule']);
    expect(r.perRule.map((p) => p.ruleId)).toEqual([
      'crossing-military',
      'dmz-forces',
      'no-fly-uav',
    ]);
  });

  it('matches within the time and distance tolerances, and the incident radius', () => {
    const near = incident('near', 'dmz-forces', 130, 140, 131, 36.5, 47.82);
    expect(scoreRun(truth(two), [near]).truePositives).toBe(1);
    expect(scoreRun(truth(two), [near], { timeToleranceMs: 5 * MIN }).truePositives).toBe(0);
    expect(scoreRun(truth(two), [near], { distanceToleranceM: 1000 }).truePositives).toBe(0);
    const wide = { ...near, position: { lon: 36.5, lat: 47.82, radiusM: 2000 } };
    expect(scoreRun(truth(two), [wide], { distanceToleranceM: 1000 }).truePositives).toBe(1);
  });

  it('takes the earliest of several incidents for the latency, and counts them all as true', () => {
    const r = scoreRun(truth([violation('v1', 'dmz-forces', 0, 600)]), [
      incident('a', 'dmz-forces', 10, 30, 12),
      incident('b', 'dmz-forces', 5, 9, 7),
      incident('c', 'dmz-forces', 200, 300, 201),
    ]);
    expect(r.matches[0]?.latencyMs).toBe(7 * MIN);
    expect(r.precision).toBe(1);
  });

  it('computes median and p95 over the violations detected', () => {
    const vs = Array.from({ length: 20 }, (_, k) =>
      violation(`v${k}`, 'dmz-forces', k * 60, k * 60 + 10),
    );
    const is = vs.map((v, k) =>
      incident(`i${k}`, 'dmz-forces', k * 60, k * 60 + 5, k * 60 + (k + 1)),
    );
    const r = scoreRun(truth(vs), is);
    expect(r.latencyMedianMs).toBe(10.5 * MIN);
    expect(r.latencyP95Ms).toBeCloseTo(19.05 * MIN, 6);
  });

  it('maps server time to simulated time with the clock of the run', () => {
    const t = truth([violation('v1', 'dmz-forces', 600, 700)], {
      clock: { simStartMs: T0, serverStartMs: T0 + 1000 * MIN, speed: 60 },
    });
    // Created 10.5 server-minutes after the start: 630 simulated minutes, 30 after the violation.
    const r = scoreRun(t, [
      incident('i', 'dmz-forces', 601, 610, 0, 36.5, 47.8, {
        createdAt: iso(T0 + 1010.5 * MIN),
      }),
    ]);
    expect(r.matches[0]?.latencyMs).toBe(30 * MIN);
  });

  it('does not count incidents of other rules the activity breaks as false, nor as detections', () => {
    const v = { ...violation('uav', 'no-fly-uav', 60, 90), alsoRuleIds: ['dmz-forces'] };
    const r = scoreRun(truth([v]), [incident('also', 'dmz-forces', 61, 70, 61)]);
    expect(r.falsePositives).toBe(0);
    expect(r.detected).toBe(0);
  });

  it('ignores incidents outside the span of the truth, and possible ones when asked', () => {
    const r = scoreRun(truth(two), [
      incident('before', 'dmz-forces', -600, -500, -599),
      incident('i1', 'dmz-forces', 61, 119, 62, 36.5, 47.8, { certainty: 'possible' }),
    ]);
    expect(r.incidents).toBe(1);
    expect(r.truePositives).toBe(1);
    const strict = scoreRun(
      truth(two),
      [incident('i1', 'dmz-forces', 61, 119, 62, 36.5, 47.8, { certainty: 'possible' })],
      {
        certainOnly: true,
      },
    );
    expect(strict.incidents).toBe(0);
    expect(strict.recall).toBe(0);
  });

  it('scores outage incidents apart, against outages of sensors on a schedule', () => {
    const t = truth(two, {
      outages: [
        {
          sensorId: 'cam-1',
          startMs: T0 + 100 * MIN,
          endMs: T0 + 160 * MIN,
          cause: 'failure',
          scheduled: true,
        },
        {
          sensorId: 'uav-1',
          startMs: T0 + 100 * MIN,
          endMs: T0 + 160 * MIN,
          cause: 'v-x',
          scheduled: false,
        },
        {
          sensorId: 'cam-2',
          startMs: T0 + 500 * MIN,
          endMs: T0 + 560 * MIN,
          cause: 'failure',
          scheduled: true,
        },
      ],
    });
    const outage = (id: string, sensor: string, atMin: number, createdMin: number) =>
      incident(id, 'sensor-outage', atMin, atMin, createdMin, 36, 48, { sensorIds: [sensor] });
    const r = scoreRun(t, [
      incident('i1', 'dmz-forces', 61, 119, 62),
      outage('o1', 'cam-1', 99, 102),
      outage('o2', 'cam-9', 300, 302),
      // Silent from the last minutes of the day: the simulated world stopped, not the sensor.
      outage('o3', 'cam-3', 24 * 60 - 2, 24 * 60 + 1),
    ]);
    expect(r.incidents).toBe(1);
    expect(r.precision).toBe(1);
    expect(r.outages).toMatchObject({
      truth: 2,
      detected: 1,
      incidents: 2,
      falsePositives: 1,
      recall: 0.5,
      precision: 0.5,
      latencyMedianMs: 2 * MIN,
    });
    expect(r.falseIncidentIds).toEqual(['o2']);
  });

  it('handles an empty run', () => {
    const r = scoreRun(truth([]), []);
    expect(r).toMatchObject({ precision: null, recall: null, latencyMedianMs: null, perRule: [] });
  });
});

describe('parseTruth', () => {
  it('reads what the simulator writes and names the first fault of anything else', () => {
    const t = truth([violation('v1', 'dmz-forces', 1, 2)]);
    expect(parseTruth(JSON.stringify(t))).toEqual(t);
    expect(() => parseTruth('nope')).toThrow(/^\/: not JSON/);
    expect(() => parseTruth('{"startMs":1,"endMs":2,"violations":[{}],"outages":[]}')).toThrow(
      '/violations/0/id: must be a string',
    );
    expect(() =>
      parseTruth('{"startMs":1,"endMs":2,"violations":[],"outages":[],"clock":{}}'),
    ).toThrow(/^\/clock/);
  });
});
