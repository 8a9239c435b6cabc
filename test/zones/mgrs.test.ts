import { describe, expect, it } from 'vitest';
import { formatMgrs, geodesicDistanceM, parseMgrs } from '../../src/core/geo/index.js';
import type { MgrsPrecision } from '../../src/core/geo/index.js';
import { mulberry32 } from '../support/demo.js';

const MGRS_PATTERN = /^\d{1,2}[C-X] [A-Z]{2} \d{5} \d{5}$/;

function randomPositions(seed: number, n: number): [number, number][] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => [-180 + rng() * 360, -80 + rng() * 164]);
}

// An independent UTM: the transverse Mercator series of Krüger in the form of Karney (2011),
// to sixth order in the third flattening, exact to well under a millimetre within a zone.
const A_M = 6_378_137;
const F = 1 / 298.257223563;
const N3 = F / (2 - F);
const E = Math.sqrt(F * (2 - F));
const K0 = 0.9996;
const RECTIFYING_A = (A_M / (1 + N3)) * (1 + N3 ** 2 / 4 + N3 ** 4 / 64 + N3 ** 6 / 256);
const ALPHA = [
  N3 / 2 -
    (2 * N3 ** 2) / 3 +
    (5 * N3 ** 3) / 16 +
    (41 * N3 ** 4) / 180 -
    (127 * N3 ** 5) / 288 +
    (7891 * N3 ** 6) / 37800,
  (13 * N3 ** 2) / 48 -
    (3 * N3 ** 3) / 5 +
    (557 * N3 ** 4) / 1440 +
    (281 * N3 ** 5) / 630 -
    (1983433 * N3 ** 6) / 1935360,
  (61 * N3 ** 3) / 240 -
    (103 * N3 ** 4) / 140 +
    (15061 * N3 ** 5) / 26880 +
    (167603 * N3 ** 6) / 181440,
  (49561 * N3 ** 4) / 161280 - (179 * N3 ** 5) / 168 + (6601661 * N3 ** 6) / 7257600,
  (34729 * N3 ** 5) / 80640 - (3418889 * N3 ** 6) / 1995840,
  (212378941 * N3 ** 6) / 319334400,
];
const DEG = Math.PI / 180;

function utmZone(lon: number, lat: number): number {
  if (lat >= 56 && lat < 64 && lon >= 3 && lon < 12) return 32;
  if (lat >= 72 && lon >= 0 && lon < 42) {
    if (lon < 9) return 31;
    if (lon < 21) return 33;
    if (lon < 33) return 35;
    return 37;
  }
  return Math.min(60, Math.floor((lon + 180) / 6) + 1);
}

function utm(lon: number, lat: number, zone: number): { easting: number; northing: number } {
  const phi = lat * DEG;
  const lambda = (lon - (zone * 6 - 183)) * DEG;
  const s = Math.sin(phi);
  const t = Math.sinh(Math.atanh(s) - E * Math.atanh(E * s));
  const xi0 = Math.atan2(t, Math.cos(lambda));
  const eta0 = Math.atanh(Math.sin(lambda) / Math.sqrt(1 + t * t));
  let xi = xi0;
  let eta = eta0;
  ALPHA.forEach((a, j) => {
    const k = 2 * (j + 1);
    xi += a * Math.sin(k * xi0) * Math.cosh(k * eta0);
    eta += a * Math.cos(k * xi0) * Math.sinh(k * eta0);
  });
  const northing = K0 * RECTIFYING_A * xi;
  return {
    easting: 500_000 + K0 * RECTIFYING_A * eta,
    northing: lat < 0 ? northing + 1e7 : northing,
  };
}

const BANDS = 'CDEFGHJKLMNPQRSTUVWX';
const COLUMN_SETS = ['ABCDEFGH', 'JKLMNPQR', 'STUVWXYZ'];
const ROWS = 'ABCDEFGHJKLMNPQRSTUV';

// The MGRS reference to 1 m from the independent UTM, and how near the position is to the
// edge of its 1 m square (references truncate, so a position within a millimetre of an edge
// may fall either way).
function independentMgrs(lon: number, lat: number): { text: string; edgeM: number } {
  const zone = utmZone(lon, lat);
  const band = BANDS[Math.min(19, Math.floor((lat + 80) / 8))]!;
  const { easting, northing } = utm(lon, lat, zone);
  const set = zone % 6 === 0 ? 6 : zone % 6;
  const column = COLUMN_SETS[(set - 1) % 3]![Math.floor(easting / 100_000) - 1]!;
  const row = ROWS[(Math.floor(northing / 100_000) + (set % 2 === 0 ? 5 : 0)) % 20]!;
  const digits = (v: number) => String(Math.floor(v) % 100_000).padStart(5, '0');
  const frac = (v: number) => Math.min(v - Math.floor(v), Math.ceil(v) - v);
  return {
    text: `${zone}${band} ${column}${row} ${digits(easting)} ${digits(northing)}`,
    edgeM: Math.min(frac(easting), frac(northing)),
  };
}

