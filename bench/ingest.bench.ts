/**
 * npm run bench:ingest - sustained ingest of the real server over HTTP.
 *
 * Starts `armistice serve --no-sim` on a fresh SQLite file in a child process (one core for the
 * server, one for this client), registers 50 cameras along the NOTIONAL line, and posts NDJSON
 * batches of realistic observations (detections with error radii inside and outside the zones,
 * heartbeats). It measures:
 *  1. the sustained rate of observations persisted (acknowledged), as fast as the server takes;
 *  2. at a fixed offered load of 10,000 observations/s, the p50/p99 latency from sending a batch
 *     to receiving, on a WebSocket subscriber, the incident its violating observation opened;
 *  3. the ceiling, measured in the same run: JSON.parse of the same rows, and their raw insert
 *     into SQLite (same columns and indexes, one transaction per batch, better-sqlite3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { geodesicDirect } from '../src/core/geo/index.js';
import { loadZoneSet, mulberry32 } from '../test/support/demo.js';
import { spawnServer } from '../test/support/spawn-server.js';

const KEY = 'ak_bench_admin_key_0123456789abcdef';
const AUTH = { authorization: `Bearer ${KEY}` };
const BATCH = Number(process.env.BENCH_BATCH ?? 2000);
const SUSTAINED_S = Number(process.env.BENCH_SECONDS ?? 20);
const OFFERED_PER_S = 10_000;
const LATENCY_S = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const SENSORS = 50;

const random = mulberry32(20261123);
const zs = loadZoneSet();
const metric = zs.lines[zs.primaryLine]?.metric;
if (!metric) throw new Error('no primary line');

/** Positions along the line at random along-line distances and offsets up to +-60 km. */
function positionNear(maxOffsetKm: number): { lon: number; lat: number } {
  const p = metric.pointAt(random() * metric.lengthM);
  const q = geodesicDirect(
    p.lon,
    p.lat,
    p.azimuthDeg + 90,
    (random() * 2 - 1) * maxOffsetKm * 1000,
  );
  return { lon: q.lon, lat: q.lat };
}

const sensorPositions = Array.from({ length: SENSORS }, () => positionNear(25));
let serial = 0;
const baseMs = Date.now() - 3_600_000;

/** Event times of the violating observations of the last batch made. */
let lastViolationTimes: string[] = [];

/** A batch of observations: mostly civilian traffic and heartbeats, a few tanks. */
function makeBatch(n: number, violations: number): string[] {
  const lines: string[] = [];
  lastViolationTimes = [];
  for (let i = 0; i < n; i++) {
    const k = serial++;
    const sensorId = `cam-${k % SENSORS}`;
    const observedAt = new Date(baseMs + k).toISOString();
    if (i % 10 === 0) {
      lines.push(JSON.stringify({ id: `o${k}`, sensorId, observedAt, kind: 'heartbeat' }));
      continue;
    }
    const violating = i < violations + 1 && i > 0;
    if (violating) lastViolationTimes.push(observedAt);
    lines.push(
      JSON.stringify({
        id: `o${k}`,
        sensorId,
        observedAt,
        kind: 'detection',
        position: { ...positionNear(violating ? 15 : 60), uncertaintyM: 30 },
        object: { class: violating ? 'tank' : 'civilian-vehicle', count: 1 },
      }),
    );
  }
  return lines;
}

async function startServer(db: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = await spawnServer(
    ['--db', db, '--port', '0', '--no-sim', '--log-level', 'error'],
    { ARMISTICE_ADMIN_KEY: KEY },
  );
  return {
    url: server.url,
    stop: async () => {
      server.child.kill('SIGTERM');
      await server.exited;
    },
  };
}

