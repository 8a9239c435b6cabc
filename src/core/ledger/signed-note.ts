import { decodeBase64, encodeBase64 } from './base64.js';
import type { Sha256 } from './merkle-hasher.js';

/**
 * Verifies an Ed25519 signature (RFC 8032). Injected, like SHA-256, because core cannot use
 * `node:crypto`; `src/adapters/crypto` provides one. Must return false, not throw, for a
 * malformed key or signature.
 */
export type Ed25519Verify = (
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
) => boolean;

/** An Ed25519 private key behind a function: its 32-byte public key and a way to sign. */
export interface Ed25519Signer {
  /** The 32-byte RFC 8032 public key. */
  readonly publicKey: Uint8Array;
  /** The 64-byte RFC 8032 signature of `message`. */
  sign(message: Uint8Array): Uint8Array;
}

/** Signature type byte of plain Ed25519 note signatures (c2sp.org/signed-note). */
export const SIGNATURE_TYPE_ED25519 = 0x01;

/** Signature type byte of timestamped Ed25519 cosignatures (c2sp.org/tlog-cosignature). */
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

/**
 * Largest signed note accepted, in bytes. The spec asks verifiers to bound a note's size and
 * to accept at least 16 signatures of up to nearly 5 kB each; 1 MiB leaves ample room.
 */
export const MAX_NOTE_BYTES = 1 << 20;

/** Most signature lines accepted in one note: the spec asks for at least 16; Go allows 100. */
export const MAX_NOTE_SIGNATURES = 100;

/** One signature line of a note: `— <name> base64(keyId || signature)`. */
export interface NoteSignature {
  /** The key name. */
  name: string;
  /** The 32-bit key ID, as an unsigned number. */
  keyId: number;
  /** The signature bytes after the key ID. */
  signature: Uint8Array;
}

/** A signed note (c2sp.org/signed-note): text ending in a newline, and its signatures. */
export interface Note {
  /** The note text, including its final newline but not the blank line after it. */
  text: string;
  /** The signature lines, in order. */
  signatures: NoteSignature[];
}

/** Something that signs note text as one key: a name, a key ID and the signing function. */
export interface NoteSigner {
  /** The key name. */
  readonly name: string;
  /** The 32-bit key ID. */
  readonly keyId: number;
  /** The signature of the UTF-8 note text, without the key ID. */
  sign(text: Uint8Array): Uint8Array;
}

