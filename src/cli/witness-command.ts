import { closeSync, constants, fchmodSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateEd25519KeyPair, sha256 } from '../adapters/crypto/index.js';
import {
  bytesEqual,
  createMerkleHasher,
  decideCosign,
  decodeBase64,
  encodeBase64,
  formatNote,
  formatSignatureLine,
  isValidKeyName,
  MAX_NOTE_BYTES,
  MAX_WITNESS_PROOF_LINES,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
} from '../core/ledger/index.js';
import type { Checkpoint, WitnessDecision } from '../core/ledger/index.js';
import { CliError, println } from './io.js';
import type { CliIo } from './io.js';
import {
  formatWitnessKeyFile,
  loadWitnessKey,
  lockStateDirectory,
  logVerifiers,
  readWitnessState,
  stateFile,
  witnessVerifierKey,
  writeEvidence,
  writeWitnessState,
} from './witness-store.js';
import type { WitnessKey, WitnessState } from './witness-store.js';

const USAGE = `Usage:
  armistice witness keygen --name NAME --out FILE
  armistice witness vkey --key FILE
  armistice witness --log URL --key FILE --state DIR [--log-key VKEY]... [--once]
                    [--interval SECONDS]

keygen writes a new witness key (mode 0600) and prints its verifier key for the mission.
The third form follows the log at URL: it fetches its latest checkpoint, checks it against the
last one it cosigned (a consistency proof), cosigns it and submits the cosignature, every
--interval seconds (default 60) or once with --once. It never cosigns a checkpoint that is not
an extension of what it cosigned before. Exit codes: 0 done, 1 error, 2 usage, 3 refused to
cosign. See docs/witness.md.`;

/** Exit code when the witness refused to cosign the log's checkpoint. */
export const EXIT_REFUSED = 3;
/** Default seconds between rounds. */
export const DEFAULT_INTERVAL_S = 60;
/** Time limit of each HTTP request, ms. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Largest HTTP response body read, bytes. */
const MAX_RESPONSE_BYTES = MAX_NOTE_BYTES + 64 * 1024;

const hasher = createMerkleHasher(sha256);

/** An HTTP or network failure of one round: the round is retried, nothing is cosigned. */
class RoundError extends Error {
  override readonly name = 'RoundError';
}

