import { decodeBase64, encodeBase64 } from './base64.js';
import { HASH_SIZE } from './merkle-hasher.js';
import { decodeNoteText, MAX_NOTE_BYTES, openNote, parseError } from './signed-note.js';
import type { Note, NoteVerification, NoteVerifier, Parsed } from './signed-note.js';

/** A log checkpoint (c2sp.org/tlog-checkpoint): the signed head of the ledger. */
export interface Checkpoint {
  /** The log's origin line, e.g. `armistice.example/ledger`. */
  origin: string;
  /** Number of leaves. */
  size: number;
  /** RFC 6962 root hash of the tree at `size`: 32 bytes. */
  rootHash: Uint8Array;
  /** Optional extension lines, each non-empty; not recommended by the spec. */
  extensions: string[];
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * The note text of a checkpoint: origin, decimal size, base64 root hash, then any extension
 * lines, each ending in a newline. Throws a RangeError for a checkpoint that cannot be
 * written (empty origin, size not an integer, root hash not 32 bytes, empty extension line).
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions } = checkpoint;
  if (origin === '' || origin.includes('\n'))
    throw new RangeError('origin must be one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad tree size ${size}`);
  if (rootHash.length !== HASH_SIZE) throw new RangeError('root hash must be 32 bytes');
  for (const line of extensions) {
    if (line === '' || line.includes('\n')) {
      throw new RangeError('extension lines must be non-empty single lines');
    }
  }
  const text = [origin, String(size), encodeBase64(rootHash), ...extensions].join('\n') + '\n';
  const checked = decodeNoteText(text, MAX_NOTE_BYTES);
  if (!checked.ok) throw new RangeError(checked.message);
  return text;
}

/**
 * Parses checkpoint note text (c2sp.org/tlog-checkpoint): at least three non-empty lines,
 * the origin, the tree size in decimal without leading zeros, and the base64 of a 32-byte
 * root hash, then optional non-empty extension lines. Never throws.
 */
export function parseCheckpoint(text: string): Parsed<Checkpoint> {
  const decoded = decodeNoteText(text, MAX_NOTE_BYTES);
  if (!decoded.ok) return decoded;
  if (!text.endsWith('\n'))
    return parseError('MALFORMED_CHECKPOINT', 'checkpoint does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    return parseError(
      'MALFORMED_CHECKPOINT',
      `checkpoint has ${lines.length} lines, needs at least 3`,
    );
  }
  const empty = lines.findIndex((l) => l === '');
  if (empty >= 0)
    return parseError('MALFORMED_CHECKPOINT', `checkpoint line ${empty + 1} is empty`);
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!DECIMAL.test(sizeText)) {
    return parseError(
      'MALFORMED_CHECKPOINT',
      'tree size is not a decimal number without leading zeros',
    );
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) {
    return parseError('MALFORMED_CHECKPOINT', `tree size ${sizeText} is beyond 2^53 - 1`);
  }
  const rootHash = decodeBase64(rootText);
  if (!rootHash || rootHash.length !== HASH_SIZE) {
    return parseError('MALFORMED_CHECKPOINT', 'root hash is not the base64 of 32 bytes');
  }
  return { ok: true, value: { origin, size, rootHash, extensions: lines.slice(3) } };
}

/** A checkpoint read from a signed note whose signatures were verified. */
export interface OpenedCheckpoint {
  /** The checkpoint. */
  checkpoint: Checkpoint;
  /** The note it was read from, with its verified and unknown signatures. */
  note: Note & NoteVerification;
}

/**
 * Parses a signed checkpoint note, verifies it against the log's keys and checks its origin:
 * what a witness or an offline verifier does before trusting a checkpoint.
 */
export function openCheckpoint(
  input: string | Uint8Array,
  origin: string,
  verifiers: readonly NoteVerifier[],
): Parsed<OpenedCheckpoint> {
  const note = openNote(input, verifiers);
  if (!note.ok) return note;
  const checkpoint = parseCheckpoint(note.value.text);
  if (!checkpoint.ok) return checkpoint;
  if (checkpoint.value.origin !== origin) {
    return parseError(
      'WRONG_ORIGIN',
      `checkpoint origin ${JSON.stringify(checkpoint.value.origin)} is not ` +
        JSON.stringify(origin),
    );
  }
  return { ok: true, value: { checkpoint: checkpoint.value, note: note.value } };
}