async function post(url: string, lines: string[]): Promise<number> {
  const r = await fetch(`${url}/api/v1/observations`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
    body: lines.join('\n'),
  });
  const body = (await r.json()) as { accepted: number; rejected: number };
  if (r.status !== 200 || body.rejected > 0)
    throw new Error(`HTTP ${r.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.accepted;
}

async function sustained(url: string): Promise<number> {
  let accepted = 0;
  const start = performance.now();
  const deadline = start + SUSTAINED_S * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      accepted += await post(url, makeBatch(BATCH, 2));
    }
  };
  await Promise.all([worker(), worker()]);
  return accepted / ((performance.now() - start) / 1000);
}

async function latency(url: string): Promise<{ p50: number; p99: number; n: number }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/stream`, { headers: AUTH });
  await new Promise((resolve) => ws.once('open', resolve));
  // A tank's incident starts at the tank's event time, which is unique to its batch.
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  ws.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString()) as { type: string; data?: { firstObservedAt: string } };
    if (m.type !== 'incident.created' || !m.data) return;
    const t = sentAt.get(m.data.firstObservedAt);
    if (t !== undefined) latencies.push(performance.now() - t);
  });
  // 10 batches a second of 1,000 observations, each with one tank in the dmz.
  const perBatch = OFFERED_PER_S / 10;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < LATENCY_S * 10; i++) {
    const due = start + i * 100;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const lines = makeBatch(perBatch, 1);
    const t0 = performance.now();
    for (const t of lastViolationTimes) sentAt.set(new Date(t).toISOString(), t0);
    inflight.push(
      fetch(`${url}/api/v1/observations`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
        body: lines.join('\n'),
      }).then(async (r) => {
        await r.arrayBuffer();
      }),
    );
  }
  await Promise.all(inflight);
  await new Promise((r) => setTimeout(r, 500));
  ws.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { p50: q(0.5), p99: q(0.99), n: latencies.length };
}

function ceiling(dir: string): { parse: number; insert: number } {
  const rows = makeBatch(BATCH, 2);
  const reps = 25;
  let t = performance.now();
  let parsed: Record<string, unknown>[] = [];
  for (let r = 0; r < reps; r++) parsed = rows.map((l) => JSON.parse(l) as Record<string, unknown>);
  const parse = (rows.length * reps) / ((performance.now() - t) / 1000);
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE o (seq INTEGER PRIMARY KEY, sensor_id TEXT NOT NULL, id TEXT NOT NULL,
    observed_at_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL, kind TEXT NOT NULL,
    lon REAL, lat REAL, radius_m REAL, zones TEXT NOT NULL, body TEXT NOT NULL,
    UNIQUE (sensor_id, id));
    CREATE INDEX o_t ON o (observed_at_ms); CREATE INDEX o_s ON o (sensor_id, seq);`);
  const ins = db.prepare(
    'INSERT INTO o (sensor_id, id, observed_at_ms, received_at_ms, kind, lon, lat, radius_m, zones, body) VALUES (?,?,?,?,?,?,?,?,?,?)',
  );
  const tx = db.transaction((list: Record<string, unknown>[], rep: number) => {
    for (const o of list) {
      const p = o.position as { lon: number; lat: number } | undefined;
      ins.run(
        o.sensorId,
        `${String(o.id)}-${rep}`,
        Date.parse(String(o.observedAt)),
        Date.now(),
        o.kind,
        p?.lon ?? null,
        p?.lat ?? null,
        30,
        '|dmz|',
        JSON.stringify(o),
      );
    }
  });
  t = performance.now();
  for (let r = 0; r < reps; r++) tx(parsed, r);
  const insert = (rows.length * reps) / ((performance.now() - t) / 1000);
  db.close();
  return { parse, insert };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'armistice-bench-'));
  const server = await startServer(path.join(dir, 'armistice.db'));
  try {
    for (let i = 0; i < SENSORS; i++) {
      const r = await fetch(`${server.url}/api/v1/sensors/cam-${i}`, {
        method: 'PUT',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: `cam-${i}`,
          kind: 'camera',
          owner: 'mission',
          position: sensorPositions[i],
          reliability: 'B',
        }),
      });
      if (r.status !== 201) throw new Error(`sensor: HTTP ${r.status}`);
    }
    await post(server.url, makeBatch(BATCH, 2)); // warm-up
    const n = await sustained(server.url);
    console.log(
      `sustained: ${Math.round(n)} observations/s persisted (batches of ${BATCH}, ${SUSTAINED_S} s)`,
    );
    const l = await latency(server.url);
    console.log(
      `latency at ${OFFERED_PER_S}/s: p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms (${l.n} incidents)`,
    );
    const c = ceiling(dir);
    const combined = 1 / (1 / c.parse + 1 / c.insert);
    console.log(
      `ceiling: JSON.parse ${Math.round(c.parse)} rows/s, raw SQLite insert ${Math.round(c.insert)} rows/s, both in sequence ${Math.round(combined)} rows/s`,
    );
    console.log(
      `ingest: ${Math.round(n)} obs/s, p99 at 10k/s: ${l.p99.toFixed(0)} ms, ceiling: ${Math.round(combined)} obs/s`,
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
