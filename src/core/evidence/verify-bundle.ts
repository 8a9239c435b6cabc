import {
  HASH_SIZE,
  LEDGER_LEAF_KINDS,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  cosignatureTimestamp,
  createMerkleHasher,
  decodeBase64,
  encodeBase64,
  encodeLeaf,
  formatKeyId,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  verifierFromKey,
  verifyInclusion,
} from '../ledger/index.js';
import type {
  Checkpoint,
  Ed25519Verify,
  JsonObject,
  LedgerLeafKind,
  NoteSignature,
  NoteVerifier,
  ProofErrorCode,
  Sha256,
  VerifierKey,
} from '../ledger/index.js';
import { parseRfc3339 } from '../observations/index.js';
import {
  EVIDENCE_BUNDLE_FORMAT,
  MAX_BUNDLE_KEYS,
  MAX_BUNDLE_LEAVES,
  MAX_BUNDLE_RECORDS,
  MAX_PROOF_HASHES,
} from './bundle.js';
import { incidentRef, observationRef } from './leaf-records.js';
import type { TrustedKeys } from './trusted-keys.js';

/** Why a bundle failed to verify; `docs/evidence-bundles.md` lists when each is given. */
export type EvidenceFailureCode =
  /** A field is missing, of the wrong type or beyond a size limit. */
  | 'MALFORMED_BUNDLE'
  /** `format` is not `armistice-evidence-bundle/1`. */
  | 'UNSUPPORTED_FORMAT'
  /** A verifier key (in the bundle or trusted) does not parse or is of the wrong type. */
  | 'BAD_KEY'
  /** The checkpoint note or the checkpoint in it does not parse. */
  | 'MALFORMED_CHECKPOINT'
  /** The checkpoint's origin is not the bundle's origin. */
  | 'WRONG_ORIGIN'
  /** A checkpoint signature by a log key does not verify. */
  | 'BAD_LOG_SIGNATURE'
  /** No signature line of the checkpoint is by a (trusted) log key. */
  | 'NO_LOG_SIGNATURE'
  /** A cosignature by a known witness key does not verify. */
  | 'BAD_COSIGNATURE'
  /** Fewer distinct witnesses cosigned validly than the quorum. */
  | 'QUORUM_NOT_MET'
  /** A leaf's record cannot be a ledger leaf (not canonical JSON, missing fields). */
  | 'BAD_LEAF'
  /** Two leaves of the bundle have the same index. */
  | 'DUPLICATE_LEAF'
  /** A leaf's inclusion proof does not lead to the checkpoint's root. */
  | 'INCLUSION_FAILED'
  /** A leaf's `ref` does not name the record it holds. */
  | 'REF_MISMATCH'
  /** A source has no observation leaf. */
  | 'MISSING_SOURCE_LEAF'
  /** A source disagrees with its observation leaf. */
  | 'SOURCE_MISMATCH'
  /** A transition of the incident has no incident-transition leaf. */
  | 'MISSING_TRANSITION_LEAF'
  /** The incident's status is not where its transitions lead. */
  | 'STATUS_MISMATCH'
  /** A leaf is neither a source's observation nor one of the incident's transitions. */
  | 'UNREFERENCED_LEAF'
  /** The verifier itself failed (a bug): the bundle is not verified. */
  | 'INTERNAL';

/** One reason a bundle is not verified. */
export interface EvidenceFailure {
  /** What kind of failure. */
  code: EvidenceFailureCode;
  /** Where in the bundle: a JSON pointer (`/leaves/3`, `/checkpoint`), or `trusted.log[0]`. */
  where: string;
  /** What failed, for a person: names the leaf, proof step, signature or field. */
  message: string;
  /** The leaf concerned, if any. */
  leaf?: { index: number; ref: string };
  /** For INCLUSION_FAILED: the RFC 9162 step that failed, and its ProofCheck code. */
  proof?: { step: string; code: ProofErrorCode };
  /** For signature failures: the key name and ID (8 hex digits) of the signature line. */
  signer?: { name: string; keyId: string };
}

/** A witness whose cosignature of the checkpoint verified. */
export interface EvidenceWitness {
  /** Key name. */
  name: string;
  /** Key ID, 8 hex digits. */
  keyId: string;
  /** When it cosigned (the cosignature timestamp), RFC 3339, or null if out of range. */
  cosignedAt: string | null;
}

