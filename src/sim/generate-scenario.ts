import type { Observation } from '../core/observations/index.js';
import { compileZoneSet } from '../core/zones/index.js';
import type { ZoneSpec } from '../core/zones/index.js';
import { createPlaceFrame } from './place-frame.js';
import { DEFAULT_CONFUSION_GROUPS, scenarioNoise } from './resolve-noise.js';
import type { Noise } from './resolve-noise.js';
import { indexObjects, observeSensor } from './observe-sensor.js';
import type { RawObservation, Tally } from './observe-sensor.js';
import { createRng } from './create-rng.js';
import type { Rng } from './create-rng.js';
import type { Scenario } from './scenario-schema.js';
import type { Delivery, GeneratedScenario, TruthViolation } from './truth.js';
import { ScenarioError, validateScenario } from './validate-scenario.js';
import { buildWorld } from './build-world.js';

interface Pending extends Delivery {
  /** Tie-break for equal delivery times: the order of generation. */
  readonly seq: number;
}

/**
 * When each observation of one sensor reaches the server: its event time plus a latency, plus
 * sometimes a late delay (so later observations can overtake it), and sometimes a second time
 * (a retransmission with the same id).
 */
function deliver(
  observations: readonly Observation[],
  times: readonly number[],
  noise: Noise,
  rng: Rng,
  out: Pending[],
  counts: { duplicates: number; late: number },
): void {
  observations.forEach((observation, i) => {
    const t = times[i] as number;
    let delayMs = rng.uniform(noise.latencyS.min, noise.latencyS.max) * 1000;
    if (noise.lateRate > 0 && rng.chance(noise.lateRate)) {
      delayMs += rng.uniform(noise.lateDelayS.min, noise.lateDelayS.max) * 1000;
      counts.late++;
    }
    const deliverAtMs = Math.round(t + delayMs);
    out.push({ deliverAtMs, observation, seq: out.length });
    if (noise.duplicateRate > 0 && rng.chance(noise.duplicateRate)) {
      const again = rng.uniform(noise.duplicateDelayS.min, noise.duplicateDelayS.max) * 1000;
      out.push({ deliverAtMs: Math.round(deliverAtMs + again), observation, seq: out.length });
      counts.duplicates++;
    }
  });
}

/**
 * Numbers a sensor's observations. The run's start is part of the id, so that runs started at
 * different times never reuse an id on the same server (a reused id with other content is a
 * conflict: observations are immutable).
 */
function numbered(
  sensorId: string,
  raws: readonly RawObservation[],
  startMs: number,
): Observation[] {
  const width = Math.max(6, String(raws.length).length);
  const run = Math.floor(startMs / 1000).toString(36);
  return raws.map(
    (r, i) =>
      ({
        id: `${run}-${String(i + 1).padStart(width, '0')}`,
        sensorId,
        observedAt: new Date(r.tMs).toISOString(),
        ...r.body,
      }) as Observation,
  );
}

/**
 * Generates a scenario: the sensors to register, every observation they make with its delivery
 * time, and the ground truth. Pure and deterministic: the same scenario, zone spec, seed and
 * start give the same output, byte for byte. Positions are placed on the zones in force at
 * `startMs`; a scenario that does not fit the zones (a violation outside its zone, an unknown
 * zone or party) throws a ScenarioError listing every fault with its JSON Pointer.
 */
export function generateScenario(
  scenario: Scenario,
  zoneSpec: ZoneSpec,
  seed: number,
  startMs: number,
): GeneratedScenario {
  const checked = validateScenario(scenario, zoneSpec);
  if (!checked.ok) throw new ScenarioError(checked.errors);
  const compiled = compileZoneSet(zoneSpec, startMs);
  if (!compiled.ok) {
    throw new ScenarioError(compiled.errors.map((e) => ({ ...e, path: `zones:${e.path}` })));
  }
  const zs = compiled.zoneSet;
  const rng = createRng(seed);
  const errors: ScenarioError['errors'] = [];
  const noise = scenarioNoise(scenario);
  const world = buildWorld(
    scenario,
    zs,
    createPlaceFrame(zs),
    noise,
    rng.fork('world'),
    startMs,
    errors,
  );
  if (errors.length > 0) throw new ScenarioError(errors);

  const index = indexObjects(world.objects, world.startMs);
  const groups = scenario.confusionGroups ?? DEFAULT_CONFUSION_GROUPS;
  const tally: Tally = { opportunities: 0, trueDetections: 0, falseAlarms: 0, misclassified: 0 };
  const observable = new Map<string, Set<string>>();
  const pending: Pending[] = [];
  const counts = { duplicates: 0, late: 0 };
  const byKind: Record<string, number> = {};
  for (const sensor of world.sensors.values()) {
    const id = sensor.sensor.id;
    const raws = observeSensor(
      world,
      sensor,
      index,
      rng.fork(`sensor:${id}`),
      groups,
      tally,
      observable,
    );
    const observations = numbered(id, raws, world.startMs);
    for (const o of observations) byKind[o.kind] = (byKind[o.kind] ?? 0) + 1;
    deliver(
      observations,
      raws.map((r) => r.tMs),
      sensor.noise,
      rng.fork(`delivery:${id}`),
      pending,
      counts,
    );
  }
  pending.sort((a, b) => a.deliverAtMs - b.deliverAtMs || a.seq - b.seq);
  const deliveries: Delivery[] = pending.map((p) => ({
    deliverAtMs: p.deliverAtMs,
    observation: p.observation,
  }));
  const violations: TruthViolation[] = world.violations.map((v) => ({
    ...v,
    observableBy: [...(observable.get(v.id) ?? [])].sort(),
  }));
  violations.sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
  return {
    sensors: [...world.sensors.values()].map((s) => s.sensor),
    deliveries,
    truth: {
      scenario: scenario.name,
      notional: scenario.notional ?? false,
      seed,
      startMs: world.startMs,
      endMs: world.endMs,
      violations,
      outages: world.outages,
    },
    stats: {
      observations: Object.fromEntries(
        Object.entries(byKind).sort(([a], [b]) => a.localeCompare(b)),
      ),
      trueDetections: tally.trueDetections,
      opportunities: tally.opportunities,
      falseAlarms: tally.falseAlarms,
      misclassified: tally.misclassified,
      duplicates: counts.duplicates,
      late: counts.late,
      deliveries: deliveries.length,
    },
  };
}
