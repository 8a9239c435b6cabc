import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, Ids } from '../../app/index.js';

/** The wall clock, optionally running faster from a given start (for accelerated demos). */
export function createSystemClock(options: { speed?: number; startMs?: number } = {}): Clock {
  const speed = options.speed ?? 1;
  const wallStart = Date.now();
  const start = options.startMs ?? wallStart;
  if (speed === 1 && start === wallStart) return { nowMs: () => Date.now() };
  return { nowMs: () => start + (Date.now() - wallStart) * speed };
}

/** Random identifiers: the prefix and a UUID v4. */
export function createRandomIds(): Ids {
  return { next: (prefix) => `${prefix}-${randomUUID()}` };
}

/** A new random API key secret (256 bits, base64url). */
export function newApiKeySecret(): string {
  return `ak_${randomBytes(32).toString('base64url')}`;
}
