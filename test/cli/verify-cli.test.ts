/** `armistice verify BUNDLE [--trusted-keys FILE] [--json]` through verifyCommand(io, args). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-io.js';
import type { CliRun } from '../support/cli-io.js';
import { verifyCommand } from '../../src/cli/verify-command.js';
import type { EvidenceVerification } from '../../src/core/evidence/index.js';
import { decodeBase64, encodeBase64 } from '../../src/core/ledger/index.js';
import {
  IMPOSTOR_LOG_VKEY,
  INCIDENT_ID,
  LOG_VKEY,
  WITNESS1_VKEY,
  WITNESS2_VKEY,
  bundleJson,
} from '../evidence/fixture.js';

let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'armistice-verify-cli-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Runs verifyCommand with in-memory streams and the temp directory as cwd. */
async function run(args: string[]): Promise<CliRun> {
  return runCli(verifyCommand, args, { cwd: tmp, now: () => 0 });
}

function write(name: string, content: string | object): string {
  writeFileSync(
    path.join(tmp, name),
    typeof content === 'string' ? content : JSON.stringify(content),
  );
  return name;
}

const TRUSTED_FILE = [
  "# Keys of the Armistice ledger and its witnesses, from the mission's published list",
  LOG_VKEY,
  '',
  WITNESS1_VKEY,
  WITNESS2_VKEY,
  'quorum 2',
  '',
].join('\n');

describe('armistice verify', () => {
  it('a valid bundle with trusted keys: exit 0 and a summary', async () => {
    const bundle = write('ok.json', bundleJson());
    const keys = write('trusted.txt', TRUSTED_FILE);
    const r = await run([bundle, '--trusted-keys', keys]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok\.json: VERIFIED\n/);
    expect(r.stdout).toContain(`incident     ${INCIDENT_ID} (status verified)`);
    expect(r.stdout).toContain('checkpoint   armistice.example/ledger, size 50');
    expect(r.stdout).toMatch(/signed by {4}armistice\.example\/ledger \(key ID [0-9a-f]{8}\)/);
    expect(r.stdout).toContain(
      'cosigned by  2 witnesses, quorum 2: party-a.example/witness at 2026-03-01T07:00:00.000Z, ' +
        'party-b.example/witness at 2026-03-01T07:00:00.000Z',
    );
    expect(r.stdout).toContain(
      'leaves       7 of 7 included in the checkpoint: 5 sources, 2 transitions',
    );
    expect(r.stdout).toContain('keys         trusted, from trusted.txt');
  });

  it("without trusted keys: exit 0, with a warning that the keys are the bundle's own", async () => {
    const r = await run([write('ok.json', bundleJson())]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('keys         from the bundle itself');
    expect(r.stderr).toMatch(/^warning: the verifier keys come from the bundle itself/);
  });

  it('a changed observation: exit 1, naming the leaf and the proof step', async () => {
    const b = bundleJson();
    const leaf = b.leaves[0] as { record: { observation: { position: { lon: number } } } };
    leaf.record.observation.position.lon += 1e-7;
    const r = await run([write('bad-obs.json', b), '--trusted-keys', write('t.txt', TRUSTED_FILE)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^bad-obs\.json: NOT VERIFIED: 1 failure\n/);
    expect(r.stderr).toMatch(
      /\n {2}INCLUSION_FAILED at \/leaves\/0: leaf 7 \(observation:cam-07\/obs-9\): inclusion proof fails at RFC 9162 §2\.1\.3\.2 step 5: root mismatch: /,
    );
  });

  it('a changed cosignature: exit 1, naming the witness, and every failure listed', async () => {
    const b = bundleJson();
    b.checkpoint = b.checkpoint.replace(
      /^(— party-a\.example\/witness )(\S+)$/m,
      (_all, head: string, sig: string) => {
        const bytes = decodeBase64(sig) as Uint8Array;
        bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x80;
        return head + encodeBase64(bytes);
      },
    );
    const r = await run([
      write('bad-cosig.json', b),
      '--trusted-keys',
      write('t.txt', TRUSTED_FILE),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NOT VERIFIED: 2 failures/);
    expect(r.stderr).toMatch(
      /BAD_COSIGNATURE at \/checkpoint: cosignature by witness party-a\.example\/witness \(key ID [0-9a-f]{8}\) does not verify/,
    );
    expect(r.stderr).toContain(
      'QUORUM_NOT_MET at /checkpoint: 1 known witness cosigned the checkpoint (party-b.example/witness); the quorum is 2',
    );
  });

  it('a wrong trusted log key: exit 1', async () => {
    const keys = write('wrong.txt', TRUSTED_FILE.replace(LOG_VKEY, IMPOSTOR_LOG_VKEY));
    const r = await run([write('ok.json', bundleJson()), '--trusted-keys', keys]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /NO_LOG_SIGNATURE at \/checkpoint: the checkpoint has no signature by a trusted log key/,
    );
  });

  it('--json prints the whole result, valid or not', async () => {
    const ok = await run([write('ok.json', bundleJson()), '--json']);
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout) as EvidenceVerification;
    expect(result.ok).toBe(true);
    expect(result.summary.incidentId).toBe(INCIDENT_ID);
    expect(result.warnings).toHaveLength(1);
    expect(ok.stderr).toBe('');

    const b = bundleJson();
    b.leaves.pop();
    const bad = await run([write('short.json', b), '--json']);
    expect(bad.code).toBe(1);
    const failed = JSON.parse(bad.stdout) as EvidenceVerification;
    expect(failed.ok).toBe(false);
    expect(failed.failures.map((f) => f.code)).toEqual(['MISSING_TRANSITION_LEAF']);
  });

  it('malformed JSON, a malformed bundle, a missing file: exit 1', async () => {
    const json = await run([write('broken.json', '{"format": "armistice-evidence-bundle/1",')]);
    expect(json.code).toBe(1);
    expect(json.stderr).toMatch(/^broken\.json: NOT VERIFIED: not JSON: /);

    const shape = await run([write('shape.json', { format: 'armistice-evidence-bundle/1' })]);
    expect(shape.code).toBe(1);
    expect(shape.stderr).toContain('MALFORMED_BUNDLE at /origin: origin is not a one-line string');

    const missing = await run(['no-such-bundle.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^cannot read evidence bundle 'no-such-bundle\.json'/);

    const dir = await run(['.']);
    expect(dir.code).toBe(1);
    expect(dir.stderr).toBe("evidence bundle '.' is not a file\n");
  });

  it('usage errors: exit 2', async () => {
    for (const args of [
      [],
      ['a.json', 'b.json'],
      ['a.json', '--trusted'],
      ['a.json', '--trusted-keys'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('Usage:');
    }
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('armistice verify BUNDLE');
  });

  it('an unusable trusted keys file: exit 2, naming the line', async () => {
    const bundle = write('ok.json', bundleJson());
    const bad = await run([
      bundle,
      '--trusted-keys',
      write('bad.txt', `${LOG_VKEY}\nquorum many\n`),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('bad.txt:2: quorum must be a whole number from 0 to 100\n');
    const noLog = await run([bundle, '--trusted-keys', write('nolog.txt', WITNESS1_VKEY)]);
    expect(noLog.code).toBe(2);
    expect(noLog.stderr).toBe('nolog.txt: no log key (a verifier key of type 0x01)\n');
    const missing = await run([bundle, '--trusted-keys', 'nope.txt']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^cannot read trusted keys file 'nope\.txt'/);
  });
});
