/**
 * `armistice zones ...` through main(argv, io) with in-memory streams, and once through the real
 * binary to prove the bin entry works.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { classifyPosition, compileZoneSet, validateZoneSpec } from '../../src/core/zones/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO = 'examples/zones/notional-demo.json';
const SECTORS = 'test/fixtures/zones/build/sectors';
const NOW = Date.parse('2026-01-01T00:00:00Z');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs main() with the given stdin text, a fixed clock and the repository root as cwd. */
async function run(argv: string[], stdin = ''): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        into.push(String(chunk));
        callback();
      },
    });
  const io: CliIo = {
    stdin: Readable.from(stdin === '' ? [] : [stdin]),
    stdout: sink(out),
    stderr: sink(err),
    now: () => NOW,
    cwd: ROOT,
  };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'armistice-zones-cli-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('zones validate', () => {
  it('accepts the notional demo spec (exit 0)', async () => {
    const r = await run(['zones', 'validate', DEMO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${DEMO}: valid (1 line versions, 31 zones)`);
    expect(r.stderr).toBe('');
  });

  it('prints each error of a bad spec with its JSON path (exit 1)', async () => {
    const spec = {
      name: 'Bad',
      parties: [{ id: 'A' }, { id: 'B' }],
      lines: [
        {
          id: 'L',
          version: 1,
          sides: { left: 'A', right: 'B' },
          coordinates: [
            [14, 50.9],
            [14.55, 51.25],
            [15.2, 51.15],
          ],
        },
      ],
      zones: [
        { id: 'S', kind: 'strip', line: 'M', widthM: { left: 5000, right: 5000 } },
        { id: 'band', kind: 'band', party: 'B', line: 'L', minM: 9000, maxM: 2000 },
        {
          id: 'D',
          kind: 'disengagement-area',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [14.5, 51.0],
                [14.6, 51.0],
                [14.6, 51.1],
                [14.5, 51.1],
              ],
            ],
          },
        },
      ],
    };
    const file = path.join(tmp, 'bad-spec.json');
    writeFileSync(file, JSON.stringify(spec, null, 2));
    const r = await run(['zones', 'validate', file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.startsWith('/zones/0/line: UNKNOWN_LINE: '))).toBe(true);
    expect(lines.some((l) => l.startsWith('/zones/1/minM: BAND_MIN_GT_MAX: '))).toBe(true);
    expect(
      lines.some((l) => l.startsWith('/zones/2/geometry/coordinates/0: UNCLOSED_RING: ')),
    ).toBe(true);
    expect(r.stderr).toContain(`${file}: 3 errors`);
  });

  it('reports a file that is not JSON as INVALID_JSON (exit 1)', async () => {
    const file = path.join(tmp, 'not-json.json');
    writeFileSync(file, '{ "name": "half a spec", "lines": [');
    const r = await run(['zones', 'validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\/: INVALID_JSON: /m);
    expect(r.stderr).toContain('1 error');
  });

  it('exits 2 when the file does not exist', async () => {
    const r = await run(['zones', 'validate', path.join(tmp, 'no-such-spec.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file');
    expect(r.stdout).toBe('');
  });

  it('exits 2 without a spec argument', async () => {
    const r = await run(['zones', 'validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage:');
  });
});

describe('zones build', () => {
  it('prints the errors of an invalid spec and writes nothing (exit 1)', async () => {
    const file = path.join(tmp, 'bad-build.json');
    writeFileSync(file, JSON.stringify({ name: 'No lines', zones: [] }));
    const out = path.join(tmp, 'never.geojson');
    const r = await run(['zones', 'build', file, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: /: SCHEMA: `);
    expect(existsSync(out)).toBe(false);
  });

  it('writes a FeatureCollection to -o, matching the build fixture', async () => {
    const out = path.join(tmp, 'out.geojson');
    const r = await run(['zones', 'build', `${SECTORS}/spec.json`, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote 4 features to ${out}`);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(true);
    const fc = JSON.parse(readFileSync(out, 'utf8')) as {
      type: string;
      name: string;
      features: {
        type: string;
        id: string;
        properties: Record<string, unknown>;
        geometry: { type: string; coordinates: unknown };
      }[];
    };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.name).toBe('Strip with two sectors');
    expect(fc.features.map((f) => [f.id, f.geometry.type])).toEqual([
      ['L@1', 'LineString'],
      ['S', 'Polygon'],
      ['s1', 'Polygon'],
      ['s2', 'Polygon'],
    ]);
    // Same as the fixture (built at the same instant, coordinates rounded to 7 decimals).
    const expected = JSON.parse(
      readFileSync(path.join(ROOT, SECTORS, 'expected.geojson'), 'utf8'),
    ) as typeof fc;
    expect(fc.features.map((f) => f.properties)).toEqual(
      expected.features.map((f) => f.properties),
    );
    const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
    fc.features.forEach((f, i) => {
      const a = flat(f.geometry.coordinates);
      const e = flat(expected.features[i]?.geometry.coordinates);
      expect(a.length).toBe(e.length);
      const worst = a.reduce((m, v, k) => Math.max(m, Math.abs(v - (e[k] as number))), 0);
      expect(worst).toBeLessThanOrEqual(1.000001e-7);
      for (const v of a) expect(Math.abs(v * 1e7 - Math.round(v * 1e7))).toBeLessThan(1e-6);
    });
  });

  it('builds the line version in force at --at, to stdout', async () => {
    const spec = 'test/fixtures/zones/build/line-versions-v1/spec.json';
    const before = await run(['zones', 'build', spec, '--at', '2025-06-01T00:00:00Z']);
    const after = await run(['zones', 'build', spec, '--at', '2026-06-01T00:00:00Z']);
    expect(before.code).toBe(0);
    expect(after.code).toBe(0);
    const ids = (r: Run) =>
      (JSON.parse(r.stdout) as { features: { id: string }[] }).features.map((f) => f.id);
    expect(ids(before)).toEqual(['L@1', 'S']);
    expect(ids(after)).toEqual(['L@2', 'S']);
  });
});

describe('zones classify', () => {
  // Line numbers are 1-based; line 6 is empty and produces no output.
  const input = [
    '{"id":"near-line","lon":35.84,"lat":47.5}',
    '{"id":"uncertain","lon":34.925162,"lat":47.729273,"uncertaintyM":1000}',
    '{"id": "broken", "lon": 35.8,',
    '{"id":"polar","lon":35.84,"lat":95}',
    '{"id":"no-lon","lat":47.45}',
    '',
    '{"id":"rus-side","lon":36,"lat":47.3}',
  ];

  it('classifies each line, reports bad lines with their line number and goes on', async () => {
    const r = await run(
      ['zones', 'classify', '--zones', DEMO, '--at', '2026-01-01T00:00:00Z'],
      `${input.join('\n')}\n`,
    );
    expect(r.code).toBe(0);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(6);

    const errors = out.filter((o) => 'error' in o);
    expect(errors.map((o) => o.line)).toEqual([3, 4, 5]);
    for (const o of errors) {
      expect(Object.keys(o).sort()).toEqual(['error', 'line']);
      const e = o.error as Record<string, unknown>;
      expect(Object.keys(e).sort()).toEqual(['code', 'message', 'path']);
      expect(typeof e.message).toBe('string');
    }
    const [broken, polar, noLon] = errors.map((o) => o.error as Record<string, unknown>);
    expect(broken).toMatchObject({ code: 'INVALID_JSON', path: '' });
    expect(polar).toMatchObject({ code: 'LAT_OUT_OF_RANGE', path: '/lat' });
    expect(noLon).toMatchObject({ code: 'SCHEMA' });
    expect(noLon?.message).toContain('lon');

    const results = out.filter((o) => !('error' in o));
    expect(results.map((o) => o.id)).toEqual(['near-line', 'uncertain', 'rus-side']);
    const [near, uncertain, rus] = results as {
      inside: string[];
      possiblyInside: string[];
      side: string | null;
      distanceToLineM: number;
    }[];

    expect(near?.inside).toEqual(expect.arrayContaining(['dmz', 'withdrawal-UKR-lt100']));
    expect(near?.inside).not.toContain('withdrawal-RUS-lt100');
    expect(near?.possiblyInside).toEqual(['no-fly-uav']); // no altitude given
    expect(near?.side).toBe('UKR');
    expect(near?.distanceToLineM).toBeGreaterThan(4900);
    expect(near?.distanceToLineM).toBeLessThan(4930);

    // 20.3 km from the line with 1 km uncertainty: the 20 km dmz may or may not hold it.
    expect(uncertain?.inside).toEqual(expect.arrayContaining(['withdrawal-UKR-artillery-ge100']));
    expect(uncertain?.inside).not.toContain('dmz');
    expect(uncertain?.possiblyInside).toEqual(expect.arrayContaining(['dmz', 'no-fly-uav']));
    expect(uncertain?.side).toBe('UKR');
    expect(uncertain?.distanceToLineM).toBeGreaterThan(20290);
    expect(uncertain?.distanceToLineM).toBeLessThan(20310);

    expect(rus?.side).toBe('RUS');
    expect(rus?.inside).toEqual(expect.arrayContaining(['dmz', 'withdrawal-RUS-lt100']));
    expect(rus?.inside).not.toContain('withdrawal-UKR-lt100');

    // The CLI reports what the core computes for the same positions.
    const v = validateZoneSpec(JSON.parse(readFileSync(path.join(ROOT, DEMO), 'utf8')));
    if (!v.ok) throw new Error('demo spec invalid');
    const c = compileZoneSet(v.spec, NOW);
    if (!c.ok) throw new Error('demo spec does not compile');
    const positions = [
      { lon: 35.84, lat: 47.5 },
      { lon: 34.925162, lat: 47.729273, uncertaintyM: 1000 },
      { lon: 36, lat: 47.3 },
    ];
    positions.forEach((p, i) => {
      const core = classifyPosition(c.zoneSet, p);
      const cli = results[i] as Record<string, unknown>;
      expect(cli.inside).toEqual(core.inside);
      expect(cli.possiblyInside).toEqual(core.possiblyInside);
      expect(cli.side).toBe(core.side);
      expect(cli.distanceToLineM as number).toBeCloseTo(core.distanceToLineM as number, 2);
    });

    expect(r.stderr).toContain('3 of 7 lines had errors');
  });

  it('reports a latitude or longitude that is not a number as SCHEMA, not out of range', async () => {
    const r = await run(
      ['zones', 'classify', '--zones', DEMO],
      '{"id":"a","lon":35.84,"lat":"47.5"}\n{"id":"b","lon":null,"lat":47.5}\n',
    );
    expect(r.code).toBe(0);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; error: { path: string; code: string } });
    expect(out.map((o) => [o.line, o.error.path, o.error.code])).toEqual([
      [1, '/lat', 'SCHEMA'],
      [2, '/lon', 'SCHEMA'],
    ]);
  });

  it('exits 2 for an --at that is not a time', async () => {
    const r = await run(['zones', 'classify', '--zones', DEMO, '--at', 'tomorrow'], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--at');
  });
});

describe('bin/armistice.js', () => {
  it('runs `zones validate` on the demo spec as a real process (exit 0)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/armistice.js', 'zones', 'validate', DEMO],
      { cwd: ROOT, timeout: 30_000 },
    );
    expect(stdout).toContain(`${DEMO}: valid`);
  }, 30_000);
});
