import type { Truth } from './truth.js';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function violationFault(v: unknown, i: number): string | undefined {
  const at = `/violations/${i}`;
  if (!isObj(v)) return `${at}: must be an object`;
  for (const k of ['id', 'ruleId', 'kind'] as const) {
    if (typeof v[k] !== 'string') return `${at}/${k}: must be a string`;
  }
  for (const k of ['startMs', 'endMs', 'lon', 'lat'] as const) {
    if (!isNum(v[k])) return `${at}/${k}: must be a number`;
  }
  if (!Array.isArray(v.positions)) return `${at}/positions: must be an array`;
  if (!Array.isArray(v.observableBy)) return `${at}/observableBy: must be an array`;
  return undefined;
}

function outageFault(o: unknown, i: number): string | undefined {
  const at = `/outages/${i}`;
  if (!isObj(o)) return `${at}: must be an object`;
  if (typeof o.sensorId !== 'string') return `${at}/sensorId: must be a string`;
  if (!isNum(o.startMs) || !isNum(o.endMs)) return `${at}: startMs and endMs must be numbers`;
  return undefined;
}

/**
 * Reads a truth file as `armistice simulate --truth` writes it, checking the fields the scorer
 * relies on; throws an Error naming the first fault by its JSON Pointer.
 */
export function parseTruth(text: string): Truth {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`/: not JSON (${(error as Error).message})`);
  }
  if (!isObj(value)) throw new Error('/: must be an object');
  if (!isNum(value.startMs) || !isNum(value.endMs)) {
    throw new Error('/startMs: startMs and endMs must be numbers');
  }
  if (!Array.isArray(value.violations)) throw new Error('/violations: must be an array');
  if (!Array.isArray(value.outages)) throw new Error('/outages: must be an array');
  const fault =
    value.violations.map(violationFault).find((f) => f !== undefined) ??
    value.outages.map(outageFault).find((f) => f !== undefined);
  if (fault) throw new Error(fault);
  const c = value.clock;
  if (
    c !== undefined &&
    (!isObj(c) || !isNum(c.simStartMs) || !isNum(c.serverStartMs) || !isNum(c.speed))
  ) {
    throw new Error('/clock: must have simStartMs, serverStartMs and speed numbers');
  }
  return value as unknown as Truth;
}
