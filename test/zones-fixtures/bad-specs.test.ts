/**
 * Bad zone specs: each file of test/fixtures/zones/bad-specs holds a spec and the errors
 * ({path, code}) validateZoneSpec must report for it, among any others.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/core/errors/index.js';
import { ERROR_CODES } from '../../src/core/errors/index.js';
import { validateZoneSpec } from '../../src/core/zones/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIR = path.join(ROOT, 'test/fixtures/zones/bad-specs');

interface BadSpecCase {
  note?: string;
  spec: unknown;
  expect: { path: string; code: ErrorCode }[];
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

const readCase = (file: string) =>
  JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as BadSpecCase;

/** The errors of a spec as "path code" strings, for readable failures. */
function errorsOf(spec: unknown): { ok: boolean; errors: string[] } {
  const v = validateZoneSpec(spec);
  return { ok: v.ok, errors: v.ok ? [] : v.errors.map((e) => `${e.path} ${e.code}`) };
}

describe('bad zone specs (test/fixtures/zones/bad-specs)', () => {
  it('covers the required faults', () => {
    const codes = new Set(files.flatMap((f) => readCase(f).expect.map((e) => e.code)));
    for (const code of [
      'SELF_INTERSECTION',
      'UNCLOSED_RING',
      'LAT_OUT_OF_RANGE',
      'UNKNOWN_LINE',
      'BAND_MIN_GT_MAX',
      'SECTOR_OVERLAP',
      'DUPLICATE_ID',
      'UNKNOWN_KIND',
      'NOT_A_STRIP',
      'SCHEMA',
    ] as const) {
      expect(codes, code).toContain(code);
    }
  });

  it.each(files)('%s', (file) => {
    const c = readCase(file);
    expect(c.expect.length, 'the case expects at least one error').toBeGreaterThan(0);
    for (const e of c.expect) expect(Object.keys(ERROR_CODES)).toContain(e.code);
    const result = errorsOf(c.spec);
    expect(result.ok, c.note).toBe(false);
    for (const e of c.expect) expect(result.errors, c.note).toContain(`${e.path} ${e.code}`);
  });

  it('reports every error with a JSON Pointer, a known code and a message', () => {
    for (const file of files) {
      let v: ReturnType<typeof validateZoneSpec>;
      try {
        v = validateZoneSpec(readCase(file).spec);
      } catch {
        continue; // the case's own test reports the throw
      }
      if (v.ok) continue;
      for (const e of v.errors) {
        expect(e.path, file).toMatch(/^(\/[^/]*)*$/);
        expect(Object.keys(ERROR_CODES), file).toContain(e.code);
        expect(e.message.length, file).toBeGreaterThan(0);
      }
    }
  });

  // JSON cannot carry NaN or Infinity, but a caller of the API can pass them.
  const line = (coordinates: number[][]) => ({ id: 'L', version: 1, coordinates });
  const nanCases: [string, unknown, string][] = [
    [
      'NaN longitude of a line vertex',
      {
        name: 'NaN',
        lines: [
          line([
            [14, 50.9],
            [Number.NaN, 51.2],
            [15.2, 51.15],
          ]),
        ],
        zones: [],
      },
      '/lines/0/coordinates/1',
    ],
    [
      'NaN latitude in a polygon ring',
      {
        name: 'NaN',
        lines: [
          line([
            [14, 50.9],
            [14.55, 51.25],
            [15.2, 51.15],
          ]),
        ],
        zones: [
          {
            id: 'D',
            kind: 'disengagement-area',
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [14.5, 51.0],
                  [14.6, Number.NaN],
                  [14.6, 51.1],
                  [14.5, 51.0],
                ],
              ],
            },
          },
        ],
      },
      '/zones/0/geometry/coordinates/0/1',
    ],
  ];

  it.each(nanCases)('%s is NOT_FINITE', (_name, spec, at) => {
    const v = validateZoneSpec(spec);
    expect(v.ok).toBe(false);
    const errors = v.ok ? [] : v.errors;
    const notFinite = errors.filter((e) => e.code === 'NOT_FINITE');
    expect(
      notFinite.map((e) => e.path),
      `errors reported: ${JSON.stringify(errors)}`,
    ).toContainEqual(expect.stringMatching(new RegExp(`^${at}(/[01])?$`)));
  });
});
