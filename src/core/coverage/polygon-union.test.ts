import type { MultiPolygon, Polygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import { ringArea2, unionPolygons } from './polygon-union.js';

const square = (x: number, y: number, s: number): Position[] => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
  [x, y],
];

function polygons(g: Polygon | MultiPolygon): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

function area(g: Polygon | MultiPolygon): number {
  let a = 0;
  for (const rings of polygons(g)) for (const r of rings) a += ringArea2(r) / 2;
  return a;
}

function expectOriented(g: Polygon | MultiPolygon): void {
  for (const rings of polygons(g)) {
    rings.forEach((r, i) => {
      expect(r[0]).toEqual(r[r.length - 1]);
      expect(ringArea2(r) > 0).toBe(i === 0);
    });
  }
}

describe('unionPolygons', () => {
  it('merges overlapping squares into one polygon of the right area', () => {
    const u = unionPolygons([[square(0, 0, 2)], [square(1, 1, 2)]]);
    expect(u.type).toBe('Polygon');
    expect(area(u)).toBeCloseTo(7, 9);
    expectOriented(u);
  });

  it('keeps disjoint pieces apart and passes a single piece through oriented', () => {
    const u = unionPolygons([[square(0, 0, 1)], [square(3, 0, 1)]]);
    expect(u.type).toBe('MultiPolygon');
    expect(area(u)).toBeCloseTo(2, 9);
    const one = unionPolygons([[[...square(0, 0, 1)].reverse()]]);
    expect(one.type).toBe('Polygon');
    expectOriented(one);
    expect(unionPolygons([])).toEqual({ type: 'MultiPolygon', coordinates: [] });
  });

  it('finds the hole a frame encloses and an island nested in it', () => {
    const frame = [
      [square(0, 0, 1), square(1, 0, 1), square(2, 0, 1)],
      [square(0, 2, 1), square(1, 2, 1), square(2, 2, 1)],
      [square(0, 1, 1), square(2, 1, 1)],
    ].flat();
    const ring = unionPolygons(frame.map((s) => [s]));
    expect(ring.type).toBe('Polygon');
    expect((ring as Polygon).coordinates).toHaveLength(2);
    expect(area(ring)).toBeCloseTo(8, 9);
    expectOriented(ring);

    const withIsland = unionPolygons([...frame.map((s) => [s]), [square(1.25, 1.25, 0.5)]]);
    expect(withIsland.type).toBe('MultiPolygon');
    const parts = (withIsland as MultiPolygon).coordinates;
    expect(parts.map((p) => p.length).sort()).toEqual([1, 2]);
    expect(area(withIsland)).toBeCloseTo(8.25, 9);
    expectOriented(withIsland);
  });
});
