import mgrs from 'mgrs';
import type { LonLat } from './wgs84.js';

/** MGRS precision in digits per axis: 5 is 1 m, 4 is 10 m, 3 is 100 m, 2 is 1 km, 1 is 10 km. */
export type MgrsPrecision = 1 | 2 | 3 | 4 | 5;

/**
 * Formats a position as an MGRS reference the way people read it on a map, grouped as
 * zone+band, 100 km square, easting, northing: `37U CP 12345 67890`.
 */
export function formatMgrs(lon: number, lat: number, precision: MgrsPrecision = 5): string {
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || lat < -80 || lat > 84) {
    throw new RangeError(`MGRS covers latitudes from 80°S to 84°N; got lat ${lat}, lon ${lon}`);
  }
  const raw = mgrs.forward([lon, lat], precision);
  const m = /^(\d{1,2}[C-X])([A-Z]{2})(\d*)$/.exec(raw);
  if (!m) return raw;
  const digits = m[3] as string;
  const half = digits.length / 2;
  return `${m[1]} ${m[2]} ${digits.slice(0, half)} ${digits.slice(half)}`.trim();
}

/**
 * Parses an MGRS reference (spaces optional) to the centre of the square it names.
 * Throws a RangeError that quotes the input when it is not a valid reference.
 */
export function parseMgrs(reference: string): LonLat {
  const compact = reference.replace(/\s+/g, '').toUpperCase();
  if (!/^\d{1,2}[C-HJ-NP-X][A-HJ-NP-Z][A-HJ-NP-V](\d\d){0,5}$/.test(compact)) {
    throw new RangeError(`not an MGRS reference: '${reference}'`);
  }
  const zone = Number.parseInt(compact, 10);
  if (zone < 1 || zone > 60) {
    throw new RangeError(`not an MGRS reference: '${reference}' (grid zones are 1 to 60)`);
  }
  try {
    const [lon, lat] = mgrs.toPoint(compact);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) throw new RangeError('out of range');
    // A square outside the grid zone's latitudes and longitudes does not exist.
    if (lat < -80.5 || lat > 84.5 || lon < -180 || lon > 180) {
      throw new RangeError('the square lies outside the MGRS grid');
    }
    return { lon, lat };
  } catch (error) {
    throw new RangeError(`not an MGRS reference: '${reference}' (${(error as Error).message})`);
  }
}
