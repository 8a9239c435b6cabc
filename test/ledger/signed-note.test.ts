import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createEd25519Signer,
  ed25519Verify,
  generateEd25519KeyPair,
  sha256,
} from '../../src/adapters/crypto/index.js';
import {
  MAX_NOTE_SIGNATURES,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  cosignatureMessage,
  cosignatureTimestamp,
  createCosignatureVerifier,
  createCosigner,
  createNoteSigner,
  createNoteVerifier,
  formatAddCheckpointRequest,
  formatCheckpoint,
  formatNote,
  formatVerifierKey,
  noteKeyId,
  openCheckpoint,
  openNote,
  parseAddCheckpointRequest,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signNote,
  verifierFromKey,
  verifierKeyOf,
  verifyNote,
} from '../../src/core/ledger/index.js';
import type { Note, NoteErrorCode } from '../../src/core/ledger/index.js';

// Examples quoted from shared/specs/c2sp (signed-note, tlog-checkpoint, tlog-cosignature,
// tlog-witness).
const QUASIMODO =
  'Ognuno sta solo sul cuor della terra\n' +
  'trafitto da un raggio di sole:\n' +
  '\n' +
  'ed è subito sera.\n' +
  '\n' +
  '— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';

const EXAMPLE_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const EXAMPLE_NOTE =
  'This is an example message.\n' +
  '\n' +
  '— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const CHECKPOINT_TEXT =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const LOG_SIGNATURE =
  '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
const COSIGNED_CHECKPOINT =
  CHECKPOINT_TEXT +
  '\n' +
  LOG_SIGNATURE +
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';

const ADD_CHECKPOINT_BODY =
  'old 20852014\n' +
  'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n' +
  'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n' +
  '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n' +
  '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n' +
  '\n' +
  CHECKPOINT_TEXT +
  '\n' +
  LOG_SIGNATURE +
  '— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n';

