import type { Sha256 } from './merkle-hasher.js';
import { isValidKeyName, noteKeyId, SIGNATURE_TYPE_COSIGNATURE_V1 } from './signed-note.js';
import type { Ed25519Signer, Ed25519Verify, NoteSignature, NoteVerifier } from './signed-note.js';

/** Size of a cosignature/v1 signature: an 8-byte timestamp and a 64-byte Ed25519 signature. */
export const COSIGNATURE_V1_BYTES = 8 + 64;

const encoder = new TextEncoder();

function checkTimestamp(timestampSec: number): void {
  // c2sp.org/tlog-cosignature: the timestamp "MUST NOT exceed 2^63 - 1"; numbers are exact
  // only to 2^53 - 1, which is hundreds of millions of years.
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) {
    throw new RangeError(`timestamp must be an integer number of seconds, got ${timestampSec}`);
  }
}

/**
 * The message an Ed25519 cosigner signs (c2sp.org/tlog-cosignature, "Ed25519 signed
 * message"): `cosignature/v1\n`, `time <timestamp>\n`, then the whole checkpoint note text.
 */
export function cosignatureMessage(
  checkpointText: string | Uint8Array,
  timestampSec: number,
): Uint8Array {
  checkTimestamp(timestampSec);
  const head = encoder.encode(`cosignature/v1\ntime ${timestampSec}\n`);
  const body = typeof checkpointText === 'string' ? encoder.encode(checkpointText) : checkpointText;
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/**
 * The timestamp (POSIX seconds) of a cosignature/v1 signature (without its key ID), or
 * undefined if it is not 72 bytes or its timestamp is beyond 2^53 − 1.
 */
export function cosignatureTimestamp(signature: Uint8Array): number | undefined {
  if (signature.length !== COSIGNATURE_V1_BYTES) return undefined;
  const t = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0, false);
  return t <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(t) : undefined;
}

/** A witness's cosigning key: it cosigns checkpoint text at a given time. */
export interface Cosigner {
  /** The cosigner (witness) name. */
  readonly name: string;
  /** Key ID: SHA-256(name || 0x0A || 0x04 || public key)[:4]. */
  readonly keyId: number;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The cosignature/v1 signature line of the checkpoint note text, made at `timestampSec`. */
  cosign(checkpointText: string, timestampSec: number): NoteSignature;
}

/** A cosigner (c2sp.org/tlog-cosignature, Ed25519, signature type 0x04) for a witness key. */
export function createCosigner(sha256: Sha256, name: string, key: Ed25519Signer): Cosigner {
  if (!isValidKeyName(name)) throw new RangeError(`invalid key name: ${JSON.stringify(name)}`);
  const keyId = noteKeyId(sha256, name, SIGNATURE_TYPE_COSIGNATURE_V1, key.publicKey);
  return {
    name,
    keyId,
    publicKey: key.publicKey,
    cosign(checkpointText, timestampSec) {
      const sig = key.sign(cosignatureMessage(checkpointText, timestampSec));
      const out = new Uint8Array(COSIGNATURE_V1_BYTES);
      new DataView(out.buffer).setBigUint64(0, BigInt(timestampSec), false);
      out.set(sig, 8);
      return { name, keyId, signature: out };
    },
  };
}

/**
 * A note verifier for a witness's cosignature/v1 key: it checks the timestamped signature
 * over `cosignature/v1\ntime <t>\n` and the note text. Use it with `verifyNote` to check a
 * cosigned checkpoint, and `cosignatureTimestamp` to read when it was cosigned.
 */
export function createCosignatureVerifier(
  sha256: Sha256,
  name: string,
  publicKey: Uint8Array,
  verify: Ed25519Verify,
): NoteVerifier {
  const key = publicKey.slice();
  return {
    name,
    keyId: noteKeyId(sha256, name, SIGNATURE_TYPE_COSIGNATURE_V1, key),
    verify(text, signature) {
      const t = cosignatureTimestamp(signature);
      if (t === undefined) return false;
      return verify(key, cosignatureMessage(text, t), signature.subarray(8));
    },
  };
}
