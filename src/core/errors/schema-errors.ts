import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { PathError } from './error-codes.js';

/** Escapes a property name for a JSON Pointer (RFC 6901 sec. 3). */
export function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

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

/**
 * Every number in a parsed document that is NaN or infinite (JSON cannot say NaN, but a
 * parser given 1e999 yields Infinity), at most 100, as NOT_FINITE errors.
 */
export function nonFiniteErrors(value: unknown, base: string): PathError[] {
  const out: PathError[] = [];
  findNonFinite(value, base, out, 0);
  return out;
}
