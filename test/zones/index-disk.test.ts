import { beforeAll, describe, expect, it } from 'vitest';
import { geodesicDirect } from '../../src/core/geo/index.js';
import {
  buildZoneIndex,
  classifyPosition,
  classifyPositionIndexed,
} from '../../src/core/zones/index.js';
import type { ZoneIndex, ZoneSet } from '../../src/core/zones/index.js';
import { loadZoneSet, mulberry32 } from '../support/demo.js';

let zs: ZoneSet;
let index: ZoneIndex;

beforeAll(() => {
  zs = loadZoneSet();
  index = buildZoneIndex(zs, { leafSizeM: 400 });
}, 120_000);

/** Disks of 0–3 km radius within 80 km of the line, half of them within 2 km of an edge. */
function disks(seed: number, n: number) {
  const rng = mulberry32(seed);
  const metric = zs.lines[zs.primaryLine]!.metric;
  const edges = [0, 15_000, 20_000, 25_000, 35_000, 70_000];
  return Array.from({ length: n }, (_, k) => {
    const p = metric.pointAt(rng() * metric.lengthM);
    const side = rng() < 0.5 ? -1 : 1;
    const offset =
      k % 2 === 0
        ? rng() * 80_000
        : (edges[Math.floor(rng() * edges.length)] as number) + (rng() - 0.5) * 4000;
    const q = geodesicDirect(p.lon, p.lat, p.azimuthDeg + 90 * side, Math.abs(offset));
    const r = [0, 10, 30, 100, 500, 3000][k % 6] as number;
    const altM = k % 3 === 0 ? undefined : rng() * 6000;
    return { lon: q.lon, lat: q.lat, uncertaintyM: r, ...(altM !== undefined && { altM }) };
  });
}

describe('classifyPositionIndexed', () => {
  // The index decides a disk only when every cell it may reach has one class, so its answer is
  // exact; the direct computation is exact for `inside` and conservative for `possiblyInside`
  // (near a cross-cut or a line's end it may say "possibly" for a disk that misses the zone).
  // A decided disk must therefore (1) keep every zone the direct computation proves inside,
  // (2) claim nothing the direct computation rules out, (3) match sampled points exactly, and
  // a point (radius 0) must get exactly the direct answer.
  it('is exact for points and sound for the disks it decides, and decides most of them', () => {
    let decided = 0;
    const all = disks(20261123, 6000);
    const rng = mulberry32(7);
    for (const [k, d] of all.entries()) {
      const fast = classifyPositionIndexed(zs, index, d);
      if (!fast) continue;
      decided++;
      const slow = classifyPosition(zs, d);
      const slowAny = new Set([...slow.inside, ...slow.possiblyInside]);
      if (d.uncertaintyM === 0) {
        expect({ d, inside: fast.inside, possibly: fast.possiblyInside, side: fast.side }).toEqual({
          d,
          inside: slow.inside,
          possibly: slow.possiblyInside,
          side: slow.side,
        });
        continue;
      }
      for (const z of slow.inside)
        expect({ d, z, kept: fast.inside.includes(z) }).toEqual({ d, z, kept: true });
      for (const z of [...fast.inside, ...fast.possiblyInside]) {
        expect({ d, z, allowed: slowAny.has(z) }).toEqual({ d, z, allowed: true });
      }
      if (slow.side !== null) expect(fast.side).toBe(slow.side);
      if (k % 10 !== 1) continue;
      // Sampled points: each is in exactly the zones the class says (altitude aside).
      const fastAny = new Set([...fast.inside, ...fast.possiblyInside]);
      for (let j = 0; j < 40; j++) {
        const q = geodesicDirect(d.lon, d.lat, rng() * 360, d.uncertaintyM * Math.sqrt(rng()));
        const e = classifyPosition(zs, {
          lon: q.lon,
          lat: q.lat,
          ...(d.altM !== undefined && { altM: d.altM }),
        });
        for (const z of e.inside)
          expect({ d, z, inFast: fastAny.has(z) }).toEqual({ d, z, inFast: true });
        for (const z of fast.inside)
          expect({ d, z, atPoint: e.inside.includes(z) }).toEqual({ d, z, atPoint: true });
      }
    }
    // Points are always decided; small disks away from edges nearly always.
    expect(decided).toBeGreaterThan(all.length * 0.6);
  }, 120_000);

  it('never decides a disk that straddles a zone edge', () => {
    const metric = zs.lines[zs.primaryLine]!.metric;
    const p = metric.pointAt(300_000);
    const q = geodesicDirect(p.lon, p.lat, p.azimuthDeg - 90, 20_000);
    expect(classifyPositionIndexed(zs, index, { lon: q.lon, lat: q.lat, uncertaintyM: 50 })).toBe(
      undefined,
    );
  });
});
