import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ed25519Verify, sha256 } from '../../src/adapters/crypto/index.js';
import { verifyEvidenceBundle } from '../../src/core/evidence/index.js';
import { armistice, runCli } from '../support/cli-io.js';
import { AUTH, at, camera, ndjson, startTestApp } from '../api/test-app.js';

const IN_DMZ = { lon: 36.592681, lat: 47.813637 };
const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `armistice ARGS` in-process and returns its exit code and output. */
async function cli(args: string[], cwd: string) {
  return runCli(armistice, args, { cwd });
}

describe('evidence, end to end', () => {
  it('a party witness cosigns the real server, and the incident bundle verifies offline', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'armistice-evidence-'));
    dirs.push(dir);
    const keyFile = path.join(dir, 'party-a.key');
    const keygen = await cli(
      ['witness', 'keygen', '--name', 'party-a.example/witness', '--out', keyFile],
      dir,
    );
    expect(keygen.code, keygen.stderr).toBe(0);
    const witnessVkey = keygen.stdout.trim();

    const t = await startTestApp({ ledger: { witnesses: [witnessVkey], quorum: 1 } });
    closers.push(() => t.close());
    const url = await t.server.listen({ host: '127.0.0.1', port: 0 });
    const put = await t.server.inject({
      method: 'PUT',
      url: '/api/v1/sensors/cam-1',
      headers: AUTH,
      payload: camera('cam-1', IN_DMZ.lon + 0.01, IN_DMZ.lat + 0.01),
    });
    expect(put.statusCode).toBe(201);
    const posted = await t.server.inject({
      method: 'POST',
      url: '/api/v1/observations',
      headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
      payload: ndjson(
        ['a', 'b', 'c'].map((id, k) => ({
          id,
          sensorId: 'cam-1',
          observedAt: at(k * 1000),
          kind: 'detection',
          position: { ...IN_DMZ, uncertaintyM: 30 },
          object: { class: 'tank', count: 1 },
        })),
      ),
    });
    const [incidentId] = (posted.json() as { incidentsCreated: string[] }).incidentsCreated;
    const moved = await t.server.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incidentId}/transitions`,
      headers: AUTH,
      payload: { to: 'under-review', reason: 'tank seen by the camera on three frames' },
    });
    expect(moved.statusCode).toBe(200);
    await t.app.ledger.issueCheckpoint();

    // Not witnessed yet: no bundle.
    const early = await t.server.inject({
      method: 'GET',
      url: `/api/v1/incidents/${incidentId}/evidence`,
      headers: AUTH,
    });
    expect(early.statusCode).toBe(503);
    expect(early.json()).toMatchObject({ error: { code: 'NOT_YET_WITNESSED' } });

    const state = path.join(dir, 'state');
    const witness = await cli(
      ['witness', '--log', url, '--key', keyFile, '--state', state, '--once'],
      dir,
    );
    expect(witness.code, witness.stderr).toBe(0);

    const response = await t.server.inject({
      method: 'GET',
      url: `/api/v1/incidents/${incidentId}/evidence`,
      headers: AUTH,
    });
    expect(response.statusCode).toBe(200);
    const bundle = response.json() as {
      leaves: { kind: string; record: { observation?: { position: { lon: number } } } }[];
    };
    expect(bundle.leaves.map((l) => l.kind).sort()).toEqual([
      'incident-transition',
      'observation',
      'observation',
      'observation',
    ]);
    const trusted = {
      log: [...t.app.ledger.keys().log],
      witnesses: [witnessVkey],
      quorum: 1,
    };
    const checked = verifyEvidenceBundle(bundle, { sha256, ed25519Verify }, trusted);
    expect(checked.failures).toEqual([]);
    expect(checked.ok).toBe(true);

    // The same with the command a party would run, and with one coordinate changed.
    const bundleFile = path.join(dir, 'bundle.json');
    const keysFile = path.join(dir, 'trusted.txt');
    writeFileSync(bundleFile, response.body);
    writeFileSync(keysFile, [...trusted.log, witnessVkey, 'quorum 1', ''].join('\n'));
    const good = await cli(['verify', bundleFile, '--trusted-keys', keysFile], dir);
    expect(good.code, good.stderr).toBe(0);

    const tampered = JSON.parse(readFileSync(bundleFile, 'utf8')) as typeof bundle;
    const observation = tampered.leaves.find((l) => l.kind === 'observation')!;
    observation.record.observation!.position.lon += 0.001;
    writeFileSync(bundleFile, JSON.stringify(tampered));
    const bad = await cli(['verify', bundleFile, '--trusted-keys', keysFile], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/leaf \d+ \(observation:cam-1\/[abc]\)/);
  });
});
