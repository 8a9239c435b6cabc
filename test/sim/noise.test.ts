import { describe, expect, it } from 'vitest';
import { geodesicDistanceM, geodesicInverse } from '../../src/core/geo/index.js';
import type { Observation } from '../../src/core/observations/index.js';
import { generateScenario, percentile, validateScenario } from '../../src/sim/index.js';
import type { GeneratedScenario, NoiseInput, Scenario } from '../../src/sim/index.js';
import { START_MS, demoSpec } from './support.js';

const spec = demoSpec();
const DAY_S = 86_400;

function generate(s: Scenario, seed = 11): GeneratedScenario {
  const v = validateScenario(s, spec);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return generateScenario(v.scenario, spec, seed, START_MS);
}

/** One camera watching one tank 1 km away for a day. */
function cameraDay(noise: NoiseInput, lookIntervalS = 10): Scenario {
  return {
    name: 'camera noise',
    durationS: DAY_S,
    noise: { camera: noise },
    sensors: {
      cameras: [
        {
          id: 'cam',
          at: [{ alongKm: 440, distanceKm: 4, side: 'UKR' }],
          rangeM: 5000,
          lookIntervalS,
        },
      ],
    },
    violations: {
      forces: [
        {
          id: 'tank',
          rule: 'dmz-forces',
          zone: 'dmz',
          party: 'UKR',
          class: 'tank',
          count: 2,
          at: { alongKm: 440, distanceKm: 5, side: 'UKR' },
          startS: 0,
          durationS: DAY_S,
        },
      ],
    },
  };
}

const unique = (g: GeneratedScenario) => {
  const byKey = new Map<string, Observation>();
  for (const d of g.deliveries)
    byKey.set(`${d.observation.sensorId}|${d.observation.id}`, d.observation);
  return [...byKey.values()];
};

const within = (actual: number, expected: number, relative: number) => {
  expect(actual).toBeGreaterThanOrEqual(expected * (1 - relative));
  expect(actual).toBeLessThanOrEqual(expected * (1 + relative));
};

describe('the noise model, measured on a day of one camera watching one tank', () => {
  const noise: NoiseInput = {
    detectionProbability: 0.8,
    positionErrorM: 100,
    misclassificationRate: 0.1,
    partyIdentificationRate: 0.5,
    falseAlarmRate: 20,
    falseAlarmAs: ['personnel'],
    duplicateRate: 0.05,
    latencyS: { min: 1, max: 3 },
    lateRate: 0.1,
    lateDelayS: { min: 600, max: 1200 },
  };
  const g = generate(cameraDay(noise));
  const observations = unique(g);
  const truth = g.truth.violations[0];
  const [tLon, tLat] = truth?.positions[0] ?? [0, 0];
  const cam = g.sensors[0]?.position ?? { lon: 0, lat: 0 };
  const detections = observations.filter((o) => o.kind === 'detection');
  const real = detections.filter((o) => o.object?.class !== 'personnel');
  const falseAlarms = detections.filter((o) => o.object?.class === 'personnel');
  const looks = DAY_S / 10;

  it('misses detections at the configured rate (1 - detection probability)', () => {
    within(real.length, looks * 0.8, 0.03);
    expect(g.stats.opportunities).toBe(looks);
  });

  it('misclassifies at the configured rate, into the confusion group', () => {
    const wrong = real.filter((o) => o.object?.class !== 'tank');
    within(wrong.length / real.length, 0.1, 0.15);
    for (const o of wrong) {
      expect(['ifv-apc', 'unknown-vehicle', 'engineering-works']).toContain(o.object?.class);
    }
  });

  it('names the party at the configured rate', () => {
    const named = real.filter((o) => o.object?.party === 'UKR');
    within(named.length / real.length, 0.5, 0.06);
  });

  it('errs in position by the configured 95% radius, and reports it as uncertaintyM', () => {
    const errors = real.map((o) => {
      const p = o.position as { lon: number; lat: number; uncertaintyM: number };
      expect(p.uncertaintyM).toBe(100);
      return geodesicDistanceM(p.lon, p.lat, tLon, tLat);
    });
    within(percentile(errors, 95) as number, 100, 0.1);
    within(percentile(errors, 50) as number, 100 * Math.sqrt(Math.log(2) / -Math.log(0.05)), 0.1);
  });

  it('raises false alarms at the configured rate per hour, inside the coverage', () => {
    within(falseAlarms.length, 20 * 24, 0.15);
    for (const o of falseAlarms) {
      const p = o.position as { lon: number; lat: number };
      expect(geodesicDistanceM(p.lon, p.lat, cam.lon, cam.lat)).toBeLessThanOrEqual(5000 * 1.01);
    }
    expect(g.stats.falseAlarms).toBe(falseAlarms.length);
  });

  it('delivers duplicates at the configured rate, with the same id and content', () => {
    const duplicates = g.deliveries.length - observations.length;
    within(duplicates, observations.length * 0.05, 0.2);
    expect(g.stats.duplicates).toBe(duplicates);
  });

  it('delivers late at the configured rate and delay, so deliveries overtake each other', () => {
    const first = new Map<string, number>();
    for (const d of g.deliveries) {
      const key = d.observation.id;
      if (!first.has(key)) first.set(key, d.deliverAtMs - Date.parse(d.observation.observedAt));
    }
    const delays = [...first.values()];
    const late = delays.filter((ms) => ms > 3000);
    within(late.length / delays.length, 0.1, 0.1);
    for (const ms of delays) {
      expect(ms).toBeGreaterThanOrEqual(1000);
      expect(ms).toBeLessThanOrEqual(1_203_000);
    }
    let inversions = 0;
    let lastEventMs = -Infinity;
    for (const d of g.deliveries) {
      const t = Date.parse(d.observation.observedAt);
      if (t < lastEventMs) inversions++;
      lastEventMs = Math.max(lastEventMs, t);
    }
    expect(inversions).toBeGreaterThan(100);
  });

  it('keeps event order when nothing is late and the latency is constant', () => {
    const calm = generate(
      cameraDay(
        {
          ...noise,
          lateRate: 0,
          duplicateRate: 0,
          latencyS: { min: 2, max: 2 },
          falseAlarmRate: 0,
        },
        60,
      ),
    );
    const times = calm.deliveries.map((d) => Date.parse(d.observation.observedAt));
    for (let i = 1; i < times.length; i++) {
      expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] as number);
    }
    for (const d of calm.deliveries) {
      expect(d.deliverAtMs - Date.parse(d.observation.observedAt)).toBe(2000);
    }
  });
});

