import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiError, fetchIncidents, parseTruth, scoreRun } from '../sim/index.js';
import type { ScoreReport, Truth } from '../sim/index.js';
import { CliError, println } from './io.js';
import type { CliIo } from './io.js';

const USAGE = `Usage:
  armistice score --truth FILE --target URL --key KEY
                  [--distance-m M] [--time-s S] [--certain-only] [--json]

Fetches the server's incidents and scores them against the truth that 'armistice simulate
--truth' wrote: precision, recall, and median and p95 detection latency in simulated time.`;

/** A duration of simulated time for people: seconds, minutes or hours. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  const s = ms / 1000;
  if (Math.abs(s) < 120) return `${Math.round(s)} s`;
  if (Math.abs(s) < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const fmt = (v: number | null) => (v === null ? '-' : v.toFixed(3));

function readTruth(io: CliIo, file: string): Truth {
  let text: string;
  try {
    text = readFileSync(path.resolve(io.cwd, file), 'utf8');
  } catch {
    throw new CliError(`cannot read truth '${file}': no such file`);
  }
  try {
    return parseTruth(text);
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`, 1);
  }
}

function parseNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new CliError(`--${name}: '${value}' is not a number of at least 0`);
  }
  return n;
}

/** The report as lines of text: the headline figures, then one line per rule. */
export function formatReport(truth: Truth, r: ScoreReport): string[] {
  const rows = r.perRule.map((p) => [
    p.ruleId,
    String(p.violations),
    String(p.detected),
    String(p.incidents),
    String(p.falsePositives),
    fmt(p.precision),
    fmt(p.recall),
    formatDuration(p.latencyMedianMs),
    formatDuration(p.latencyP95Ms),
  ]);
  const head = [
    'rule',
    'truth',
    'found',
    'incidents',
    'false',
    'precision',
    'recall',
    'median',
    'p95',
  ];
  const widths = head.map((h, k) =>
    Math.max(h.length, ...rows.map((row) => (row[k] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, k) => (k === 0 ? c.padEnd(widths[k] as number) : c.padStart(widths[k] as number)))
      .join('  ');
  const o = r.outages;
  return [
    `truth: ${truth.scenario}${truth.notional ? ' (NOTIONAL)' : ''}, seed ${truth.seed}: ` +
      `${r.violations} violations (${r.observable} observable), ${o.truth} outages of scheduled sensors`,
    `incidents: ${r.incidents} considered, ${r.truePositives} match a violation, ${r.falsePositives} false`,
    `precision: ${fmt(r.precision)}`,
    `recall: ${fmt(r.recall)} (${r.detected}/${r.violations}); observable only: ${fmt(r.recallObservable)}`,
    `latency: median ${formatDuration(r.latencyMedianMs)}, p95 ${formatDuration(r.latencyP95Ms)} (simulated time)`,
    `outages: ${o.detected}/${o.truth} detected, ${o.incidents} outage incidents (${o.falsePositives} false), ` +
      `median latency ${formatDuration(o.latencyMedianMs)}`,
    '',
    line(head),
    ...rows.map(line),
  ];
}

/**
 * `armistice score`: scores a server's incidents against a simulation's truth (see
 * docs/simulator.md). Prints precision, recall, median and p95 latency and a line per rule, or
 * the whole report as JSON with --json. Exit code 0; 1 for an unreadable truth or an API
 * failure; 2 for a usage error.
 */
export async function scoreCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      truth: { type: 'string' },
      target: { type: 'string' },
      key: { type: 'string' },
      'distance-m': { type: 'string' },
      'time-s': { type: 'string' },
      'certain-only': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0 || !values.truth || !values.target || !values.key) {
    throw new CliError(USAGE);
  }
  const distanceToleranceM = parseNumber('distance-m', values['distance-m']);
  const timeS = parseNumber('time-s', values['time-s']);
  const truth = readTruth(io, values.truth);
  let incidents;
  try {
    incidents = await fetchIncidents(values.target, values.key);
  } catch (error) {
    if (error instanceof ApiError) throw new CliError(`score: ${error.message}`, 1);
    throw error;
  }
  const report = scoreRun(truth, incidents, {
    ...(distanceToleranceM !== undefined && { distanceToleranceM }),
    ...(timeS !== undefined && { timeToleranceMs: timeS * 1000 }),
    ...(values['certain-only'] && { certainOnly: true }),
  });
  if (values.json) {
    println(io.stdout, JSON.stringify(report, null, 2));
    return 0;
  }
  for (const l of formatReport(truth, report)) println(io.stdout, l);
  return 0;
}
