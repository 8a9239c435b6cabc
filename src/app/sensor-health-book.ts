import type { SensorHealth } from './ports.js';

/** The health of every sensor, in memory, loaded from storage at start and kept in step. */
export interface SensorHealthBook {
  /** Health of one sensor (a fresh `unknown` record if none is kept). */
  get(sensorId: string, nowMs: number): SensorHealth;
  /** Every record. */
  all(): SensorHealth[];
  /**
   * Replaces records after they were committed. With `receivedAtMs` (an ingest batch), the gap
   * between it and the newest event time of the batch is a sample of the delivery delay.
   */
  apply(records: readonly SensorHealth[], receivedAtMs?: number): void;
  /**
   * The usual delivery delay of reports, ms (a moving average of the batches' freshest
   * reports, at most MAX_DELIVERY_LAG_MS): how far event time trails the server clock.
   */
  deliveryLagMs(): number;
}

/** The delivery delay the health check allows for at most, ms. */
export const MAX_DELIVERY_LAG_MS = 2 * 3_600_000;

/** Creates the book from stored records. */
export function createSensorHealthBook(records: readonly SensorHealth[]): SensorHealthBook {
  const byId = new Map(records.map((h) => [h.sensorId, h]));
  let lagMs: number | undefined;
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
    apply(list, receivedAtMs) {
      let freshest = -Infinity;
      for (const h of list) {
        byId.set(h.sensorId, h);
        if (h.lastSeenMs !== null && h.lastSeenMs > freshest) freshest = h.lastSeenMs;
      }
      if (receivedAtMs === undefined || !Number.isFinite(freshest)) return;
      const sample = Math.min(MAX_DELIVERY_LAG_MS, Math.max(0, receivedAtMs - freshest));
      lagMs = lagMs === undefined ? sample : 0.9 * lagMs + 0.1 * sample;
    },
    deliveryLagMs: () => lagMs ?? 0,
  };
}
