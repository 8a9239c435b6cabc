import { readFileSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { createApp, createRolePolicy } from './app/index.js';
import type { ApiKeyRecord, App, Clock, Principal } from './app/index.js';
import { createMemoryBus } from './adapters/bus/memory/index.js';
import { createHttpServer, hashApiKey } from './adapters/http/index.js';
import type { Server } from './adapters/http/index.js';
import { openSqliteStorage } from './adapters/storage/sqlite/index.js';
import type { SqliteStorage } from './adapters/storage/sqlite/index.js';
import { createRandomIds, createSystemClock, newApiKeySecret } from './adapters/system/index.js';
import { sha256 } from './adapters/crypto/index.js';
import { createMerkleHasher } from './core/ledger/index.js';
import { createVocabulary } from './core/observations/index.js';
import { loadLedgerSettings } from './ledger-settings.js';
import type { LedgerOptions } from './ledger-settings.js';

/** How to build Armistice. */
export interface BuildOptions {
  /** SQLite database file (':memory:' for tests). */
  readonly dbPath: string;
  /** Zone spec file loaded when the database has no zone spec yet. */
  readonly zonesPath?: string;
  /** Rule set file loaded when the database has no rule set yet. */
  readonly rulesPath?: string;
  /** JSON array of sensors registered (or replaced) at start. */
  readonly sensorsPath?: string;
  /** The admin key secret; absent: one is generated on first start and returned once. */
  readonly adminKey?: string;
  /** The clock (default: the system clock). */
  readonly clock?: Clock;
  /** The logger; false logs nothing. */
  readonly logger?: FastifyBaseLogger | false;
  /** Version of the software, for the OpenAPI document. */
  readonly version: string;
  /** Largest request body, bytes. */
  readonly bodyLimitBytes?: number;
  /** How far event times may lie ahead of the server clock, ms (default 5 minutes). */
  readonly maxClockSkewMs?: number;
  /** Whether to build the zone index (default true; tests may skip its seconds of work). */
  readonly zoneIndex?: boolean;
  /**
   * The evidence ledger's signing key file, origin, witnesses and quorum. Default: the key file
   * next to the database (`<db>.ledger-key.pem`, created on first start), no witnesses.
   */
  readonly ledger?: LedgerOptions;
  /**
   * Grace past a sensor's heartbeat interval before it counts as silent, ms (default 30 s). On an
   * accelerated clock, real transport jitter is multiplied by the speed: scale it too.
   */
  readonly healthGraceMs?: number;
  /** How often to issue a checkpoint when the ledger grew, ms (default 10 s; 0: never). */
  readonly checkpointIntervalMs?: number;
}

/** A built, not yet listening, Armistice. */
export interface Built {
  /** The use cases. */
  readonly app: App;
  /** The HTTP server (not listening). */
  readonly server: Server;
  /** The storage. */
  readonly storage: SqliteStorage;
  /** The admin key secret if it was generated now (print it once), else undefined. */
  readonly generatedAdminKey: string | undefined;
  /** Closes the server and the database. */
  close(): Promise<void>;
}

const SYSTEM: Principal = { id: 'system', role: 'admin' };

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/**
 * Stores a new API key for a role and returns its secret, which is shown once and kept only as
 * its SHA-256 hash. With `secret`, that secret is registered instead of a random one.
 */
export async function issueApiKey(
  storage: SqliteStorage,
  key: { role: ApiKeyRecord['role']; label: string; idPrefix: string; secret?: string },
  nowMs: number,
): Promise<string> {
  const secret = key.secret ?? newApiKeySecret();
  const hash = hashApiKey(secret);
  await storage.putApiKey({
    id: `${key.idPrefix}-${hash.slice(0, 8)}`,
    hash,
    role: key.role,
    label: key.label,
    createdAtMs: nowMs,
    revokedAtMs: null,
  });
  return secret;
}

/**
 * Makes sure an admin key exists: the given secret (registered if new), or, on first start, a
 * generated one that is returned so it can be printed once.
 */
async function ensureAdminKey(
  storage: SqliteStorage,
  secret: string | undefined,
  nowMs: number,
): Promise<string | undefined> {
  const keys = await storage.listApiKeys();
  const live = keys.filter((k) => k.revokedAtMs === null);
  if (secret !== undefined) {
    if (!live.some((k) => k.hash === hashApiKey(secret))) {
      const label = 'admin key from ARMISTICE_ADMIN_KEY';
      await issueApiKey(storage, { role: 'admin', label, idPrefix: 'admin', secret }, nowMs);
    }
    return undefined;
  }
  if (live.some((k) => k.role === 'admin')) return undefined;
  const label = 'admin key generated on first start';
  return issueApiKey(storage, { role: 'admin', label, idPrefix: 'admin' }, nowMs);
}

function check<T>(
  result:
    | { ok: true; value: T }
    | {
        ok: false;
        error: { message: string; errors?: readonly { path: string; message: string }[] };
      },
  what: string,
): T {
  if (result.ok) return result.value;
  const details = (result.error.errors ?? []).slice(0, 10).map((e) => `  ${e.path}: ${e.message}`);
  throw new Error([`${what}: ${result.error.message}`, ...details].join('\n'));
}

/**
 * The composition root: opens storage, builds the use cases over the adapters, loads the
 * initial reference data, and builds the HTTP server — without listening, so tests can start
 * the whole application on port 0.
 */
export async function buildArmistice(options: BuildOptions): Promise<Built> {
  const storage = openSqliteStorage({ path: options.dbPath });
  try {
    const clock = options.clock ?? createSystemClock();
    const logger = options.logger ?? false;
    const app = await createApp(
      {
        storage,
        clock,
        ids: createRandomIds(),
        bus: createMemoryBus((err) => {
          if (logger) logger.error({ err }, 'event subscriber failed');
        }),
        policy: createRolePolicy(),
        hasher: createMerkleHasher(sha256),
        ledger: loadLedgerSettings({
          ...(options.dbPath !== ':memory:' && { keyPath: `${options.dbPath}.ledger-key.pem` }),
          ...options.ledger,
        }),
      },
      {
        vocabulary: createVocabulary(),
        maxClockSkewMs: options.maxClockSkewMs ?? 5 * 60_000,
        defaultMerge: { distanceM: 1000, windowMs: 30 * 60_000 },
        publishObservations: true,
        healthGraceMs: options.healthGraceMs ?? 30_000,
        zoneIndex: options.zoneIndex ?? true,
      },
    );
    if (options.zonesPath && !(await storage.currentZoneSpec())) {
      check(await app.reference.putZones(SYSTEM, readJson(options.zonesPath)), options.zonesPath);
    }
    if (options.rulesPath && !(await storage.currentRuleSet())) {
      check(await app.reference.putRules(SYSTEM, readJson(options.rulesPath)), options.rulesPath);
    }
    if (options.sensorsPath) {
      const list = readJson(options.sensorsPath);
      if (!Array.isArray(list))
        throw new Error(`${options.sensorsPath}: must be a JSON array of sensors`);
      for (const s of list as { id?: unknown }[]) {
        check(await app.reference.putSensor(SYSTEM, String(s.id), s), options.sensorsPath);
      }
    }
    const generatedAdminKey = await ensureAdminKey(storage, options.adminKey, clock.nowMs());
    const intervalMs = options.checkpointIntervalMs ?? 10_000;
    const timer =
      intervalMs > 0
        ? setInterval(() => {
            app.ledger.issueCheckpoint().catch((err: unknown) => {
              if (logger) logger.error({ err }, 'checkpoint failed');
            });
          }, intervalMs)
        : undefined;
    timer?.unref();
    const server = await createHttpServer(app, {
      version: options.version,
      logger,
      ...(options.bodyLimitBytes !== undefined && { bodyLimitBytes: options.bodyLimitBytes }),
    });
    return {
      app,
      server,
      storage,
      generatedAdminKey,
      async close() {
        clearInterval(timer);
        await server.close();
        await storage.close();
      },
    };
  } catch (err) {
    await storage.close();
    throw err;
  }
}
