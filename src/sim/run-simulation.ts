import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Observation, Sensor } from '../core/observations/index.js';
import { validateZoneSpec } from '../core/zones/index.js';
import type { ZoneSpec } from '../core/zones/index.js';
import { ApiError, apiRequest, defaultSleep, expectOk } from './api-request.js';
import type { ApiTarget, RetryPolicy, Sleep } from './api-request.js';
import { generateScenario } from './generate-scenario.js';
import type { Scenario } from './scenario-schema.js';
import type { ClockMapping, Delivery, GenerationStats, Truth } from './truth.js';

/** Largest number of observations posted in one request (bodies stay far below 16 MiB). */
export const MAX_BATCH = 2000;

/** Longest wait between two looks at the clock, ms, so a faster injected clock is followed. */
const MAX_SLEEP_MS = 250;

/** How far a simulation run has got. */
export interface SimulationProgress {
  /** `registering` sensors, `posting` observations, or `done`. */
  readonly phase: 'registering' | 'posting' | 'done';
  /** Simulated time now, Unix ms. */
  readonly simNowMs: number;
  /** Deliveries posted so far. */
  readonly delivered: number;
  /** Deliveries in all. */
  readonly total: number;
  /** Records the server accepted. */
  readonly accepted: number;
  /** Records it recognised as duplicates. */
  readonly duplicates: number;
  /** Records it rejected. */
  readonly rejected: number;
  /** Requests that posted observations. */
  readonly batches: number;
}

/** A record the server rejected. */
export interface RejectedRecord {
  /** Reporting sensor. */
  readonly sensorId: string;
  /** Observation id. */
  readonly observationId: string;
  /** JSON Pointer of the fault in the record. */
  readonly path: string;
  /** Stable error code, e.g. CLOCK_SKEW. */
  readonly code: string;
  /** The server's message. */
  readonly message: string;
}

/** Options of a simulation run. */
export interface RunSimulationOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8080. */
  readonly target: string;
  /** API key (bearer). */
  readonly key: string;
  /** The scenario (validated). */
  readonly scenario: Scenario;
  /** Seed of the generator. */
  readonly seed: number;
  /** Simulated time per unit of clock time (default 1; 60 runs a day in 24 minutes). */
  readonly speed?: number;
  /**
   * Simulated start, Unix ms. Default, by the clock rule: the run ends about now, so that no
   * event time is ever ahead of a server running on real time: start = now − duration × (1 −
   * 1 / speed) (now, when speed ≤ 1).
   */
  readonly startMs?: number;
  /**
   * The clock the server runs on (default the wall clock). Pass the server's own clock when it
   * runs accelerated in the same process, with speed 1 and `startMs` its now.
   */
  readonly clock?: { nowMs(): number };
  /** Stops the run; it then returns what it did so far with `aborted` set. */
  readonly signal?: AbortSignal;
  /** Called after registration and after every batch. */
  readonly onProgress?: (p: SimulationProgress) => void;
  /** Where to write the ground truth (JSON), if anywhere. */
  readonly truthFile?: string;
  /** Observations per request (default 1000, at most 2000). */
  readonly batchSize?: number;
  /** Whether to register the scenario's sensors first (default true). */
  readonly registerSensors?: boolean;
  /** Retries of requests (network errors, 429, 5xx). */
  readonly retry?: RetryPolicy;
  /** Waiting (tests pass their own). */
  readonly sleep?: Sleep;
}

/** What a run did. */
export interface SimulationResult {
  /** Start of the simulated span, Unix ms. */
  readonly simStartMs: number;
  /** End of the simulated span, Unix ms. */
  readonly simEndMs: number;
  /** How server time maps to simulated time. */
  readonly clock: ClockMapping;
  /** Sensors registered. */
  readonly sensors: number;
  /** Deliveries posted. */
  readonly delivered: number;
  /** Deliveries in all. */
  readonly total: number;
  /** Records accepted. */
  readonly accepted: number;
  /** Records the server recognised as duplicates. */
  readonly duplicates: number;
  /** Records rejected. */
  readonly rejected: number;
  /** The first 100 rejected records. */
  readonly errors: readonly RejectedRecord[];
  /** Requests that posted observations. */
  readonly batches: number;
  /** Whether the signal stopped the run. */
  readonly aborted: boolean;
  /** The ground truth, with the clock mapping. */
  readonly truth: Truth;
  /** What the generator produced. */
  readonly stats: GenerationStats;
}

interface IngestReply {
  accepted?: number;
  duplicates?: number;
  rejected?: number;
  errors?: { index?: number; path?: string; code?: string; message?: string }[];
}

/** Fetches the zone spec in force from the server and validates it. */
export async function fetchZoneSpec(t: ApiTarget): Promise<ZoneSpec> {
  const res = await apiRequest(t, 'GET', 'api/v1/zones');
  expectOk('GET /api/v1/zones', res);
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw new ApiError('GET /api/v1/zones: the response is not JSON', res.status);
  }
  const v = validateZoneSpec(json);
  if (!v.ok) {
    const first = v.errors[0];
    throw new ApiError(
      `GET /api/v1/zones: the server's zone spec is not valid (${first?.path || '/'}: ${first?.message ?? ''})`,
      res.status,
    );
  }
  return v.spec;
}

/** The simulated start by the clock rule (see RunSimulationOptions.startMs). */
export function defaultSimStartMs(nowMs: number, durationMs: number, speed: number): number {
  return Math.round(nowMs - durationMs * Math.max(0, 1 - 1 / speed));
}

interface Counters {
  delivered: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  batches: number;
  errors: RejectedRecord[];
}

