/**
 * The files of `armistice witness`: the witness key file, the per-log state written atomically,
 * the evidence of a refusal and the lock that keeps two witnesses off one state directory.
 * Formats: docs/witness.md.
 */
import {
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import {
  createEd25519Signer,
  ed25519PrivateKeyFromPkcs8,
  ed25519SeedToPkcs8Pem,
  ed25519Verify,
  sha256,
} from '../adapters/crypto/index.js';
import {
  bytesEqual,
  createCosigner,
  decodeBase64,
  encodeBase64,
  formatVerifierKey,
  isValidKeyName,
  openCheckpoint,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  verifierFromKey,
  verifierKeyOf,
} from '../core/ledger/index.js';
import type { Cosigner, NoteVerifier } from '../core/ledger/index.js';
import { CliError } from './io.js';

/** The line of a witness key file that names the witness. */
const NAME_PREFIX = 'witness-name: ';
const PEM_BEGIN = '-----BEGIN PRIVATE KEY-----';
const PEM_END = '-----END PRIVATE KEY-----';
/** Largest key or state file read, bytes (a state holds one checkpoint note, under 1 MiB). */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** Format tag of the state file. */
export const STATE_FORMAT = 'armistice-witness-state/v1';
/** Format tag of an evidence file. */
export const EVIDENCE_FORMAT = 'armistice-witness-evidence/v1';
/** The state file's name in the state directory. */
export const STATE_FILE = 'state.json';
/** The lock file's name in the state directory. */
export const LOCK_FILE = 'lock';

/** The cosignature verifier key (vkey, type 0x04) of a witness name and public key. */
export function witnessVerifierKey(name: string, publicKey: Uint8Array): string {
  return formatVerifierKey(verifierKeyOf(sha256, name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey));
}

/**
 * The text of a witness key file: comment lines, the witness name, then the Ed25519 private
 * key as PKCS #8 PEM. OpenSSL reads it as it is (it skips the text before the PEM block).
 */
export function formatWitnessKeyFile(name: string, seed: Uint8Array, vkey: string): string {
  return (
    '# Armistice witness key. Keep this file secret: whoever holds it can cosign as this witness.\n' +
    `# Verifier key (public, for the mission): ${vkey}\n` +
    `${NAME_PREFIX}${name}\n` +
    ed25519SeedToPkcs8Pem(seed)
  );
}

/** A witness key loaded from its file. */
export interface WitnessKey {
  /** The witness (cosigner) name. */
  readonly name: string;
  /** Cosigns checkpoints as this witness. */
  readonly cosigner: Cosigner;
  /** Verifies this witness's own cosignatures. */
  readonly verifier: NoteVerifier;
  /** Its cosignature verifier key (vkey, type 0x04). */
  readonly vkey: string;
  /** A warning when the file is readable by other users, else undefined. */
  readonly warning?: string;
}

/** Reads the name and PEM block of a witness key file; throws a CliError naming the fault. */
export function parseWitnessKeyFile(text: string, file: string): { name: string; pem: string } {
  const lines = text.split(/\r?\n/);
  const begin = lines.indexOf(PEM_BEGIN);
  const end = lines.indexOf(PEM_END);
  if (begin < 0 || end < begin) {
    throw new CliError(`${file}: not a witness key file: no '${PEM_BEGIN}' block`, 1);
  }
  const names: string[] = [];
  for (const line of lines.slice(0, begin)) {
    if (line.startsWith(NAME_PREFIX)) names.push(line.slice(NAME_PREFIX.length).trim());
    else if (line.trim() !== '' && !line.startsWith('#')) {
      throw new CliError(`${file}: unexpected line before the key: ${JSON.stringify(line)}`, 1);
    }
  }
  const name = names[0];
  if (names.length !== 1 || name === undefined) {
    throw new CliError(`${file}: needs exactly one '${NAME_PREFIX}<name>' line`, 1);
  }
  if (!isValidKeyName(name)) {
    throw new CliError(`${file}: invalid witness name ${JSON.stringify(name)}`, 1);
  }
  if (lines.slice(end + 1).some((l) => l.trim() !== '')) {
    throw new CliError(`${file}: unexpected text after the key`, 1);
  }
  return { name, pem: `${lines.slice(begin, end + 1).join('\n')}\n` };
}

/** Loads a witness key file; throws a CliError (exit 1) if it cannot. */
export function loadWitnessKey(file: string): WitnessKey {
  let text: string;
  let mode: number;
  try {
    const st = statSync(file);
    if (st.size > MAX_FILE_BYTES) throw new CliError(`${file}: too large for a key file`, 1);
    mode = st.mode;
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read the witness key '${file}': ${(error as Error).message}`, 1);
  }
  const { name, pem } = parseWitnessKeyFile(text, file);
  let signer;
  try {
    signer = createEd25519Signer(ed25519PrivateKeyFromPkcs8(pem));
  } catch (error) {
    throw new CliError(`${file}: not an Ed25519 private key: ${(error as Error).message}`, 1);
  }
  const cosigner = createCosigner(sha256, name, signer);
  const vkey = witnessVerifierKey(name, signer.publicKey);
  const parsed = parseVerifierKey(sha256, vkey);
  if (!parsed.ok) throw new CliError(`${file}: ${parsed.message}`, 1);
  const open = process.platform !== 'win32' && (mode & 0o077) !== 0;
  return {
    name,
    cosigner,
    verifier: verifierFromKey(sha256, parsed.value, ed25519Verify),
    vkey,
    ...(open && {
      warning:
        `warning: the witness key ${file} is readable by other users ` +
        `(mode ${(mode & 0o777).toString(8).padStart(4, '0')}); run: chmod 600 ${file}`,
    }),
  };
}

/** The last checkpoint a witness cosigned, as stored. */
export interface CosignedCheckpoint {
  /** Tree size. */
  readonly size: number;
  /** Root hash, 32 bytes. */
  readonly rootHash: Uint8Array;
  /** The cosignature timestamp, POSIX seconds. */
  readonly time: number;
  /** The checkpoint as the log signed it: note text and the log's signature lines. */
  readonly checkpoint: string;
}

/** What a witness keeps about the one log it follows from a state directory. */
export interface WitnessState {
  /** The log's URL when the state was created or last written. */
  readonly log: string;
  /** The checkpoint origin. */
  readonly origin: string;
  /** The pinned log verifier keys (vkeys of type 0x01). */
  readonly logKeys: readonly string[];
  /** How the keys were pinned: `--log-key` or `trust on first use: <keys URL>`. */
  readonly pinnedFrom: string;
  /** When the keys were pinned, RFC 3339. */
  readonly pinnedAt: string;
  /** The witness's vkey when the state was last written (informative). */
  readonly witness: string;
  /** The last checkpoint cosigned, or null before the first. */
  readonly cosigned: CosignedCheckpoint | null;
}

/** Parses log vkeys into note verifiers; returns an error message for a bad one. */
export function logVerifiers(vkeys: readonly string[]): NoteVerifier[] | string {
  const out: NoteVerifier[] = [];
  for (const vkey of vkeys) {
    const k = parseVerifierKey(sha256, vkey);
    if (!k.ok) return `log key ${JSON.stringify(vkey)}: ${k.message}`;
    if (k.value.type !== SIGNATURE_TYPE_ED25519) {
      return `log key ${JSON.stringify(vkey)} is not an Ed25519 note key (type 0x01)`;
    }
    out.push(verifierFromKey(sha256, k.value, ed25519Verify));
  }
  return out;
}

/** Whether `value` is a string, for reading JSON. */
const isString = (value: unknown): value is string => typeof value === 'string';

/** Checks a parsed state file; returns the state or what is wrong with it. */
export function checkWitnessState(json: unknown): WitnessState | string {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'not a JSON object';
  const s = json as Record<string, unknown>;
  if (s.format !== STATE_FORMAT) return `format is not "${STATE_FORMAT}"`;
  for (const field of ['log', 'origin', 'pinnedFrom', 'pinnedAt', 'witness']) {
    if (!isString(s[field]) || s[field] === '') return `"${field}" is not a non-empty string`;
  }
  const logKeys = s.logKeys;
  if (!Array.isArray(logKeys) || logKeys.length === 0 || !logKeys.every(isString)) {
    return '"logKeys" is not a non-empty list of verifier keys';
  }
  const verifiers = logVerifiers(logKeys);
  if (typeof verifiers === 'string') return verifiers;
  const origin = s.origin as string;
  const base = {
    log: s.log as string,
    origin,
    logKeys,
    pinnedFrom: s.pinnedFrom as string,
    pinnedAt: s.pinnedAt as string,
    witness: s.witness as string,
  };
  if (s.cosigned === null) return { ...base, cosigned: null };
  if (typeof s.cosigned !== 'object' || s.cosigned === undefined || Array.isArray(s.cosigned)) {
    return '"cosigned" is neither null nor an object';
  }
  const c = s.cosigned as Record<string, unknown>;
  const size = c.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    return '"cosigned.size" is not a tree size';
  }
  const rootHash = isString(c.rootHash) ? decodeBase64(c.rootHash) : undefined;
  if (!rootHash || rootHash.length !== 32) {
    return '"cosigned.rootHash" is not the base64 of 32 bytes';
  }
  const time = c.time;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
    return '"cosigned.time" is not a POSIX time in seconds';
  }
  if (!isString(c.checkpoint)) return '"cosigned.checkpoint" is not a signed checkpoint';
  // The cosigned checkpoint must be the log's own signed statement of this size and root, so
  // that an edited size or root hash shows.
  const cp = openCheckpoint(c.checkpoint, origin, verifiers);
  if (!cp.ok) return `"cosigned.checkpoint" does not verify with the pinned key: ${cp.message}`;
  if (cp.value.checkpoint.size !== size || !bytesEqual(cp.value.checkpoint.rootHash, rootHash)) {
    return '"cosigned.size" and "cosigned.rootHash" are not those of "cosigned.checkpoint"';
  }
  return { ...base, cosigned: { size, rootHash, time, checkpoint: c.checkpoint } };
}

/** The state file of a state directory. */
export function stateFile(dir: string): string {
  return path.join(dir, STATE_FILE);
}

/**
 * Reads the state of a state directory: null if there is none yet. A state that cannot be read
 * or that fails a check is a CliError (exit 1): the witness never runs on a damaged state.
 */
export function readWitnessState(dir: string): WitnessState | null {
  const file = stateFile(dir);
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw new Error('the file is too large');
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read the witness state ${file}: ${(error as Error).message}`, 1);
  }
  let json: unknown;
  let checked: WitnessState | string;
  try {
    json = JSON.parse(text);
    checked = checkWitnessState(json);
  } catch (error) {
    checked = `not JSON: ${(error as Error).message}`;
  }
  if (typeof checked === 'string') {
    throw new CliError(
      `WITNESS STATE DAMAGED: ${file}: ${checked}.\n` +
        'The file was changed outside the witness, or is corrupt. The witness will not run on ' +
        'it. Restore it from a backup, or find out who changed it. Do not delete it to start ' +
        'over: a witness that forgets what it cosigned can be led to cosign a rewritten log ' +
        '(see docs/witness.md).',
      1,
    );
  }
  return checked;
}

