import { describe, expect, it } from 'vitest';
import {
  createEd25519Signer,
  ed25519PrivateKeyFromPkcs8,
  ed25519PrivateKeyFromSeed,
  ed25519PublicKey,
  ed25519Seed,
  ed25519SeedToPkcs8Pem,
  ed25519Verify,
  generateEd25519KeyPair,
  sha256,
} from '../../src/adapters/crypto/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('crypto adapter', () => {
  it('computes SHA-256 (FIPS 180-2 "abc" vector)', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('signs and verifies with RFC 8032 test 1', () => {
    // RFC 8032 §7.1, TEST 1: empty message.
    const seed = Buffer.from(
      '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      'hex',
    );
    const signer = createEd25519Signer(new Uint8Array(seed));
    expect(hex(signer.publicKey)).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    const sig = signer.sign(new Uint8Array(0));
    expect(hex(sig)).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
        '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(ed25519Verify(signer.publicKey, new Uint8Array(0), sig)).toBe(true);
    expect(ed25519Verify(signer.publicKey, new Uint8Array(1), sig)).toBe(false);
  });

  it('round-trips a generated key through its seed and PKCS #8 PEM', () => {
    const pair = generateEd25519KeyPair();
    const pem = ed25519SeedToPkcs8Pem(pair.seed);
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = ed25519PrivateKeyFromPkcs8(pem);
    expect(ed25519Seed(key)).toEqual(pair.seed);
    expect(ed25519PublicKey(key)).toEqual(pair.publicKey);
    expect(ed25519PublicKey(ed25519PrivateKeyFromSeed(pair.seed))).toEqual(pair.publicKey);
    const msg = new TextEncoder().encode('checkpoint');
    expect(ed25519Verify(pair.publicKey, msg, createEd25519Signer(key).sign(msg))).toBe(true);
  });

  it('returns false, not an exception, for malformed keys and signatures', () => {
    expect(ed25519Verify(new Uint8Array(31), new Uint8Array(1), new Uint8Array(64))).toBe(false);
    expect(ed25519Verify(new Uint8Array(32), new Uint8Array(1), new Uint8Array(63))).toBe(false);
    expect(
      ed25519Verify(new Uint8Array(32).fill(0xff), new Uint8Array(1), new Uint8Array(64)),
    ).toBe(false);
    expect(() => ed25519PrivateKeyFromSeed(new Uint8Array(31))).toThrow(RangeError);
  });
});