/** Reads a response body up to `max` bytes. */
async function readBody(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) throw new RoundError(`response of ${declared} bytes is over ${max}`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) throw new RoundError(`response is over ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFetchError(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  if (e.name === 'AbortError') return 'stopped';
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : e.message;
}

/** The `{error: {code, message}}` of an error response, or its first line of text. */
function errorText(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (json.error && typeof json.error === 'object') {
      return `${String(json.error.code)}: ${String(json.error.message)}`;
    }
  } catch {
    // Not JSON.
  }
  return body.split('\n')[0]?.slice(0, 200) ?? '';
}

interface HttpResult {
  status: number;
  body: string;
}

/** One HTTP request with the time limit; network failures become RoundErrors. */
async function request(
  method: 'GET' | 'POST',
  url: string,
  signal: AbortSignal,
  json?: unknown,
): Promise<HttpResult> {
  try {
    const res = await fetch(url, {
      method,
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      headers: {
        accept: url.endsWith('/checkpoint') ? 'text/plain' : 'application/json',
        ...(json !== undefined && { 'content-type': 'application/json' }),
      },
      ...(json !== undefined && { body: JSON.stringify(json) }),
    });
    return { status: res.status, body: await readBody(res, MAX_RESPONSE_BYTES) };
  } catch (error) {
    if (error instanceof RoundError) throw new RoundError(`${method} ${url}: ${error.message}`);
    throw new RoundError(`${method} ${url}: cannot reach the log: ${describeFetchError(error)}`);
  }
}

function expectOk(method: string, url: string, r: HttpResult, what: string): void {
  if (r.status !== 200) {
    throw new RoundError(`${method} ${url}: HTTP ${r.status} ${errorText(r.body)} (${what})`);
  }
}

function parseJson(url: string, body: string): Record<string, unknown> {
  try {
    const json = JSON.parse(body) as unknown;
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
      return json as Record<string, unknown>;
    }
  } catch {
    // Reported below.
  }
  throw new RoundError(`GET ${url}: the answer is not a JSON object`);
}

/** The log's published keys (GET /api/v1/ledger/keys). */
interface LogKeys {
  origin: string;
  log: string[];
  witnesses: string[];
  quorum: number;
}

/** The endpoints of a log's ledger API under its base URL. */
function endpoints(base: string) {
  const api = `${base}/api/v1/ledger`;
  return {
    keys: `${api}/keys`,
    checkpoint: `${api}/checkpoint`,
    consistency: (from: number, to: number) => `${api}/proof/consistency?from=${from}&to=${to}`,
    cosignatures: `${api}/cosignatures`,
  };
}

async function fetchKeys(base: string, signal: AbortSignal): Promise<LogKeys> {
  const url = endpoints(base).keys;
  const r = await request('GET', url, signal);
  expectOk('GET', url, r, 'the log keys');
  const j = parseJson(url, r.body);
  const strings = (v: unknown): v is string[] =>
    Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof j.origin !== 'string' || j.origin === '' || !strings(j.log) || !strings(j.witnesses)) {
    throw new RoundError(`GET ${url}: the answer is not {origin, log, witnesses, quorum}`);
  }
  return {
    origin: j.origin,
    log: j.log,
    witnesses: j.witnesses,
    quorum: typeof j.quorum === 'number' ? j.quorum : NaN,
  };
}

async function fetchProof(
  base: string,
  from: number,
  to: number,
  signal: AbortSignal,
): Promise<Uint8Array[]> {
  const url = endpoints(base).consistency(from, to);
  const r = await request('GET', url, signal);
  expectOk('GET', url, r, `the consistency proof from size ${from} to ${to}; not cosigning`);
  const j = parseJson(url, r.body);
  if (j.from !== from || j.to !== to || !Array.isArray(j.proof)) {
    throw new RoundError(`GET ${url}: the answer is not the proof from ${from} to ${to}`);
  }
  if (j.proof.length > MAX_WITNESS_PROOF_LINES) {
    throw new RoundError(`GET ${url}: the proof has ${j.proof.length} hashes, too many`);
  }
  return j.proof.map((h: unknown, i: number) => {
    const bytes = typeof h === 'string' ? decodeBase64(h) : undefined;
    if (!bytes || bytes.length !== 32) {
      throw new RoundError(`GET ${url}: proof hash ${i} is not the base64 of 32 bytes`);
    }
    return bytes;
  });
}

function parseInterval(value: string | undefined): number {
  if (value === undefined) return DEFAULT_INTERVAL_S;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 86_400) {
    throw new CliError(`--interval: '${value}' is not a number of seconds in (0, 86400]`);
  }
  return n;
}

function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`--log: '${value}' is not a URL such as https://mission.example`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--log: '${value}' is not an http or https URL`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new CliError(`--log: '${value}' must not have a query or fragment`);
  }
  return url.href.replace(/\/+$/, '');
}

const iso = (ms: number) => new Date(ms).toISOString();
const rootText = (h: Uint8Array) => encodeBase64(h);

/** `armistice witness keygen --name NAME --out FILE` */
function keygen(io: CliIo, args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    options: { name: { type: 'string' }, out: { type: 'string', short: 'o' } },
    allowPositionals: true,
  });
  if (!values.name || !values.out || positionals.length > 0) throw new CliError(USAGE);
  if (!isValidKeyName(values.name)) {
    throw new CliError(
      `--name: ${JSON.stringify(values.name)} is not a key name (non-empty, no spaces, no '+'); ` +
        'use a schema-less URL such as party-a.example/witness',
    );
  }
  const file = path.resolve(io.cwd, values.out);
  const pair = generateEd25519KeyPair();
  const vkey = witnessVerifierKey(values.name, pair.publicKey);
  const text = formatWitnessKeyFile(values.name, pair.seed, vkey);
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'EEXIST'
        ? `${values.out} already exists; not overwriting a key (choose another --out)`
        : `cannot write ${values.out}: ${(error as Error).message}`,
      1,
    );
  }
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } catch (error) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw new CliError(`cannot write ${values.out}: ${(error as Error).message}`, 1);
  }
  closeSync(fd);
  println(io.stdout, vkey);
  println(
    io.stderr,
    `wrote the witness key of ${values.name} to ${values.out} (mode 0600; keep it secret and ` +
      'back it up).\nGive the mission the verifier key above (printed on stdout) to configure ' +
      'as a witness.',
  );
  return 0;
}

/** `armistice witness vkey --key FILE` */
function printVkey(io: CliIo, args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    options: { key: { type: 'string' } },
    allowPositionals: true,
  });
  if (!values.key || positionals.length > 0) throw new CliError(USAGE);
  const key = loadWitnessKey(path.resolve(io.cwd, values.key));
  if (key.warning) println(io.stderr, key.warning);
  println(io.stdout, key.vkey);
  return 0;
}

