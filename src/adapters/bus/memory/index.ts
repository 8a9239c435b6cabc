import type { Bus, DomainEvent } from '../../../app/index.js';

/**
 * The in-process bus of the embedded deployment: handlers run synchronously in publication
 * order. A handler that throws is reported and does not stop the others.
 */
export function createMemoryBus(onError: (err: unknown) => void = () => undefined): Bus {
  const handlers = new Set<(event: DomainEvent) => void>();
  return {
    publish(events) {
      for (const event of events) {
        for (const h of handlers) {
          try {
            h(event);
          } catch (err) {
            onError(err);
          }
        }
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
