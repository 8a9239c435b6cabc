import { decodeBase64, encodeBase64 } from './base64.js';
import { parseCheckpoint } from './checkpoint.js';
import type { Checkpoint } from './checkpoint.js';
import { bytesEqual, HASH_SIZE } from './merkle-hasher.js';
import type { MerkleHasher } from './merkle-hasher.js';
import {
  decodeNoteText,
  MAX_NOTE_BYTES,
  parseError,
  parseNote,
  verifyNote,
} from './signed-note.js';
import type { NoteVerifier, Parsed } from './signed-note.js';
import { verifyConsistency } from './verify-proofs.js';
import type { ProofCheck } from './verify-proofs.js';

/** c2sp.org/tlog-witness: "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_WITNESS_PROOF_LINES = 63;

/** What a witness remembers of one log: the latest checkpoint it cosigned. */
export interface WitnessLogState {
  /** Tree size of the latest cosigned checkpoint. */
  size: number;
  /** Root hash of the latest cosigned checkpoint. */
  rootHash: Uint8Array;
}

/** A log the witness follows: its origin line and the keys that sign its checkpoints. */
export interface WitnessedLog {
  /** The checkpoint origin line. */
  origin: string;
  /** Verifiers of the log's checkpoint signatures. */
  verifiers: readonly NoteVerifier[];
}

/** An add-checkpoint request (c2sp.org/tlog-witness): a checkpoint and a proof from `oldSize`. */
export interface AddCheckpointRequest {
  /** Size of the checkpoint the proof starts from: the witness's latest, or 0. */
  oldSize: number;
  /** Consistency proof from `oldSize` to the new checkpoint's size. */
  proof: Uint8Array[];
  /** The new checkpoint as a signed note. */
  checkpoint: string;
}

/**
 * Why a witness refuses to cosign. The tlog-witness HTTP status for each is in brackets:
 * MALFORMED [400], UNKNOWN_ORIGIN [404], BAD_LOG_SIGNATURE [403], SIZE_BACKWARDS [400],
 * OLD_SIZE_MISMATCH [409], BAD_EMPTY_ROOT, PROOF_NOT_EMPTY, ROOT_CHANGED, INCONSISTENT [422].
 */
export type WitnessRefusalCode =
  | 'MALFORMED'
  | 'UNKNOWN_ORIGIN'
  | 'BAD_LOG_SIGNATURE'
  | 'SIZE_BACKWARDS'
  | 'OLD_SIZE_MISMATCH'
  | 'BAD_EMPTY_ROOT'
  | 'PROOF_NOT_EMPTY'
  | 'ROOT_CHANGED'
  | 'INCONSISTENT';

/** A witness's decision on an add-checkpoint request. */
export type WitnessDecision =
  | {
      decision: 'cosign';
      /** The checkpoint to cosign. */
      checkpoint: Checkpoint;
      /** The note text to cosign (`Cosigner.cosign`). */
      text: string;
      /** The state to store, atomically with the check, before returning the cosignature. */
      next: WitnessLogState;
    }
  | {
      decision: 'refuse';
      code: WitnessRefusalCode;
      message: string;
      /** For OLD_SIZE_MISMATCH: the size the witness has, to send back to the log. */
      latestSize?: number;
      /** For INCONSISTENT: which proof step failed. */
      proof?: ProofCheck;
    };

function refuse(
  code: WitnessRefusalCode,
  message: string,
  extra: { latestSize?: number; proof?: ProofCheck } = {},
): WitnessDecision {
  return { decision: 'refuse', code, message, ...extra };
}

/**
 * Decides whether a witness cosigns a new checkpoint, in the order of c2sp.org/tlog-witness
 * add-checkpoint: the note must parse and be for a known origin, carry a valid signature by
 * one of the log's keys, start from the size the witness last cosigned (`stored`, or 0 if
 * none) and not go backwards, have the empty-tree root at size 0, and be proved consistent
 * with what the witness cosigned before (the same root at the same size). Pure: the caller
 * cosigns and stores `next` atomically.
 */
