import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { geodesicDirect, geodesicDistanceM, geodesicInverse } from '../../src/core/geo/index.js';

// GeodTest-100: 100 geodesics with exact solutions (Karney, Zenodo 32156), one per line:
// lat1 lon1 azi1 lat2 lon2 azi2 s12 a12 m12 S12.
const cases = readFileSync(
  new URL('../../../shared/data/geodesic/GeodTest-100.dat', import.meta.url),
  'utf8',
)
  .trim()
  .split('\n')
  .map((line) => line.trim().split(/\s+/).map(Number));

const NANOMETRES_15 = 15e-9;

describe('WGS84 geodesics against GeodTest-100', () => {
  it('reads all 100 reference geodesics', () => {
    expect(cases).toHaveLength(100);
    for (const c of cases) expect(c.every(Number.isFinite)).toBe(true);
  });

  it('solves every direct problem to within 15 nm of the reference end point', () => {
    for (const [lat1, lon1, azi1, lat2, lon2, azi2, s12] of cases as number[][]) {
      const r = geodesicDirect(lon1 as number, lat1 as number, azi1 as number, s12 as number);
      const missM = geodesicDistanceM(r.lon, r.lat, lon2 as number, lat2 as number);
      expect(missM).toBeLessThan(NANOMETRES_15);
      const azDiff = Math.abs(((r.azimuthDeg - (azi2 as number) + 540) % 360) - 180);
      expect(azDiff).toBeLessThan(1e-8);
    }
  });

  it('solves every inverse problem to within 15 nm of the reference distance', () => {
    for (const [lat1, lon1, , lat2, lon2, , s12] of cases as number[][]) {
      const r = geodesicInverse(lon1 as number, lat1 as number, lon2 as number, lat2 as number);
      expect(Math.abs(r.distanceM - (s12 as number))).toBeLessThan(NANOMETRES_15);
    }
  });
});
