import type { SensorHealth } from './ports.js';

/** The health of every sensor, in memory, loaded from storage at start and kept in step. */
export interface SensorHealthBook {
  /** Health of one sensor (a fresh `unknown` record if none is kept). */
  get(sensorId: string, nowMs: number): SensorHealth;
  /** Every record. */
  all(): SensorHealth[];
  /** Replaces records after they were committed. */
  apply(records: readonly SensorHealth[]): void;
}

/** Creates the book from stored records. */
export function createSensorHealthBook(records: readonly SensorHealth[]): SensorHealthBook {
  const byId = new Map(records.map((h) => [h.sensorId, h]));
  return {
    get: (sensorId, nowMs) =>
      byId.get(sensorId) ?? {
        sensorId,
        status: 'unknown',
        lastSeenMs: null,
        sinceMs: nowMs,
        observationCount: 0,
      },
    all: () => [...byId.values()].sort((a, b) => a.sensorId.localeCompare(b.sensorId)),
    apply(list) {
      for (const h of list) byId.set(h.sensorId, h);
    },
  };
}
