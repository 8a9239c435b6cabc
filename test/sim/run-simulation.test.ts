import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Observation } from '../../src/core/observations/index.js';
import {
  ApiError,
  defaultSimStartMs,
  fetchIncidents,
  generateScenario,
  parseTruth,
  runSimulation,
} from '../../src/sim/index.js';
import type { Received } from './support.js';
import { demoSpec, fakeServer, readJson, sendJson, shortScenario } from './support.js';

const KEY = 'test-key';
const scenario = shortScenario();
const spec = demoSpec();
const specJson = readJson('examples/zones/notional-demo.json');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'armistice-sim-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Options {
  /** Status for the nth POST of observations (1-based), instead of handling it. */
  readonly failPost?: ReadonlyMap<number, number>;
  /** Largest number of NDJSON lines accepted in one body (413 above). */
  readonly maxLines?: number;
  /** Records of this sensor are rejected. */
  readonly rejectSensor?: string;
}

/** A fake Armistice API: zones, sensors, observations; checks the key on every request. */
function api(options: Options = {}) {
  let posts = 0;
  return (r: Received, res: ServerResponse) => {
    if (r.headers.authorization !== `Bearer ${KEY}`) {
      sendJson(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'bad key' } });
      return;
    }
    if (r.method === 'GET' && r.url === '/api/v1/zones') {
      sendJson(res, 200, specJson);
      return;
    }
    if (r.method === 'PUT' && r.url.startsWith('/api/v1/sensors/')) {
      sendJson(res, 201, JSON.parse(r.body));
      return;
    }
    if (r.method === 'POST' && r.url === '/api/v1/observations') {
      posts++;
      const status = options.failPost?.get(posts);
      if (status) {
        sendJson(res, status, { error: { code: 'INTERNAL', message: 'injected' } });
        return;
      }
      const lines = r.body.split('\n').filter((l) => l !== '');
      if (options.maxLines !== undefined && lines.length > options.maxLines) {
        sendJson(res, 413, { error: { code: 'TOO_LARGE', message: 'too large' } });
        return;
      }
      const records = lines.map((l) => JSON.parse(l) as Observation);
      const errors = records.flatMap((o, index) =>
        o.sensorId === options.rejectSensor
          ? [{ index, path: '/observedAt', code: 'CLOCK_SKEW', message: 'ahead' }]
          : [],
      );
      sendJson(res, 200, {
        accepted: records.length - errors.length,
        duplicates: 0,
        rejected: errors.length,
        errors,
      });
      return;
    }
    sendJson(res, 404, { error: { code: 'NOT_FOUND', message: r.url } });
  };
}

const posted = (received: readonly Received[]) =>
  received.filter((r) => r.method === 'POST' && r.url === '/api/v1/observations');

const linesOf = (r: Received) =>
  r.body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Observation);

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function start(options: Options = {}) {
  const s = await fakeServer(api(options));
  close = s.close;
  return s;
}

