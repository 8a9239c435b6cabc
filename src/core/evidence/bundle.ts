import type { Certainty, Severity } from '../rules/index.js';
import type { IncidentStatus } from '../incidents/index.js';
import {
  HASH_SIZE,
  LEDGER_LEAF_KINDS,
  bytesEqual,
  encodeBase64,
  encodeLeaf,
  parseCheckpoint,
  parseNote,
  parseSignatureLine,
} from '../ledger/index.js';
import type { JsonObject, LedgerLeafKind } from '../ledger/index.js';

/** The `format` of an evidence bundle this code writes and reads (docs/evidence-bundles.md). */
export const EVIDENCE_BUNDLE_FORMAT = 'armistice-evidence-bundle/1';

/** Most leaves one bundle may hold; a verifier rejects a bundle with more. */
export const MAX_BUNDLE_LEAVES = 100_000;

/** Most sources, and most incident transitions, one bundle may hold. */
export const MAX_BUNDLE_RECORDS = 100_000;

/**
 * Most hashes in one inclusion proof. A tree of fewer than 2^53 leaves needs at most 53; the
 * bound keeps a hostile bundle from making the verifier hash without end.
 */
export const MAX_PROOF_HASHES = 64;

/** Most verifier keys in each of `keys.log` and `keys.witnesses`. */
export const MAX_BUNDLE_KEYS = 100;

/** One status change of the incident, as `incidentView()` shows it. */
export interface EvidenceTransition {
  /** Status before. */
  readonly from: IncidentStatus;
  /** Status after. */
  readonly to: IncidentStatus;
  /** Who made the change. */
  readonly actor: string;
  /** When, RFC 3339 (`toISOString()`). */
  readonly at: string;
  /** Why, in words. */
  readonly reason: string;
}

/** The incident as the API shows it (`incidentView()` in src/adapters/http/views.ts). */
export interface EvidenceIncident {
  /** Incident id. */
  readonly id: string;
  /** The rule broken. */
  readonly ruleId: string;
  /** Severity of the rule. */
  readonly severity: Severity;
  /** Review status: the `to` of the last transition, or `detected`. */
  readonly status: IncidentStatus;
  /** Certain if any source is certainly a violation; possible otherwise. */
  readonly certainty: Certainty;
  /** Earliest event time of its sources, RFC 3339. */
  readonly firstObservedAt: string;
  /** Latest event time of its sources, RFC 3339. */
  readonly lastObservedAt: string;
  /** Best estimate of where it happened, or null. */
  readonly position: {
    readonly lon: number;
    readonly lat: number;
    readonly radiusM: number;
  } | null;
  /** Zones the sources matched. */
  readonly zones: readonly string[];
  /** Sectors its sources are in. */
  readonly sectors: readonly string[];
  /** Equipment classes reported by its sources. */
  readonly classes: readonly string[];
  /** Event types reported by its sources. */
  readonly eventTypes: readonly string[];
  /** Parties its sources identified. */
  readonly parties: readonly string[];
  /** Largest number of objects or events any one source reported. */
  readonly maxCount: number;
  /** Distinct sensors among its sources. */
  readonly sensorIds: readonly string[];
  /** Number of distinct sensors that saw it. */
  readonly corroboration: number;
  /** Number of source observations (the bundle may release fewer). */
  readonly sourceCount: number;
  /** Status changes, oldest first: the incident's decisions, each a ledger leaf. */
  readonly transitions: readonly EvidenceTransition[];
  /** When it was created, RFC 3339. */
  readonly createdAt: string;
  /** When it last changed, RFC 3339. */
  readonly updatedAt: string;
  /** Increases by one with every change. */
  readonly version: number;
}

/** A source observation of the incident, as `sourceView()` shows it. */
export interface EvidenceSource {
  /** Reporting sensor. */
  readonly sensorId: string;
  /** Observation id (unique per sensor). */
  readonly observationId: string;
  /** Event time, RFC 3339. */
  readonly observedAt: string;
  /** Whether this source alone is certainly a violation, or possibly. */
  readonly certainty: Certainty;
}

