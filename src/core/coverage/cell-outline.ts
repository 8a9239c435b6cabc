import { cellsToMultiPolygon } from 'h3-js';
import type { MultiPolygon } from 'geojson';
import { orientPolygon } from './polygon-union.js';

/**
 * The outline of a set of H3 cells as GeoJSON: the cells merged into polygons (with holes where
 * the set surrounds cells it lacks), rings oriented as RFC 7946 asks. No cells, no polygons.
 */
export function cellsOutline(cells: readonly string[]): MultiPolygon {
  return {
    type: 'MultiPolygon',
    coordinates: cells.length > 0 ? cellsToMultiPolygon([...cells], true).map(orientPolygon) : [],
  };
}