/** What one round did. */
type RoundOutcome = 'cosigned' | 'up-to-date' | 'refused';

interface Witness {
  readonly io: CliIo;
  readonly base: string;
  readonly dir: string;
  readonly key: WitnessKey;
  readonly signal: AbortSignal;
  /** The state as last written. */
  state: WitnessState | null;
  /** The log keys given with --log-key, if any. */
  readonly logKeyArgs: readonly string[];
  /** Whether the published keys were checked in this run. */
  keysChecked: boolean;
  /** The log keys the log published when they were checked. */
  publishedLogKeys?: readonly string[];
  /** The last refusal reported in this run, to write its evidence once. */
  lastRefusal?: string;
}

const BANNER = '!'.repeat(78);

function loud(io: CliIo, lines: string[]): void {
  println(io.stderr, BANNER);
  for (const line of lines) println(io.stderr, `!!! ${line}`);
  println(io.stderr, BANNER);
}

/** Pins the log's keys on first contact: from --log-key, or from the log (trust on first use). */
async function pin(w: Witness): Promise<WitnessState> {
  const { io } = w;
  let origin: string;
  let logKeys: string[];
  let pinnedFrom: string;
  if (w.logKeyArgs.length > 0) {
    logKeys = [...w.logKeyArgs];
    const verifiers = logVerifiers(logKeys);
    if (typeof verifiers === 'string') throw new CliError(`--log-key: ${verifiers}`);
    const names = new Set(verifiers.map((v) => v.name));
    if (names.size !== 1) throw new CliError('--log-key: all keys must have the same name');
    origin = verifiers[0]?.name as string;
    pinnedFrom = '--log-key';
  } else {
    const keys = await fetchKeys(w.base, w.signal);
    const verifiers = logVerifiers(keys.log);
    if (typeof verifiers === 'string' || verifiers.length === 0) {
      throw new RoundError(
        `GET ${endpoints(w.base).keys}: ${typeof verifiers === 'string' ? verifiers : 'no log key'}`,
      );
    }
    origin = keys.origin;
    logKeys = keys.log;
    pinnedFrom = `trust on first use: GET ${endpoints(w.base).keys}`;
    w.keysChecked = true;
    loud(io, [
      'TRUST ON FIRST USE: this witness has pinned the key(s) of the log',
      `  ${origin} at ${w.base}`,
      ...logKeys.map((k) => `  ${k}`),
      'as the log itself published them. Check them with the mission over a channel you trust.',
      'If they are not the mission key(s), stop this witness, delete',
      `  ${stateFile(w.dir)}`,
      'and run it again with --log-key <the mission key>.',
      ...(w.base.startsWith('http:') ? ['(The keys came over plain HTTP.)'] : []),
    ]);
    checkWitnessListed(w, keys);
  }
  const state: WitnessState = {
    log: w.base,
    origin,
    logKeys,
    pinnedFrom,
    pinnedAt: iso(io.now()),
    witness: w.key.vkey,
    cosigned: null,
  };
  writeWitnessState(w.dir, state);
  return state;
}

function checkWitnessListed(w: Witness, keys: LogKeys): void {
  if (!keys.witnesses.includes(w.key.vkey)) {
    println(
      w.io.stderr,
      `warning: the log does not list this witness's key among its witnesses yet; it will ` +
        `reject its cosignatures until the mission configures:\n  ${w.key.vkey}`,
    );
  }
}

/** Once per run: warns if the log's published keys differ from the pinned ones. */
async function checkPublishedKeys(w: Witness, state: WitnessState): Promise<void> {
  if (w.keysChecked) return;
  const keys = await fetchKeys(w.base, w.signal);
  w.keysChecked = true;
  w.publishedLogKeys = keys.log;
  if (keys.origin !== state.origin) {
    println(
      w.io.stderr,
      `warning: the log at ${w.base} now names its origin ${JSON.stringify(keys.origin)}, ` +
        `not ${JSON.stringify(state.origin)} as pinned; this witness follows only the pinned one`,
    );
  }
  const unpinned = keys.log.filter((k) => !state.logKeys.includes(k));
  if (unpinned.length > 0) {
    println(
      w.io.stderr,
      `warning: the log publishes key(s) this witness has not pinned and will not trust:\n` +
        unpinned.map((k) => `  ${k}`).join('\n'),
    );
  }
  checkWitnessListed(w, keys);
}

