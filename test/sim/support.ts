import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVocabulary } from '../../src/core/observations/index.js';
import { compileRuleSet, evaluateRules, validateRuleSet } from '../../src/core/rules/index.js';
import type { CompiledRuleSet } from '../../src/core/rules/index.js';
import { classifyPosition, compileZoneSet, validateZoneSpec } from '../../src/core/zones/index.js';
import type { ZoneSet, ZoneSpec } from '../../src/core/zones/index.js';
import { validateScenario } from '../../src/sim/index.js';
import type { Scenario } from '../../src/sim/index.js';

const root = new URL('../../', import.meta.url);

/** The instant the tests start their simulations. */
export const START_MS = Date.parse('2026-01-01T00:00:00Z');

/** Reads a JSON file of the repository. */
export function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(new URL(relative, root), 'utf8'));
}

/** The notional demo zone spec, validated. */
export function demoSpec(): ZoneSpec {
  const v = validateZoneSpec(readJson('examples/zones/notional-demo.json'));
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.spec;
}

/** The demo zone set in force at START_MS. */
export function demoZoneSet(spec = demoSpec()): ZoneSet {
  const c = compileZoneSet(spec, START_MS);
  if (!c.ok) throw new Error(JSON.stringify(c.errors));
  return c.zoneSet;
}

/** The notional demo rule set, compiled. */
export function demoRules(): CompiledRuleSet {
  const v = validateRuleSet(readJson('examples/rules/notional-demo.json'), {
    vocabulary: createVocabulary(),
  });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return compileRuleSet(v.ruleSet);
}

/** A scenario file of the repository, validated against the demo spec. */
export function loadScenario(relative: string, spec = demoSpec()): Scenario {
  const v = validateScenario(readJson(relative), spec);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.scenario;
}

/** The two-hour test scenario. */
export function shortScenario(): Scenario {
  return loadScenario('test/sim/fixtures/short-scenario.json');
}

/** What an exact, certain report of something at a position would make the demo rules find. */
export function rulesAt(
  zs: ZoneSet,
  rules: CompiledRuleSet,
  what: {
    kind: 'detection' | 'kinetic' | 'interference';
    lon: number;
    lat: number;
    altM?: number;
    class?: string;
    party?: string;
    eventType?: string;
    interferenceType?: string;
  },
): { ruleId: string; certainty: string }[] {
  const c = classifyPosition(zs, {
    lon: what.lon,
    lat: what.lat,
    ...(what.altM !== undefined && { altM: what.altM }),
  });
  const zoneKinds = new Map(zs.zones.map((z) => [z.id, z.spec.kind as string]));
  const e = evaluateRules(
    rules,
    {
      sensorId: 'truth',
      observationId: 'truth',
      kind: what.kind,
      observedAtMs: START_MS,
      sensorOwner: 'mission',
      ...(what.party !== undefined && { party: what.party }),
      ...(what.class !== undefined && { class: what.class }),
      count: 1,
      ...(what.eventType !== undefined && { eventType: what.eventType }),
      ...(what.interferenceType !== undefined && {
        interferenceType: what.interferenceType,
        targetOwner: 'mission',
      }),
      inside: c.inside,
      possiblyInside: c.possiblyInside,
      side: c.side,
      lon: what.lon,
      lat: what.lat,
      radiusM: 0,
    },
    { zoneKinds, notifications: [] },
  );
  return e.findings.map((f) => ({ ruleId: f.ruleId, certainty: f.certainty }));
}

/** A request a fake server received. */
export interface Received {
  /** Method. */
  readonly method: string;
  /** Path with query. */
  readonly url: string;
  /** Headers. */
  readonly headers: IncomingMessage['headers'];
  /** Body text. */
  readonly body: string;
  /** Wall time of receipt, Unix ms. */
  readonly atMs: number;
}

/** A fake HTTP server on port 0 with a handler per request; records every request. */
export async function fakeServer(
  handle: (r: Received, res: ServerResponse) => void,
): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        atMs: Date.now(),
      };
      received.push(r);
      handle(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