export function decideCosign(
  hasher: MerkleHasher,
  logs: readonly WitnessedLog[],
  stored: WitnessLogState | null,
  request: AddCheckpointRequest,
): WitnessDecision {
  const note = parseNote(request.checkpoint);
  if (!note.ok) return refuse('MALFORMED', `checkpoint note: ${note.message}`);
  const parsed = parseCheckpoint(note.value.text);
  if (!parsed.ok) return refuse('MALFORMED', `checkpoint: ${parsed.message}`);
  const checkpoint = parsed.value;
  const log = logs.find((l) => l.origin === checkpoint.origin);
  if (!log)
    return refuse('UNKNOWN_ORIGIN', `unknown log origin ${JSON.stringify(checkpoint.origin)}`);
  const signed = verifyNote(note.value, log.verifiers);
  if (!signed.ok) return refuse('BAD_LOG_SIGNATURE', signed.message);

  const { oldSize, proof } = request;
  const have = stored ?? { size: 0, rootHash: hasher.emptyRoot };
  if (!Number.isSafeInteger(oldSize) || oldSize < 0)
    return refuse('MALFORMED', `bad old size ${oldSize}`);
  if (oldSize > checkpoint.size) {
    return refuse(
      'SIZE_BACKWARDS',
      `checkpoint size ${checkpoint.size} is smaller than the old size ${oldSize}`,
    );
  }
  if (oldSize !== have.size) {
    return refuse(
      'OLD_SIZE_MISMATCH',
      `old size ${oldSize} is not the size ${have.size} this witness last cosigned`,
      { latestSize: have.size },
    );
  }
  // "A checkpoint of size zero MUST have the root hash of the empty tree".
  if (checkpoint.size === 0 && !bytesEqual(checkpoint.rootHash, hasher.emptyRoot)) {
    return refuse('BAD_EMPTY_ROOT', 'a checkpoint of size 0 must have the empty-tree root hash');
  }
  const next = { size: checkpoint.size, rootHash: checkpoint.rootHash };
  const cosign: WitnessDecision = { decision: 'cosign', checkpoint, text: note.value.text, next };
  if (oldSize === 0) {
    // "the empty tree is consistent with any tree, so no proof is necessary".
    if (proof.length > 0) return refuse('PROOF_NOT_EMPTY', 'the proof from size 0 must be empty');
    return cosign;
  }
  if (oldSize === checkpoint.size) {
    if (proof.length > 0)
      return refuse('PROOF_NOT_EMPTY', 'the proof between equal sizes must be empty');
    if (!bytesEqual(have.rootHash, checkpoint.rootHash)) {
      return refuse(
        'ROOT_CHANGED',
        `the log signed a different root at size ${oldSize} than the one this witness cosigned`,
      );
    }
    return cosign;
  }
  const check = verifyConsistency(
    hasher,
    oldSize,
    checkpoint.size,
    proof,
    have.rootHash,
    checkpoint.rootHash,
  );
  if (!check.ok) {
    return refuse(
      'INCONSISTENT',
      `checkpoint of size ${checkpoint.size} is not consistent with cosigned size ${oldSize}: ` +
        `${check.step}: ${check.message}`,
      { proof: check },
    );
  }
  return cosign;
}

/** Formats an add-checkpoint body: `old <size>`, proof lines, a blank line, the checkpoint. */
export function formatAddCheckpointRequest(request: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(request.oldSize) || request.oldSize < 0) {
    throw new RangeError(`bad old size ${request.oldSize}`);
  }
  if (request.proof.length > MAX_WITNESS_PROOF_LINES) throw new RangeError('proof is too long');
  const proof = request.proof.map((h) => `${encodeBase64(h)}\n`).join('');
  return `old ${request.oldSize}\n${proof}\n${request.checkpoint}`;
}

/**
 * Parses an add-checkpoint request body (c2sp.org/tlog-witness). The checkpoint note itself is
 * returned as text, to be checked by `decideCosign`. Never throws.
 */
export function parseAddCheckpointRequest(body: string | Uint8Array): Parsed<AddCheckpointRequest> {
  const maxBytes = MAX_NOTE_BYTES + 64 * (MAX_WITNESS_PROOF_LINES + 1);
  const decoded = decodeNoteText(body, maxBytes);
  if (!decoded.ok) return decoded;
  const text = decoded.value;
  const blank = text.indexOf('\n\n');
  if (blank < 0)
    return parseError('MALFORMED_REQUEST', 'request has no blank line before the checkpoint');
  const lines = text.slice(0, blank).split('\n');
  const match = /^old (0|[1-9][0-9]*)$/.exec(lines[0] as string);
  const oldSize = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(oldSize)) {
    return parseError('MALFORMED_REQUEST', 'first line is not "old <size>"');
  }
  if (lines.length - 1 > MAX_WITNESS_PROOF_LINES) {
    return parseError('MALFORMED_REQUEST', `more than ${MAX_WITNESS_PROOF_LINES} proof lines`);
  }
  const proof: Uint8Array[] = [];
  for (let i = 1; i < lines.length; i++) {
    const h = decodeBase64(lines[i] as string);
    if (!h || h.length !== HASH_SIZE) {
      return parseError('MALFORMED_REQUEST', `proof line ${i} is not the base64 of a 32-byte hash`);
    }
    proof.push(h);
  }
  return { ok: true, value: { oldSize, proof, checkpoint: text.slice(blank + 2) } };
}
