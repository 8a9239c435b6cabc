import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { sha256 } from '../adapters/crypto/index.js';
import { createSystemClock } from '../adapters/system/index.js';
import { parseKeyList } from '../core/evidence/index.js';
import type { Clock } from '../app/index.js';
import { runSimulation } from '../sim/index.js';
import { buildArmistice, issueApiKey } from '../build-app.js';
import type { Built } from '../build-app.js';
import { CliError, println } from './io.js';
import type { CliIo } from './io.js';
import { readScenario } from './simulate-command.js';

const EXAMPLES = new URL('../../examples/', import.meta.url);
const example = (p: string) => new URL(p, EXAMPLES).pathname;

/** What `serve` runs with, after parsing its flags. */
export interface ServeSettings {
  readonly dbPath: string;
  readonly host: string;
  readonly port: number;
  readonly zonesPath: string;
  readonly rulesPath: string;
  readonly sensorsPath?: string;
  readonly sim: boolean;
  readonly zoneIndex: boolean;
  readonly scenarioPath: string;
  readonly seed: number;
  readonly speed: number;
  readonly logLevel: string;
  readonly ledgerKeyPath?: string;
  readonly previousLedgerKeyPaths: string[];
  readonly ledgerOrigin?: string;
  readonly witnesses: string[];
  readonly quorum?: number;
  readonly checkpointIntervalMs: number;
}

/**
 * Reads a witness list (`parseKeyList`): cosignature verifier keys, one per line, `#` comments,
 * and an optional line `quorum N`.
 */
export function readWitnessList(text: string): { witnesses: string[]; quorum?: number } {
  const parsed = parseKeyList(sha256, text);
  if (!parsed.ok) throw new Error(`line ${parsed.line}: ${parsed.message}`);
  if (parsed.value.log.length > 0) {
    throw new Error('lists a log key (type 0x01); list only witness keys (type 0x04)');
  }
  const { witnesses, quorum } = parsed.value;
  return { witnesses: [...witnesses], ...(quorum !== undefined && { quorum }) };
}

/** Parses the flags of `armistice serve`. */
export function parseServeArgs(args: string[], cwd: string): ServeSettings {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/armistice.db' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      zones: { type: 'string' },
      rules: { type: 'string' },
      sensors: { type: 'string' },
      'no-sim': { type: 'boolean', default: false },
      'no-zone-index': { type: 'boolean', default: false },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string', default: '1' },
      'log-level': { type: 'string', default: 'warn' },
      'ledger-key': { type: 'string' },
      'previous-ledger-key': { type: 'string', multiple: true },
      'ledger-origin': { type: 'string' },
      witnesses: { type: 'string' },
      quorum: { type: 'string' },
      'checkpoint-interval': { type: 'string', default: '10' },
    },
    allowPositionals: false,
  });
  const port = Number(values.port);
  const speed = Number(values.speed);
  // Each demo run differs unless a seed is given.
  const seed =
    values.seed === undefined ? Math.floor(Date.now() / 1000) % 1_000_000 : Number(values.seed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('--port: 0..65535');
  if (!(speed > 0 && speed <= 10_000)) throw new CliError('--speed: a number in (0, 10000]');
  if (!Number.isInteger(seed)) throw new CliError('--seed: an integer');
  const interval = Number(values['checkpoint-interval']);
  if (!(interval >= 0 && interval <= 86_400)) {
    throw new CliError('--checkpoint-interval: seconds in [0, 86400] (0: never)');
  }
  const quorum = values.quorum === undefined ? undefined : Number(values.quorum);
  if (quorum !== undefined && !(Number.isInteger(quorum) && quorum >= 0)) {
    throw new CliError('--quorum: a whole number of witnesses');
  }
  const abs = (p: string) => path.resolve(cwd, p);
  let witnessList: { witnesses: string[]; quorum?: number } = { witnesses: [] };
  if (values.witnesses) {
    try {
      witnessList = readWitnessList(readFileSync(abs(values.witnesses), 'utf8'));
    } catch (err) {
      throw new CliError(`--witnesses: ${(err as Error).message}`, 1);
    }
  }
  const ledgerQuorum = quorum ?? witnessList.quorum;
  return {
    dbPath: values.db === ':memory:' ? ':memory:' : abs(values.db),
    host: values.host,
    port,
    zonesPath: values.zones ? abs(values.zones) : example('zones/notional-demo.json'),
    rulesPath: values.rules ? abs(values.rules) : example('rules/notional-demo.json'),
    ...(values.sensors && { sensorsPath: abs(values.sensors) }),
    sim: !values['no-sim'],
    zoneIndex: !values['no-zone-index'],
    scenarioPath: values.scenario ? abs(values.scenario) : example('scenarios/notional-day.json'),
    seed,
    speed,
    logLevel: values['log-level'],
    ...(values['ledger-key'] && { ledgerKeyPath: abs(values['ledger-key']) }),
    previousLedgerKeyPaths: (values['previous-ledger-key'] ?? []).map(abs),
    ...(values['ledger-origin'] && { ledgerOrigin: values['ledger-origin'] }),
    witnesses: witnessList.witnesses,
    ...(ledgerQuorum !== undefined && { quorum: ledgerQuorum }),
    checkpointIntervalMs: interval * 1000,
  };
}

/**
 * `armistice serve`: the server on a SQLite file, with the demo zones and rules on first start,
 * the sensor-health timer, and (unless --no-sim) the scenario simulator driving it through its
 * public API. Runs until SIGINT or SIGTERM, or until `signal` aborts.
 */
