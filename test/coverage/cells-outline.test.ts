import { cellArea, gridDisk, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { approximateAreaM2, cellsOutline } from '../../src/core/coverage/index.js';

/** Twice the signed area of a ring in the lon/lat plane: positive when counterclockwise. */
function area2(ring: number[][]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    a += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  }
  return a;
}

describe('cellsOutline', () => {
  it('merges cells into polygons with holes, oriented as RFC 7946 asks', () => {
    const centre = latLngToCell(47.66, 36.26, 9);
    const ring = gridDisk(centre, 3).filter((c) => !gridDisk(centre, 1).includes(c));
    const outline = cellsOutline(ring);
    expect(outline.type).toBe('MultiPolygon');
    expect(outline.coordinates).toHaveLength(1);
    const [exterior, hole, ...rest] = outline.coordinates[0]!;
    expect(rest).toEqual([]);
    expect(area2(exterior!)).toBeGreaterThan(0);
    expect(area2(hole!)).toBeLessThan(0);
    const cellsM2 = ring.reduce((sum, c) => sum + cellArea(c, 'm2'), 0);
    expect(approximateAreaM2(outline) / cellsM2).toBeCloseTo(1, 2);
  });

  it('gives separate polygons for separate cells, and none for no cells', () => {
    const a = latLngToCell(47.66, 36.26, 9);
    const b = latLngToCell(47.76, 36.36, 9);
    expect(cellsOutline([a, b]).coordinates).toHaveLength(2);
    expect(cellsOutline([])).toEqual({ type: 'MultiPolygon', coordinates: [] });
  });
});
