/**
 * Transition fixtures: each file of test/fixtures/zones/transitions/<transition>/ names a spec,
 * an instant, a zone and two fixes; the transition detectTransitions reports for that zone
 * must be the name of the folder the file is in.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileZoneSet, detectTransitions, validateZoneSpec } from '../../src/core/zones/index.js';
import type { Transition, ZoneSet } from '../../src/core/zones/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIR = path.join(ROOT, 'test/fixtures/zones/transitions');
const TRANSITIONS: readonly Transition[] = ['enter', 'exit', 'cross', 'inside', 'outside'];

interface Fix {
  lon: number;
  lat: number;
}

interface TransitionCase {
  spec: string;
  at: string;
  zone: string;
  from: Fix;
  to: Fix;
  note: string;
}

const zoneSets = new Map<string, ZoneSet>();

/** The zone set of a spec (path relative to the repository root) in force at `at`. */
function zoneSetOf(spec: string, at: string): ZoneSet {
  const key = `${spec}@${at}`;
  const known = zoneSets.get(key);
  if (known) return known;
  const validation = validateZoneSpec(JSON.parse(readFileSync(path.join(ROOT, spec), 'utf8')));
  if (!validation.ok) throw new Error(`${spec}: ${JSON.stringify(validation.errors)}`);
  const atMs = Date.parse(at);
  if (Number.isNaN(atMs)) throw new Error(`'${at}' is not a time`);
  const compiled = compileZoneSet(validation.spec, atMs);
  if (!compiled.ok) throw new Error(`${spec} at ${at}: ${JSON.stringify(compiled.errors)}`);
  zoneSets.set(key, compiled.zoneSet);
  return compiled.zoneSet;
}

const isFix = (v: unknown): v is Fix =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Fix).lon === 'number' &&
  typeof (v as Fix).lat === 'number';

function readCase(file: string): TransitionCase {
  const c = JSON.parse(readFileSync(file, 'utf8')) as TransitionCase;
  for (const key of ['spec', 'at', 'zone', 'note'] as const) {
    if (typeof c[key] !== 'string' || c[key] === '') throw new Error(`${file}: '${key}' missing`);
  }
  if (!isFix(c.from) || !isFix(c.to)) throw new Error(`${file}: 'from' and 'to' need lon, lat`);
  return c;
}

describe.each(TRANSITIONS)('transition fixtures: %s', (transition) => {
  const folder = path.join(DIR, transition);
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('has at least three cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s', (file) => {
    const c = readCase(path.join(folder, file));
    const zs = zoneSetOf(c.spec, c.at);
    expect(
      zs.zones.map((z) => z.id),
      `zone '${c.zone}' in force`,
    ).toContain(c.zone);
    const result = detectTransitions(zs, c.from, c.to);
    expect(result).toHaveLength(zs.zones.length);
    const found = result.find((t) => t.zone === c.zone);
    expect(found?.transition, c.note).toBe(transition);
  });
});