export async function serveCommand(
  io: CliIo,
  args: string[],
  signal: AbortSignal = processSignal(),
): Promise<number> {
  const s = parseServeArgs(args, io.cwd);
  if (s.dbPath !== ':memory:') mkdirSync(path.dirname(s.dbPath), { recursive: true });
  const logger = pino({ level: s.logLevel }, process.stderr);
  const clock = createSystemClock({ speed: s.speed });
  let built: Built;
  try {
    built = await buildArmistice({
      dbPath: s.dbPath,
      zonesPath: s.zonesPath,
      rulesPath: s.rulesPath,
      ...(s.sensorsPath && { sensorsPath: s.sensorsPath }),
      ...(process.env.ARMISTICE_ADMIN_KEY && { adminKey: process.env.ARMISTICE_ADMIN_KEY }),
      clock,
      logger,
      version: '0.1.0',
      zoneIndex: s.zoneIndex,
      checkpointIntervalMs: s.checkpointIntervalMs,
      // Two seconds of real jitter in delivery, in the server's (possibly accelerated) time.
      healthGraceMs: Math.max(30_000, 2_000 * s.speed),
      ledger: {
        ...(s.ledgerKeyPath && { keyPath: s.ledgerKeyPath }),
        previousKeyPaths: s.previousLedgerKeyPaths,
        ...(s.ledgerOrigin && { origin: s.ledgerOrigin }),
        witnesses: s.witnesses,
        ...(s.quorum !== undefined && { quorum: s.quorum }),
      },
    });
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), 1);
  }
  const address = await built.server.listen({ host: s.host, port: s.port });
  const url = address;
  println(io.stdout, `Armistice is running at ${url}/  (NOTIONAL demo data)`);
  println(io.stdout, `  API docs:   ${url}/api/v1/docs`);
  println(io.stdout, `  database:   ${s.dbPath}`);
  const ledgerKeys = built.app.ledger.keys();
  println(io.stdout, `  ledger key: ${ledgerKeys.log[0] ?? ''}`);
  if (ledgerKeys.witnesses.length > 0) {
    println(io.stdout, `  witnesses:  ${ledgerKeys.witnesses.length}, quorum ${ledgerKeys.quorum}`);
  }
  if (built.generatedAdminKey) {
    println(io.stdout, `  admin key:  ${built.generatedAdminKey}   (shown once; keep it)`);
    println(io.stdout, `  status:     ${url}/#key=${built.generatedAdminKey}`);
  } else {
    println(
      io.stdout,
      '  admin key:  the one printed on first start, or ARMISTICE_ADMIN_KEY if set',
    );
  }
  const sim = s.sim ? startSimulation(io, built, url, clock, s) : undefined;
  const healthTimer = setInterval(() => {
    built.app.checkSensorHealth().catch((err: unknown) => logger.error({ err }, 'health check'));
  }, 2000);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearInterval(healthTimer);
  sim?.controller.abort();
  await sim?.done;
  await built.close();
  println(io.stdout, 'Armistice stopped.');
  return 0;
}

const SIM_KEY_LABEL = 'in-process simulator';

/** A fresh API key for this run's simulator; the previous runs' keys are revoked. */
async function simulatorKey(built: Built, nowMs: number): Promise<string> {
  for (const k of await built.storage.listApiKeys()) {
    if (k.label === SIM_KEY_LABEL && k.revokedAtMs === null) {
      await built.storage.putApiKey({ ...k, revokedAtMs: nowMs });
    }
  }
  return issueApiKey(
    built.storage,
    { role: 'admin', label: SIM_KEY_LABEL, idPrefix: 'sim' },
    nowMs,
  );
}

/**
 * Runs the scenario against this server through its public API, on the server's own clock (so
 * an accelerated demo accelerates both), printing progress now and then.
 */
function startSimulation(
  io: CliIo,
  built: Built,
  url: string,
  clock: Clock,
  s: ServeSettings,
): { controller: AbortController; done: Promise<void> } {
  const scenario = readScenario(io, s.scenarioPath);
  const controller = new AbortController();
  const truthFile =
    s.dbPath === ':memory:' ? undefined : path.join(path.dirname(s.dbPath), 'demo-truth.json');
  let lastPrintMs = 0;
  const done = (async () => {
    const key = await simulatorKey(built, clock.nowMs());
    println(
      io.stdout,
      `  simulator:  scenario ${path.basename(s.scenarioPath)}, seed ${s.seed}, speed ${s.speed}x` +
        (truthFile ? `, ground truth in ${truthFile}` : ''),
    );
    const result = await runSimulation({
      target: url,
      key,
      scenario,
      seed: s.seed,
      speed: 1,
      startMs: clock.nowMs(),
      clock,
      signal: controller.signal,
      ...(truthFile && { truthFile }),
      onProgress: (p) => {
        const wall = Date.now();
        if (p.phase === 'posting' && wall - lastPrintMs < 30_000) return;
        lastPrintMs = wall;
        println(
          io.stdout,
          `  [sim ${new Date(p.simNowMs).toISOString().slice(11, 19)}] ${p.phase}: ` +
            `${p.accepted} observations accepted, ${p.duplicates} duplicates, ${p.rejected} rejected`,
        );
      },
    });
    if (!result.aborted) println(io.stdout, '  simulator:  the scenario is complete.');
  })().catch((err: unknown) => {
    if (!controller.signal.aborted) {
      println(io.stderr, `simulator stopped: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return { controller, done };
}

function processSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
