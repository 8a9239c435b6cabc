import { readFileSync } from 'node:fs';
import { compileZoneSet, validateZoneSpec } from '../../src/core/zones/index.js';
import type { ZoneSet } from '../../src/core/zones/index.js';

/** The notional demo zone spec. */
export const DEMO_SPEC = new URL('../../examples/zones/notional-demo.json', import.meta.url);
/** The instant the tests compile the demo zone set at. */
export const AT_MS = Date.parse('2026-01-01T00:00:00Z');

/** A deterministic pseudo-random generator in [0, 1) (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The demo zone set in force at AT_MS. */
export function loadZoneSet(): ZoneSet {
  const validation = validateZoneSpec(JSON.parse(readFileSync(DEMO_SPEC, 'utf8')));
  if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
  const compiled = compileZoneSet(validation.spec, AT_MS);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.zoneSet;
}
