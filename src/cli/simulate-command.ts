import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiError, ScenarioError, runSimulation, validateScenario } from '../sim/index.js';
import type { Scenario, SimulationProgress } from '../sim/index.js';
import { CliError, println } from './io.js';
import type { CliIo } from './io.js';

const USAGE = `Usage:
  armistice simulate --scenario FILE --seed N --target URL --key KEY
                     [--speed X] [--truth OUT.json] [--start TIME] [--batch N]

Runs a scenario against a server through its HTTP API: registers the sensors, then posts the
observations as they fall due, X times faster than real time (default 1). Without --start the
simulated span is placed so that it ends about now (event times never run ahead of the server).`;

/** How often progress is printed, ms of the command's clock. */
const PROGRESS_EVERY_MS = 5000;

/** Reads and validates a scenario file, or throws a CliError naming every fault. */
export function readScenario(io: CliIo, file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path.resolve(io.cwd, file), 'utf8');
  } catch {
    throw new CliError(`cannot read scenario '${file}': no such file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: /: INVALID_JSON: ${(error as Error).message}`, 1);
  }
  const v = validateScenario(json);
  if (!v.ok) {
    throw new CliError(
      v.errors.map((e) => `${file}: ${e.path || '/'}: ${e.code}: ${e.message}`).join('\n'),
      1,
    );
  }
  return v.scenario;
}

function parseNumber(
  name: string,
  value: string | undefined,
  integer: boolean,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new CliError(`--${name}: '${value}' is not ${integer ? 'an integer' : 'a number'}`);
  }
  return n;
}

const count = (n: number) => n.toLocaleString('en-US');

function progressLine(p: SimulationProgress): string {
  return (
    `${new Date(p.simNowMs).toISOString().slice(0, 19)}Z  posted ${count(p.delivered)}/${count(p.total)}` +
    `  accepted ${count(p.accepted)}  duplicates ${count(p.duplicates)}  rejected ${count(p.rejected)}`
  );
}

/**
 * `armistice simulate`: runs a scenario against a server (see docs/simulator.md). Exit code 0
 * when every record was accepted or recognised as a duplicate, 1 when the server rejected some
 * (the first ones are printed) or the scenario is invalid, 2 on a usage error.
 */
export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      scenario: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string' },
      target: { type: 'string' },
      key: { type: 'string' },
      truth: { type: 'string' },
      start: { type: 'string' },
      batch: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0 || !values.scenario || !values.target || !values.key) {
    throw new CliError(USAGE);
  }
  const seed = parseNumber('seed', values.seed, true);
  if (seed === undefined) throw new CliError(`--seed is required\n\n${USAGE}`);
  const speed = parseNumber('speed', values.speed, false) ?? 1;
  if (speed <= 0) throw new CliError(`--speed: must be greater than 0`);
  const batchSize = parseNumber('batch', values.batch, true);
  let startMs: number | undefined;
  if (values.start !== undefined) {
    startMs = Date.parse(values.start);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(values.start) || Number.isNaN(startMs)) {
      throw new CliError(
        `--start: '${values.start}' is not an RFC 3339 time such as 2026-01-31T00:00:00Z`,
      );
    }
  }
  const scenario = readScenario(io, values.scenario);
  const truthFile = values.truth === undefined ? undefined : path.resolve(io.cwd, values.truth);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  let lastPrintMs = -Infinity;
  try {
    const r = await runSimulation({
      target: values.target,
      key: values.key,
      scenario,
      seed,
      speed,
      ...(startMs !== undefined && { startMs }),
      ...(truthFile !== undefined && { truthFile }),
      ...(batchSize !== undefined && { batchSize }),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'registering') {
          println(
            io.stderr,
            `${count(p.total)} deliveries over ${scenario.durationS / 3600} h of simulated time ` +
              `at ${speed}x from ${new Date(p.simNowMs).toISOString()}; registering sensors on ${values.target}`,
          );
          return;
        }
        if (p.phase === 'posting' && io.now() - lastPrintMs < PROGRESS_EVERY_MS) return;
        lastPrintMs = io.now();
        println(io.stderr, progressLine(p));
      },
    });
    const iso = (ms: number) => new Date(ms).toISOString();
    println(
      io.stdout,
      `scenario: ${scenario.name}${scenario.notional ? ' (NOTIONAL)' : ''}, seed ${seed}`,
    );
    println(io.stdout, `simulated: ${iso(r.simStartMs)} to ${iso(r.simEndMs)} at ${speed}x`);
    println(
      io.stdout,
      `generated: ${r.sensors || 'no'} sensors registered, ${count(r.total)} deliveries ` +
        `(${count(r.stats.duplicates)} repeated, ${count(r.stats.late)} late), ` +
        `${r.truth.violations.length} violations, ${r.truth.outages.length} outages`,
    );
    println(
      io.stdout,
      `posted: ${count(r.delivered)} in ${count(r.batches)} batches; accepted ${count(r.accepted)}, ` +
        `duplicates ${count(r.duplicates)}, rejected ${count(r.rejected)}${r.aborted ? ' (stopped early)' : ''}`,
    );
    for (const e of r.errors.slice(0, 10)) {
      println(
        io.stdout,
        `  rejected ${e.sensorId}/${e.observationId}: ${e.path || '/'}: ${e.code}: ${e.message}`,
      );
    }
    if (truthFile !== undefined) println(io.stdout, `truth: ${values.truth}`);
    return r.rejected > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ScenarioError) {
      const lines = error.errors.map(
        (e) => `${values.scenario}: ${e.path || '/'}: ${e.code}: ${e.message}`,
      );
      throw new CliError(lines.join('\n'), 1);
    }
    if (error instanceof ApiError) throw new CliError(`simulate: ${error.message}`, 1);
    throw error;
  } finally {
    process.removeListener('SIGINT', stop);
  }
}