describe('runSimulation against a fake server', () => {
  it('registers the sensors, then posts every delivery as NDJSON with the bearer key', async () => {
    const s = await start();
    const startMs = Date.parse('2026-01-01T00:00:00Z');
    const r = await runSimulation({
      target: s.url,
      key: KEY,
      scenario,
      seed: 5,
      speed: 1e6,
      startMs,
      batchSize: 100,
    });
    const g = generateScenario(scenario, spec, 5, startMs);
    const puts = s.received.filter((x) => x.method === 'PUT');
    expect(puts.map((x) => JSON.parse(x.body))).toEqual(expect.arrayContaining([...g.sensors]));
    expect(puts).toHaveLength(g.sensors.length);
    const posts = posted(s.received);
    for (const p of posts) {
      expect(p.headers['content-type']).toBe('application/x-ndjson');
      expect(p.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(p.body.endsWith('\n')).toBe(true);
      expect(linesOf(p).length).toBeLessThanOrEqual(100);
    }
    expect(posts.flatMap(linesOf)).toEqual(g.deliveries.map((d) => d.observation));
    expect(Math.max(...puts.map((x) => x.atMs))).toBeLessThanOrEqual(posts[0]?.atMs ?? 0);
    expect(r).toMatchObject({
      sensors: g.sensors.length,
      delivered: g.deliveries.length,
      total: g.deliveries.length,
      accepted: g.deliveries.length,
      rejected: 0,
      aborted: false,
      simStartMs: startMs,
    });
  });

  it('places the span by the clock rule and never sends an event time ahead of the server', async () => {
    const s = await start();
    const speed = 7200;
    const before = Date.now();
    const r = await runSimulation({ target: s.url, key: KEY, scenario, seed: 6, speed });
    const elapsedMs = Date.now() - before;
    const durationMs = scenario.durationS * 1000;
    expect(r.simStartMs).toBeGreaterThanOrEqual(defaultSimStartMs(before, durationMs, speed));
    expect(r.simEndMs).toBe(r.simStartMs + durationMs);
    // Two simulated hours at 7200x: about a second, and never faster than the clock allows.
    expect(elapsedMs).toBeGreaterThanOrEqual(durationMs / speed - 50);
    expect(elapsedMs).toBeLessThan(durationMs / speed + 3000);
    const posts = posted(s.received);
    expect(posts.length).toBeGreaterThan(10);
    for (const p of posts) {
      for (const o of linesOf(p)) expect(Date.parse(o.observedAt)).toBeLessThanOrEqual(p.atMs);
    }
  });

  it('posts each delivery only once it is due on the simulated clock', async () => {
    const s = await start();
    let now = Date.parse('2026-03-01T00:00:00Z');
    const speed = 240;
    const startMs = now;
    const sent: { atMs: number; count: number }[] = [];
    const r = await runSimulation({
      target: s.url,
      key: KEY,
      scenario,
      seed: 9,
      speed,
      startMs,
      clock: { nowMs: () => now },
      sleep: async (ms) => {
        now += ms;
      },
      onProgress: (p) => {
        if (p.phase === 'posting') sent.push({ atMs: now, count: p.delivered });
      },
    });
    const g = generateScenario(scenario, spec, 9, startMs);
    const endMs = startMs + scenario.durationS * 1000;
    let done = 0;
    for (const b of sent) {
      const simNow = startMs + (b.atMs - startMs) * speed;
      for (const d of g.deliveries.slice(done, b.count)) {
        if (simNow < endMs) expect(d.deliverAtMs).toBeLessThanOrEqual(simNow);
      }
      const next = g.deliveries[b.count];
      if (next && simNow < endMs) expect(next.deliverAtMs).toBeGreaterThan(simNow - 250 * speed);
      done = b.count;
    }
    expect(r.delivered).toBe(g.deliveries.length);
    // The last sleep may overshoot by up to 250 ms of clock time.
    expect(now - startMs).toBeLessThanOrEqual((scenario.durationS * 1000) / speed + 250);
  });

  it('retries a 5xx with backoff and halves a batch the server finds too large', async () => {
    const s = await start({ failPost: new Map([[1, 503]]), maxLines: 40 });
    const waits: number[] = [];
    const r = await runSimulation({
      target: s.url,
      key: KEY,
      scenario,
      seed: 5,
      speed: 1e6,
      startMs: Date.parse('2026-01-01T00:00:00Z'),
      batchSize: 150,
      retry: { baseDelayMs: 7 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(waits).toContain(7);
    expect(r.delivered).toBe(r.total);
    expect(r.accepted).toBe(r.total);
    const ok = posted(s.received).filter((p) => linesOf(p).length <= 40);
    expect(ok.flatMap(linesOf)).toHaveLength(r.total);
  });

  it('reports the records the server rejected, by sensor and observation id', async () => {
    const s = await start({ rejectSensor: 'acu' });
    const r = await runSimulation({
      target: s.url,
      key: KEY,
      scenario,
      seed: 5,
      speed: 1e6,
      startMs: Date.parse('2026-01-01T00:00:00Z'),
    });
    const fromAcu = posted(s.received)
      .flatMap(linesOf)
      .filter((o) => o.sensorId === 'acu');
    expect(r.rejected).toBe(fromAcu.length);
    expect(r.accepted).toBe(r.total - fromAcu.length);
    expect(r.errors.length).toBe(Math.min(100, fromAcu.length));
    expect(r.errors[0]).toEqual({
      sensorId: 'acu',
      observationId: fromAcu[0]?.id,
      path: '/observedAt',
      code: 'CLOCK_SKEW',
      message: 'ahead',
    });
  });

  it('fails clearly when the key is refused', async () => {
    const s = await start();
    const run = runSimulation({ target: s.url, key: 'wrong', scenario, seed: 1 });
    await expect(run).rejects.toBeInstanceOf(ApiError);
    await expect(run).rejects.toThrow(/HTTP 401 UNAUTHENTICATED: bad key/);
  });

  it('stops when aborted and says so', async () => {
    const s = await start();
    const controller = new AbortController();
    const r = await runSimulation({
      target: s.url,
      key: KEY,
      scenario,
      seed: 5,
      speed: 1e6,
      startMs: Date.parse('2026-01-01T00:00:00Z'),
      batchSize: 50,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.delivered >= 100) controller.abort();
      },
    });
    expect(r.aborted).toBe(true);
    // It stops at the first batch boundary after the abort: at most one more batch of 50.
    expect(r.delivered).toBeGreaterThanOrEqual(100);
    expect(r.delivered).toBeLessThanOrEqual(150);
  });

  it('writes the truth with the clock mapping when asked', async () => {
    const s = await start();
    const file = path.join(tmp, 'deep', 'truth.json');
    const startMs = Date.parse('2026-01-01T00:00:00Z');
    const r = await runSimulation({
      target: s.url,
      key: KEY,
      scenario,
      seed: 5,
      speed: 1e6,
      startMs,
      truthFile: file,
    });
    const t = parseTruth(readFileSync(file, 'utf8'));
    expect(t).toEqual(r.truth);
    expect(t.clock).toEqual({ simStartMs: startMs, serverStartMs: expect.any(Number), speed: 1e6 });
    expect(t.violations).toHaveLength(10);
  });
});

describe('fetchIncidents', () => {
  it('pages through the incidents by cursor, with the bearer key', async () => {
    const all = Array.from({ length: 7 }, (_, k) => ({ id: `inc-${k}`, ruleId: 'dmz-forces' }));
    const s = await fakeServer((r, res) => {
      if (r.headers.authorization !== `Bearer ${KEY}`) {
        sendJson(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'no' } });
        return;
      }
      const q = new URL(r.url, 'http://x').searchParams;
      const from = Number(q.get('cursor') ?? 0);
      const limit = Number(q.get('limit'));
      const next = from + limit < all.length ? String(from + limit) : null;
      sendJson(res, 200, { items: all.slice(from, from + limit), nextCursor: next });
    });
    close = s.close;
    const got = await fetchIncidents(s.url, KEY, { pageSize: 3 });
    expect(got.map((i) => i.id)).toEqual(all.map((i) => i.id));
    expect(s.received.map((r) => new URL(r.url, 'http://x').searchParams.get('cursor'))).toEqual([
      null,
      '3',
      '6',
    ]);
    await expect(fetchIncidents(s.url, 'bad')).rejects.toThrow(/401/);
  });
});