/**
 * Log keys the log publishes, not pinned yet, that signed this checkpoint alongside a pinned
 * key: during a rotation the log signs with its old and new keys, so the old key vouches for
 * the new one and the witness can follow the rotation without trusting anything new blindly.
 */
function keysHandedOver(note: string, state: WitnessState, published: readonly string[]): string[] {
  return published.filter((vkey) => {
    if (state.logKeys.includes(vkey)) return false;
    const verifiers = logVerifiers([vkey]);
    return typeof verifiers !== 'string' && openCheckpoint(note, state.origin, verifiers).ok;
  });
}

/** Whether the note already carries a valid cosignature by this witness. */
function hasOwnCosignature(note: string, key: WitnessKey): boolean {
  const parsed = parseNote(note);
  if (!parsed.ok) return false;
  const text = new TextEncoder().encode(parsed.value.text);
  return parsed.value.signatures.some(
    (s) =>
      s.name === key.verifier.name &&
      s.keyId === key.verifier.keyId &&
      key.verifier.verify(text, s.signature),
  );
}

/** The checkpoint of a note, if it parses (for reports; not trusted). */
function peekCheckpoint(note: string): Checkpoint | undefined {
  const n = parseNote(note);
  const cp = n.ok ? parseCheckpoint(n.value.text) : undefined;
  return cp?.ok ? cp.value : undefined;
}

/** What each refusal means to the witness operator. */
const MEANING: Record<string, string> = {
  MALFORMED: 'the log served something that is not a signed checkpoint.',
  UNKNOWN_ORIGIN: 'the log served a checkpoint of another log than the one pinned.',
  BAD_LOG_SIGNATURE:
    'the checkpoint is not signed by the pinned log key: it was forged, or the mission ' +
    'changed its key without telling this witness.',
  SIZE_BACKWARDS:
    'the log is smaller than when this witness last cosigned it: it lost or removed entries.',
  BAD_EMPTY_ROOT: 'the log signed an empty tree with a wrong root hash.',
  PROOF_NOT_EMPTY: 'the log served a proof where none belongs.',
  ROOT_CHANGED:
    'the log signed two different trees of the same size: its history was rewritten, or ' +
    'it shows different histories to different parties (a split view).',
  INCONSISTENT:
    'the new checkpoint is not proved to extend the one this witness cosigned: the log ' +
    'history may have been rewritten, or it shows different histories (a split view).',
  OLD_SIZE_MISMATCH: 'the witness state and its request disagree (a bug).',
};

function reportRefusal(
  w: Witness,
  state: WitnessState,
  note: string,
  proof: { from: number; to: number; proof: Uint8Array[] } | null,
  d: Extract<WitnessDecision, { decision: 'refuse' }>,
): void {
  const { io } = w;
  const offered = peekCheckpoint(note);
  const had = state.cosigned;
  const key = `${d.code}\n${note}`;
  let evidence = '(already written for this checkpoint in this run)';
  if (w.lastRefusal !== key) {
    evidence = writeEvidence(w.dir, io.now(), {
      detectedAt: iso(io.now()),
      log: w.base,
      origin: state.origin,
      logKeys: state.logKeys,
      witness: w.key.vkey,
      refusal: {
        code: d.code,
        message: d.message,
        ...(d.proof && !d.proof.ok && { proofCheck: d.proof }),
      },
      cosigned: had && {
        size: had.size,
        rootHash: rootText(had.rootHash),
        time: had.time,
        checkpoint: had.checkpoint,
      },
      offered: {
        ...(offered && { size: offered.size, rootHash: rootText(offered.rootHash) }),
        checkpoint: note,
      },
      consistencyProof: proof && { ...proof, proof: proof.proof.map(rootText) },
    });
    w.lastRefusal = key;
  }
  const failedStep = d.proof && !d.proof.ok ? `${d.proof.step} (${d.proof.code})` : undefined;
  loud(io, [
    `WITNESS REFUSED TO COSIGN: ${d.code}`,
    `log:        ${state.origin} at ${w.base}`,
    `cosigned:   ${had ? `size ${had.size} root ${rootText(had.rootHash)} at ${iso(had.time * 1000)}` : 'nothing yet'}`,
    `offered:    ${offered ? `size ${offered.size} root ${rootText(offered.rootHash)}` : 'an unreadable checkpoint'}`,
    ...(failedStep ? [`failed at:  ${failedStep}`] : []),
    `reason:     ${d.message}`,
    `meaning:    ${MEANING[d.code] ?? ''}`,
    `evidence:   ${evidence}`,
    'This witness has not cosigned it and has not moved its state. Report it to your',
    'delegation and the mission with the evidence file (docs/witness.md, "A refusal").',
  ]);
}