/** Something that verifies note signatures by one key, identified by name and key ID. */
export interface NoteVerifier {
  /** The key name. */
  readonly name: string;
  /** The 32-bit key ID. */
  readonly keyId: number;
  /** Whether `signature` (without the key ID) is this key's signature of the UTF-8 `text`. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** Why a note, checkpoint, verifier key or witness request was rejected. */
export type NoteErrorCode =
  | 'TOO_LARGE'
  | 'INVALID_UTF8'
  | 'CONTROL_CHARACTER'
  | 'MALFORMED_NOTE'
  | 'BAD_SIGNATURE_LINE'
  | 'BAD_KEY_NAME'
  | 'BAD_BASE64'
  | 'TOO_MANY_SIGNATURES'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'MALFORMED_VKEY'
  | 'UNSUPPORTED_KEY_TYPE'
  | 'KEY_ID_MISMATCH'
  | 'MALFORMED_CHECKPOINT'
  | 'WRONG_ORIGIN'
  | 'MALFORMED_REQUEST';

/** The result of parsing or opening text: the value, or an error code and a message. */
export type Parsed<T> =
  { ok: true; value: T } | { ok: false; code: NoteErrorCode; message: string };

/** Builds a failed `Parsed`. */
export function parseError(
  code: NoteErrorCode,
  message: string,
): { ok: false; code: NoteErrorCode; message: string } {
  return { ok: false, code, message };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const SIGNATURE_PREFIX = '\u2014 ';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Offset of the first control character other than newline in `text`, or -1. */
function findControlCharacter(text: string): number {
  // c2sp.org/signed-note: "MUST NOT contain any ASCII control characters (those below
  // U+0020) other than newline".
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return i;
  }
  return -1;
}

/**
 * Whether `name` may be a key name: non-empty, without Unicode spaces (White_Space) and
 * without '+' (c2sp.org/signed-note), and without control characters.
 */
export function isValidKeyName(name: string): boolean {
  return (
    name.length > 0 &&
    !/[\p{White_Space}+]/u.test(name) &&
    findControlCharacter(name) < 0 &&
    !LONE_SURROGATE.test(name)
  );
}

/**
 * Checks text before it is parsed as a note, checkpoint or request: within `maxBytes`, valid
 * UTF-8 (or a well-formed string), no control characters but newline.
 */
export function decodeNoteText(input: string | Uint8Array, maxBytes: number): Parsed<string> {
  let text: string;
  if (typeof input === 'string') {
    // Each UTF-16 unit is at least one UTF-8 byte, so the cheap test comes first.
    if (input.length > maxBytes || encoder.encode(input).length > maxBytes) {
      return parseError('TOO_LARGE', `note is over ${maxBytes} bytes`);
    }
    if (LONE_SURROGATE.test(input)) {
      return parseError('INVALID_UTF8', 'note is not valid Unicode (lone surrogate)');
    }
    text = input;
  } else {
    if (input.length > maxBytes) return parseError('TOO_LARGE', `note is over ${maxBytes} bytes`);
    try {
      text = decoder.decode(input);
    } catch {
      return parseError('INVALID_UTF8', 'note is not valid UTF-8');
    }
  }
  const at = findControlCharacter(text);
  if (at >= 0) {
    const code = text.charCodeAt(at).toString(16).padStart(4, '0').toUpperCase();
    return parseError('CONTROL_CHARACTER', `note has control character U+${code} at offset ${at}`);
  }
  return { ok: true, value: text };
}

/**
 * Parses a signed note (c2sp.org/signed-note): text, a blank line, then one or more lines
 * `— <name> base64(keyId || signature)`, each ending in a newline. Rejects malformed input
 * with an error; never throws. Signatures are not verified: see `verifyNote`.
 */
export function parseNote(input: string | Uint8Array): Parsed<Note> {
  const decoded = decodeNoteText(input, MAX_NOTE_BYTES);
  if (!decoded.ok) return decoded;
  const msg = decoded.value;
  // "the text is separated from the signatures by the last empty line in the note".
  const split = msg.lastIndexOf('\n\n');
  if (split < 0)
    return parseError('MALFORMED_NOTE', 'note has no blank line before its signatures');
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block === '') return parseError('MALFORMED_NOTE', 'note has no signature lines');
  if (!block.endsWith('\n')) {
    return parseError('MALFORMED_NOTE', 'the last signature line does not end in a newline');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    return parseError(
      'TOO_MANY_SIGNATURES',
      `note has ${lines.length} signatures, more than ${MAX_NOTE_SIGNATURES}`,
    );
  }
  const signatures: NoteSignature[] = [];
  for (let i = 0; i < lines.length; i++) {
    const sig = parseSignatureLine(lines[i] as string, i + 1);
    if (!sig.ok) return sig;
    signatures.push(sig.value);
  }
  return { ok: true, value: { text, signatures } };
}

/** Parses one signature line without its newline: `— <name> base64(keyId || signature)`. */
export function parseSignatureLine(line: string, lineNumber = 1): Parsed<NoteSignature> {
  const where = `signature line ${lineNumber}`;
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    return parseError('BAD_SIGNATURE_LINE', `${where} does not start with an em dash and a space`);
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0)
    return parseError('BAD_SIGNATURE_LINE', `${where} has no space after the key name`);
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) {
    return parseError('BAD_KEY_NAME', `${where} has an invalid key name`);
  }
  const b64 = rest.slice(space + 1);
  const bytes = b64 === '' ? undefined : decodeBase64(b64);
  if (!bytes) return parseError('BAD_BASE64', `${where}: signature is not standard base64`);
  if (bytes.length < 5) {
    return parseError(
      'BAD_SIGNATURE_LINE',
      `${where}: signature is shorter than a key ID and 1 byte`,
    );
  }
  const keyId = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  return { ok: true, value: { name, keyId, signature: bytes.slice(4) } };
}

function checkNoteText(text: string): void {
  if (!text.endsWith('\n')) throw new RangeError('note text must end with a newline');
  const decoded = decodeNoteText(text, MAX_NOTE_BYTES);
  if (!decoded.ok) throw new RangeError(decoded.message);
}

function keyIdBytes(keyId: number): Uint8Array {
  if (!Number.isInteger(keyId) || keyId < 0 || keyId > 0xffffffff) {
    throw new RangeError(`key ID must be a 32-bit unsigned integer, got ${keyId}`);
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, keyId, false);
  return out;
}

