import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import type { PathError } from '../core/errors/index.js';
import {
  classifyObserverBearing,
  classifyPosition,
  createZoneModel,
  validateZoneSpec,
  zoneSetToGeoJson,
} from '../core/zones/index.js';
import type { PositionClassification, ZoneModel, ZoneSet, ZoneSpec } from '../core/zones/index.js';
import { CliError, println } from './io.js';
import type { CliIo } from './io.js';

/** Largest zone spec file accepted, bytes. */
export const MAX_SPEC_BYTES = 64 * 1024 * 1024;
/** Largest NDJSON input line accepted, characters. */
export const MAX_LINE_CHARS = 64 * 1024;

const USAGE = `Usage:
  armistice zones build SPEC [-o OUT.geojson] [--at TIME]
  armistice zones validate SPEC
  armistice zones classify --zones SPEC [--at TIME] < points.ndjson > results.ndjson`;

/** Reads and validates a zone spec file; throws a CliError listing every fault. */
function loadSpec(io: CliIo, file: string): { spec?: ZoneSpec; errors: PathError[] } {
  const full = path.resolve(io.cwd, file);
  let size: number;
  try {
    size = statSync(full).size;
  } catch {
    throw new CliError(`cannot read zone spec '${file}': no such file`);
  }
  if (size > MAX_SPEC_BYTES) {
    return {
      errors: [
        {
          path: '',
          code: 'TOO_LARGE',
          message: `the spec is ${size} bytes; the limit is ${MAX_SPEC_BYTES}`,
        },
      ],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(full, 'utf8'));
  } catch (error) {
    return { errors: [{ path: '', code: 'INVALID_JSON', message: (error as Error).message }] };
  }
  const v = validateZoneSpec(json);
  if (!v.ok) return { errors: v.errors };
  // Compile every interval between changes, so that geometric faults surface too.
  const model = createZoneModel(v.spec);
  const instants = [-8.64e15, ...model.changes];
  const errors = new Map<string, PathError>();
  for (const t of instants) {
    const c = model.at(t);
    if (!c.ok) for (const e of c.errors) errors.set(`${e.path}|${e.code}|${e.message}`, e);
  }
  return { spec: v.spec, errors: [...errors.values()] };
}

function printErrors(io: CliIo, file: string, errors: readonly PathError[]): void {
  for (const e of errors) println(io.stderr, `${file}: ${e.path || '/'}: ${e.code}: ${e.message}`);
}

function parseTime(value: string | undefined, io: CliIo): number {
  if (value === undefined) return io.now();
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t)) {
    throw new CliError(`--at: '${value}' is not an RFC 3339 time such as 2026-01-31T12:00:00Z`);
  }
  return t;
}