function mustParse(text: string): Note {
  const parsed = parseNote(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

describe('the spec examples', () => {
  it.each([
    ['signed-note', QUASIMODO],
    ['signed-note vkey example', EXAMPLE_NOTE],
    ['tlog-cosignature', COSIGNED_CHECKPOINT],
  ])('round-trips the %s note byte for byte', (_name, text) => {
    const note = mustParse(text);
    expect(formatNote(note)).toBe(text);
  });

  it('splits text from signatures at the last blank line', () => {
    const note = mustParse(QUASIMODO);
    expect(note.text).toBe(
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n',
    );
    expect(note.signatures).toHaveLength(1);
    expect(note.signatures[0]?.name).toBe('quasimodo.example/salvatore');
    // So a blank line among signature lines makes the lines above it part of the text.
    const sig = '— a.example/k AAAAAAE=\n';
    expect(mustParse('text\n\n' + sig + '\n' + sig).text).toBe('text\n\n' + sig);
  });

  it('verifies the example note with the example verifier key', () => {
    const key = parseVerifierKey(sha256, EXAMPLE_VKEY);
    expect(key.ok).toBe(true);
    if (!key.ok) return;
    expect(key.value).toMatchObject({
      name: 'example.com/foo',
      keyId: 0x530d903a,
      type: SIGNATURE_TYPE_ED25519,
    });
    expect(formatVerifierKey(key.value)).toBe(EXAMPLE_VKEY);
    const opened = openNote(EXAMPLE_NOTE, [verifierFromKey(sha256, key.value, ed25519Verify)]);
    expect(opened).toMatchObject({ ok: true, value: { text: 'This is an example message.\n' } });
    const tampered = EXAMPLE_NOTE.replace('example message', 'exemplary message');
    expect(openNote(tampered, [verifierFromKey(sha256, key.value, ed25519Verify)])).toMatchObject({
      ok: false,
      code: 'BAD_SIGNATURE',
    });
  });

  it('reads the checkpoint example', () => {
    const note = mustParse(COSIGNED_CHECKPOINT);
    const cp = parseCheckpoint(note.text);
    expect(cp).toMatchObject({
      ok: true,
      value: { origin: 'example.com/behind-the-sofa', size: 20852163, extensions: [] },
    });
    if (!cp.ok) return;
    expect(Buffer.from(cp.value.rootHash).toString('base64')).toBe(
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=',
    );
    expect(formatCheckpoint(cp.value)).toBe(CHECKPOINT_TEXT);
  });

  it('reads the cosignature example: key ID, then the timestamp of its cosignature/v1 message', () => {
    const witness = mustParse(COSIGNED_CHECKPOINT).signatures[1];
    expect(witness?.name).toBe('witness.example.com/w1');
    expect(witness?.keyId).toBe(0x8d66cf3f);
    expect(cosignatureTimestamp(witness?.signature ?? new Uint8Array())).toBe(1679315147);
    expect(new TextDecoder().decode(cosignatureMessage(CHECKPOINT_TEXT, 1679315147))).toBe(
      'cosignature/v1\ntime 1679315147\n' + CHECKPOINT_TEXT,
    );
  });

  it('round-trips the add-checkpoint request example', () => {
    const req = parseAddCheckpointRequest(ADD_CHECKPOINT_BODY);
    expect(req.ok).toBe(true);
    if (!req.ok) return;
    expect(req.value.oldSize).toBe(20852014);
    expect(req.value.proof).toHaveLength(4);
    expect(mustParse(req.value.checkpoint).signatures).toHaveLength(2);
    expect(formatAddCheckpointRequest(req.value)).toBe(ADD_CHECKPOINT_BODY);
  });
});

describe('signing with a generated key', () => {
  const logKey = createEd25519Signer(generateEd25519KeyPair().seed);
  const signer = createNoteSigner(sha256, 'armistice.example/ledger', logKey);
  const vkey = formatVerifierKey(
    verifierKeyOf(sha256, 'armistice.example/ledger', SIGNATURE_TYPE_ED25519, logKey.publicKey),
  );
  const parsedKey = parseVerifierKey(sha256, vkey);
  if (!parsedKey.ok) throw new Error(parsedKey.message);
  const verifier = verifierFromKey(sha256, parsedKey.value, ed25519Verify);
  const text = formatCheckpoint({
    origin: 'armistice.example/ledger',
    size: 42,
    rootHash: new Uint8Array(32).fill(7),
    extensions: [],
  });
  const signed = formatNote(signNote(text, [signer]));

  it('uses the key ID SHA-256(name || 0x0A || 0x01 || key)[:4] in the vkey and the signature', () => {
    expect(signer.keyId).toBe(
      noteKeyId(sha256, 'armistice.example/ledger', 0x01, logKey.publicKey),
    );
    expect(vkey.split('+')[1]).toBe(signer.keyId.toString(16).padStart(8, '0'));
    expect(mustParse(signed).signatures[0]?.keyId).toBe(signer.keyId);
  });

  it('verifies, and opens as a checkpoint of the right origin', () => {
    const opened = openCheckpoint(signed, 'armistice.example/ledger', [verifier]);
    expect(opened).toMatchObject({ ok: true, value: { checkpoint: { size: 42 } } });
    expect(openCheckpoint(signed, 'other.example/log', [verifier])).toMatchObject({
      ok: false,
      code: 'WRONG_ORIGIN',
    });
  });

  it('fails when the body, the signature or the key ID is changed', () => {
    const body = signed.replace('\n42\n', '\n43\n');
    expect(openNote(body, [verifier])).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });

    const note = mustParse(signed);
    const sig = note.signatures[0]!;
    const flipped = sig.signature.slice();
    flipped[10] = (flipped[10] as number) ^ 1;
    const badSig = formatNote({ ...note, signatures: [{ ...sig, signature: flipped }] });
    expect(openNote(badSig, [verifier])).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });

    // A different key ID is a different key: unknown, so ignored, so nothing verifies.
    const badId = formatNote({ ...note, signatures: [{ ...sig, keyId: (sig.keyId + 1) >>> 0 }] });
    expect(openNote(badId, [verifier])).toMatchObject({ ok: false, code: 'UNKNOWN_KEY' });
    const badName = formatNote({
      ...note,
      signatures: [{ ...sig, name: 'armistice.example/other' }],
    });
    expect(openNote(badName, [verifier])).toMatchObject({ ok: false, code: 'UNKNOWN_KEY' });
  });

  it('ignores signatures by unknown keys but still needs one by a known key', () => {
    const other = createNoteSigner(
      sha256,
      'someone.example/else',
      createEd25519Signer(generateEd25519KeyPair().seed),
    );
    const both = formatNote(signNote(text, [other, signer]));
    const opened = verifyNote(mustParse(both), [verifier]);
    expect(opened).toMatchObject({ ok: true });
    if (opened.ok) {
      expect(opened.value.verified.map((s) => s.name)).toEqual(['armistice.example/ledger']);
      expect(opened.value.unknown.map((s) => s.name)).toEqual(['someone.example/else']);
    }
  });

  it('cosigns with a timestamped cosignature/v1 that verifies, and fails when changed', () => {
    const witnessKey = createEd25519Signer(generateEd25519KeyPair().seed);
    const cosigner = createCosigner(sha256, 'party-a.example/witness', witnessKey);
    expect(cosigner.keyId).toBe(
      noteKeyId(
        sha256,
        'party-a.example/witness',
        SIGNATURE_TYPE_COSIGNATURE_V1,
        witnessKey.publicKey,
      ),
    );
    const cosig = cosigner.cosign(text, 1_700_000_000);
    expect(cosig.signature).toHaveLength(72);
    expect(cosignatureTimestamp(cosig.signature)).toBe(1_700_000_000);

    const note = mustParse(signed);
    const cosigned = formatNote({ ...note, signatures: [...note.signatures, cosig] });
    const wkey = parseVerifierKey(
      sha256,
      formatVerifierKey(
        verifierKeyOf(
          sha256,
          'party-a.example/witness',
          SIGNATURE_TYPE_COSIGNATURE_V1,
          witnessKey.publicKey,
        ),
      ),
    );
    if (!wkey.ok) throw new Error(wkey.message);
    const witnessVerifier = verifierFromKey(sha256, wkey.value, ed25519Verify);
    expect(openNote(cosigned, [verifier, witnessVerifier])).toMatchObject({ ok: true });
    expect(openNote(cosigned, [witnessVerifier])).toMatchObject({ ok: true });

    // Changing the timestamp changes the signed message.
    const later = cosig.signature.slice();
    later[7] = (later[7] as number) + 1;
    const badTime = formatNote({ ...note, signatures: [{ ...cosig, signature: later }] });
    expect(openNote(badTime, [witnessVerifier])).toMatchObject({
      ok: false,
      code: 'BAD_SIGNATURE',
    });

    // The same Ed25519 key as a plain note key has another key ID, and a plain signature is
    // not a cosignature.
    const plain = createNoteVerifier(
      sha256,
      'party-a.example/witness',
      witnessKey.publicKey,
      ed25519Verify,
    );
    expect(plain.keyId).not.toBe(cosigner.keyId);
    const cv = createCosignatureVerifier(
      sha256,
      'party-a.example/witness',
      witnessKey.publicKey,
      ed25519Verify,
    );
    expect(
      cv.verify(new TextEncoder().encode(text), witnessKey.sign(new TextEncoder().encode(text))),
    ).toBe(false);
  });
});

