import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ed25519Verify, sha256 } from '../../src/adapters/crypto/index.js';
import {
  bytesEqual,
  createMerkleHasher,
  decodeBase64,
  openCheckpoint,
  parseVerifierKey,
  verifierFromKey,
  verifyConsistency,
} from '../../src/core/ledger/index.js';
import { spawnServer } from '../support/spawn-server.js';
import { ledgerCommand } from '../../src/cli/ledger-command.js';
import { runCli } from '../support/cli-io.js';
import type { SpawnedServer } from '../support/spawn-server.js';

const KEY = 'ak_crash_test_admin_key_0123456789';
const hasher = createMerkleHasher(sha256);

/** The ledger of a running server: its keys, and checkpoints opened with them. */
async function openedLedger(url: string) {
  const keys = (await (await fetch(`${url}/api/v1/ledger/keys`)).json()) as {
    origin: string;
    log: string[];
  };
  const verifiers = keys.log.map((vkey) => {
    const parsed = parseVerifierKey(sha256, vkey);
    if (!parsed.ok) throw new Error(parsed.message);
    return verifierFromKey(sha256, parsed.value, ed25519Verify);
  });
  const open = (note: string) => {
    const opened = openCheckpoint(note, keys.origin, verifiers);
    if (!opened.ok) throw new Error(`${opened.message}\n${note}`);
    return opened.value.checkpoint;
  };
  return {
    open,
    current: async () => open(await (await fetch(`${url}/api/v1/ledger/checkpoint`)).text()),
  };
}
const AUTH = { authorization: `Bearer ${KEY}` };
const IN_DMZ = { lon: 36.592681, lat: 47.813637 };
const BATCH = 200;
const dir = mkdtempSync(path.join(tmpdir(), 'armistice-crash-'));
const db = path.join(dir, 'armistice.db');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `armistice serve` on the test database. */
function start(): Promise<SpawnedServer> {
  // The zone index only speeds up classification; skip its build to restart quickly.
  return spawnServer(
    [
      ...['--db', db, '--port', '0', '--no-sim', '--no-zone-index', '--log-level', 'error'],
      ...['--checkpoint-interval', '0.05'],
    ],
    { ARMISTICE_ADMIN_KEY: KEY },
  );
}

/**
 * Batch k: 200 heartbeats plus one tank in the dmz, an hour after the previous batch's tank,
 * so that every batch's tank is its own incident.
 */
function batch(k: number): string {
  const base = Date.parse('2026-01-01T00:00:00Z') + k * 3_600_000;
  const lines = [];
  for (let i = 0; i < BATCH - 1; i++) {
    lines.push({
      id: `hb-${k}-${i}`,
      sensorId: 'cam-1',
      observedAt: new Date(base + i).toISOString(),
      kind: 'heartbeat',
    });
  }
  lines.push({
    id: `tank-${k}`,
    sensorId: 'cam-1',
    observedAt: new Date(base + 1000).toISOString(),
    kind: 'detection',
    position: { ...IN_DMZ, uncertaintyM: 20 },
    object: { class: 'tank', count: 1 },
  });
  return lines.map((l) => JSON.stringify(l)).join('\n');
}

async function post(url: string, k: number): Promise<boolean> {
  const r = await fetch(`${url}/api/v1/observations`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
    body: batch(k),
  });
  if (r.status !== 200) throw new Error(`batch ${k}: HTTP ${r.status}`);
  return true;
}

