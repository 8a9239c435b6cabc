import { decodeBase64, encodeBase64 } from './base64.js';
import { createCosignatureVerifier } from './cosignature.js';
import type { Sha256 } from './merkle-hasher.js';
import {
  createNoteVerifier,
  formatKeyId,
  isValidKeyName,
  noteKeyId,
  parseError,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
} from './signed-note.js';
import type { Ed25519Verify, NoteVerifier, Parsed } from './signed-note.js';

/** The signature types this ledger reads in verifier keys: Ed25519 notes and cosignature/v1. */
export type VerifierKeyType = typeof SIGNATURE_TYPE_ED25519 | typeof SIGNATURE_TYPE_COSIGNATURE_V1;

/** A public key as published in a `vkey` string (c2sp.org/signed-note, "Verifier keys"). */
export interface VerifierKey {
  /** The key name. */
  name: string;
  /** The 32-bit key ID. */
  keyId: number;
  /** 0x01 for Ed25519 note signatures, 0x04 for Ed25519 cosignature/v1. */
  type: VerifierKeyType;
  /** The 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

const MAX_VKEY_LENGTH = 4096;

/** Formats `<name>+<hex key ID>+<base64(type || public key)>`. */
export function formatVerifierKey(key: VerifierKey): string {
  if (!isValidKeyName(key.name))
    throw new RangeError(`invalid key name: ${JSON.stringify(key.name)}`);
  const material = new Uint8Array(1 + key.publicKey.length);
  material[0] = key.type;
  material.set(key.publicKey, 1);
  return `${key.name}+${formatKeyId(key.keyId)}+${encodeBase64(material)}`;
}

/** The verifier key of an Ed25519 public key under `name`, with its key ID computed. */
export function verifierKeyOf(
  sha256: Sha256,
  name: string,
  type: VerifierKeyType,
  publicKey: Uint8Array,
): VerifierKey {
  if (publicKey.length !== 32) throw new RangeError('an Ed25519 public key is 32 bytes');
  return { name, type, publicKey, keyId: noteKeyId(sha256, name, type, publicKey) };
}

/**
 * Parses a `vkey` string. Accepts Ed25519 (0x01) and Ed25519 cosignature/v1 (0x04) keys with a
 * 32-byte public key, and checks that the key ID is the one the name and key imply.
 */
export function parseVerifierKey(sha256: Sha256, vkey: string): Parsed<VerifierKey> {
  if (vkey.length > MAX_VKEY_LENGTH) return parseError('TOO_LARGE', 'verifier key is too long');
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) {
    return parseError('MALFORMED_VKEY', 'verifier key is not <name>+<key ID>+<key>');
  }
  const name = vkey.slice(0, first);
  const hex = vkey.slice(first + 1, second);
  const material = decodeBase64(vkey.slice(second + 1));
  if (!isValidKeyName(name))
    return parseError('MALFORMED_VKEY', 'verifier key has an invalid name');
  if (!/^[0-9a-f]{8}$/.test(hex)) {
    return parseError('MALFORMED_VKEY', 'verifier key ID is not 8 lowercase hex digits');
  }
  if (!material || material.length < 2) {
    return parseError('MALFORMED_VKEY', 'verifier key material is not base64 of a type and a key');
  }
  const type = material[0] as number;
  if (type !== SIGNATURE_TYPE_ED25519 && type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
    return parseError(
      'UNSUPPORTED_KEY_TYPE',
      `verifier key type 0x${type.toString(16).padStart(2, '0')} is not supported`,
    );
  }
  const publicKey = material.slice(1);
  if (publicKey.length !== 32) {
    return parseError('MALFORMED_VKEY', `Ed25519 public key is ${publicKey.length} bytes, not 32`);
  }
  const keyId = Number.parseInt(hex, 16);
  if (keyId !== noteKeyId(sha256, name, type, publicKey)) {
    return parseError('KEY_ID_MISMATCH', `key ID ${hex} does not match the name and key`);
  }
  return { ok: true, value: { name, keyId, type, publicKey } };
}

/** A note verifier for a verifier key: plain Ed25519 for 0x01, cosignature/v1 for 0x04. */
export function verifierFromKey(
  sha256: Sha256,
  key: VerifierKey,
  verify: Ed25519Verify,
): NoteVerifier {
  return key.type === SIGNATURE_TYPE_ED25519
    ? createNoteVerifier(sha256, key.name, key.publicKey, verify)
    : createCosignatureVerifier(sha256, key.name, key.publicKey, verify);
}