describe('malformed notes are rejected with an error', () => {
  const sig = '— a.example/k AAAAAAE=\n';
  const cases: [string, string | Uint8Array, NoteErrorCode][] = [
    ['no blank line', 'text\n' + sig, 'MALFORMED_NOTE'],
    ['no signature lines', 'text\n\n', 'MALFORMED_NOTE'],
    ['no final newline', 'text\n\n' + sig.slice(0, -1), 'MALFORMED_NOTE'],
    ['a hyphen for the em dash', 'text\n\n- a.example/k AAAAAAE=\n', 'BAD_SIGNATURE_LINE'],
    ['no space after the name', 'text\n\n— a.example/k\n', 'BAD_SIGNATURE_LINE'],
    ['a plus in the key name', 'text\n\n— a+b AAAAAAE=\n', 'BAD_KEY_NAME'],
    ['a no-break space in the key name', 'text\n\n— a\u00a0b AAAAAAE=\n', 'BAD_KEY_NAME'],
    ['bad base64', 'text\n\n— a.example/k AAAA*AE=\n', 'BAD_BASE64'],
    ['unpadded base64', 'text\n\n— a.example/k AAAAAAE\n', 'BAD_BASE64'],
    ['an empty signature', 'text\n\n— a.example/k \n', 'BAD_BASE64'],
    ['a signature of 4 bytes', 'text\n\n— a.example/k AAAAAA==\n', 'BAD_SIGNATURE_LINE'],
    ['a carriage return', 'text\r\n\n' + sig, 'CONTROL_CHARACTER'],
    ['a tab', 'te\txt\n\n' + sig, 'CONTROL_CHARACTER'],
    ['a NUL', 'text\u0000\n\n' + sig, 'CONTROL_CHARACTER'],
    ['invalid UTF-8', Uint8Array.from([0x74, 0xff, 0x0a, 0x0a]), 'INVALID_UTF8'],
    ['a lone surrogate', 'te\ud800xt\n\n' + sig, 'INVALID_UTF8'],
    [
      'too many signatures',
      'text\n\n' + sig.repeat(MAX_NOTE_SIGNATURES + 1),
      'TOO_MANY_SIGNATURES',
    ],
    ['over 1 MiB', 'x'.repeat(1 << 20) + '\n\n' + sig, 'TOO_LARGE'],
  ];
  it.each(cases)('%s', (_name, input, code) => {
    const parsed = parseNote(input);
    expect(parsed).toMatchObject({ ok: false, code });
    if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(0);
  });

  it('accepts 16 signatures (the spec minimum) and the maximum', () => {
    expect(parseNote('text\n\n' + sig.repeat(16)).ok).toBe(true);
    expect(parseNote('text\n\n' + sig.repeat(MAX_NOTE_SIGNATURES)).ok).toBe(true);
  });

  it('never throws on garbage', () => {
    const alphabet = fc.constantFrom(
      '\n',
      '—',
      ' ',
      'a',
      '+',
      '=',
      '/',
      'A',
      '0',
      '\u0000',
      '\ud800',
      'é',
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 60 })), (s) => {
        const note = parseNote(s);
        const cp = parseCheckpoint(s);
        const key = parseVerifierKey(sha256, s);
        const req = parseAddCheckpointRequest(s);
        for (const r of [note, cp, key, req]) expect(typeof r.ok).toBe('boolean');
        if (note.ok) expect(formatNote(note.value)).toBe(s);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(typeof parseNote(b).ok).toBe('boolean');
      }),
    );
  });

  it('never throws on mutations of a valid note', () => {
    fc.assert(
      fc.property(
        fc.nat(COSIGNED_CHECKPOINT.length - 1),
        fc.string({ maxLength: 3 }),
        (at, insert) => {
          const s = COSIGNED_CHECKPOINT.slice(0, at) + insert + COSIGNED_CHECKPOINT.slice(at + 1);
          const note = parseNote(s);
          if (note.ok) expect(formatNote(note.value)).toBe(s);
          expect(typeof parseCheckpoint(s).ok).toBe('boolean');
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('malformed checkpoints are rejected with an error', () => {
  const root = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
  it.each([
    ['two lines', `o.example\n5\n`],
    ['no final newline', `o.example\n5\n${root}`],
    ['an empty origin', `\n5\n${root}\n`],
    ['a leading zero', `o.example\n05\n${root}\n`],
    ['a sign', `o.example\n+5\n${root}\n`],
    ['a size beyond 2^53', `o.example\n18446744073709551615\n${root}\n`],
    ['a 31-byte root', `o.example\n5\n${Buffer.alloc(31).toString('base64')}\n`],
    ['a non-canonical root', `o.example\n5\n${root.replace('I=', 'J=')}\n`],
    ['an empty extension line', `o.example\n5\n${root}\next\n\n`],
  ])('%s', (_name, text) => {
    expect(parseCheckpoint(text)).toMatchObject({ ok: false, code: 'MALFORMED_CHECKPOINT' });
  });

  it('keeps extension lines', () => {
    const text = `o.example\n0\n${root}\nfirst ext\nsecond\n`;
    const cp = parseCheckpoint(text);
    expect(cp).toMatchObject({ ok: true, value: { size: 0, extensions: ['first ext', 'second'] } });
    if (cp.ok) expect(formatCheckpoint(cp.value)).toBe(text);
  });
});

describe('verifier keys', () => {
  const { publicKey } = generateEd25519KeyPair();
  const good = formatVerifierKey(
    verifierKeyOf(sha256, 'k.example/a', SIGNATURE_TYPE_ED25519, publicKey),
  );
  it.each([
    ['a wrong key ID', good.replace(/\+[0-9a-f]{8}\+/, '+00000000+'), 'KEY_ID_MISMATCH'],
    [
      'an upper-case key ID',
      good.replace(/\+([0-9a-f]{8})\+/, (_m, id: string) => `+${id.toUpperCase()}+`),
      'MALFORMED_VKEY',
    ],
    ['no key ID', 'k.example/a+' + good.split('+').slice(2).join('+'), 'MALFORMED_VKEY'],
    [
      'an unknown type',
      `k.example/a+01020304+${Buffer.concat([Buffer.from([0x02]), Buffer.from(publicKey)]).toString('base64')}`,
      'UNSUPPORTED_KEY_TYPE',
    ],
    [
      'a short key',
      `k.example/a+01020304+${Buffer.from([1, 2, 3]).toString('base64')}`,
      'MALFORMED_VKEY',
    ],
    ['an empty name', good.replace('k.example/a', ''), 'MALFORMED_VKEY'],
  ])('rejects %s', (_name, vkey, code) => {
    expect(parseVerifierKey(sha256, vkey)).toMatchObject({ ok: false, code });
  });

  it('round-trips', () => {
    const parsed = parseVerifierKey(sha256, good);
    expect(parsed.ok && formatVerifierKey(parsed.value)).toBe(good);
  });

  it('builds verifiers that reject signatures of the wrong length', () => {
    const v = createNoteVerifier(sha256, 'k.example/a', publicKey, ed25519Verify);
    expect(v.verify(new Uint8Array(3), new Uint8Array(63))).toBe(false);
  });
});
