/**
 * Zone-building fixtures: each folder of test/fixtures/zones/build holds a small spec
 * (`spec.json`), optionally the instant to build at (`at.txt`), and the GeoJSON the zones in
 * force at that instant must produce (`expected.geojson`, coordinates rounded to 7 decimals).
 *
 * Run with UPDATE=1 to (re)write the expected files from the current code; then look at them.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileZoneSet, validateZoneSpec, zoneSetToGeoJson } from '../../src/core/zones/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CASES_DIR = path.join(ROOT, 'test/fixtures/zones/build');
const DEFAULT_AT = '2026-01-01T00:00:00Z';
const TOLERANCE_DEG = 1e-7;
const UPDATE = process.env.UPDATE === '1';

interface GeoFeature {
  type: 'Feature';
  id?: string | number;
  properties: Record<string, unknown> | null;
  geometry: { type: string; coordinates?: unknown; geometries?: unknown[] };
}

interface GeoCollection {
  type: 'FeatureCollection';
  features: GeoFeature[];
  [key: string]: unknown;
}

const round7 = (v: number) => Math.round(v * 1e7) / 1e7;

function roundCoordinates(value: unknown): unknown {
  if (typeof value === 'number') return round7(value);
  if (Array.isArray(value)) return value.map(roundCoordinates);
  return value;
}

/** The GeoJSON of the zones in force at `at`, coordinates rounded to 7 decimals. */
function build(specFile: string, at: string): GeoCollection {
  const validation = validateZoneSpec(JSON.parse(readFileSync(specFile, 'utf8')));
  if (!validation.ok) {
    throw new Error(`${specFile} is invalid: ${JSON.stringify(validation.errors, null, 2)}`);
  }
  const compiled = compileZoneSet(validation.spec, Date.parse(at));
  if (!compiled.ok) {
    throw new Error(`${specFile} does not compile: ${JSON.stringify(compiled.errors, null, 2)}`);
  }
  const fc = structuredClone(zoneSetToGeoJson(compiled.zoneSet)) as unknown as GeoCollection;
  for (const f of fc.features) {
    if (f.geometry.coordinates !== undefined) {
      f.geometry.coordinates = roundCoordinates(f.geometry.coordinates);
    }
  }
  return fc;
}

/** Pretty JSON with each position on one line, so that the files stay readable and diffable. */
function format(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    /\[\s+(-?[\d.eE+-]+),\s+(-?[\d.eE+-]+)\s+\]/g,
    '[$1, $2]',
  );
  return `${text}\n`;
}

/** Differences between two coordinate trees beyond the tolerance (the first ten). */
function coordinateDiffs(actual: unknown, expected: unknown, where: string, out: string[]): void {
  if (out.length >= 10) return;
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || !(Math.abs(actual - expected) <= TOLERANCE_DEG + 1e-12)) {
      out.push(`${where}: got ${String(actual)}, expected ${expected}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      out.push(
        `${where}: got ${Array.isArray(actual) ? `${actual.length} items` : typeof actual}, expected ${expected.length} items`,
      );
      return;
    }
    expected.forEach((e, i) => coordinateDiffs(actual[i], e, `${where}/${i}`, out));
    return;
  }
  out.push(`${where}: unexpected ${JSON.stringify(expected)}`);
}

/** The polygons (each its rings) of a Polygon or MultiPolygon; none for other geometries. */
function polygonsOf(geometry: GeoFeature['geometry']): number[][][][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates as number[][][]];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates as number[][][][];
  return [];
}

/** Every linear ring of a Polygon or MultiPolygon. */
const ringsOf = (geometry: GeoFeature['geometry']) => polygonsOf(geometry).flat();

/** Twice the signed area of a ring in the lon/lat plane: positive when counterclockwise. */
function signedArea2(ring: number[][]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i] as [number, number];
    const [x2, y2] = ring[i + 1] as [number, number];
    sum += x1 * y2 - x2 * y1;
  }
  return sum;
}

const cases = readdirSync(CASES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('zone-building fixtures (test/fixtures/zones/build)', () => {
  it('finds the fixture folders', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases)('%s', (name) => {
    const dir = path.join(CASES_DIR, name);
    const atFile = path.join(dir, 'at.txt');
    const at = existsSync(atFile) ? readFileSync(atFile, 'utf8').trim() : DEFAULT_AT;
    const actual = build(path.join(dir, 'spec.json'), at);
    const expectedFile = path.join(dir, 'expected.geojson');
    if (UPDATE) writeFileSync(expectedFile, format(actual));

    // Sanity, whatever the expected file says: closed rings of at least four positions.
    for (const f of actual.features) {
      for (const ring of ringsOf(f.geometry)) {
        expect(ring.length, `ring of ${String(f.id)}`).toBeGreaterThanOrEqual(4);
        expect(ring[ring.length - 1], `ring of ${String(f.id)} is closed`).toEqual(ring[0]);
      }
    }

    expect(existsSync(expectedFile), `${expectedFile} (run with UPDATE=1 to create it)`).toBe(true);
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as GeoCollection;
    const { features: actualFeatures, ...actualTop } = actual;
    const { features: expectedFeatures, ...expectedTop } = expected;
    expect(actualTop).toEqual(expectedTop);
    const summary = (fs: GeoFeature[]) =>
      fs.map((f) => ({ id: f.id, properties: f.properties, type: f.geometry.type }));
    expect(summary(actualFeatures)).toEqual(summary(expectedFeatures));
    const diffs: string[] = [];
    expectedFeatures.forEach((f, i) => {
      const a = actualFeatures[i] as GeoFeature;
      coordinateDiffs(
        a.geometry.coordinates ?? a.geometry.geometries,
        f.geometry.coordinates ?? f.geometry.geometries,
        `features/${i} (${String(f.id)})/geometry`,
        diffs,
      );
    });
    expect(diffs).toEqual([]);
  });

  // RFC 7946 sec. 3.1.6: "A linear ring MUST follow the right-hand rule with respect to the area
  // it bounds, i.e., exterior rings are counterclockwise, and holes are clockwise." Renderers
  // such as d3-geo draw a clockwise exterior ring as the whole globe minus the zone.
  it.each(cases)('%s: exterior rings counterclockwise, holes clockwise (RFC 7946)', (name) => {
    const dir = path.join(CASES_DIR, name);
    const atFile = path.join(dir, 'at.txt');
    const at = existsSync(atFile) ? readFileSync(atFile, 'utf8').trim() : DEFAULT_AT;
    const fc = build(path.join(dir, 'spec.json'), at);
    const wrong: string[] = [];
    for (const f of fc.features) {
      polygonsOf(f.geometry).forEach((rings, p) => {
        rings.forEach((ring, r) => {
          const area = signedArea2(ring);
          if (r === 0 ? area <= 0 : area >= 0) {
            wrong.push(
              `${String(f.id)} polygon ${p} ring ${r} is ${area > 0 ? 'counterclockwise' : 'clockwise'}`,
            );
          }
        });
      });
    }
    expect(wrong).toEqual([]);
  });
});
