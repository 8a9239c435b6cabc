import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_ZONES_PATH, demoZoneSpecText } from '../../scripts/demo-zones.js';
import { geodesicDistanceM } from '../../src/core/geo/index.js';
import { compileZoneSet, validateZoneSpec } from '../../src/core/zones/index.js';
import type { Zone } from '../../src/core/zones/index.js';

const root = new URL('../../', import.meta.url).href;
const text = readFileSync(new URL(DEMO_ZONES_PATH, root), 'utf8');

describe('the notional demo zone set', () => {
  it('is exactly what scripts/demo-zones.ts makes from the shared notional line', async () => {
    expect(text).toBe(await demoZoneSpecText(root));
  });

  const v = validateZoneSpec(JSON.parse(text));
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  const spec = v.spec;
  const zs = (() => {
    const c = compileZoneSet(spec, Date.parse('2026-01-01T00:00:00Z'));
    if (!c.ok) throw new Error(JSON.stringify(c.errors));
    return c.zoneSet;
  })();
  const byKind = (kind: string) => spec.zones.filter((z) => z.kind === kind);

  it('is labelled notional everywhere', () => {
    expect(spec.notional).toBe(true);
    expect(spec.description).toMatch(/NOTIONAL/);
    for (const z of spec.zones) expect(z.properties?.notional, z.id).toBe(true);
    for (const z of spec.zones) expect(z.name, z.id).toMatch(/notional/i);
  });

  it('has the 40 km dmz, UKR on the left and RUS on the right', () => {
    const dmz = spec.zones.find((z) => z.id === 'dmz') as Extract<Zone, { kind: 'strip' }>;
    expect(dmz.widthM).toEqual({ left: 20_000, right: 20_000 });
    expect(spec.lines[0]?.sides).toEqual({ left: 'UKR', right: 'RUS' });
  });

  it('has Minsk-II-style withdrawal bands per party', () => {
    const bands = byKind('band') as Extract<Zone, { kind: 'band' }>[];
    const km = (party: string) =>
      bands
        .filter((b) => b.party === party)
        .map((b) => [b.properties?.equipmentClasses, b.maxM / 1000]);
    for (const party of ['UKR', 'RUS']) {
      expect(km(party)).toEqual([
        [['artillery-lt100', 'mortar'], 15],
        [['artillery-ge100'], 25],
        [['mlrs'], 35],
        [['mlrs-heavy', 'tactical-missile'], 70],
      ]);
    }
  });

  it('has ten sectors that partition the strip along the whole line', () => {
    const sectors = byKind('sector') as Extract<Zone, { kind: 'sector' }>[];
    expect(sectors).toHaveLength(10);
    expect(sectors[0]?.fromM).toBe(0);
    for (let i = 1; i < sectors.length; i++) {
      expect(sectors[i]?.fromM).toBe(sectors[i - 1]?.toM);
    }
    const length = zs.lines[0]?.metric.lengthM as number;
    expect(Math.abs((sectors[9]?.toM as number) - length)).toBeLessThan(1);
  });

  it('has three 2 x 2 km disengagement areas and eight crossing points', () => {
    const areas = byKind('disengagement-area');
    expect(areas).toHaveLength(3);
    for (const a of areas) {
      const ring = (a as { geometry: { coordinates: number[][][] } }).geometry.coordinates[0];
      const [p0, p1, p2] = ring as [number, number][];
      expect(geodesicDistanceM(p0[0], p0[1], p1[0], p1[1])).toBeCloseTo(2000, -1);
      expect(geodesicDistanceM(p1[0], p1[1], p2[0], p2[1])).toBeCloseTo(2000, -1);
    }
    expect(byKind('crossing-point')).toHaveLength(8);
  });

  it('has a UAV no-fly zone over the strip below 3,000 m', () => {
    const noFly = byKind('no-fly');
    expect(noFly).toHaveLength(1);
    expect(noFly[0]).toMatchObject({ over: 'dmz', altitudeM: { maxM: 3000 } });
  });
});