/** One round: fetch, decide, persist, cosign, submit. */
async function round(w: Witness): Promise<RoundOutcome> {
  const { io, base, signal } = w;
  const state = w.state ?? (w.state = await pin(w));
  await checkPublishedKeys(w, state);
  const api = endpoints(base);

  const got = await request('GET', api.checkpoint, signal);
  if (got.status === 404) {
    throw new RoundError(
      `GET ${api.checkpoint}: the log has issued no checkpoint yet (${errorText(got.body)})`,
    );
  }
  expectOk('GET', api.checkpoint, got, 'the latest checkpoint');
  const note = got.body;

  const verifiers = logVerifiers(state.logKeys);
  if (typeof verifiers === 'string') throw new CliError(`${stateFile(w.dir)}: ${verifiers}`, 1);
  const stored = state.cosigned && { size: state.cosigned.size, rootHash: state.cosigned.rootHash };
  const oldSize = stored?.size ?? 0;
  // Ask for a proof only for a checkpoint the log really signed that is larger than the
  // cosigned one; decideCosign judges the note itself, in the order of tlog-witness.
  const opened = openCheckpoint(note, state.origin, verifiers);
  let proof: { from: number; to: number; proof: Uint8Array[] } | null = null;
  if (opened.ok && oldSize > 0 && opened.value.checkpoint.size > oldSize) {
    const to = opened.value.checkpoint.size;
    proof = { from: oldSize, to, proof: await fetchProof(base, oldSize, to, signal) };
  }
  const d = decideCosign(hasher, [{ origin: state.origin, verifiers }], stored, {
    oldSize,
    proof: proof?.proof ?? [],
    checkpoint: note,
  });
  if (d.decision === 'refuse') {
    reportRefusal(w, state, note, proof, d);
    return 'refused';
  }
  const { size, rootHash } = d.next;
  const root = rootText(rootHash);
  const same = stored !== null && stored.size === size && bytesEqual(stored.rootHash, rootHash);
  if (same && hasOwnCosignature(note, w.key)) return 'up-to-date';
  if (!opened.ok) throw new RoundError(`checkpoint: ${opened.message}`); // decideCosign agreed

  // A cosignature says "as of this time, this is the largest tree": the times must not go back.
  const time = Math.floor(io.now() / 1000);
  if (state.cosigned && time < state.cosigned.time) {
    throw new RoundError(
      `the clock (${iso(time * 1000)}) is behind the last cosignature ` +
        `(${iso(state.cosigned.time * 1000)}); not cosigning until it is set right`,
    );
  }
  // Persist first: once a cosignature may exist, the state must already say so.
  const logSigned = formatNote({ text: d.text, signatures: opened.value.note.verified });
  const handedOver = keysHandedOver(note, state, w.publishedLogKeys ?? []);
  for (const vkey of handedOver) {
    println(
      io.stdout,
      `log key rotation: checkpoint ${d.next.size} is signed by the pinned key and by ${vkey}; ` +
        'trusting that key too from now on',
    );
  }
  const next: WitnessState = {
    ...state,
    logKeys: [...state.logKeys, ...handedOver],
    log: base,
    witness: w.key.vkey,
    cosigned: { size, rootHash, time, checkpoint: logSigned },
  };
  writeWitnessState(w.dir, next);
  w.state = next;
  w.lastRefusal = undefined;

  const line = formatSignatureLine(w.key.cosigner.cosign(d.text, time)).trimEnd();
  const post = await request('POST', api.cosignatures, signal, {
    size,
    cosignature: line,
    rootHash: encodeBase64(rootHash),
  });
  const what = `cosigned ${state.origin} size ${size} root ${root}`;
  if (post.status === 403) {
    throw new RoundError(
      `${what}, but the log refused it: this witness's key is not configured there ` +
        `(${errorText(post.body)}). Give the mission:\n  ${w.key.vkey}`,
    );
  }
  if (post.status === 409) {
    loud(io, [
      `SPLIT VIEW: the log showed this witness a checkpoint of size ${size} with root ${root},`,
      `but holds another root at that size (${errorText(post.body)}).`,
      'Report this to the mission and the other parties; keep the state directory as evidence.',
    ]);
    throw new RoundError(`${what}, but the log holds another checkpoint at that size`);
  }
  if (post.status === 422) {
    throw new RoundError(
      `${what}, but the log says the cosignature does not verify over its checkpoint of size ` +
        `${size} (${errorText(post.body)}): it may hold another checkpoint than it showed`,
    );
  }
  expectOk('POST', api.cosignatures, post, 'submitting the cosignature');
  const r = parseJson(api.cosignatures, post.body);
  const outcome = [
    r.accepted === true ? 'accepted' : 'already held',
    ...(typeof r.cosignatures === 'number' ? [`${r.cosignatures} cosignatures`] : []),
    r.published === true ? 'published' : 'not yet published',
  ];
  println(io.stdout, `${what} at ${iso(time * 1000)}: ${outcome.join(', ')}`);
  return 'cosigned';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** `armistice witness --log URL --key FILE --state DIR ...` */
async function follow(io: CliIo, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      log: { type: 'string' },
      key: { type: 'string' },
      state: { type: 'string' },
      'log-key': { type: 'string', multiple: true },
      once: { type: 'boolean', default: false },
      interval: { type: 'string' },
    },
    allowPositionals: true,
  });
  if (!values.log || !values.key || !values.state || positionals.length > 0) {
    throw new CliError(USAGE);
  }
  const base = parseBaseUrl(values.log);
  const intervalMs = parseInterval(values.interval) * 1000;
  const key = loadWitnessKey(path.resolve(io.cwd, values.key));
  if (key.warning) println(io.stderr, key.warning);
  const dir = path.resolve(io.cwd, values.state);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new CliError(`cannot create the state directory: ${(error as Error).message}`, 1);
  }
  const release = lockStateDirectory(dir);
  const controller = new AbortController();
  const stop = () => controller.abort();
  const loop = !values.once;
  if (loop) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  try {
    const w: Witness = {
      io,
      base,
      dir,
      key,
      signal: controller.signal,
      state: readWitnessState(dir),
      logKeyArgs: values['log-key'] ?? [],
      keysChecked: false,
    };
    if (w.state && w.logKeyArgs.length > 0) {
      const same =
        w.logKeyArgs.length === w.state.logKeys.length &&
        w.logKeyArgs.every((k) => w.state?.logKeys.includes(k));
      if (!same) {
        throw new CliError(
          `--log-key differs from the key(s) pinned in ${stateFile(dir)}:\n` +
            w.state.logKeys.map((k) => `  ${k}`).join('\n') +
            '\nThis witness does not change a pinned key (see docs/witness.md, "Log keys").',
          1,
        );
      }
    }
    if (loop) {
      const s = w.state;
      println(
        io.stderr,
        `witness ${key.name} following ${s?.origin ?? base} at ${base} every ` +
          `${intervalMs / 1000} s; ${s?.cosigned ? `last cosigned size ${s.cosigned.size}` : 'nothing cosigned yet'}`,
      );
    }
    let refusedAny = false;
    for (;;) {
      let outcome: RoundOutcome | 'error';
      try {
        outcome = await round(w);
      } catch (error) {
        if (!(error instanceof RoundError)) throw error;
        if (controller.signal.aborted) break;
        println(io.stderr, `witness: ${error.message}`);
        outcome = 'error';
      }
      if (outcome === 'refused') refusedAny = true;
      if (!loop) {
        if (outcome === 'up-to-date') {
          const c = w.state?.cosigned;
          println(
            io.stdout,
            `up to date: ${w.state?.origin} size ${c?.size} root ${c && rootText(c.rootHash)} ` +
              'is cosigned',
          );
        }
        return outcome === 'refused' ? EXIT_REFUSED : outcome === 'error' ? 1 : 0;
      }
      await sleep(intervalMs, controller.signal);
      if (controller.signal.aborted) break;
    }
    println(io.stderr, 'witness stopped');
    return refusedAny ? EXIT_REFUSED : 0;
  } finally {
    if (loop) {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
    release();
  }
}

/**
 * `armistice witness`: a party's or contributing state's witness of the evidence ledger
 * (docs/witness.md). `keygen` makes a witness key, `vkey` prints its verifier key, and the main
 * form follows a log: it cosigns each checkpoint that it can prove extends the last one it
 * cosigned, and refuses loudly (exit code 3) when it cannot.
 */
export async function witnessCommand(io: CliIo, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'keygen':
      return keygen(io, rest);
    case 'vkey':
      return printVkey(io, rest);
    case 'help':
    case '--help':
    case '-h':
      println(io.stdout, USAGE);
      return 0;
    default:
      return follow(io, args);
  }
}