describe('the acoustic noise model, measured on a day of fire heard by one array', () => {
  const s: Scenario = {
    name: 'acoustic noise',
    durationS: DAY_S,
    noise: {
      acoustic: {
        detectionProbability: 0.9,
        bearingErrorDeg: 2,
        rangeErrorFraction: 0.1,
        misclassificationRate: 0.2,
        falseAlarmRate: 0,
        duplicateRate: 0,
      },
    },
    sensors: {
      acoustic: [{ id: 'acu', at: [{ alongKm: 440, distanceKm: 6, side: 'RUS' }], rangeM: 20_000 }],
    },
    violations: {
      fire: [
        {
          id: 'fire',
          rule: 'dmz-kinetic',
          zone: 'dmz',
          party: 'RUS',
          eventType: 'explosion-impact',
          at: { alongKm: 440, distanceKm: 3, side: 'UKR' },
          rounds: 2000,
          spreadM: 0,
          startS: 0,
          durationS: DAY_S,
        },
      ],
    },
  };
  const g = generate(s);
  const heard = g.deliveries.map((d) => d.observation).filter((o) => o.kind === 'kinetic');
  const acu = g.sensors[0]?.position ?? { lon: 0, lat: 0 };
  const [eLon, eLat] = g.truth.violations[0]?.positions[0] ?? [0, 0];
  const truth = geodesicInverse(acu.lon, acu.lat, eLon, eLat);
  const trueBearing = (truth.azimuth1Deg + 360) % 360;

  it('hears events at the configured detection probability', () => {
    within(heard.length, 2000 * 0.9, 0.03);
  });

  it('reports bearing and range intervals that hold the truth about 95% of the time', () => {
    let bearingHits = 0;
    let rangeHits = 0;
    for (const o of heard) {
      const p = o.position as {
        bearingDeg: number;
        bearingUncertaintyDeg: number;
        minRangeM: number;
        maxRangeM: number;
      };
      expect(p.bearingUncertaintyDeg).toBe(4);
      const off = Math.abs(((p.bearingDeg - trueBearing + 540) % 360) - 180);
      if (off <= p.bearingUncertaintyDeg) bearingHits++;
      if (truth.distanceM >= p.minRangeM && truth.distanceM <= p.maxRangeM) rangeHits++;
    }
    within(bearingHits / heard.length, 0.954, 0.02);
    within(rangeHits / heard.length, 0.95, 0.03);
  });

  it('confuses event types within their group at the configured rate', () => {
    const wrong = heard.filter((o) => o.event?.type !== 'explosion-impact');
    within(wrong.length / heard.length, 0.2, 0.15);
  });
});
