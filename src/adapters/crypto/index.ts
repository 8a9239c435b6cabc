import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Ed25519Signer, Ed25519Verify, Sha256 } from '../../core/ledger/index.js';

/** SHA-256 with node:crypto, for the ledger core (which takes it as an argument). */
export const sha256: Sha256 = (bytes) => {
  // The one-shot hash() (Node ≥ 20.12) is about a third faster than createHash for small inputs.
  const digest = hash('sha256', bytes, 'buffer');
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
};

/** DER prefix of an Ed25519 private key in PKCS #8 (RFC 8410 §7) before its 32-byte seed. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4) before the 32-byte key. */
const SPKI_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

const ED25519_KEY_BYTES = 32;

/** An Ed25519 key pair as raw bytes: the 32-byte private seed and the 32-byte public key. */
export interface Ed25519KeyPair {
  /** The RFC 8032 private key: a 32-byte seed. Keep it secret. */
  seed: Uint8Array;
  /** The RFC 8032 public key: 32 bytes. */
  publicKey: Uint8Array;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function checkKeyBytes(name: string, key: Uint8Array): void {
  if (key.length !== ED25519_KEY_BYTES) {
    throw new RangeError(`an Ed25519 ${name} is ${ED25519_KEY_BYTES} bytes, got ${key.length}`);
  }
}

/** Generates a new Ed25519 key pair with node:crypto's random source. */
export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { seed: ed25519Seed(privateKey), publicKey: ed25519PublicKey(privateKey) };
}

/** A node:crypto private key object from a 32-byte Ed25519 seed. */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  checkKeyBytes('seed', seed);
  return createPrivateKey({
    key: Buffer.from(concat(PKCS8_ED25519_PREFIX, seed)),
    format: 'der',
    type: 'pkcs8',
  });
}

/** Reads an Ed25519 private key from PKCS #8, PEM text ("BEGIN PRIVATE KEY") or DER bytes. */
export function ed25519PrivateKeyFromPkcs8(pkcs8: string | Uint8Array): KeyObject {
  const key =
    typeof pkcs8 === 'string'
      ? createPrivateKey({ key: pkcs8, format: 'pem' })
      : createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`expected an Ed25519 private key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}

/** The 32-byte seed of an Ed25519 private key object. */
export function ed25519Seed(privateKey: KeyObject): Uint8Array {
  const der = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
  return der.slice(der.length - ED25519_KEY_BYTES);
}

/** The 32-byte public key of an Ed25519 private or public key object. */
export function ed25519PublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return der.slice(der.length - ED25519_KEY_BYTES);
}

/** PKCS #8 PEM text of an Ed25519 seed, for a key file. */
export function ed25519SeedToPkcs8Pem(seed: Uint8Array): string {
  return ed25519PrivateKeyFromSeed(seed).export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * An Ed25519 signer (RFC 8032, pure Ed25519) from a private key object or a 32-byte seed,
 * for `createNoteSigner` and `createCosigner` in the ledger core.
 */
export function createEd25519Signer(privateKey: KeyObject | Uint8Array): Ed25519Signer {
  const key = privateKey instanceof Uint8Array ? ed25519PrivateKeyFromSeed(privateKey) : privateKey;
  if (key.asymmetricKeyType !== 'ed25519' || key.type !== 'private') {
    throw new Error('expected an Ed25519 private key');
  }
  const publicKey = ed25519PublicKey(key);
  return {
    publicKey,
    sign: (message) => new Uint8Array(nodeSign(null, message, key)),
  };
}

/**
 * Verifies an Ed25519 signature (RFC 8032) with node:crypto. Returns false, never throws, for
 * a malformed public key or signature.
 */
export const ed25519Verify: Ed25519Verify = (publicKey, message, signature) => {
  if (publicKey.length !== ED25519_KEY_BYTES || signature.length !== 64) return false;
  try {
    const key = createPublicKey({
      key: Buffer.from(concat(SPKI_ED25519_PREFIX, publicKey)),
      format: 'der',
      type: 'spki',
    });
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
};