/** What a bundle shows; fields are null when the bundle did not say (or said nonsense). */
export interface EvidenceSummary {
  /** Incident id. */
  incidentId: string | null;
  /** Incident status. */
  incidentStatus: string | null;
  /** The log's origin, from the checkpoint. */
  origin: string | null;
  /** Tree size of the checkpoint. */
  checkpointSize: number | null;
  /** Root hash of the checkpoint, base64. */
  rootHash: string | null;
  /** Log keys whose checkpoint signature verified: `name (key ID)`. */
  logSigners: string[];
  /** Known witnesses whose cosignature verified. */
  witnesses: EvidenceWitness[];
  /** The witness quorum applied. */
  quorum: number | null;
  /** Whose keys were used: the caller's trusted keys, or the bundle's own. */
  keysFrom: 'trusted' | 'bundle';
  /** Leaves in the bundle. */
  leaves: number;
  /** Leaves whose inclusion proof verified against the checkpoint. */
  leavesVerified: number;
  /** Sources in the bundle. */
  sources: number;
  /** Sources the incident has (`incident.sourceCount`), released or not. */
  sourceCount: number | null;
  /** Transitions of the incident. */
  transitions: number;
}

/** The outcome of verifying a bundle: `ok` exactly when `failures` is empty. */
export interface EvidenceVerification {
  /** Whether every check passed. */
  ok: boolean;
  /** What the bundle shows (partial when it is malformed). */
  summary: EvidenceSummary;
  /** Every check that failed, in the order checked. */
  failures: EvidenceFailure[];
  /** What the result does not prove (e.g. the keys came from the bundle), for a person. */
  warnings: string[];
}

/** The cryptography `verifyEvidenceBundle` needs (`src/adapters/crypto` provides both). */
export interface EvidenceVerifyDeps {
  /** SHA-256. */
  sha256: Sha256;
  /** Ed25519 verification; returns false, never throws, on malformed input. */
  ed25519Verify: Ed25519Verify;
}

type Obj = Record<string, unknown>;

interface Report {
  failures: EvidenceFailure[];
  warnings: string[];
  summary: EvidenceSummary;
}

interface TransitionIn {
  from: string;
  to: string;
  actor: string;
  at: string;
  reason: string;
}

interface IncidentIn {
  id: string;
  status: string | null;
  transitions: (TransitionIn | null)[] | null;
}

interface SourceIn {
  pos: number;
  sensorId: string;
  observationId: string;
  observedAtMs: number;
}

interface LeafIn {
  pos: number;
  index: number;
  kind: LedgerLeafKind;
  ref: string;
  record: JsonObject;
  proof: Uint8Array[] | null;
}

interface KeySet {
  log: VerifierKey[];
  witnesses: VerifierKey[];
}

/** Longest id, ref or origin string read from a bundle. */
const MAX_NAME_CHARS = 1024;
const BASE64_HASH_CHARS = 44;
/** Largest time Date accepts, in seconds. */
const MAX_DATE_SEC = 8.64e12;

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isName = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME_CHARS;

/**
 * A string from the bundle, safe to print: short, and quoted with escapes if it holds anything
 * but visible ASCII (control characters, bidirectional overrides, spaces...).
 */
