import type { PathError } from '../errors/index.js';
import { compileZoneSet } from './compile-zone-set.js';
import type { ZoneSet } from './compile-zone-set.js';
import { validityOf } from './validate-zone-spec.js';
import type { ZoneSpec } from './zone-spec.js';

/**
 * A zone spec with the zone set in force at any instant. The set changes only at the
 * instants where a line or zone version starts or ends; each interval between them is compiled
 * once, when first needed.
 */
export interface ZoneModel {
  /** The spec. */
  readonly spec: ZoneSpec;
  /** Instants (Unix ms, ascending) at which the zones in force change. */
  readonly changes: readonly number[];
  /** The zone set in force at `atMs`, or the errors that stop it from being built. */
  at(atMs: number): { ok: true; zoneSet: ZoneSet } | { ok: false; errors: PathError[] };
}

/** Creates the model of a validated spec. */
export function createZoneModel(spec: ZoneSpec): ZoneModel {
  const instants = new Set<number>();
  for (const v of [...spec.lines, ...spec.zones]) {
    for (const t of validityOf(v)) if (Number.isFinite(t)) instants.add(t);
  }
  const changes = [...instants].sort((x, y) => x - y);
  const cache = new Map<number, ReturnType<ZoneModel['at']>>();
  return {
    spec,
    changes,
    at(atMs) {
      // Interval k holds the instants in [changes[k-1], changes[k]).
      let k = 0;
      while (k < changes.length && (changes[k] as number) <= atMs) k++;
      let entry = cache.get(k);
      if (!entry) {
        entry = compileZoneSet(spec, atMs);
        cache.set(k, entry);
      }
      return entry;
    },
  };
}