/** Formats one signature line, including its final newline. */
export function formatSignatureLine(sig: NoteSignature): string {
  if (!isValidKeyName(sig.name))
    throw new RangeError(`invalid key name: ${JSON.stringify(sig.name)}`);
  const bytes = new Uint8Array(4 + sig.signature.length);
  bytes.set(keyIdBytes(sig.keyId), 0);
  bytes.set(sig.signature, 4);
  return `${SIGNATURE_PREFIX}${sig.name} ${encodeBase64(bytes)}\n`;
}

/**
 * Formats a signed note byte-exactly: the text, a blank line, one line per signature.
 * Throws a RangeError for text that is not valid note text or a note without signatures.
 */
export function formatNote(note: Note): string {
  checkNoteText(note.text);
  if (note.signatures.length === 0) throw new RangeError('a signed note needs a signature');
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

/** Signs note text with each signer; the text must end with a newline. */
export function signNote(text: string, signers: readonly NoteSigner[]): Note {
  checkNoteText(text);
  const bytes = encoder.encode(text);
  return {
    text,
    signatures: signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(bytes) })),
  };
}

/** The signatures of a note that verified, and those from keys the verifier does not know. */
export interface NoteVerification {
  /** Signatures by known keys, all verified (one per key). */
  verified: NoteSignature[];
  /** Signatures by unknown keys, ignored as the spec requires. */
  unknown: NoteSignature[];
}

/**
 * Verifies a note's signatures against known keys (c2sp.org/signed-note): signatures whose
 * name and key ID do not both match a known key are ignored; a signature by a known key that
 * fails rejects the whole note; a note with no verified signature is rejected.
 */
export function verifyNote(
  note: Note,
  verifiers: readonly NoteVerifier[],
): Parsed<NoteVerification> {
  const text = encoder.encode(note.text);
  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const sig of note.signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!v) {
      unknown.push(sig);
      continue;
    }
    if (!v.verify(text, sig.signature)) {
      return parseError(
        'BAD_SIGNATURE',
        `signature by ${sig.name} (key ID ${formatKeyId(sig.keyId)}) does not verify`,
      );
    }
    const key = `${sig.name}+${sig.keyId}`;
    if (!seen.has(key)) verified.push(sig);
    seen.add(key);
  }
  if (verified.length === 0) {
    return parseError('UNKNOWN_KEY', 'note has no signature by a known key');
  }
  return { ok: true, value: { verified, unknown } };
}

/** Parses a signed note and verifies it against known keys: see `parseNote` and `verifyNote`. */
export function openNote(
  input: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): Parsed<Note & NoteVerification> {
  const parsed = parseNote(input);
  if (!parsed.ok) return parsed;
  const checked = verifyNote(parsed.value, verifiers);
  if (!checked.ok) return checked;
  return { ok: true, value: { ...parsed.value, ...checked.value } };
}

/** A key ID as 8 lowercase hex digits, as in verifier keys. */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

/**
 * The key ID of a key (c2sp.org/signed-note): the first four bytes, big-endian, of
 * SHA-256(name || 0x0A || signature type || public key).
 */
export function noteKeyId(
  sha256: Sha256,
  name: string,
  type: number,
  publicKey: Uint8Array,
): number {
  const nameBytes = encoder.encode(name);
  const buf = new Uint8Array(nameBytes.length + 2 + publicKey.length);
  buf.set(nameBytes, 0);
  buf[nameBytes.length] = 0x0a;
  buf[nameBytes.length + 1] = type;
  buf.set(publicKey, nameBytes.length + 2);
  const h = sha256(buf);
  return new DataView(h.buffer, h.byteOffset, 4).getUint32(0, false);
}

/** A note signer for an Ed25519 key (signature type 0x01) under `name`. */
export function createNoteSigner(sha256: Sha256, name: string, key: Ed25519Signer): NoteSigner {
  if (!isValidKeyName(name)) throw new RangeError(`invalid key name: ${JSON.stringify(name)}`);
  return {
    name,
    keyId: noteKeyId(sha256, name, SIGNATURE_TYPE_ED25519, key.publicKey),
    sign: (text) => key.sign(text),
  };
}

/** A note verifier for an Ed25519 public key (signature type 0x01) under `name`. */
export function createNoteVerifier(
  sha256: Sha256,
  name: string,
  publicKey: Uint8Array,
  verify: Ed25519Verify,
): NoteVerifier {
  const key = publicKey.slice();
  return {
    name,
    keyId: noteKeyId(sha256, name, SIGNATURE_TYPE_ED25519, key),
    verify: (text, signature) => signature.length === 64 && verify(key, text, signature),
  };
}