async function all<T>(url: string, pathAndQuery: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = pathAndQuery.includes('?') ? '&' : '?';
    const r = await fetch(
      `${url}${pathAndQuery}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { headers: AUTH },
    );
    const page = (await r.json()) as { items: T[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

describe('crash safety', () => {
  it('keeps every acknowledged observation and loses or duplicates no incident after SIGKILL', async () => {
    const first = await start();
    const put = await fetch(`${first.url}/api/v1/sensors/cam-1`, {
      method: 'PUT',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'cam-1',
        kind: 'camera',
        owner: 'mission',
        position: IN_DMZ,
        reliability: 'A',
      }),
    });
    expect(put.status).toBe(201);

    // Sustained ingest from four concurrent clients; kill the server mid-stream.
    const acknowledged = new Set<number>();
    let next = 0;
    let killed = false;
    const client = async () => {
      while (!killed) {
        const k = next++;
        try {
          if (await post(first.url, k)) acknowledged.add(k);
        } catch {
          return;
        }
      }
    };
    // Meanwhile, a witness-like reader collects the checkpoints the server publishes.
    const checkpoints = new Map<number, string>();
    const watcher = (async () => {
      while (!killed) {
        try {
          const r = await fetch(`${first.url}/api/v1/ledger/checkpoint`);
          if (r.status === 200) {
            const note = await r.text();
            checkpoints.set(Number(note.split('\n')[1]), note);
          }
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let running = 4;
    const clients = [client(), client(), client(), client()].map((c) => c.finally(() => running--));
    while ((acknowledged.size < 20 || checkpoints.size < 3) && running > 0) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(20);
    expect(checkpoints.size).toBeGreaterThanOrEqual(3);
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all([...clients, watcher]);
    await first.exited;
    const sent = next;

    const second = await start();
    try {
      const stored = await all<{ observation: { id: string } }>(
        second.url,
        '/api/v1/observations?sensor=cam-1',
      );
      const ids = new Set(stored.map((o) => o.observation.id));
      for (const k of acknowledged) {
        expect(ids.has(`tank-${k}`)).toBe(true);
        expect(ids.has(`hb-${k}-0`) && ids.has(`hb-${k}-${BATCH - 2}`)).toBe(true);
      }
      // Batches are atomic: a batch is either wholly kept or not at all.
      const tanks = stored.filter((o) => o.observation.id.startsWith('tank-')).length;
      expect(stored.length).toBe(tanks * BATCH);

      // The clients retry everything; nothing is kept twice and each tank is one incident.
      for (let k = 0; k < sent; k++) await post(second.url, k);
      const incidents = await all<{ ruleId: string; sourceCount: number }>(
        second.url,
        '/api/v1/incidents?rule=dmz-forces',
      );
      expect(incidents).toHaveLength(sent);
      expect(incidents.every((i) => i.sourceCount === 1)).toBe(true);
      const after = await all<unknown>(second.url, '/api/v1/observations?sensor=cam-1');
      expect(after).toHaveLength(sent * BATCH);

      // Every checkpoint published before the crash is signed by the same key and is a prefix
      // of the log after the restart.
      const ledger = await openedLedger(second.url);
      let latest = ledger.current();
      while ((await latest).size < Math.max(...checkpoints.keys())) {
        await new Promise((r) => setTimeout(r, 50));
        latest = ledger.current();
      }
      const now = await latest;
      for (const note of checkpoints.values()) {
        const before = ledger.open(note);
        if (before.size === now.size) {
          expect(bytesEqual(before.rootHash, now.rootHash)).toBe(true);
          continue;
        }
        const r = await fetch(
          `${second.url}/api/v1/ledger/proof/consistency?from=${before.size}&to=${now.size}`,
        );
        const proof = ((await r.json()) as { proof: string[] }).proof.map((p) => decodeBase64(p)!);
        expect(
          verifyConsistency(hasher, before.size, now.size, proof, before.rootHash, now.rootHash),
          `checkpoint ${before.size} → ${now.size}`,
        ).toEqual({ ok: true });
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }

    // `armistice ledger check` recomputes the tree from the stored leaves and checks every
    // stored hash and every checkpoint, those published before the crash included.
    const check = await runCli(ledgerCommand, ['check', '--db', db], { cwd: dir });
    expect(check.code, check.stdout + check.stderr).toBe(0);
  }, 300_000);
});
