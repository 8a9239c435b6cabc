import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Built } from '../../src/build-app.js';
import { ADMIN_KEY, AUTH, at, camera, ndjson, startTestApp } from './test-app.js';
import type { FakeClock } from './test-app.js';

const IN_DMZ = { lon: 36.592681, lat: 47.813637 };
let t: Built & { clock: FakeClock };
let base: string;

beforeEach(async () => {
  t = await startTestApp();
  base = await t.server.listen({ host: '127.0.0.1', port: 0 });
  await t.server.inject({
    method: 'PUT',
    url: '/api/v1/sensors/cam-1',
    headers: AUTH,
    payload: camera('cam-1', IN_DMZ.lon, IN_DMZ.lat),
  });
});

afterEach(async () => {
  await t.close();
});

/** Opens a stream and collects its messages. */
function open(headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/stream`, { headers });
  const messages: { type: string; data?: Record<string, unknown> }[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as (typeof messages)[number]));
  const waitFor = async (pred: (m: (typeof messages)[number]) => boolean, ms = 5000) => {
    const start = Date.now();
    while (Date.now() - start < ms) {
      const m = messages.find(pred);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no matching message; got ${JSON.stringify(messages)}`);
  };
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return { ws, messages, waitFor, closed };
}

async function postTank(id: string) {
  const r = await fetch(`${base}/api/v1/observations`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
    body: ndjson([
      {
        id,
        sensorId: 'cam-1',
        observedAt: at(),
        kind: 'detection',
        position: { ...IN_DMZ, uncertaintyM: 20 },
        object: { class: 'tank', count: 1 },
      },
    ]),
  });
  return (await r.json()) as { incidentsCreated: string[] };
}

describe('WebSocket /api/v1/stream', () => {
  it('delivers a new incident to a subscriber authenticated by header', async () => {
    const s = open(AUTH);
    await s.waitFor((m) => m.type === 'ready');
    const { incidentsCreated } = await postTank('ws-1');
    const m = await s.waitFor((x) => x.type === 'incident.created');
    expect(m.data?.id).toBe(incidentsCreated[0]);
    expect(m.data?.ruleId).toBe('dmz-forces');
    s.ws.close();
  });

  it('authenticates a browser by its first message and filters by zone', async () => {
    const s = open();
    s.ws.on('open', () => s.ws.send(JSON.stringify({ type: 'auth', key: ADMIN_KEY })));
    await s.waitFor((m) => m.type === 'ready');
    s.ws.send(JSON.stringify({ type: 'subscribe', kinds: ['incident'], zones: ['sector-01'] }));
    await s.waitFor((m) => m.type === 'subscribed');
    await postTank('ws-2');
    await new Promise((r) => setTimeout(r, 200));
    expect(s.messages.some((m) => m.type === 'incident.created')).toBe(false);
    s.ws.send(
      JSON.stringify({
        type: 'subscribe',
        kinds: ['incident', 'observation'],
        zones: ['sector-05'],
      }),
    );
    await s.waitFor(
      (m) =>
        m.type === 'subscribed' && s.messages.filter((x) => x.type === 'subscribed').length === 2,
    );
    await postTank('ws-3');
    await s.waitFor((m) => m.type === 'observation.accepted');
    await s.waitFor((m) => m.type === 'incident.updated' || m.type === 'incident.created');
    s.ws.close();
  });

  it('closes a connection that never authenticates or uses a bad key', async () => {
    const s = open({ authorization: 'Bearer ak_not_a_real_key_123' });
    expect(await s.closed).toBe(4401);
  });
});
