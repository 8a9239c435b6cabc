import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { scoreCommand } from '../../src/cli/score-command.js';
import { simulateCommand } from '../../src/cli/simulate-command.js';
import type { Observation } from '../../src/core/observations/index.js';
import { parseTruth } from '../../src/sim/index.js';
import type { IncidentRecord, Truth } from '../../src/sim/index.js';
import { fakeServer, readJson, sendJson } from './support.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KEY = 'cli-key';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'armistice-cli-sim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function io(): { io: CliIo; out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        into.push(String(chunk));
        callback();
      },
    });
  return {
    io: {
      stdin: Readable.from([]),
      stdout: sink(out),
      stderr: sink(err),
      now: () => Date.now(),
      cwd: ROOT,
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const specJson = readJson('examples/zones/notional-demo.json');

describe('armistice simulate', () => {
  it('runs a scenario against the server, prints a summary and writes the truth', async () => {
    let records = 0;
    const s = await fakeServer((r, res) => {
      if (r.headers.authorization !== `Bearer ${KEY}`) return sendJson(res, 401, {});
      if (r.method === 'GET') return sendJson(res, 200, specJson);
      if (r.method === 'PUT') return sendJson(res, 201, {});
      const lines = r.body
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Observation);
      records += lines.length;
      return sendJson(res, 200, { accepted: lines.length, duplicates: 0, rejected: 0, errors: [] });
    });
    close = s.close;
    const t = io();
    const code = await simulateCommand(
      [
        '--scenario',
        'test/sim/fixtures/short-scenario.json',
        '--seed',
        '3',
        '--speed',
        '1000000',
        '--start',
        '2026-01-01T00:00:00Z',
        '--target',
        s.url,
        '--key',
        KEY,
        '--truth',
        path.join(tmp, 'truth.json'),
      ],
      t.io,
    );
    expect(t.err()).toMatch(/registering sensors/);
    expect(code).toBe(0);
    expect(t.out()).toMatch(/scenario: Short test scenario \(NOTIONAL\), seed 3/);
    expect(t.out()).toMatch(/simulated: 2026-01-01T00:00:00.000Z to 2026-01-01T02:00:00.000Z/);
    expect(t.out()).toMatch(new RegExp(`posted: ${records.toLocaleString('en-US')} in`));
    expect(t.out()).toMatch(/rejected 0/);
    const truth = parseTruth(readFileSync(path.join(tmp, 'truth.json'), 'utf8'));
    expect(truth.violations).toHaveLength(10);
    expect(truth.seed).toBe(3);
  });

  it('exits 1 with the faults of an invalid scenario, by path', async () => {
    const file = path.join(tmp, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'x', durationS: 10, sensors: {} }));
    await expect(
      simulateCommand(
        ['--scenario', file, '--seed', '1', '--target', 'http://x', '--key', 'k'],
        io().io,
      ),
    ).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/\/durationS: SCHEMA/) });
  });

  it('exits 2 on a usage error', async () => {
    await expect(simulateCommand([], io().io)).rejects.toMatchObject({ exitCode: 2 });
    await expect(
      simulateCommand(
        ['--scenario', 'f', '--seed', '1.5', '--target', 'http://x', '--key', 'k'],
        io().io,
      ),
    ).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/--seed/) });
  });
});

describe('armistice score', () => {
  it('prints precision, recall, latency and a line per rule', async () => {
    const truth: Truth = parseTruth(
      JSON.stringify({
        scenario: 'hand-made',
        notional: true,
        seed: 1,
        startMs: Date.parse('2026-01-01T00:00:00Z'),
        endMs: Date.parse('2026-01-02T00:00:00Z'),
        violations: ['dmz-forces', 'no-fly-uav'].map((ruleId, k) => ({
          id: `v${k}`,
          ruleId,
          alsoRuleIds: [],
          kind: 'forces',
          startMs: Date.parse('2026-01-01T01:00:00Z'),
          endMs: Date.parse('2026-01-01T02:00:00Z'),
          lon: 36.5,
          lat: 47.8 + k,
          count: 1,
          positions: [[36.5, 47.8 + k]],
          observableBy: ['cam'],
        })),
        outages: [],
      }),
    );
    const file = path.join(tmp, 'score-truth.json');
    writeFileSync(file, JSON.stringify(truth));
    const incidents: IncidentRecord[] = [
      ...truth.violations.map((v, k) => ({
        id: `i${k}`,
        ruleId: v.ruleId,
        certainty: 'certain',
        firstObservedAt: '2026-01-01T01:01:00Z',
        lastObservedAt: '2026-01-01T01:30:00Z',
        position: { lon: v.lon, lat: v.lat, radiusM: 10 },
        sensorIds: ['cam'],
        createdAt: k === 0 ? '2026-01-01T01:02:00Z' : '2026-01-01T01:06:00Z',
      })),
      {
        id: 'false',
        ruleId: 'dmz-forces',
        firstObservedAt: '2026-01-01T05:00:00Z',
        lastObservedAt: '2026-01-01T05:00:00Z',
        position: { lon: 30, lat: 45, radiusM: 10 },
        createdAt: '2026-01-01T05:00:01Z',
      },
    ];
    const s = await fakeServer((r, res) => {
      if (r.headers.authorization !== `Bearer ${KEY}`) return sendJson(res, 401, {});
      return sendJson(res, 200, { items: incidents, nextCursor: null });
    });
    close = s.close;
    const t = io();
    const code = await scoreCommand(['--truth', file, '--target', s.url, '--key', KEY], t.io);
    expect(code).toBe(0);
    const out = t.out();
    expect(out).toMatch(/^precision: 0\.667$/m);
    expect(out).toMatch(/^recall: 1\.000 \(2\/2\); observable only: 1\.000$/m);
    expect(out).toMatch(/^latency: median 4\.0 min, p95 5\.8 min \(simulated time\)$/m);
    expect(out).toMatch(/^dmz-forces +1 +1 +2 +1 +0\.500 +1\.000 +2\.0 min +2\.0 min$/m);
    expect(out).toMatch(/^no-fly-uav +1 +1 +1 +0 +1\.000 +1\.000 +6\.0 min +6\.0 min$/m);
    const json = io();
    await scoreCommand(['--truth', file, '--target', s.url, '--key', KEY, '--json'], json.io);
    expect(JSON.parse(json.out())).toMatchObject({ precision: 2 / 3, recall: 1 });
  });

  it('exits 1 for a truth file it cannot use', async () => {
    const file = path.join(tmp, 'not-truth.json');
    writeFileSync(file, '{"startMs": 1}');
    await expect(
      scoreCommand(['--truth', file, '--target', 'http://x', '--key', 'k'], io().io),
    ).rejects.toMatchObject({ exitCode: 1 });
  });
});
