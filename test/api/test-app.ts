import { buildArmistice } from '../../src/build-app.js';
import type { Built } from '../../src/build-app.js';

/** The admin key of test apps. */
export const ADMIN_KEY = 'ak_test_admin_key_0123456789';
/** Headers with the admin key. */
export const AUTH = { authorization: `Bearer ${ADMIN_KEY}` };
/** The test clock starts here. */
export const T0 = Date.parse('2026-06-01T08:00:00Z');

/** A clock tests move by hand. */
export interface FakeClock {
  nowMs(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

/** Creates a fake clock at T0. */
export function fakeClock(startMs = T0): FakeClock {
  let now = startMs;
  return {
    nowMs: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A whole Armistice on an in-memory database with the demo zones and rules, not listening. */
export async function startTestApp(
  options: {
    clock?: FakeClock;
    bodyLimitBytes?: number;
    ledger?: { witnesses?: string[]; quorum?: number };
  } = {},
): Promise<Built & { clock: FakeClock }> {
  const clock = options.clock ?? fakeClock();
  const built = await buildArmistice({
    dbPath: ':memory:',
    zonesPath: new URL('../../examples/zones/notional-demo.json', import.meta.url).pathname,
    rulesPath: new URL('../../examples/rules/notional-demo.json', import.meta.url).pathname,
    adminKey: ADMIN_KEY,
    clock,
    version: '0.1.0',
    zoneIndex: false,
    checkpointIntervalMs: 0,
    ...(options.ledger && { ledger: options.ledger }),
    ...(options.bodyLimitBytes !== undefined && { bodyLimitBytes: options.bodyLimitBytes }),
  });
  return { ...built, clock };
}

/** A fixed camera of the mission, 5 km range, one heartbeat a minute. */
export function camera(id: string, lon: number, lat: number) {
  return {
    id,
    kind: 'camera',
    owner: 'mission',
    position: { lon, lat },
    rangeM: 5000,
    reliability: 'B',
    heartbeatIntervalS: 60,
  };
}

/** An ISO time `offsetMs` after T0. */
export const at = (offsetMs = 0) => new Date(T0 + offsetMs).toISOString();

/** NDJSON of records. */
export const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n');
