import type { MultiPolygon, Polygon, Position } from 'geojson';
import { polygonToCells } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { chooseCoverageResolution, zoneCells } from './index.js';

function star(lon: number, lat: number, rDeg: number, points: number, seed: number): Position[] {
  const ring: Position[] = [];
  for (let k = 0; k < points; k++) {
    const r = rDeg * (0.4 + 0.6 * Math.abs(Math.sin(seed * (k + 1) * 12.9898)));
    const a = (2 * Math.PI * k) / points;
    ring.push([lon + (r * Math.cos(a)) / Math.cos((lat * Math.PI) / 180), lat + r * Math.sin(a)]);
  }
  ring.push(ring[0] as Position);
  return ring;
}

function reference(zone: Polygon | MultiPolygon, res: number): Set<string> {
  const polys = zone.type === 'Polygon' ? [zone.coordinates] : zone.coordinates;
  return new Set(polys.flatMap((p) => polygonToCells(p, res, true)));
}

describe('zoneCells', () => {
  const zones: (Polygon | MultiPolygon)[] = [
    { type: 'Polygon', coordinates: [star(35, 48, 0.5, 40, 1)] },
    {
      type: 'Polygon',
      coordinates: [star(-70, -33, 0.3, 9, 2), star(-70, -33, 0.05, 7, 3).reverse()],
    },
    {
      type: 'MultiPolygon',
      coordinates: [[star(10, 60, 0.2, 12, 4)], [star(10.8, 60.1, 0.15, 25, 5)]],
    },
  ];

  it('gives the cells whose centres are in the zone, as h3 polygonToCells does', () => {
    for (const zone of zones) {
      for (const res of [5, 7, 8]) {
        const mine = zoneCells(zone, res);
        const ref = reference(zone, res);
        expect(new Set(mine.cells)).toEqual(ref);
        expect(mine.cells.length).toBe(ref.size);
        expect(mine.lon.length).toBe(ref.size);
      }
    }
  });

  it('picks resolution 7 for a 40 km strip 900 km long', () => {
    const strip: Polygon = {
      type: 'Polygon',
      coordinates: [
        [
          [30, 47],
          [42, 47],
          [42, 47.36],
          [30, 47.36],
          [30, 47],
        ],
      ],
    };
    expect(chooseCoverageResolution(strip)).toBe(7);
  });
});
