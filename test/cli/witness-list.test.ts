import { describe, expect, it } from 'vitest';
import {
  createEd25519Signer,
  generateEd25519KeyPair,
  sha256,
} from '../../src/adapters/crypto/index.js';
import { readWitnessList } from '../../src/cli/serve-command.js';
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  formatVerifierKey,
  verifierKeyOf,
} from '../../src/core/ledger/index.js';

const vkey = (
  name: string,
  type: typeof SIGNATURE_TYPE_ED25519 | typeof SIGNATURE_TYPE_COSIGNATURE_V1,
) =>
  formatVerifierKey(
    verifierKeyOf(sha256, name, type, createEd25519Signer(generateEd25519KeyPair().seed).publicKey),
  );

describe('serve --witnesses FILE', () => {
  it('reads witness keys, comments and the quorum', () => {
    const a = vkey('witness.a.example', SIGNATURE_TYPE_COSIGNATURE_V1);
    const b = vkey('witness.b.example', SIGNATURE_TYPE_COSIGNATURE_V1);
    expect(readWitnessList(`# the parties' witnesses\n${a}\n\n  ${b}  \nquorum 2\n`)).toEqual({
      witnesses: [a, b],
      quorum: 2,
    });
    expect(readWitnessList(a)).toEqual({ witnesses: [a] });
  });

  it('names the line of a key that does not parse, and refuses a log key', () => {
    const a = vkey('witness.a.example', SIGNATURE_TYPE_COSIGNATURE_V1);
    expect(() => readWitnessList(`${a}\nnot-a-key\n`)).toThrow(/^line 2: not a verifier key/);
    expect(() => readWitnessList(vkey('log.example', SIGNATURE_TYPE_ED25519))).toThrow(
      /lists a log key/,
    );
  });
});