/** The JSON of a state. */
function stateJson(state: WitnessState): string {
  const { cosigned } = state;
  const json = {
    format: STATE_FORMAT,
    log: state.log,
    origin: state.origin,
    logKeys: state.logKeys,
    pinnedFrom: state.pinnedFrom,
    pinnedAt: state.pinnedAt,
    witness: state.witness,
    cosigned: cosigned && {
      size: cosigned.size,
      rootHash: encodeBase64(cosigned.rootHash),
      time: cosigned.time,
      checkpoint: cosigned.checkpoint,
    },
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not every platform can open or sync a directory (Windows); the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `text` to `file` atomically: a temporary file, fsync, rename, fsync of the directory. */
export function writeFileAtomic(file: string, text: string, mode = 0o600): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(tmp, file);
  fsyncDirectory(path.dirname(file));
}

/** Writes the state of a state directory atomically. */
export function writeWitnessState(dir: string, state: WitnessState): void {
  writeFileAtomic(stateFile(dir), stateJson(state));
}

/**
 * Writes an evidence file to `<dir>/evidence/<time>.json` (never overwriting one) and returns
 * its path.
 */
export function writeEvidence(dir: string, nowMs: number, evidence: object): string {
  const evidenceDir = path.join(dir, 'evidence');
  mkdirSync(evidenceDir, { recursive: true, mode: 0o700 });
  const stamp = new Date(nowMs).toISOString().replace(/:/g, '-');
  const text = `${JSON.stringify({ format: EVIDENCE_FORMAT, ...evidence }, null, 2)}\n`;
  for (let n = 0; ; n++) {
    const file = path.join(evidenceDir, `${stamp}${n === 0 ? '' : `-${n}`}.json`);
    let fd: number;
    try {
      fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    fsyncDirectory(evidenceDir);
    return file;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of a state directory, so that two witnesses cannot advance one state (which
 * could make them cosign two forks of a log). A lock left by a process that no longer runs is
 * taken over. Returns the function that releases it.
 */
export function lockStateDirectory(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CliError(`cannot lock ${dir}: ${(error as Error).message}`, 1);
      }
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(file, 'utf8').trim());
    } catch {
      // Removed meanwhile: try again.
    }
    if (Number.isSafeInteger(pid) && pid > 0 && processAlive(pid)) {
      throw new CliError(
        `another witness (process ${pid}) is using ${dir}; run one witness per state directory`,
        1,
      );
    }
    rmSync(file, { force: true });
  }
  throw new CliError(`cannot lock ${dir}: ${file} keeps reappearing`, 1);
}
