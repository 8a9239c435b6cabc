import { describe, expect, it } from 'vitest';
import { assessObservation } from '../../src/core/assessment/index.js';
import { mergeFindings } from '../../src/core/incidents/index.js';
import type { Incident } from '../../src/core/incidents/index.js';
import type { Finding } from '../../src/core/rules/index.js';
import { generateScenario, scoreRun } from '../../src/sim/index.js';
import type { GeneratedScenario, IncidentRecord } from '../../src/sim/index.js';
import { START_MS, demoRules, demoSpec, demoZoneSet, readJson, shortScenario } from './support.js';

/**
 * The core of the server's pipeline (assess each new observation, merge findings into
 * incidents) run in delivery order, one batch a minute: what a server would make of the
 * deliveries, without a server.
 */
function incidentsOf(g: GeneratedScenario): IncidentRecord[] {
  const zs = demoZoneSet();
  const rules = demoRules();
  const ruleSet = readJson('examples/rules/notional-demo.json') as {
    merge?: { distanceM?: number; windowS?: number };
    compatibleClasses?: string[][];
    rules: { id: string; merge?: { distanceM?: number; windowS?: number } }[];
  };
  const zoneKinds = new Map(zs.zones.map((z) => [z.id, z.spec.kind as string]));
  const sensors = new Map(g.sensors.map((s) => [s.id, s]));
  const config = (ruleId: string) => {
    const m = { ...ruleSet.merge, ...ruleSet.rules.find((r) => r.id === ruleId)?.merge };
    return {
      distanceM: m.distanceM ?? 1000,
      windowMs: (m.windowS ?? 1800) * 1000,
      compatible: ruleSet.compatibleClasses ?? [],
    };
  };
  const seen = new Set<string>();
  let incidents: Incident[] = [];
  let n = 0;
  let i = 0;
  while (i < g.deliveries.length) {
    const batchEndMs = Math.floor((g.deliveries[i]?.deliverAtMs ?? 0) / 60_000) * 60_000 + 60_000;
    const findings: Finding[] = [];
    for (; i < g.deliveries.length && (g.deliveries[i]?.deliverAtMs ?? 0) < batchEndMs; i++) {
      const o = g.deliveries[i]?.observation;
      const sensor = o && sensors.get(o.sensorId);
      if (!o || !sensor || seen.has(`${o.sensorId}|${o.id}`)) continue;
      seen.add(`${o.sensorId}|${o.id}`);
      const target = o.interference?.targetSensorId;
      const a = assessObservation(o, Date.parse(o.observedAt), sensor, {
        zoneSet: zs,
        rules,
        ruleContext: { zoneKinds, notifications: [] },
        ...(target && { targetOwner: sensors.get(target)?.owner ?? 'unknown' }),
      });
      findings.push(...a.evaluation.findings);
    }
    if (findings.length === 0) continue;
    const out = mergeFindings(incidents, findings, config, () => `inc-${++n}`, batchEndMs);
    const updated = new Map(out.updated.map((x) => [x.id, x]));
    incidents = [...incidents.map((x) => updated.get(x.id) ?? x), ...out.created];
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  return incidents.map((x) => ({
    id: x.id,
    ruleId: x.ruleId,
    certainty: x.certainty,
    firstObservedAt: iso(x.firstObservedAtMs),
    lastObservedAt: iso(x.lastObservedAtMs),
    position:
      x.lon === null || x.lat === null ? null : { lon: x.lon, lat: x.lat, radiusM: x.radiusM ?? 0 },
    sensorIds: x.sensorIds,
    createdAt: iso(x.createdAtMs),
  }));
}

describe('the short scenario through the core pipeline, scored', () => {
  it('finds every violation with few false incidents, within minutes for live sensors', () => {
    const g = generateScenario(shortScenario(), demoSpec(), 7, START_MS);
    const r = scoreRun(g.truth, incidentsOf(g));
    expect(r.recall).toBe(1);
    expect(r.precision).toBeGreaterThanOrEqual(0.8);
    expect(r.latencyMedianMs).toBeLessThanOrEqual(5 * 60_000);
    // Satellite imagery arrives up to hours late: the slowest detection is a band violation.
    const slowest = [...r.matches].sort((a, b) => (b.latencyMs ?? 0) - (a.latencyMs ?? 0))[0];
    expect(slowest?.violationId).toBe('v-band');
  });
});
