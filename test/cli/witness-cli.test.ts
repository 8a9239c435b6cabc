/**
 * `armistice witness` against a fake log server that implements the ledger's HTTP contract
 * with the core functions: keygen, trust on first use, cosigning a growing log, refusing a
 * forked one, network failures and a damaged state.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createEd25519Signer,
  ed25519Verify,
  generateEd25519KeyPair,
  sha256,
} from '../../src/adapters/crypto/index.js';
import { CliError } from '../../src/cli/io.js';
import type { CliIo } from '../../src/cli/io.js';
import { witnessCommand } from '../../src/cli/witness-command.js';
import {
  consistencyProof,
  createNoteSigner,
  encodeBase64,
  formatCheckpoint,
  formatNote,
  formatSignatureLine,
  formatVerifierKey,
  openNote,
  parseSignatureLine,
  parseVerifierKey,
  signNote,
  treeHash,
  verifierFromKey,
  verifierKeyOf,
} from '../../src/core/ledger/index.js';
import type { NoteSigner, NoteVerifier } from '../../src/core/ledger/index.js';
import { createMemoryLog, hasher, leafOf } from '../ledger/memory-log.js';
import type { MemoryLog } from '../ledger/memory-log.js';

const ORIGIN = 'armistice.example/ledger';
const NOW = Date.parse('2026-01-01T00:00:00Z');
const logKey = createEd25519Signer(generateEd25519KeyPair().seed);
const logSigner = createNoteSigner(sha256, ORIGIN, logKey);
const LOG_VKEY = formatVerifierKey(verifierKeyOf(sha256, ORIGIN, 0x01, logKey.publicKey));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function makeIo(out: string[], err: string[]): CliIo {
  const sink = (into: string[]) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        into.push(String(chunk));
        callback();
      },
    });
  return {
    stdin: Readable.from([]),
    stdout: sink(out),
    stderr: sink(err),
    now: () => NOW,
    cwd: tmp,
  };
}

/** Runs the command as main() would: a CliError becomes its message and exit code. */
async function run(args: string[], now = NOW): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { ...makeIo(out, err), now: () => now };
  let code: number;
  try {
    code = await witnessCommand(io, args);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    err.push(`${error.message}\n`);
    code = error.exitCode;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

function makeLog(prefix: string, size: number, base: readonly Uint8Array[] = []): MemoryLog {
  const log = createMemoryLog();
  const extra = Array.from({ length: size - base.length }, (_, i) => leafOf(`${prefix} ${i}`));
  log.append([...base, ...extra]);
  return log;
}

/** A log server implementing the contract of /api/v1/ledger with core functions. */
interface FakeLog {
  url: string;
  /** The tree the server serves proofs from (replace it to fork the log). */
  log: MemoryLog;
  /** Signs and publishes a checkpoint of the current tree. */
  issue(signer?: NoteSigner): void;
  /** Witness vkeys configured at the server. */
  witnesses: string[];
  /** Cosignature lines by checkpoint size. */
  cosignatures: Map<number, string[]>;
  /** Every request, as `METHOD path`. */
  requests: string[];
  /** Status to answer the next POST with, instead of handling it. */
  failNextPost?: number;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function startLog(log: MemoryLog): Promise<FakeLog> {
  const notes = new Map<number, string>();
  let latest: number | undefined;
  const fake: FakeLog = {
    url: '',
    log,
    witnesses: [],
    cosignatures: new Map(),
    requests: [],
    issue(signer = logSigner) {
      const size = fake.log.size();
      const text = formatCheckpoint({
        origin: ORIGIN,
        size,
        rootHash: treeHash(hasher, size, fake.log.read),
        extensions: [],
      });
      notes.set(size, formatNote(signNote(text, [signer])));
      fake.cosignatures.set(size, []);
      latest = size;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const witnessVerifiers = (): NoteVerifier[] =>
    fake.witnesses.map((v) => {
      const k = parseVerifierKey(sha256, v);
      if (!k.ok) throw new Error(k.message);
      return verifierFromKey(sha256, k.value, ed25519Verify);
    });
  const server: Server = createServer((req, res) => {
    const send = (status: number, value: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof value === 'string' ? value : JSON.stringify(value));
    };
    const error = (status: number, code: string, message: string) =>
      send(status, { error: { code, message } });
    const url = new URL(req.url ?? '/', 'http://x');
    fake.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const route = `${req.method} ${url.pathname}`;
    void (async () => {
      if (route === 'GET /api/v1/ledger/checkpoint') {
        if (latest === undefined) return error(404, 'NOT_FOUND', 'no checkpoint yet');
        const lines = (fake.cosignatures.get(latest) ?? []).map((l) => `${l}\n`).join('');
        return send(200, `${notes.get(latest)}${lines}`, 'text/plain; charset=utf-8');
      }
      if (route === 'GET /api/v1/ledger/keys') {
        return send(200, { origin: ORIGIN, log: [LOG_VKEY], witnesses: fake.witnesses, quorum: 1 });
      }
      if (route === 'GET /api/v1/ledger/proof/consistency') {
        const from = Number(url.searchParams.get('from'));
        const to = Number(url.searchParams.get('to'));
        if (!(from > 0 && from <= to && to <= fake.log.size())) {
          return error(400, 'INVALID_INPUT', 'bad range');
        }
        const proof = consistencyProof(hasher, from, to, fake.log.read).map(encodeBase64);
        return send(200, { from, to, proof });
      }
      if (route === 'POST /api/v1/ledger/cosignatures') {
        const { size, cosignature } = JSON.parse(await body(req)) as {
          size: number;
          cosignature: string;
        };
        if (fake.failNextPost) {
          const status = fake.failNextPost;
          fake.failNextPost = undefined;
          return error(status, 'INTERNAL', 'injected failure');
        }
        const sig = parseSignatureLine(cosignature);
        if (!sig.ok) return error(400, 'INVALID_INPUT', sig.message);
        const v = witnessVerifiers().find(
          (w) => w.name === sig.value.name && w.keyId === sig.value.keyId,
        );
        if (!v) return error(403, 'FORBIDDEN', 'not a witness of this ledger');
        const note = notes.get(size);
        const held = fake.cosignatures.get(size);
        if (!note || !held) return error(404, 'NOT_FOUND', `no checkpoint of size ${size}`);
        const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
        if (!v.verify(new TextEncoder().encode(text), sig.value.signature)) {
          return error(422, 'BAD_SIGNATURE', 'does not verify');
        }
        const line = formatSignatureLine(sig.value).trimEnd();
        const dup = held.some((l) => parseSignatureLine(l).ok && l.startsWith(`— ${v.name} `));
        if (!dup) held.push(line);
        return send(200, { accepted: !dup, cosignatures: held.length, published: true });
      }
      return error(404, 'NOT_FOUND', 'no such route');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

let tmp: string;
let keyFile: string;
let witnessVkey: string;
let fake: FakeLog;
const honest = makeLog('leaf', 20);

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'armistice-witness-cli-'));
  keyFile = path.join(tmp, 'party-a.key');
  const r = await run(['keygen', '--name', 'party-a.example/witness', '--out', keyFile]);
  expect(r.code).toBe(0);
  witnessVkey = r.stdout.trim();
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh server over the first `size` leaves of the honest log, with the witness configured. */
async function freshLog(size: number): Promise<FakeLog> {
  const f = await startLog(makeLog('leaf', size, honest.leafHashes.slice(0, size)));
  f.witnesses = [witnessVkey];
  f.issue();
  return f;
}

function readState(dir: string): {
  origin: string;
  logKeys: string[];
  pinnedFrom: string;
  cosigned: { size: number; rootHash: string; time: number; checkpoint: string } | null;
} {
  return JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8'));
}

const rootB64 = (log: MemoryLog, size: number) => encodeBase64(treeHash(hasher, size, log.read));

let dirCount = 0;
const newDir = () => path.join(tmp, `state-${++dirCount}`);

describe('witness keygen', () => {
  it('writes the key with mode 0600 and prints a cosignature/v1 verifier key (type 0x04)', async () => {
    const file = path.join(tmp, 'k1.key');
    const r = await run(['keygen', '--name', 'state-b.example/w1', '--out', file]);
    expect(r.code).toBe(0);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const vkey = r.stdout.trim();
    const parsed = parseVerifierKey(sha256, vkey);
    expect(parsed).toMatchObject({ ok: true, value: { name: 'state-b.example/w1', type: 0x04 } });
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^witness-name: state-b\.example\/w1$/m);
    expect(text).toMatch(/^-----BEGIN PRIVATE KEY-----$/m);
    expect(r.stderr).toMatch(/mode 0600/);
    // The key file gives the same verifier key back.
    const again = await run(['vkey', '--key', file]);
    expect(again).toMatchObject({ code: 0, stdout: `${vkey}\n` });
  });

  it('refuses to overwrite a file and rejects a bad name', async () => {
    const file = path.join(tmp, 'k2.key');
    writeFileSync(file, 'precious');
    const r = await run(['keygen', '--name', 'x.example/w', '--out', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already exists; not overwriting/);
    expect(readFileSync(file, 'utf8')).toBe('precious');
    const bad = await run(['keygen', '--name', 'has space', '--out', path.join(tmp, 'k3.key')]);
    expect(bad.code).toBe(2);
    expect(existsSync(path.join(tmp, 'k3.key'))).toBe(false);
  });
});

describe('witness --once', () => {
  beforeEach(async () => {
    fake = await freshLog(5);
    return () => fake.close();
  });

  const args = (dir: string, ...more: string[]) => [
    '--log',
    fake.url,
    '--key',
    keyFile,
    '--state',
    dir,
    '--once',
    ...more,
  ];

  it('pins the log key on first use, cosigns, and the server verifies the cosignature', async () => {
    const dir = newDir();
    const r = await run(args(dir));
    expect(r.stderr).toMatch(/TRUST ON FIRST USE/);
    expect(r.stderr).toContain(LOG_VKEY);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^cosigned ${ORIGIN} size 5 root \\S+ at 2026-01-01T00:00:00.000Z: accepted`),
    );
    const lines = fake.cosignatures.get(5) ?? [];
    expect(lines).toHaveLength(1);
    // The cosignature verifies with the printed vkey over the log's checkpoint, as published.
    const note = (await (await fetch(`${fake.url}/api/v1/ledger/checkpoint`)).text()) as string;
    const key = parseVerifierKey(sha256, witnessVkey);
    if (!key.ok) throw new Error(key.message);
    const opened = openNote(note, [verifierFromKey(sha256, key.value, ed25519Verify)]);
    expect(opened.ok).toBe(true);
    const state = readState(dir);
    expect(state).toMatchObject({
      origin: ORIGIN,
      logKeys: [LOG_VKEY],
      cosigned: { size: 5, rootHash: rootB64(honest, 5), time: NOW / 1000 },
    });
    expect(state.pinnedFrom).toMatch(/^trust on first use/);
    if (process.platform !== 'win32') {
      expect(statSync(path.join(dir, 'state.json')).mode & 0o777).toBe(0o600);
    }
    expect(existsSync(path.join(dir, 'lock'))).toBe(false);

    // Nothing new: nothing to do, nothing posted.
    const posts = fake.requests.filter((q) => q.startsWith('POST')).length;
    const again = await run(args(dir));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^up to date: .* size 5 /);
    expect(again.stderr).not.toMatch(/TRUST ON FIRST USE/);
    expect(fake.requests.filter((q) => q.startsWith('POST')).length).toBe(posts);
  });

  it('verifies a consistency proof when the log grows, then cosigns the larger tree', async () => {
    const dir = newDir();
    expect((await run(args(dir))).code).toBe(0);
    fake.log.append(honest.leafHashes.slice(5, 12));
    fake.issue();
    const r = await run(args(dir));
    expect(r.code).toBe(0);
    expect(fake.requests).toContain('GET /api/v1/ledger/proof/consistency?from=5&to=12');
    expect(r.stdout).toMatch(/cosigned .* size 12 .*: accepted, 1 cosignatures, published/);
    expect(readState(dir).cosigned).toMatchObject({ size: 12, rootHash: rootB64(honest, 12) });
    expect(fake.cosignatures.get(12)).toHaveLength(1);
  });

  it('refuses a rewritten history at the same size (ROOT_CHANGED): loud, evidence, state kept', async () => {
    const dir = newDir();
    expect((await run(args(dir))).code).toBe(0);
    const before = readFileSync(path.join(dir, 'state.json'), 'utf8');
    fake.log = makeLog('forged', 5, honest.leafHashes.slice(0, 2));
    fake.issue();
    const posts = fake.requests.filter((q) => q.startsWith('POST')).length;
    const r = await run(args(dir));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/!!! WITNESS REFUSED TO COSIGN: ROOT_CHANGED/);
    expect(r.stderr).toContain(`size 5 root ${rootB64(honest, 5)}`);
    expect(r.stderr).toContain(`size 5 root ${rootB64(fake.log, 5)}`);
    expect(readFileSync(path.join(dir, 'state.json'), 'utf8')).toBe(before);
    expect(fake.requests.filter((q) => q.startsWith('POST')).length).toBe(posts);
    const files = readdirSync(path.join(dir, 'evidence'));
    expect(files).toHaveLength(1);
    const evidence = JSON.parse(
      readFileSync(path.join(dir, 'evidence', files[0] as string), 'utf8'),
    );
    expect(evidence).toMatchObject({
      format: 'armistice-witness-evidence/v1',
      refusal: { code: 'ROOT_CHANGED' },
      cosigned: { size: 5, rootHash: rootB64(honest, 5) },
      offered: { size: 5, rootHash: rootB64(fake.log, 5) },
    });
    // Both checkpoints are signed by the log: the evidence proves the equivocation.
    const verifier = verifierFromKey(
      sha256,
      verifierKeyOf(sha256, ORIGIN, 0x01, logKey.publicKey),
      ed25519Verify,
    );
    expect(openNote(evidence.cosigned.checkpoint, [verifier]).ok).toBe(true);
    expect(openNote(evidence.offered.checkpoint, [verifier]).ok).toBe(true);
  });

  it('refuses a grown log that does not extend what it cosigned (INCONSISTENT), naming the step', async () => {
    const dir = newDir();
    expect((await run(args(dir))).code).toBe(0);
    const before = readFileSync(path.join(dir, 'state.json'), 'utf8');
    fake.log = makeLog('forged', 20, honest.leafHashes.slice(0, 3));
    fake.issue();
    const r = await run(args(dir));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/WITNESS REFUSED TO COSIGN: INCONSISTENT/);
    expect(r.stderr).toMatch(/failed at: +RFC 9162 §2\.1\.4\.2 step \d+ \(\w+\)/);
    expect(r.stderr).toContain('offered:    size 20');
    expect(readFileSync(path.join(dir, 'state.json'), 'utf8')).toBe(before);
    const [file] = readdirSync(path.join(dir, 'evidence'));
    const evidence = JSON.parse(readFileSync(path.join(dir, 'evidence', file as string), 'utf8'));
    expect(evidence).toMatchObject({
      refusal: { code: 'INCONSISTENT', proofCheck: { ok: false } },
      consistencyProof: { from: 5, to: 20 },
    });
    expect(evidence.consistencyProof.proof.length).toBeGreaterThan(0);
    expect(fake.cosignatures.get(20)).toEqual([]);
  });

  it('refuses a checkpoint signed by another key (BAD_LOG_SIGNATURE)', async () => {
    const dir = newDir();
    expect((await run(args(dir))).code).toBe(0);
    fake.log.append(honest.leafHashes.slice(5, 9));
    const stranger = createNoteSigner(
      sha256,
      ORIGIN,
      createEd25519Signer(generateEd25519KeyPair().seed),
    );
    fake.issue(stranger);
    const r = await run(args(dir));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/WITNESS REFUSED TO COSIGN: BAD_LOG_SIGNATURE/);
    expect(readState(dir).cosigned?.size).toBe(5);
    // It did not even ask for a proof for a checkpoint the log did not sign.
    expect(fake.requests.some((q) => q.includes('consistency'))).toBe(false);
    expect(readdirSync(path.join(dir, 'evidence'))).toHaveLength(1);
  });

  it('pins --log-key without asking the log, and refuses a checkpoint the pinned key did not sign', async () => {
    const dir = newDir();
    const r = await run(args(dir, '--log-key', LOG_VKEY));
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/TRUST ON FIRST USE/);
    expect(readState(dir).pinnedFrom).toBe('--log-key');

    const other = createEd25519Signer(generateEd25519KeyPair().seed);
    const otherVkey = formatVerifierKey(verifierKeyOf(sha256, ORIGIN, 0x01, other.publicKey));
    const dir2 = newDir();
    const wrong = await run(args(dir2, '--log-key', otherVkey));
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toMatch(/BAD_LOG_SIGNATURE/);
    expect(wrong.stderr).toMatch(/publishes key\(s\) this witness has not pinned/);
    // A different --log-key than the pinned one is not silently accepted.
    const changed = await run(args(dir, '--log-key', otherVkey));
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/--log-key differs from the key\(s\) pinned/);
  });

  it('submits again when its cosignature did not reach the log', async () => {
    const dir = newDir();
    fake.failNextPost = 500;
    const first = await run(args(dir));
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/HTTP 500 INTERNAL: injected failure/);
    expect(readState(dir).cosigned?.size).toBe(5);
    const second = await run(args(dir));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/cosigned .* size 5 .*: accepted/);
    expect(fake.cosignatures.get(5)).toHaveLength(1);
  });

  it('does not cosign with a clock behind its last cosignature', async () => {
    const dir = newDir();
    expect((await run(args(dir))).code).toBe(0);
    const before = readFileSync(path.join(dir, 'state.json'), 'utf8');
    fake.log.append(honest.leafHashes.slice(5, 7));
    fake.issue();
    const r = await run(args(dir), NOW - 3_600_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /the clock \(2025-12-31T23:00:00.000Z\) is behind the last cosignature/,
    );
    expect(readFileSync(path.join(dir, 'state.json'), 'utf8')).toBe(before);
    expect(fake.cosignatures.get(7)).toEqual([]);
  });

  it('says clearly when the mission has not configured its key (403)', async () => {
    fake.witnesses = [];
    const r = await run(args(newDir()));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not list this witness');
    expect(r.stderr).toMatch(/key is not configured there/);
    expect(r.stderr).toContain(witnessVkey);
  });

  it('reports a damaged or edited state and does not run on it', async () => {
    const dir = newDir();
    expect((await run(args(dir))).code).toBe(0);
    const file = path.join(dir, 'state.json');
    const good = readFileSync(file, 'utf8');
    fake.log.append(honest.leafHashes.slice(5, 12));
    fake.issue();
    const posts = fake.requests.filter((q) => q.startsWith('POST')).length;

    writeFileSync(file, good.replace('"size": 5', '"size": 3'));
    const edited = await run(args(dir));
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/WITNESS STATE DAMAGED: .*state\.json: "cosigned\.size"/);
    expect(edited.stderr).toMatch(/Do not delete it/);

    writeFileSync(file, good.slice(0, 40));
    const truncated = await run(args(dir));
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/WITNESS STATE DAMAGED: .*not JSON/);

    const state = JSON.parse(good);
    state.cosigned.checkpoint = state.cosigned.checkpoint.replace(/\n\n— .*/s, '\n\n— x y\n');
    writeFileSync(file, JSON.stringify(state));
    const forged = await run(args(dir));
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/does not verify with the pinned key/);
    expect(fake.requests.filter((q) => q.startsWith('POST')).length).toBe(posts);
  });

  it('will not share a state directory with a running witness', async () => {
    const dir = newDir();
    expect((await run(args(dir))).code).toBe(0);
    writeFileSync(path.join(dir, 'lock'), `${process.pid}\n`);
    const r = await run(args(dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/another witness \(process \d+\) is using/);
    rmSync(path.join(dir, 'lock'));
  });
});

describe('witness without a log', () => {
  it('exits 1 with a clear message when the log cannot be reached', async () => {
    const gone = await startLog(createMemoryLog());
    await gone.close();
    const r = await run(['--log', gone.url, '--key', keyFile, '--state', newDir(), '--once']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/ledger\/keys: cannot reach/);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
  });

  it('exits 1 when the log has no checkpoint yet', async () => {
    const empty = await startLog(createMemoryLog());
    empty.witnesses = [witnessVkey];
    try {
      const r = await run(['--log', empty.url, '--key', keyFile, '--state', newDir(), '--once']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the log has issued no checkpoint yet/);
    } finally {
      await empty.close();
    }
  });

  it('rejects bad arguments with the usage (exit 2)', async () => {
    expect((await run(['--log', 'http://x'])).code).toBe(2);
    const r = await run(['--log', 'ftp://x', '--key', keyFile, '--state', newDir()]);
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toMatch(/not an http or https URL/);
    const i = await run([
      '--log',
      'http://x',
      '--key',
      keyFile,
      '--state',
      newDir(),
      '--interval',
      '0',
    ]);
    expect(i.code).toBe(2);
  });
});

describe('witness loop', () => {
  it('keeps following the log round after round until SIGTERM', async () => {
    const f = await freshLog(4);
    const dir = newDir();
    const before = new Set(process.listeners('SIGTERM'));
    const out: string[] = [];
    const err: string[] = [];
    const done = witnessCommand(makeIo(out, err), [
      '--log',
      f.url,
      '--key',
      keyFile,
      '--state',
      dir,
      '--interval',
      '0.02',
    ]);
    const waitFor = async (test: () => boolean) => {
      const start = Date.now();
      while (!test()) {
        if (Date.now() - start > 10_000)
          throw new Error(`timed out:\n${out.join('')}${err.join('')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    try {
      await waitFor(() => out.join('').includes('size 4'));
      f.log.append(honest.leafHashes.slice(4, 9));
      f.issue();
      await waitFor(() => out.join('').includes('size 9'));
      // A fork is refused in every round, with its evidence written once.
      f.log = makeLog('forged', 11, honest.leafHashes.slice(0, 2));
      f.issue();
      await waitFor(() => err.join('').split('REFUSED TO COSIGN').length > 3);
      expect(readdirSync(path.join(dir, 'evidence'))).toHaveLength(1);
      expect(readState(dir).cosigned?.size).toBe(9);
    } finally {
      const stop = process.listeners('SIGTERM').find((l) => !before.has(l));
      (stop as () => void)();
      await f.close();
    }
    expect(await done).toBe(3);
    expect(err.join('')).toMatch(/witness stopped/);
    expect(process.listeners('SIGTERM').every((l) => before.has(l))).toBe(true);
  });
});
