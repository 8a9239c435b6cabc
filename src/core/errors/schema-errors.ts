import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { Validator } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { PathError } from './error-codes.js';

/** Escapes a property name for a JSON Pointer (RFC 6901 sec. 3). */
export function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

const validators = new WeakMap<TSchema, Validator>();

/**
 * The schema errors of a value as PathErrors with code SCHEMA, their paths prefixed by `base`;
 * errors under any path in `skip` are left out (a caller checks those more precisely).
 */
export function schemaErrors(
  schema: TSchema,
  value: unknown,
  base: string,
  skip: string[] = [],
): PathError[] {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  // The compiled check is fast; the error walk runs only for a value that fails it.
  if (validator.Check(value)) return [];
  const out: PathError[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    if (e.keyword === 'boolean' || e.keyword === 'anyOf') continue;
    const path = base + e.instancePath;
    if (skip.some((s) => path === s || path.startsWith(`${s}/`))) continue;
    const extra =
      e.keyword === 'additionalProperties'
        ? `: ${String((e.params as { additionalProperties?: string[] }).additionalProperties ?? '')}`
        : '';
    const key = `${path}|${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, code: 'SCHEMA', message: `${e.message}${extra}` });
  }
  return out;
}

const MAX_DEPTH = 64;

function findNonFinite(value: unknown, path: string, out: PathError[], depth: number): void {
  if (out.length >= 100 || depth > MAX_DEPTH) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      out.push({ path, code: 'NOT_FINITE', message: `${String(value)} is not a finite number` });
    }
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => findNonFinite(v, `${path}/${i}`, out, depth + 1));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    findNonFinite(v, `${path}/${pointerToken(k)}`, out, depth + 1);
  }
}

/** Whether any number in the value is NaN or infinite (a fast scan that builds no paths). */
function hasNonFinite(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasNonFinite(v, depth + 1)) return true;
    return false;
  }
  for (const k in value) {
    if (hasNonFinite((value as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}

/**
 * Every number in a parsed document that is NaN or infinite (JSON cannot say NaN, but a
 * parser given 1e999 yields Infinity), at most 100, as NOT_FINITE errors.
 */
export function nonFiniteErrors(value: unknown, base: string): PathError[] {
  if (!hasNonFinite(value, 0)) return [];
  const out: PathError[] = [];
  findNonFinite(value, base, out, 0);
  return out;
}