/** One ledger leaf in a bundle: the record, where it is in the log, and the proof of that. */
export interface EvidenceLeaf {
  /** Leaf index in the log. */
  readonly index: number;
  /** The leaf kind: `observation` or `incident-transition` in a version 1 bundle. */
  readonly kind: LedgerLeafKind;
  /** Which record: `observation:<sensorId>/<id>` or `incident:<id>`. Not hashed. */
  readonly ref: string;
  /** The leaf record; the leaf bytes are `encodeLeaf({ kind, record })`. */
  readonly record: JsonObject;
  /** RFC 9162 inclusion proof of `index` in the checkpoint's tree: base64 32-byte hashes. */
  readonly proof: readonly string[];
}

/** The verifier keys a bundle names, and how many witnesses must cosign. */
export interface EvidenceKeys {
  /** Verifier keys (vkeys, type 0x01 Ed25519) of the log: one must sign the checkpoint. */
  readonly log: readonly string[];
  /** Verifier keys (vkeys, type 0x04 cosignature/v1) of the witnesses. */
  readonly witnesses: readonly string[];
  /** Least number of distinct witnesses whose cosignature must verify. */
  readonly quorum: number;
}

/**
 * A self-contained, offline-verifiable evidence bundle of one incident
 * (`GET /api/v1/incidents/{id}/evidence`); docs/evidence-bundles.md describes each field.
 */
export interface EvidenceBundle {
  /** Always `armistice-evidence-bundle/1`. */
  readonly format: typeof EVIDENCE_BUNDLE_FORMAT;
  /** The log's origin: the first line of the checkpoint. */
  readonly origin: string;
  /** When the bundle was made, RFC 3339. Not signed. */
  readonly generatedAt: string;
  /** The incident as the API shows it. */
  readonly incident: EvidenceIncident;
  /** Its source observations as released to the requester. */
  readonly sources: readonly EvidenceSource[];
  /** The signed, cosigned checkpoint note every proof is against. */
  readonly checkpoint: string;
  /** The ledger leaves of the sources and of the incident's transitions, by index. */
  readonly leaves: readonly EvidenceLeaf[];
  /** The verifier keys (a verifier should bring its own: see `armistice verify --trusted-keys`). */
  readonly keys: EvidenceKeys;
}

/** A leaf as stored: exactly the shape of the storage port's `LedgerLeafRecord`. */
export interface EvidenceLeafData {
  /** Leaf index. */
  readonly index: number;
  /** The leaf kind as stored beside the bytes. */
  readonly kind: LedgerLeafKind;
  /** Which record it is. */
  readonly ref: string;
  /** The stored leaf bytes: the UTF-8 RFC 8785 canonical JSON of `{kind, record}`. */
  readonly data: Uint8Array;
}