function show(s: string): string {
  const t = s.length > 200 ? `${s.slice(0, 200)}...` : s;
  if (/^[\x21-\x7e]+$/.test(t)) return t;
  return JSON.stringify(t).replace(
    /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const keyLabel = (name: string, keyId: number) => `${show(name)} (key ID ${formatKeyId(keyId)})`;
const leafLabel = (l: { index: number; ref: string }) => `leaf ${l.index} (${show(l.ref)})`;
const words = (code: string) => code.toLowerCase().replace(/_/g, ' ');

function fail(
  r: Report,
  code: EvidenceFailureCode,
  where: string,
  message: string,
  extra: Partial<Pick<EvidenceFailure, 'leaf' | 'proof' | 'signer'>> = {},
): void {
  r.failures.push({ code, where, message, ...extra });
}

function malformed(r: Report, where: string, message: string): void {
  fail(r, 'MALFORMED_BUNDLE', where, message);
}

function readTransition(r: Report, raw: unknown, where: string): TransitionIn | null {
  if (!isObj(raw)) {
    malformed(r, where, `${where} is not an object`);
    return null;
  }
  for (const field of ['from', 'to', 'actor', 'at', 'reason'] as const) {
    if (typeof raw[field] !== 'string') {
      malformed(r, `${where}/${field}`, `${where}/${field} is not a string`);
      return null;
    }
  }
  return raw as unknown as TransitionIn;
}

function readIncident(r: Report, raw: unknown): IncidentIn | null {
  if (!isObj(raw)) {
    malformed(r, '/incident', 'incident is not an object');
    return null;
  }
  if (!isName(raw.id)) {
    malformed(r, '/incident/id', 'incident id is not a non-empty string');
    return null;
  }
  r.summary.incidentId = raw.id;
  let status: string | null = null;
  if (typeof raw.status === 'string') status = raw.status;
  else malformed(r, '/incident/status', 'incident status is not a string');
  r.summary.incidentStatus = status;
  if (!Number.isSafeInteger(raw.version) || (raw.version as number) < 0) {
    malformed(r, '/incident/version', 'incident version is not a whole number');
  }
  if (Number.isSafeInteger(raw.sourceCount) && (raw.sourceCount as number) >= 0) {
    r.summary.sourceCount = raw.sourceCount as number;
  } else malformed(r, '/incident/sourceCount', 'incident sourceCount is not a whole number');
  let transitions: (TransitionIn | null)[] | null = null;
  if (!Array.isArray(raw.transitions)) {
    malformed(r, '/incident/transitions', 'incident transitions is not an array');
  } else if (raw.transitions.length > MAX_BUNDLE_RECORDS) {
    malformed(
      r,
      '/incident/transitions',
      `incident has ${raw.transitions.length} transitions; the limit is ${MAX_BUNDLE_RECORDS}`,
    );
  } else {
    transitions = raw.transitions.map((t: unknown, k) =>
      readTransition(r, t, `/incident/transitions/${k}`),
    );
    r.summary.transitions = transitions.length;
  }
  return { id: raw.id, status, transitions };
}

/** The sources that can be read, or null if none can; some may be left out. */
function readSources(r: Report, raw: unknown): SourceIn[] | null {
  if (!Array.isArray(raw)) {
    malformed(r, '/sources', 'sources is not an array');
    return null;
  }
  if (raw.length > MAX_BUNDLE_RECORDS) {
    malformed(r, '/sources', `${raw.length} sources; the limit is ${MAX_BUNDLE_RECORDS}`);
    return null;
  }
  r.summary.sources = raw.length;
  const out: SourceIn[] = [];
  raw.forEach((s: unknown, pos) => {
    const where = `/sources/${pos}`;
    if (!isObj(s)) return malformed(r, where, `source ${pos} is not an object`);
    if (!isName(s.sensorId) || !isName(s.observationId)) {
      return malformed(r, where, `source ${pos} has no sensorId and observationId strings`);
    }
    const observedAtMs = typeof s.observedAt === 'string' ? parseRfc3339(s.observedAt) : NaN;
    if (Number.isNaN(observedAtMs)) {
      return malformed(r, `${where}/observedAt`, `source ${pos} observedAt is not RFC 3339`);
    }
    if (typeof s.certainty !== 'string') {
      return malformed(r, `${where}/certainty`, `source ${pos} certainty is not a string`);
    }
    out.push({ pos, sensorId: s.sensorId, observationId: s.observationId, observedAtMs });
  });
  return out;
}

function readProof(r: Report, raw: unknown, where: string, label: string): Uint8Array[] | null {
  if (!Array.isArray(raw)) {
    malformed(r, where, `${label}: proof is not an array`);
    return null;
  }
  if (raw.length > MAX_PROOF_HASHES) {
    malformed(
      r,
      where,
      `${label}: proof has ${raw.length} hashes; the limit is ${MAX_PROOF_HASHES}`,
    );
    return null;
  }
  const proof: Uint8Array[] = [];
  for (let i = 0; i < raw.length; i++) {
    const text: unknown = raw[i];
    const bytes =
      typeof text === 'string' && text.length === BASE64_HASH_CHARS
        ? decodeBase64(text)
        : undefined;
    if (bytes?.length !== HASH_SIZE) {
      malformed(r, `${where}/${i}`, `${label}: proof[${i}] is not the base64 of a 32-byte hash`);
      return null;
    }
    proof.push(bytes);
  }
  return proof;
}

/** The leaves that can be read, and whether that is all of them. */
function readLeaves(r: Report, raw: unknown): { leaves: LeafIn[]; complete: boolean } {
  if (!Array.isArray(raw)) {
    malformed(r, '/leaves', 'leaves is not an array');
    return { leaves: [], complete: false };
  }
  if (raw.length > MAX_BUNDLE_LEAVES) {
    malformed(r, '/leaves', `${raw.length} leaves; the limit is ${MAX_BUNDLE_LEAVES}`);
    return { leaves: [], complete: false };
  }
  r.summary.leaves = raw.length;
  const out: LeafIn[] = [];
  raw.forEach((l: unknown, pos) => {
    const where = `/leaves/${pos}`;
    if (!isObj(l)) return malformed(r, where, `leaves[${pos}] is not an object`);
    if (!Number.isSafeInteger(l.index) || (l.index as number) < 0) {
      return malformed(r, `${where}/index`, `leaves[${pos}]: index is not a whole number`);
    }
    const index = l.index as number;
    if (!isName(l.ref)) {
      return malformed(r, `${where}/ref`, `leaf ${index}: ref is not a non-empty string`);
    }
    const label = leafLabel({ index, ref: l.ref });
    if (!(LEDGER_LEAF_KINDS as readonly unknown[]).includes(l.kind)) {
      return malformed(r, `${where}/kind`, `${label}: kind is not a ledger leaf kind`);
    }
    if (!isObj(l.record)) {
      return malformed(r, `${where}/record`, `${label}: record is not an object`);
    }
    const proof = readProof(r, l.proof, `${where}/proof`, label);
    out.push({
      pos,
      index,
      kind: l.kind as LedgerLeafKind,
      ref: l.ref,
      record: l.record as JsonObject,
      proof,
    });
  });
  return { leaves: out, complete: out.length === raw.length };
}

function readKeyList(
  r: Report,
  sha256: Sha256,
  raw: unknown,
  list: string,
  type: number,
): VerifierKey[] {
  const where = (i: number) => (list.startsWith('/') ? `${list}/${i}` : `${list}[${i}]`);
  if (!Array.isArray(raw)) {
    malformed(r, list, `${list} is not an array`);
    return [];
  }
  if (raw.length > MAX_BUNDLE_KEYS) {
    malformed(r, list, `${list} has ${raw.length} keys; the limit is ${MAX_BUNDLE_KEYS}`);
    return [];
  }
  const keys: VerifierKey[] = [];
  raw.forEach((vkey: unknown, i) => {
    if (typeof vkey !== 'string') return malformed(r, where(i), `${where(i)} is not a string`);
    const key = parseVerifierKey(sha256, vkey);
    if (!key.ok) return fail(r, 'BAD_KEY', where(i), `${where(i)}: ${key.message}`);
    if (key.value.type !== type) {
      const what =
        type === SIGNATURE_TYPE_ED25519
          ? 'a cosignature key (type 0x04), not a log key (type 0x01)'
          : 'a log key (type 0x01), not a witness cosignature key (type 0x04)';
      return fail(r, 'BAD_KEY', where(i), `${where(i)} (${show(key.value.name)}) is ${what}`);
    }
    keys.push(key.value);
  });
  return keys;
}

function readQuorum(r: Report, raw: unknown, where: string): number | null {
  if (Number.isSafeInteger(raw) && (raw as number) >= 0 && (raw as number) <= MAX_BUNDLE_KEYS) {
    return raw as number;
  }
  malformed(r, where, `${where} is not a whole number from 0 to ${MAX_BUNDLE_KEYS}`);
  return null;
}

/** The keys to check signatures with, and the quorum: the trusted ones if given. */
function chooseKeys(
  r: Report,
  sha256: Sha256,
  raw: unknown,
  trusted: TrustedKeys | undefined,
): { keys: KeySet; quorum: number | null } {
  let bundleKeys: KeySet = { log: [], witnesses: [] };
  let bundleQuorum: number | null = null;
  if (isObj(raw)) {
    bundleKeys = {
      log: readKeyList(r, sha256, raw.log, '/keys/log', SIGNATURE_TYPE_ED25519),
      witnesses: readKeyList(
        r,
        sha256,
        raw.witnesses,
        '/keys/witnesses',
        SIGNATURE_TYPE_COSIGNATURE_V1,
      ),
    };
    bundleQuorum = readQuorum(r, raw.quorum, '/keys/quorum');
  } else malformed(r, '/keys', 'keys is not an object');
  if (trusted === undefined) {
    r.warnings.push(
      'the verifier keys come from the bundle itself: this shows the bundle is consistent, not ' +
        'that the log and witnesses you trust signed it (give trusted keys to check that)',
    );
    return { keys: bundleKeys, quorum: bundleQuorum };
  }
  r.summary.keysFrom = 'trusted';
  const keys = {
    log: readKeyList(r, sha256, trusted.log, 'trusted.log', SIGNATURE_TYPE_ED25519),
    witnesses: readKeyList(
      r,
      sha256,
      trusted.witnesses,
      'trusted.witnesses',
      SIGNATURE_TYPE_COSIGNATURE_V1,
    ),
  };
  if (trusted.quorum !== undefined) {
    return { keys, quorum: readQuorum(r, trusted.quorum, 'trusted.quorum') };
  }
  if (bundleQuorum !== null) {
    r.warnings.push(`the witness quorum (${bundleQuorum}) comes from the bundle itself`);
  }
  return { keys, quorum: bundleQuorum };
}

/** Parses the checkpoint note; checks its origin and every signature by a known key. */
function checkCheckpoint(
  r: Report,
  deps: EvidenceVerifyDeps,
  raw: unknown,
  origin: string | null,
  keys: KeySet,
  quorum: number | null,
): Checkpoint | null {
  if (typeof raw !== 'string') {
    malformed(r, '/checkpoint', 'checkpoint is not a string');
    return null;
  }
  const note = parseNote(raw);
  if (!note.ok) {
    fail(r, 'MALFORMED_CHECKPOINT', '/checkpoint', `checkpoint note: ${note.message}`);
    return null;
  }
  const parsed = parseCheckpoint(note.value.text);
  if (!parsed.ok) {
    fail(r, 'MALFORMED_CHECKPOINT', '/checkpoint', `checkpoint: ${parsed.message}`);
    return null;
  }
  const cp = parsed.value;
  r.summary.origin = cp.origin;
  r.summary.checkpointSize = cp.size;
  r.summary.rootHash = encodeBase64(cp.rootHash);
  if (origin !== null && cp.origin !== origin) {
    fail(
      r,
      'WRONG_ORIGIN',
      '/checkpoint',
      `checkpoint origin ${show(cp.origin)} is not the bundle's origin ${show(origin)}`,
    );
  }
  const verifier = (k: VerifierKey): [VerifierKey, NoteVerifier] => [
    k,
    verifierFromKey(deps.sha256, k, deps.ed25519Verify),
  ];
  const logVerifiers = keys.log.map(verifier);
  const witnessVerifiers = keys.witnesses.map(verifier);
  const text = new TextEncoder().encode(note.value.text);
  const find = (list: [VerifierKey, NoteVerifier][], sig: NoteSignature) =>
    list.find(([k]) => k.name === sig.name && k.keyId === sig.keyId)?.[1];
  let logSignatureLines = 0;
  const unknown: string[] = [];
  const cosigned = new Map<string, EvidenceWitness>();
  note.value.signatures.forEach((sig, i) => {
    const signer = { name: sig.name, keyId: formatKeyId(sig.keyId) };
    const line = `checkpoint signature line ${i + 1}`;
    const logKey = find(logVerifiers, sig);
    if (logKey) {
      logSignatureLines++;
      const label = keyLabel(sig.name, sig.keyId);
      if (logKey.verify(text, sig.signature)) {
        if (!r.summary.logSigners.includes(label)) r.summary.logSigners.push(label);
      } else {
        const message = `checkpoint signature by ${label} does not verify (${line})`;
        fail(r, 'BAD_LOG_SIGNATURE', '/checkpoint', message, { signer });
      }
      return;
    }
    const witnessKey = find(witnessVerifiers, sig);
    if (!witnessKey) {
      unknown.push(keyLabel(sig.name, sig.keyId));
      return;
    }
    if (!witnessKey.verify(text, sig.signature)) {
      const message = `cosignature by witness ${keyLabel(sig.name, sig.keyId)} does not verify (${line})`;
      fail(r, 'BAD_COSIGNATURE', '/checkpoint', message, { signer });
      return;
    }
    const t = cosignatureTimestamp(sig.signature);
    const cosignedAt =
      t !== undefined && t <= MAX_DATE_SEC ? new Date(t * 1000).toISOString() : null;
    // Distinct witnesses, by name: two keys of one witness count once.
    if (!cosigned.has(sig.name)) cosigned.set(sig.name, { ...signer, cosignedAt });
  });
  if (unknown.length > 0) {
    r.warnings.push(`ignored checkpoint signatures by unknown keys: ${unknown.join(', ')}`);
  }
  if (logSignatureLines === 0) {
    const trusted = keys.log.map((k) => keyLabel(k.name, k.keyId)).join(', ') || 'none';
    const signers = note.value.signatures.map((s) => keyLabel(s.name, s.keyId)).join(', ');
    fail(
      r,
      'NO_LOG_SIGNATURE',
      '/checkpoint',
      `the checkpoint has no signature by a ${r.summary.keysFrom === 'trusted' ? 'trusted ' : ''}` +
        `log key (log keys: ${trusted}); it is signed by ${signers}`,
    );
  }
  r.summary.witnesses = [...cosigned.values()];
  r.summary.quorum = quorum;
  if (quorum !== null && cosigned.size < quorum) {
    const names = [...cosigned.keys()].map(show).join(', ');
    fail(
      r,
      'QUORUM_NOT_MET',
      '/checkpoint',
      `${cosigned.size} known witness${cosigned.size === 1 ? '' : 'es'} cosigned the checkpoint` +
        `${names ? ` (${names})` : ''}; the quorum is ${quorum}`,
    );
  }
  return cp;
}

/** Recomputes each leaf's hash and checks its inclusion proof against the checkpoint. */
function checkLeaves(r: Report, sha256: Sha256, leaves: LeafIn[], cp: Checkpoint | null): LeafIn[] {
  const hasher = createMerkleHasher(sha256);
  const byIndex = new Map<number, LeafIn>();
  const distinct: LeafIn[] = [];
  if (cp === null && leaves.length > 0) {
    r.warnings.push('inclusion proofs were not checked: there is no readable checkpoint');
  }
  for (const leaf of leaves) {
    const where = `/leaves/${leaf.pos}`;
    const first = byIndex.get(leaf.index);
    if (first) {
      fail(
        r,
        'DUPLICATE_LEAF',
        where,
        `${leafLabel(leaf)} is listed twice (leaves[${first.pos}] and leaves[${leaf.pos}])`,
        { leaf: { index: leaf.index, ref: leaf.ref } },
      );
      continue;
    }
    byIndex.set(leaf.index, leaf);
    distinct.push(leaf);
    let bytes: Uint8Array;
    try {
      bytes = encodeLeaf({ kind: leaf.kind, record: leaf.record });
    } catch (error) {
      fail(
        r,
        'BAD_LEAF',
        `${where}/record`,
        `${leafLabel(leaf)}: ${show((error as Error).message)}`,
        {
          leaf: { index: leaf.index, ref: leaf.ref },
        },
      );
      continue;
    }
    if (cp === null || leaf.proof === null) continue;
    const check = verifyInclusion(
      hasher,
      hasher.hashLeaf(bytes),
      leaf.index,
      cp.size,
      leaf.proof,
      cp.rootHash,
    );
    if (check.ok) {
      r.summary.leavesVerified++;
      continue;
    }
    fail(
      r,
      'INCLUSION_FAILED',
      where,
      `${leafLabel(leaf)}: inclusion proof fails at ${check.step}: ${words(check.code)}: ` +
        check.message,
      {
        leaf: { index: leaf.index, ref: leaf.ref },
        proof: { step: check.step, code: check.code },
      },
    );
  }
  return distinct;
}

const transitionKey = (t: TransitionIn | JsonObject) =>
  JSON.stringify([t.from, t.to, t.actor, t.at, t.reason]);

const describeTransition = (t: TransitionIn) =>
  `${show(t.from)} -> ${show(t.to)} by ${show(t.actor)} at ${show(t.at)}`;

/** Checks that the leaves are exactly the sources' observations and the incident's transitions. */
function crossCheck(
  r: Report,
  incident: IncidentIn,
  sources: SourceIn[] | null,
  leaves: LeafIn[],
  complete: boolean,
): void {
  // A source or transition whose leaf could not be read is not missing, and a leaf whose
  // source or transition could not be read is not unreferenced: the bundle is malformed.
  const allSources = sources !== null && sources.length === r.summary.sources;
  const allTransitions = incident.transitions?.every((t) => t !== null) ?? false;
  if (!complete || !allSources || !allTransitions) {
    r.warnings.push(
      'sources and transitions were not all matched to leaves: some are malformed (see the failures)',
    );
  }
  const observations = new Map<string, LeafIn[]>();
  const transitionLeaves: LeafIn[] = [];
  const unreferenced = (leaf: LeafIn, why: string) =>
    fail(
      r,
      'UNREFERENCED_LEAF',
      `/leaves/${leaf.pos}`,
      `${leafLabel(leaf)} is not referenced by incident ${show(incident.id)}: ${why}`,
      { leaf: { index: leaf.index, ref: leaf.ref } },
    );
  const badLeaf = (leaf: LeafIn, why: string) =>
    fail(r, 'BAD_LEAF', `/leaves/${leaf.pos}/record`, `${leafLabel(leaf)}: ${why}`, {
      leaf: { index: leaf.index, ref: leaf.ref },
    });
  const refMismatch = (leaf: LeafIn, ref: string) =>
    fail(
      r,
      'REF_MISMATCH',
      `/leaves/${leaf.pos}/ref`,
      `${leafLabel(leaf)}: ref does not name its record, which is ${show(ref)}`,
      { leaf: { index: leaf.index, ref: leaf.ref } },
    );
  for (const leaf of leaves) {
    const rec = leaf.record;
    if (leaf.kind === 'observation') {
      if (!isName(rec.sensorId) || !isName(rec.id)) {
        badLeaf(leaf, 'observation record has no sensorId and id strings');
        continue;
      }
      const ref = observationRef(rec.sensorId, rec.id);
      if (leaf.ref !== ref) refMismatch(leaf, ref);
      const key = JSON.stringify([rec.sensorId, rec.id]);
      pushTo(observations, key, leaf);
    } else if (leaf.kind === 'incident-transition') {
      const fields = ['incidentId', 'from', 'to', 'actor', 'at', 'reason'];
      if (!isName(rec.incidentId) || fields.some((f) => typeof rec[f] !== 'string')) {
        badLeaf(leaf, `transition record has no ${fields.join(', ')} strings`);
        continue;
      }
      const ref = incidentRef(rec.incidentId);
      if (leaf.ref !== ref) refMismatch(leaf, ref);
      if (rec.incidentId !== incident.id) {
        unreferenced(leaf, `it records a transition of incident ${show(rec.incidentId)}`);
      } else transitionLeaves.push(leaf);
    } else {
      unreferenced(
        leaf,
        `it is a ${leaf.kind} leaf; a bundle holds only observation and incident-transition leaves`,
      );
    }
  }

  // Every source is an observation leaf, and every observation leaf a source.
  const used = new Set<LeafIn>();
  for (const s of sources ?? []) {
    const key = JSON.stringify([s.sensorId, s.observationId]);
    const matching = observations.get(key);
    const name = `${show(s.sensorId)}/${show(s.observationId)}`;
    if (!matching) {
      if (!complete) continue;
      fail(
        r,
        'MISSING_SOURCE_LEAF',
        `/sources/${s.pos}`,
        `source ${name} has no observation leaf in the bundle`,
      );
      continue;
    }
    for (const leaf of matching) {
      used.add(leaf);
      const obs = leaf.record.observation;
      const at = isObj(obs) && typeof obs.observedAt === 'string' ? obs.observedAt : null;
      const atMs = at === null ? NaN : parseRfc3339(at);
      if (atMs !== s.observedAtMs) {
        fail(
          r,
          'SOURCE_MISMATCH',
          `/sources/${s.pos}/observedAt`,
          `source ${name} was observed at ${new Date(s.observedAtMs).toISOString()}, but ` +
            `${leafLabel(leaf)} records ${at === null ? 'no observedAt' : show(at)}`,
          { leaf: { index: leaf.index, ref: leaf.ref } },
        );
      }
    }
  }
  if (allSources) {
    for (const list of observations.values()) {
      for (const leaf of list) {
        if (!used.has(leaf)) unreferenced(leaf, 'it is not the observation of any source');
      }
    }
  }

  if (incident.transitions === null) return;
  // Every transition is a leaf, and every transition leaf of the incident a transition.
  // Equal transitions match leaves in index order: lists are kept highest index first, and
  // pop() takes the lowest.
  const descending = (a: LeafIn, b: LeafIn) => b.index - a.index;
  const pending = new Map<string, LeafIn[]>();
  for (const leaf of [...transitionLeaves].sort(descending)) {
    pushTo(pending, transitionKey(leaf.record), leaf);
  }
  const missing: [number, TransitionIn][] = [];
  incident.transitions.forEach((t, k) => {
    if (t === null) return;
    if (pending.get(transitionKey(t))?.pop() === undefined) missing.push([k, t]);
  });
  // What is left over: leaves no transition matches. A transition whose from and to match a
  // left-over leaf differs from it in actor, time or reason: say which.
  const leftOver = [...pending.values()].flat().sort(descending);
  const byStatus = new Map<string, LeafIn[]>();
  for (const leaf of leftOver) {
    pushTo(byStatus, JSON.stringify([leaf.record.from, leaf.record.to]), leaf);
  }
  leftOver.reverse();
  for (const [k, t] of complete ? missing : []) {
    const near = byStatus.get(JSON.stringify([t.from, t.to]))?.pop();
    const differs = near
      ? (['actor', 'at', 'reason'] as const).filter((f) => near.record[f] !== t[f])
      : [];
    fail(
      r,
      'MISSING_TRANSITION_LEAF',
      `/incident/transitions/${k}`,
      `transition ${k} of incident ${show(incident.id)} (${describeTransition(t)}) has no ` +
        `incident-transition leaf in the bundle` +
        (near
          ? `; ${leafLabel(near)} has the same statuses but another ${differs.join(', ')}`
          : ''),
    );
  }
  if (allTransitions) {
    for (const leaf of leftOver) unreferenced(leaf, 'no transition of the incident matches it');
  }

  // The status shown is where the transitions lead, from `detected`, without a gap.
  let status = 'detected';
  let chained = true;
  incident.transitions.forEach((t, k) => {
    if (t === null) {
      chained = false;
      return;
    }
    if (chained && t.from !== status) {
      fail(
        r,
        'STATUS_MISMATCH',
        `/incident/transitions/${k}`,
        `transition ${k} of incident ${show(incident.id)} starts from ${show(t.from)}, but ` +
          `the one before ended at ${show(status)}`,
      );
    }
    status = t.to;
  });
  if (chained && incident.status !== null && incident.status !== status) {
    fail(
      r,
      'STATUS_MISMATCH',
      '/incident/status',
      `incident ${show(incident.id)} shows status ${show(incident.status)}, but its ` +
        `transitions lead to ${show(status)}`,
    );
  }
}

function emptySummary(): EvidenceSummary {
  return {
    incidentId: null,
    incidentStatus: null,
    origin: null,
    checkpointSize: null,
    rootHash: null,
    logSigners: [],
    witnesses: [],
    quorum: null,
    keysFrom: 'bundle',
    leaves: 0,
    leavesVerified: 0,
    sources: 0,
    sourceCount: null,
    transitions: 0,
  };
}

function run(r: Report, bundle: unknown, deps: EvidenceVerifyDeps, trusted?: TrustedKeys): void {
  if (!isObj(bundle)) return malformed(r, '', 'the bundle is not a JSON object');
  if (bundle.format !== EVIDENCE_BUNDLE_FORMAT) {
    if (typeof bundle.format === 'string') {
      return fail(
        r,
        'UNSUPPORTED_FORMAT',
        '/format',
        `format ${show(bundle.format)} is not ${EVIDENCE_BUNDLE_FORMAT}`,
      );
    }
    return malformed(r, '/format', `format is not ${EVIDENCE_BUNDLE_FORMAT}`);
  }
  let origin: string | null = null;
  if (isName(bundle.origin) && !bundle.origin.includes('\n')) origin = bundle.origin;
  else malformed(r, '/origin', 'origin is not a one-line string');
  if (typeof bundle.generatedAt !== 'string' || Number.isNaN(parseRfc3339(bundle.generatedAt))) {
    malformed(r, '/generatedAt', 'generatedAt is not an RFC 3339 time');
  }
  const incident = readIncident(r, bundle.incident);
  const sources = readSources(r, bundle.sources);
  const { leaves, complete } = readLeaves(r, bundle.leaves);
  const { keys, quorum } = chooseKeys(r, deps.sha256, bundle.keys, trusted);
  const cp = checkCheckpoint(r, deps, bundle.checkpoint, origin, keys, quorum);
  const distinct = checkLeaves(r, deps.sha256, leaves, cp);
  if (incident !== null) crossCheck(r, incident, sources, distinct, complete);
  if (r.summary.leaves === 0 && r.failures.length === 0) {
    r.warnings.push('the bundle holds no leaves: it proves nothing about the incident');
  }
}

/**
 * Verifies an evidence bundle offline (docs/evidence-bundles.md): its shape and size limits;
 * that the checkpoint is signed by a log key and cosigned by a quorum of distinct witnesses,
 * and that no signature by a known key fails; that every leaf, hashed again from its record,
 * is at its index in the checkpoint's tree; and that the leaves are exactly the released
 * sources' observations and the incident's transitions, which lead to its status.
 *
 * The keys are `trusted` when given (the verifier's own); otherwise the bundle's own, with a
 * warning that this proves consistency, not authorship. Never throws: every problem, with any
 * input, is a failure naming the leaf, proof step, signature or field.
 */
export function verifyEvidenceBundle(
  bundle: unknown,
  deps: EvidenceVerifyDeps,
  trusted?: TrustedKeys,
): EvidenceVerification {
  const r: Report = { failures: [], warnings: [], summary: emptySummary() };
  try {
    run(r, bundle, deps, trusted);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    fail(r, 'INTERNAL', '', `the verifier failed: ${show(message)}`);
  }
  return {
    ok: r.failures.length === 0,
    summary: r.summary,
    failures: r.failures,
    warnings: r.warnings,
  };
}
