import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createEd25519Signer,
  ed25519PrivateKeyFromPkcs8,
  ed25519SeedToPkcs8Pem,
  ed25519Verify,
  generateEd25519KeyPair,
  sha256,
} from './adapters/crypto/index.js';
import type { LedgerSettings } from './app/index.js';
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  createNoteSigner,
  formatVerifierKey,
  isValidKeyName,
  parseVerifierKey,
  verifierFromKey,
  verifierKeyOf,
} from './core/ledger/index.js';

/** The default checkpoint origin (and signing key name) of a mission's ledger. */
export const DEFAULT_LEDGER_ORIGIN = 'armistice.mission.example/ledger';

/** Where the ledger's key is and who witnesses it. */
export interface LedgerOptions {
  /**
   * PKCS #8 PEM file of the log's Ed25519 signing key; created (mode 0600) when absent.
   * Undefined: an ephemeral key (tests, ':memory:' databases).
   */
  readonly keyPath?: string;
  /**
   * PKCS #8 PEM files of previous signing keys kept during a rotation: checkpoints are signed by
   * them too, so witnesses pinned to an old key keep verifying until they pin the new one.
   */
  readonly previousKeyPaths?: readonly string[];
  /** Checkpoint origin line and key name (default DEFAULT_LEDGER_ORIGIN). */
  readonly origin?: string;
  /** Witness cosignature verifier keys (vkey strings, type 0x04). */
  readonly witnesses?: readonly string[];
  /** Cosignatures a checkpoint needs to count as published (default: 0). */
  readonly quorum?: number;
}

/**
 * Loads (or creates) the ledger's signing key and parses the witness keys: everything the
 * ledger use cases need to sign checkpoints and to check cosignatures. Throws with a message
 * naming the faulty key or setting.
 */
export function loadLedgerSettings(options: LedgerOptions): LedgerSettings {
  const origin = options.origin ?? DEFAULT_LEDGER_ORIGIN;
  if (!isValidKeyName(origin)) {
    throw new Error(`ledger origin ${JSON.stringify(origin)} is not a valid key name`);
  }
  let privateKey;
  if (options.keyPath && existsSync(options.keyPath)) {
    privateKey = ed25519PrivateKeyFromPkcs8(readFileSync(options.keyPath, 'utf8'));
  } else {
    const pair = generateEd25519KeyPair();
    if (options.keyPath) {
      writeFileSync(options.keyPath, ed25519SeedToPkcs8Pem(pair.seed), { mode: 0o600, flag: 'wx' });
    }
    privateKey = pair.seed;
  }
  const keys = [
    createEd25519Signer(privateKey),
    ...(options.previousKeyPaths ?? []).map((file) =>
      createEd25519Signer(ed25519PrivateKeyFromPkcs8(readFileSync(file, 'utf8'))),
    ),
  ];
  const logKeys = keys.map((k) =>
    formatVerifierKey(verifierKeyOf(sha256, origin, SIGNATURE_TYPE_ED25519, k.publicKey)),
  );
  if (new Set(logKeys).size !== logKeys.length) {
    throw new Error('a previous ledger key is the same as the current key');
  }
  const witnesses = (options.witnesses ?? []).map((vkey) => {
    const parsed = parseVerifierKey(sha256, vkey.trim());
    if (!parsed.ok) throw new Error(`witness key ${JSON.stringify(vkey)}: ${parsed.message}`);
    if (parsed.value.type !== SIGNATURE_TYPE_COSIGNATURE_V1) {
      throw new Error(`witness key ${parsed.value.name} is not a cosignature/v1 (0x04) key`);
    }
    return { vkey: vkey.trim(), verifier: verifierFromKey(sha256, parsed.value, ed25519Verify) };
  });
  const quorum = options.quorum ?? 0;
  if (!Number.isSafeInteger(quorum) || quorum < 0 || quorum > witnesses.length) {
    throw new Error(
      `quorum ${quorum} must be a whole number from 0 to ${witnesses.length} witnesses`,
    );
  }
  return {
    origin,
    signers: keys.map((k) => createNoteSigner(sha256, origin, k)),
    logKeys,
    witnesses,
    quorum,
  };
}