/** Posts one batch as NDJSON; halves it and tries again when the server finds it too large. */
async function postBatch(t: ApiTarget, batch: readonly Delivery[], c: Counters): Promise<void> {
  const text = batch.map((d) => JSON.stringify(d.observation)).join('\n') + '\n';
  const res = await apiRequest(t, 'POST', 'api/v1/observations', {
    contentType: 'application/x-ndjson',
    text,
  });
  if (res.status === 413 && batch.length > 1) {
    const half = Math.ceil(batch.length / 2);
    await postBatch(t, batch.slice(0, half), c);
    await postBatch(t, batch.slice(half), c);
    return;
  }
  expectOk('POST /api/v1/observations', res);
  const reply = JSON.parse(res.text) as IngestReply;
  c.batches++;
  c.delivered += batch.length;
  c.accepted += reply.accepted ?? 0;
  c.duplicates += reply.duplicates ?? 0;
  c.rejected += reply.rejected ?? 0;
  for (const e of reply.errors ?? []) {
    if (c.errors.length >= 100) break;
    const o: Observation | undefined = batch[e.index ?? -1]?.observation;
    c.errors.push({
      sensorId: o?.sensorId ?? '?',
      observationId: o?.id ?? '?',
      path: e.path ?? '',
      code: e.code ?? '?',
      message: e.message ?? '',
    });
  }
}

/** Registers (creates or replaces) every sensor, four requests at a time. */
async function registerAll(t: ApiTarget, sensors: readonly Sensor[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < sensors.length) {
      const s = sensors[next++] as Sensor;
      const res = await apiRequest(t, 'PUT', `api/v1/sensors/${encodeURIComponent(s.id)}`, {
        contentType: 'application/json',
        text: JSON.stringify(s),
      });
      expectOk(`PUT /api/v1/sensors/${s.id}`, res);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, sensors.length) }, worker));
}

/**
 * Runs a scenario against a server through its public API: fetches the zone spec in force,
 * generates the scenario on it (starting by the clock rule unless told), registers the sensors,
 * writes the truth if asked, then posts the observations in NDJSON batches as their delivery
 * times come due on the simulated clock, which runs `speed` times as fast as the given clock
 * from the moment posting starts.
 * Deliveries due after the simulated span are posted at once when it ends. Requests are retried
 * with backoff on network errors, 429 and 5xx; a 413 splits the batch. Rejected records are
 * counted and the first 100 kept.
 */
export async function runSimulation(options: RunSimulationOptions): Promise<SimulationResult> {
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed ${speed} must be > 0`);
  const batchSize = Math.max(1, Math.min(MAX_BATCH, Math.floor(options.batchSize ?? 1000)));
  const clock = options.clock ?? { nowMs: () => Date.now() };
  const sleep = options.sleep ?? defaultSleep;
  const t: ApiTarget = {
    target: options.target,
    key: options.key,
    sleep,
    ...(options.retry && { retry: options.retry }),
    ...(options.signal && { signal: options.signal }),
  };
  const spec = await fetchZoneSpec(t);
  const durationMs = options.scenario.durationS * 1000;
  const simStartMs = options.startMs ?? defaultSimStartMs(clock.nowMs(), durationMs, speed);
  const generated = generateScenario(options.scenario, spec, options.seed, simStartMs);
  const deliveries = generated.deliveries;
  const c: Counters = {
    delivered: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    batches: 0,
    errors: [],
  };
  // The simulated clock starts once the sensors are registered, so that generating and
  // registering take no simulated time; starting later only keeps it further behind the server.
  let serverStartMs = Number.NaN;
  const simNow = () =>
    Number.isNaN(serverStartMs) ? simStartMs : simStartMs + (clock.nowMs() - serverStartMs) * speed;
  const progress = (phase: SimulationProgress['phase']) =>
    options.onProgress?.({
      phase,
      simNowMs: simNow(),
      delivered: c.delivered,
      total: deliveries.length,
      accepted: c.accepted,
      duplicates: c.duplicates,
      rejected: c.rejected,
      batches: c.batches,
    });
  if (options.registerSensors !== false) {
    progress('registering');
    await registerAll(t, generated.sensors);
  }
  serverStartMs = clock.nowMs();
  const mapping: ClockMapping = { simStartMs, serverStartMs, speed };
  const truth: Truth = { ...generated.truth, clock: mapping };
  if (options.truthFile) {
    await mkdir(path.dirname(path.resolve(options.truthFile)), { recursive: true });
    await writeFile(options.truthFile, `${JSON.stringify(truth)}\n`);
  }
  const endMs = generated.truth.endMs;
  let i = 0;
  while (i < deliveries.length && !options.signal?.aborted) {
    const now = simNow();
    const flush = now >= endMs;
    const next = deliveries[i] as Delivery;
    if (!flush && next.deliverAtMs > now) {
      await sleep(
        Math.min(MAX_SLEEP_MS, Math.max(1, (next.deliverAtMs - now) / speed)),
        options.signal,
      );
      continue;
    }
    let j = i;
    while (
      j < deliveries.length &&
      j - i < batchSize &&
      (flush || (deliveries[j] as Delivery).deliverAtMs <= now)
    ) {
      j++;
    }
    try {
      await postBatch(t, deliveries.slice(i, j), c);
    } catch (error) {
      if (options.signal?.aborted) break;
      throw error;
    }
    i = j;
    progress('posting');
  }
  const aborted = options.signal?.aborted ?? false;
  progress('done');
  return {
    simStartMs,
    simEndMs: endMs,
    clock: mapping,
    sensors: options.registerSensors === false ? 0 : generated.sensors.length,
    delivered: c.delivered,
    total: deliveries.length,
    accepted: c.accepted,
    duplicates: c.duplicates,
    rejected: c.rejected,
    errors: c.errors,
    batches: c.batches,
    aborted,
    truth,
    stats: generated.stats,
  };
}