function zoneSetAt(model: ZoneModel, atMs: number): ZoneSet {
  const c = model.at(atMs);
  if (!c.ok)
    throw new CliError(c.errors.map((e) => `${e.path}: ${e.code}: ${e.message}`).join('\n'), 1);
  return c.zoneSet;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

function roundCoordinates(value: unknown): unknown {
  if (Array.isArray(value)) {
    return typeof value[0] === 'number'
      ? value.map((v: number) => round(v, 7))
      : value.map(roundCoordinates);
  }
  return value;
}

async function build(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { out: { type: 'string', short: 'o' }, at: { type: 'string' } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new CliError(USAGE);
  const { spec, errors } = loadSpec(io, file);
  if (!spec || errors.length > 0) {
    printErrors(io, file, errors);
    return 1;
  }
  const zs = zoneSetAt(createZoneModel(spec), parseTime(values.at, io));
  const geojson = zoneSetToGeoJson(zs);
  for (const f of geojson.features) {
    if (f.geometry && 'coordinates' in f.geometry) {
      (f.geometry as { coordinates: unknown }).coordinates = roundCoordinates(
        f.geometry.coordinates,
      );
    }
  }
  const text = `${JSON.stringify(geojson)}\n`;
  if (values.out) {
    writeFileSync(path.resolve(io.cwd, values.out), text);
    println(io.stderr, `wrote ${geojson.features.length} features to ${values.out}`);
  } else io.stdout.write(text);
  return 0;
}

function validate(io: CliIo, args: string[]): number {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new CliError(USAGE);
  const { spec, errors } = loadSpec(io, file);
  if (!spec || errors.length > 0) {
    for (const e of errors) println(io.stdout, `${e.path || '/'}: ${e.code}: ${e.message}`);
    println(io.stderr, `${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
    return 1;
  }
  println(
    io.stdout,
    `${file}: valid (${spec.lines.length} line versions, ${spec.zones.length} zones)`,
  );
  return 0;
}

/** One input line of `zones classify`. */
export const ClassifyInputSchema = Type.Object(
  {
    id: Type.Union([Type.String({ maxLength: 256 }), Type.Number()]),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    altM: Type.Optional(Type.Number({ minimum: -12_000, maximum: 1_000_000 })),
    uncertaintyM: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
    at: Type.Optional(Type.String({ format: 'date-time' })),
    bearingDeg: Type.Optional(Type.Number({ minimum: -360, maximum: 360 })),
    bearingUncertaintyDeg: Type.Optional(Type.Number({ minimum: 0, maximum: 90 })),
    minRangeM: Type.Optional(Type.Number({ minimum: 0, maximum: 200_000 })),
    maxRangeM: Type.Optional(Type.Number({ minimum: 0, maximum: 200_000 })),
  },
  { additionalProperties: true },
);

type ClassifyInput = Type.Static<typeof ClassifyInputSchema>;

/** Parses and checks one input line; returns the record or a PathError. */
export function parseClassifyLine(text: string): ClassifyInput | PathError {
  if (text.length > MAX_LINE_CHARS) {
    return {
      path: '',
      code: 'TOO_LARGE',
      message: `the line has ${text.length} characters; the limit is ${MAX_LINE_CHARS}`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { path: '', code: 'INVALID_JSON', message: (error as Error).message };
  }
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    for (const key of ['lon', 'lat', 'altM', 'uncertaintyM']) {
      if (key in v && typeof v[key] === 'number' && !Number.isFinite(v[key])) {
        return { path: `/${key}`, code: 'NOT_FINITE', message: `${key} must be a finite number` };
      }
    }
  }
  const first = Value.Errors(ClassifyInputSchema, value)[0];
  if (first) {
    const p = first.instancePath;
    const range = first.keyword === 'minimum' || first.keyword === 'maximum';
    const code =
      range && p === '/lat'
        ? 'LAT_OUT_OF_RANGE'
        : range && p === '/lon'
          ? 'LON_OUT_OF_RANGE'
          : 'SCHEMA';
    return { path: p, code, message: first.message };
  }
  const record = value as ClassifyInput;
  const observer = [record.bearingDeg, record.minRangeM, record.maxRangeM].filter(
    (x) => x !== undefined,
  ).length;
  if (observer !== 0 && observer !== 3) {
    return {
      path: '',
      code: 'INVALID_INPUT',
      message: 'an observer bearing needs bearingDeg, minRangeM and maxRangeM together',
    };
  }
  if (observer === 3 && (record.minRangeM as number) > (record.maxRangeM as number)) {
    return {
      path: '/minRangeM',
      code: 'INVALID_RANGE',
      message: 'minRangeM is greater than maxRangeM',
    };
  }
  return record;
}

function output(id: unknown, c: PositionClassification): Record<string, unknown> {
  return {
    id,
    inside: c.inside,
    possiblyInside: c.possiblyInside,
    side: c.side,
    distanceToLineM: c.distanceToLineM === null ? null : round(c.distanceToLineM, 3),
    alongLineM: c.alongLineM === null ? null : round(c.alongLineM, 1),
    mgrs: c.mgrs,
  };
}

async function classify(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { zones: { type: 'string' }, at: { type: 'string' } },
    allowPositionals: true,
  });
  if (!values.zones || positionals.length > 0) throw new CliError(USAGE);
  const { spec, errors } = loadSpec(io, values.zones);
  if (!spec || errors.length > 0) {
    printErrors(io, values.zones, errors);
    return 1;
  }
  const model = createZoneModel(spec);
  const defaultAt = parseTime(values.at, io);
  let lineNo = 0;
  let failed = 0;
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const text of lines) {
    lineNo++;
    if (text.trim() === '') continue;
    const record = parseClassifyLine(text);
    if ('code' in record && !('lon' in record)) {
      failed++;
      println(io.stdout, JSON.stringify({ line: lineNo, error: record }));
      continue;
    }
    const r = record as ClassifyInput;
    const c = model.at(r.at !== undefined ? Date.parse(r.at) : defaultAt);
    if (!c.ok) {
      failed++;
      const e = c.errors[0] as PathError;
      println(
        io.stdout,
        JSON.stringify({
          line: lineNo,
          id: r.id,
          error: { ...e, message: `zone set: ${e.message}` },
        }),
      );
      continue;
    }
    const result =
      r.bearingDeg !== undefined
        ? classifyObserverBearing(c.zoneSet, {
            observerLon: r.lon,
            observerLat: r.lat,
            bearingDeg: r.bearingDeg,
            ...(r.bearingUncertaintyDeg !== undefined
              ? { bearingUncertaintyDeg: r.bearingUncertaintyDeg }
              : {}),
            minRangeM: r.minRangeM as number,
            maxRangeM: r.maxRangeM as number,
            ...(r.altM !== undefined ? { altM: r.altM } : {}),
          })
        : classifyPosition(c.zoneSet, r);
    println(io.stdout, JSON.stringify(output(r.id, result)));
  }
  if (failed > 0)
    println(io.stderr, `${failed} of ${lineNo} lines had errors (see the error lines)`);
  return 0;
}

/** `armistice zones ...` */
export async function zonesCommand(io: CliIo, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'build':
      return build(io, rest);
    case 'validate':
      return validate(io, rest);
    case 'classify':
      return classify(io, rest);
    default:
      throw new CliError(USAGE);
  }
}
