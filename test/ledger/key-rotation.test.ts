import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ed25519Verify, sha256 } from '../../src/adapters/crypto/index.js';
import { buildArmistice } from '../../src/build-app.js';
import type { Built } from '../../src/build-app.js';
import { ledgerCommand } from '../../src/cli/ledger-command.js';
import { armistice, runCli } from '../support/cli-io.js';
import {
  openCheckpoint,
  parseNote,
  parseVerifierKey,
  verifierFromKey,
} from '../../src/core/ledger/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'armistice-rotate-'));
const db = path.join(dir, 'armistice.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const witnessKey = path.join(dir, 'witness.key');
const witnessState = path.join(dir, 'witness-state');
const witnesses: string[] = [];

/** Runs the witness once against a listening copy of `built`. */
async function witness(built: Built): Promise<number> {
  await built.app.ledger.issueCheckpoint();
  const url = await built.server.listen({ host: '127.0.0.1', port: 0 });
  const r = await runCli(
    armistice,
    ['witness', '--log', url, '--key', witnessKey, '--state', witnessState, '--once'],
    { cwd: dir },
  );
  if (r.code !== 0) throw new Error(`witness exit ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.code;
}

function build(previousKeyPaths: string[] = []): Promise<Built> {
  return buildArmistice({
    dbPath: db,
    version: '0',
    zoneIndex: false,
    checkpointIntervalMs: 0,
    ledger: { previousKeyPaths, witnesses, quorum: 1 },
  });
}

async function cli(args: string[]) {
  return runCli(ledgerCommand, args, { cwd: dir });
}

const verifier = (vkey: string) => {
  const parsed = parseVerifierKey(sha256, vkey);
  if (!parsed.ok) throw new Error(parsed.message);
  return verifierFromKey(sha256, parsed.value, ed25519Verify);
};

async function keyChanges(built: Built) {
  return (await built.storage.ledgerLeavesOf('ledger-keys')).map((l) => {
    const { record } = JSON.parse(new TextDecoder().decode(l.data)) as {
      record: { action: string; vkey: string };
    };
    return [record.action, record.vkey];
  });
}

describe('ledger key rotation', () => {
  it('signs with both keys while witnesses move over, and logs every step', async () => {
    const keygen = await runCli(
      armistice,
      ['witness', 'keygen', '--name', 'party-b.example/witness', '--out', witnessKey],
      { cwd: dir },
    );
    expect(keygen.code).toBe(0);
    witnesses.push(keygen.stdout.trim());
    const first = await build();
    expect(await witness(first)).toBe(0); // pins key A on first contact
    const [keyA] = first.app.ledger.keys().log as [string];
    const oldCheckpoint = (await first.app.ledger.issueCheckpoint())!;
    await first.close();

    const rotated = await cli(['rotate-key', '--db', db]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const previous = `${db}.ledger-key.pem.previous.pem`;
    expect(existsSync(previous)).toBe(true);
    expect(statSync(`${db}.ledger-key.pem`).mode & 0o777).toBe(0o600);
    expect((await cli(['rotate-key', '--db', db])).code).toBe(1);

    // During the rotation: both keys sign, the new one is logged.
    const during = await build([previous]);
    const [keyB, stillA] = during.app.ledger.keys().log as [string, string];
    expect(stillA).toBe(keyA);
    expect(keyB).not.toBe(keyA);
    expect(rotated.stdout).toContain(keyB);
    expect(await keyChanges(during)).toEqual([
      ['added', keyA],
      ['added', keyB],
    ]);
    const both = (await during.app.ledger.issueCheckpoint())!;
    const note = parseNote(both.note);
    if (!note.ok) throw new Error(note.message);
    expect(note.value.signatures).toHaveLength(2);
    const origin = during.app.ledger.keys().origin;
    // A witness pinned to the old key and one that pinned the new key both verify it.
    expect(openCheckpoint(both.note, origin, [verifier(keyA)]).ok).toBe(true);
    expect(openCheckpoint(both.note, origin, [verifier(keyB)]).ok).toBe(true);
    // The witness pinned to A sees B sign beside A, and follows the handover.
    expect(await witness(during)).toBe(0);
    await during.close();

    // After: only the new key signs; the old one is logged retired and still published.
    const after = await build();
    expect(after.app.ledger.keys()).toMatchObject({ log: [keyB], retired: [keyA] });
    expect(await keyChanges(after)).toEqual([
      ['added', keyA],
      ['added', keyB],
      ['retired', keyA],
    ]);
    const latest = (await after.app.ledger.issueCheckpoint())!;
    expect(openCheckpoint(latest.note, origin, [verifier(keyA)]).ok).toBe(false);
    expect(openCheckpoint(latest.note, origin, [verifier(keyB)]).ok).toBe(true);
    // The witness, now trusting B too, keeps cosigning after A is retired.
    expect(await witness(after)).toBe(0);
    // Old checkpoints keep verifying with the retired key the server still publishes.
    expect(openCheckpoint(oldCheckpoint.note, origin, [verifier(keyA)]).ok).toBe(true);
    await after.close();
  });
});
