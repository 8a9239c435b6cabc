import type { WebSocket } from 'ws';
import type { App, DomainEvent, Principal } from '../../app/index.js';
import type { Server } from './create-http-server.js';
import { bearerToken, hashApiKey } from './create-http-server.js';
import { healthView, incidentView, observationView } from './views.js';

/** What a stream subscriber wants. */
interface Subscription {
  kinds: Set<'incident' | 'sensor' | 'observation'>;
  bbox?: [number, number, number, number];
  zones?: Set<string>;
}

/** Most messages waiting for a slow subscriber before the stream closes it (code 1013). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const AUTH_TIMEOUT_MS = 5000;

function parseSubscription(value: unknown): Subscription | string {
  if (typeof value !== 'object' || value === null) return 'a subscription must be an object';
  const v = value as { kinds?: unknown; bbox?: unknown; zones?: unknown };
  const kinds = new Set<'incident' | 'sensor' | 'observation'>();
  const list = v.kinds ?? ['incident', 'sensor'];
  if (!Array.isArray(list)) return 'kinds must be an array';
  for (const k of list) {
    if (k !== 'incident' && k !== 'sensor' && k !== 'observation')
      return `unknown kind '${String(k)}'`;
    kinds.add(k);
  }
  const sub: Subscription = { kinds };
  if (v.bbox !== undefined) {
    const b = v.bbox;
    if (
      !Array.isArray(b) ||
      b.length !== 4 ||
      !b.every((x) => typeof x === 'number' && Number.isFinite(x))
    ) {
      return 'bbox must be [west, south, east, north]';
    }
    sub.bbox = b as [number, number, number, number];
  }
  if (v.zones !== undefined) {
    if (!Array.isArray(v.zones) || !v.zones.every((z) => typeof z === 'string')) {
      return 'zones must be an array of zone ids';
    }
    sub.zones = new Set(v.zones as string[]);
  }
  return sub;
}

function inBbox(lon: number | null, lat: number | null, b: Subscription['bbox']): boolean {
  if (!b) return true;
  if (lon === null || lat === null) return false;
  return lon >= b[0] && lon <= b[2] && lat >= b[1] && lat <= b[3];
}

function inZones(zones: readonly string[], wanted: Subscription['zones']): boolean {
  return !wanted || zones.some((z) => wanted.has(z));
}

/** The message for an event, or undefined when the subscription does not want it. */
function messageFor(event: DomainEvent, sub: Subscription): unknown {
  switch (event.type) {
    case 'incident.created':
    case 'incident.updated': {
      const i = event.incident;
      if (!sub.kinds.has('incident') || !inBbox(i.lon, i.lat, sub.bbox)) return undefined;
      if (!inZones([...i.zones, ...i.sectors], sub.zones)) return undefined;
      return { type: event.type, data: incidentView(i) };
    }
    case 'sensor.health':
      return sub.kinds.has('sensor')
        ? { type: event.type, data: healthView(event.health) }
        : undefined;
    case 'observation.accepted': {
      const o = event.observation;
      if (!sub.kinds.has('observation') || !inBbox(o.lon, o.lat, sub.bbox)) return undefined;
      if (!inZones(o.inside, sub.zones)) return undefined;
      return { type: event.type, data: observationView(o) };
    }
  }
}

/**
 * WebSocket /api/v1/stream: live incidents, sensor health and (on request) observations, after
 * they are committed. Authenticate with the Authorization header, or — for browsers, which cannot
 * set it — with a first message `{"type":"auth","key":"..."}`. Send `{"type":"subscribe",
 * "kinds":[...], "bbox":[w,s,e,n], "zones":[...]}` to filter.
 */
export function registerStream(server: Server, app: App): void {
  server.get(
    '/api/v1/stream',
    { websocket: true, schema: { hide: true } },
    (socket: WebSocket, request) => {
      let principal: Principal | undefined;
      let sub: Subscription = { kinds: new Set(['incident', 'sensor']) };
      let unsubscribe: (() => void) | undefined;
      const sendJson = (m: unknown) => socket.send(JSON.stringify(m));
      const start = (p: Principal) => {
        principal = p;
        sendJson({ type: 'ready', principal: p.id });
        unsubscribe = app.subscribe(p, (event) => {
          if (!principal) return;
          const m = messageFor(event, sub);
          if (m === undefined) return;
          if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
            socket.close(1013, 'subscriber too slow');
            return;
          }
          sendJson(m);
        });
      };
      const timer = setTimeout(() => {
        if (!principal) socket.close(4401, 'authentication needed');
      }, AUTH_TIMEOUT_MS);
      socket.on('close', () => {
        clearTimeout(timer);
        unsubscribe?.();
      });
      socket.on('message', (data: Buffer) => {
        void (async () => {
          let msg: { type?: unknown; key?: unknown };
          try {
            msg = JSON.parse(data.toString('utf8')) as typeof msg;
          } catch {
            sendJson({ type: 'error', code: 'INVALID_JSON', message: 'messages must be JSON' });
            return;
          }
          if (msg.type === 'auth' && !principal && typeof msg.key === 'string') {
            const p = await app.authenticate(hashApiKey(msg.key));
            if (!p) socket.close(4401, 'invalid key');
            else start(p);
            return;
          }
          if (msg.type === 'subscribe') {
            const parsed = parseSubscription(msg);
            if (typeof parsed === 'string')
              sendJson({ type: 'error', code: 'INVALID_INPUT', message: parsed });
            else {
              sub = parsed;
              sendJson({ type: 'subscribed', kinds: [...sub.kinds] });
            }
            return;
          }
          sendJson({ type: 'error', code: 'INVALID_INPUT', message: 'expected auth or subscribe' });
        })();
      });
      const token = bearerToken(request);
      if (token) {
        void app.authenticate(hashApiKey(token)).then((p) => {
          if (p) start(p);
          else socket.close(4401, 'invalid key');
        });
      }
    },
  );
}