describe('MGRS references', () => {
  it('formats the equator on the central meridian of zone 31 as 31N EA 00000 00000', () => {
    expect(formatMgrs(3, 0)).toBe('31N EA 00000 00000');
    // Just south of the equator the false northing of 10,000 km applies: northing 9,999,999.
    expect(formatMgrs(3, -1e-7)).toBe('31M EV 00000 99999');
    expect(formatMgrs(3, 0, 1)).toBe('31N EA 0 0');
  });

  it('applies the Norway and Svalbard zone exceptions', () => {
    const zoneOf = (lon: number, lat: number) => formatMgrs(lon, lat).split(' ')[0];
    expect(zoneOf(5, 50)).toBe('31U');
    expect(zoneOf(5, 60)).toBe('32V');
    expect(zoneOf(8, 78)).toBe('31X');
    expect(zoneOf(10, 78)).toBe('33X');
    expect(zoneOf(22, 78)).toBe('35X');
    expect(zoneOf(40, 78)).toBe('37X');
    expect(zoneOf(-179.5, -79.5)).toBe('1C');
    expect(zoneOf(179.5, 83.9)).toBe('60X');
  });

  it('matches an independent UTM computation at known places', () => {
    const places: [number, number, string][] = [
      [31.52, 46.555, '36T US 86552 56778'], // start of the notional line
      [36.9, 50.36, '37U CR 50632 80766'], // end of the notional line
      [38, 48.595, '37U DP 26266 82918'],
      [0, 51.4779, '31U BT 91682 07239'], // on the western edge of zone 31
      [151.2093, -33.8688, '56H LH 34368 50948'],
      [-68.3, -54.8, '19F EV 45000 27239'],
    ];
    for (const [lon, lat, text] of places) {
      const ref = independentMgrs(lon, lat);
      expect(ref.edgeM).toBeGreaterThan(0.005);
      expect(ref.text).toBe(text);
      expect(formatMgrs(lon, lat)).toBe(text);
    }
  });

  it('agrees with the independent computation on 1,000 random positions', () => {
    const mismatches: string[] = [];
    for (const [lon, lat] of randomPositions(0x3a9e5, 1_000)) {
      const ref = independentMgrs(lon, lat);
      if (ref.edgeM < 0.005) continue;
      const got = formatMgrs(lon, lat);
      if (got !== ref.text) mismatches.push(`[${lon}, ${lat}]: ${got}, expected ${ref.text}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('round-trips 1,000 random positions within 1.5 m at 1 m precision', () => {
    const far: string[] = [];
    for (const [lon, lat] of randomPositions(0x6d65, 1_000)) {
      const text = formatMgrs(lon, lat, 5);
      expect(text).toMatch(MGRS_PATTERN);
      const back = parseMgrs(text);
      const missM = geodesicDistanceM(lon, lat, back.lon, back.lat);
      if (!(missM < 1.5)) far.push(`[${lon}, ${lat}] -> ${text} -> ${missM} m`);
    }
    expect(far).toEqual([]);
  });

  it('round-trips at coarser precisions within the square it names', () => {
    const rng = mulberry32(0x9c);
    for (const [lon, lat] of randomPositions(0x9b, 200)) {
      const precision = (1 + Math.floor(rng() * 5)) as MgrsPrecision;
      const text = formatMgrs(lon, lat, precision);
      const digits = `\\d{${precision}}`;
      expect(text).toMatch(new RegExp(`^\\d{1,2}[C-X] [A-Z]{2} ${digits} ${digits}$`));
      const squareM = 10 ** (5 - precision);
      const back = parseMgrs(text);
      // The centre of the square is within half its diagonal, with a little for scale.
      expect(geodesicDistanceM(lon, lat, back.lon, back.lat)).toBeLessThan(squareM * 0.72 + 1);
    }
  });

  it('parses references with or without spaces and in either case', () => {
    const p = parseMgrs('31N EA 00000 00000');
    expect(parseMgrs('31NEA0000000000')).toEqual(p);
    expect(parseMgrs(' 31n ea 00000  00000 ')).toEqual(p);
    expect(geodesicDistanceM(3, 0, p.lon, p.lat)).toBeLessThan(1);
  });

  it('refuses to format positions outside the MGRS latitudes', () => {
    for (const [lon, lat] of [
      [0, 84.5],
      [0, -80.5],
      [Number.NaN, 10],
      [10, Number.POSITIVE_INFINITY],
    ] as [number, number][]) {
      expect(() => formatMgrs(lon, lat)).toThrow(RangeError);
    }
  });

  it('throws a RangeError quoting the input on garbage', () => {
    const garbage = [
      '',
      '   ',
      'hello',
      '99Z AA 1 2',
      '33U XP 1234 567',
      '33UXP123',
      '33U',
      '33U XP 12345 6789',
      '33I XP 12345 67890',
      '33U XP 1234a 67890',
      '61N AA 00000 00000',
      '123N AA 00000 00000',
    ];
    for (const text of garbage) {
      expect(() => parseMgrs(text), text).toThrow(RangeError);
      if (text.trim() !== '') expect(() => parseMgrs(text)).toThrow(text);
    }
  });

  it('throws a RangeError for grid zone 0, which does not exist', () => {
    // UTM zones are numbered 1 to 60.
    expect(() => parseMgrs('0N AA 00000 00000')).toThrow(RangeError);
    expect(() => parseMgrs('00N AA 00000 00000')).toThrow(RangeError);
  });

  it('throws a RangeError for squares beyond the MGRS latitudes', () => {
    // Row U of zone 1X would be at 88.6°N, beyond the 84°N limit of MGRS (and at a longitude
    // beyond -180°).
    expect(() => parseMgrs('1X DU 50000 50000')).toThrow(RangeError);
  });
});