/** What `assembleEvidenceBundle` puts together. */
export interface EvidenceBundleInput {
  /** The log's origin. */
  readonly origin: string;
  /** When the bundle is made, Unix ms. */
  readonly generatedAtMs: number;
  /** The incident as the API shows it (`incidentView()`). */
  readonly incident: EvidenceIncident;
  /** The sources released to the requester (`sourceView()` of each). */
  readonly sources: readonly EvidenceSource[];
  /** The signed checkpoint note with its cosignature lines (see `cosignedCheckpointNote`). */
  readonly checkpointNote: string;
  /** The leaves, any order (the bundle lists them by index). */
  readonly leaves: readonly EvidenceLeafData[];
  /** One inclusion proof per leaf, in the order of `leaves`, in the checkpoint's tree. */
  readonly proofs: readonly (readonly Uint8Array[])[];
  /** The verifier keys and quorum to name in the bundle. */
  readonly keys: EvidenceKeys;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the record out of stored leaf bytes; throws a RangeError naming the leaf if it cannot. */
function recordOf(leaf: EvidenceLeafData): JsonObject {
  const where = `leaf ${leaf.index} (${leaf.ref})`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(leaf.data));
  } catch (error) {
    throw new RangeError(`${where}: stored data is not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (!isJsonObject(parsed) || !isJsonObject(parsed.record)) {
    throw new RangeError(`${where}: stored data is not {kind, record}`);
  }
  if (parsed.kind !== leaf.kind) {
    throw new RangeError(
      `${where}: stored data is a ${String(parsed.kind)} leaf, not ${leaf.kind}`,
    );
  }
  const record = parsed.record;
  // The verifier hashes encodeLeaf({kind, record}); it must give back the stored bytes.
  let again: Uint8Array;
  try {
    again = encodeLeaf({ kind: leaf.kind, record });
  } catch (error) {
    throw new RangeError(
      `${where}: stored record is not canonical JSON: ${(error as Error).message}`,
    );
  }
  if (!bytesEqual(again, leaf.data)) {
    throw new RangeError(`${where}: stored data is not the canonical JSON of its record`);
  }
  return record;
}

/**
 * The checkpoint note with witness cosignature lines appended: what a bundle carries. `note`
 * is the note as the log signed it; each cosignature is one line `— <name> <base64>\n`.
 * Throws a RangeError if the note or a line does not parse.
 */
export function cosignedCheckpointNote(note: string, cosignatures: readonly string[]): string {
  for (const line of cosignatures) {
    const parsed = line.endsWith('\n') ? parseSignatureLine(line.slice(0, -1)) : undefined;
    if (!parsed?.ok) throw new RangeError(`not a cosignature line: ${JSON.stringify(line)}`);
  }
  const text = note + cosignatures.join('');
  const parsed = parseNote(text);
  if (!parsed.ok) throw new RangeError(`cosigned checkpoint: ${parsed.message}`);
  return text;
}

/**
 * Assembles the evidence bundle of an incident from what storage holds: it reads each leaf's
 * record out of its stored bytes, encodes the proofs in base64 and lists the leaves by index.
 * It checks what it can without hashing (that each leaf's bytes are the canonical JSON of a
 * record of its kind, that every index is in the checkpoint's tree, one proof per leaf) and
 * throws a RangeError naming the leaf when storage disagrees with itself. It does not verify
 * the bundle: `verifyEvidenceBundle` does, as any recipient would.
 */
export function assembleEvidenceBundle(input: EvidenceBundleInput): EvidenceBundle {
  const { leaves, proofs } = input;
  if (leaves.length !== proofs.length) {
    throw new RangeError(`${leaves.length} leaves but ${proofs.length} proofs`);
  }
  if (leaves.length > MAX_BUNDLE_LEAVES) {
    throw new RangeError(`${leaves.length} leaves; a bundle holds at most ${MAX_BUNDLE_LEAVES}`);
  }
  if (!Number.isFinite(input.generatedAtMs)) throw new RangeError('generatedAtMs is not a time');
  const note = parseNote(input.checkpointNote);
  if (!note.ok) throw new RangeError(`checkpoint note: ${note.message}`);
  const checkpoint = parseCheckpoint(note.value.text);
  if (!checkpoint.ok) throw new RangeError(`checkpoint: ${checkpoint.message}`);
  if (checkpoint.value.origin !== input.origin) {
    throw new RangeError(
      `checkpoint origin ${JSON.stringify(checkpoint.value.origin)} is not ${JSON.stringify(input.origin)}`,
    );
  }
  const size = checkpoint.value.size;
  const seen = new Set<number>();
  const out = leaves.map((leaf, i): EvidenceLeaf => {
    if (!Number.isSafeInteger(leaf.index) || leaf.index < 0 || leaf.index >= size) {
      throw new RangeError(`leaf ${leaf.index} (${leaf.ref}) is not in a tree of size ${size}`);
    }
    if (seen.has(leaf.index)) throw new RangeError(`leaf ${leaf.index} is listed twice`);
    seen.add(leaf.index);
    if (!(LEDGER_LEAF_KINDS as readonly string[]).includes(leaf.kind)) {
      throw new RangeError(`leaf ${leaf.index} has unknown kind ${String(leaf.kind)}`);
    }
    const proof = proofs[i] as readonly Uint8Array[];
    if (proof.length > MAX_PROOF_HASHES || proof.some((h) => h.length !== HASH_SIZE)) {
      throw new RangeError(
        `leaf ${leaf.index} (${leaf.ref}): proof is not a list of 32-byte hashes`,
      );
    }
    return {
      index: leaf.index,
      kind: leaf.kind,
      ref: leaf.ref,
      record: recordOf(leaf),
      proof: proof.map(encodeBase64),
    };
  });
  out.sort((a, b) => a.index - b.index);
  return {
    format: EVIDENCE_BUNDLE_FORMAT,
    origin: input.origin,
    generatedAt: new Date(input.generatedAtMs).toISOString(),
    incident: input.incident,
    sources: input.sources,
    checkpoint: input.checkpointNote,
    leaves: out,
    keys: {
      log: [...input.keys.log],
      witnesses: [...input.keys.witnesses],
      quorum: input.keys.quorum,
    },
  };
}
