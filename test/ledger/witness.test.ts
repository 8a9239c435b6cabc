import { describe, expect, it } from 'vitest';
import {
  createEd25519Signer,
  ed25519Verify,
  generateEd25519KeyPair,
  sha256,
} from '../../src/adapters/crypto/index.js';
import {
  consistencyProof,
  createCosignatureVerifier,
  createCosigner,
  createNoteSigner,
  createNoteVerifier,
  decideCosign,
  formatAddCheckpointRequest,
  formatCheckpoint,
  formatNote,
  openNote,
  parseAddCheckpointRequest,
  parseNote,
  signNote,
  treeHash,
} from '../../src/core/ledger/index.js';
import type {
  AddCheckpointRequest,
  NoteSigner,
  WitnessLogState,
  WitnessedLog,
} from '../../src/core/ledger/index.js';
import { createMemoryLog, hasher, leafOf } from './memory-log.js';
import type { MemoryLog } from './memory-log.js';

const ORIGIN = 'armistice.example/ledger';
const logKey = createEd25519Signer(generateEd25519KeyPair().seed);
const logSigner = createNoteSigner(sha256, ORIGIN, logKey);
const LOGS: WitnessedLog[] = [
  {
    origin: ORIGIN,
    verifiers: [createNoteVerifier(sha256, ORIGIN, logKey.publicKey, ed25519Verify)],
  },
];

function makeLog(prefix: string, size: number): MemoryLog {
  const log = createMemoryLog();
  log.append(Array.from({ length: size }, (_, i) => leafOf(`${prefix} ${i}`)));
  return log;
}

// The honest log, and a fork that agrees with it on the first 7 leaves only.
const honest = makeLog('leaf', 20);
const fork = createMemoryLog();
fork.append([...honest.leafHashes.slice(0, 7), ...makeLog('forged', 13).leafHashes]);

function checkpointNote(
  log: MemoryLog,
  size: number,
  signer: NoteSigner = logSigner,
  origin = ORIGIN,
): string {
  const text = formatCheckpoint({
    origin,
    size,
    rootHash: treeHash(hasher, size, log.read),
    extensions: [],
  });
  return formatNote(signNote(text, [signer]));
}

function request(
  log: MemoryLog,
  oldSize: number,
  size: number,
  signer?: NoteSigner,
): AddCheckpointRequest {
  const proof =
    oldSize === 0 || oldSize >= size ? [] : consistencyProof(hasher, oldSize, size, log.read);
  return { oldSize, proof, checkpoint: checkpointNote(log, size, signer) };
}

function stateAt(log: MemoryLog, size: number): WitnessLogState {
  return { size, rootHash: treeHash(hasher, size, log.read) };
}

describe('decideCosign', () => {
  it('cosigns the first checkpoint it sees, from size 0 with no proof', () => {
    const d = decideCosign(hasher, LOGS, null, request(honest, 0, 5));
    expect(d).toMatchObject({
      decision: 'cosign',
      checkpoint: { size: 5 },
      next: stateAt(honest, 5),
    });
  });

  it('cosigns a checkpoint proved consistent with the one it cosigned', () => {
    const d = decideCosign(hasher, LOGS, stateAt(honest, 5), request(honest, 5, 9));
    expect(d).toMatchObject({ decision: 'cosign', next: stateAt(honest, 9) });
  });

  it('cosigns the same checkpoint again', () => {
    const d = decideCosign(hasher, LOGS, stateAt(honest, 9), request(honest, 9, 9));
    expect(d).toMatchObject({ decision: 'cosign', next: stateAt(honest, 9) });
  });

  it('refuses a different root at the same size', () => {
    const d = decideCosign(hasher, LOGS, stateAt(honest, 9), request(fork, 9, 9));
    expect(d).toMatchObject({ decision: 'refuse', code: 'ROOT_CHANGED' });
  });

  it('refuses a checkpoint that is not consistent with the one it cosigned, naming the proof step', () => {
    const d = decideCosign(hasher, LOGS, stateAt(honest, 9), request(fork, 9, 20));
    expect(d).toMatchObject({
      decision: 'refuse',
      code: 'INCONSISTENT',
      proof: { ok: false, code: 'OLD_ROOT_MISMATCH', step: 'RFC 9162 §2.1.4.2 step 7' },
    });
  });

  it('refuses a proof that is not a proof', () => {
    const req = request(honest, 9, 20);
    const d = decideCosign(hasher, LOGS, stateAt(honest, 9), { ...req, proof: req.proof.slice(1) });
    expect(d).toMatchObject({ decision: 'refuse', code: 'INCONSISTENT' });
  });

  it('refuses a size going backwards', () => {
    const d = decideCosign(hasher, LOGS, stateAt(honest, 9), {
      ...request(honest, 0, 5),
      oldSize: 9,
    });
    expect(d).toMatchObject({ decision: 'refuse', code: 'SIZE_BACKWARDS' });
  });

  it('refuses an old size other than the one it cosigned, telling its size (409)', () => {
    const d = decideCosign(hasher, LOGS, stateAt(honest, 9), request(honest, 5, 20));
    expect(d).toMatchObject({ decision: 'refuse', code: 'OLD_SIZE_MISMATCH', latestSize: 9 });
    const first = decideCosign(hasher, LOGS, null, request(honest, 5, 20));
    expect(first).toMatchObject({ decision: 'refuse', code: 'OLD_SIZE_MISMATCH', latestSize: 0 });
  });

  it('refuses a checkpoint without a valid signature by the log', () => {
    const stranger = createNoteSigner(
      sha256,
      ORIGIN,
      createEd25519Signer(generateEd25519KeyPair().seed),
    );
    const unsigned = decideCosign(
      hasher,
      LOGS,
      stateAt(honest, 5),
      request(honest, 5, 9, stranger),
    );
    expect(unsigned).toMatchObject({ decision: 'refuse', code: 'BAD_LOG_SIGNATURE' });

    const req = request(honest, 5, 9);
    const note = parseNote(req.checkpoint);
    if (!note.ok) throw new Error(note.message);
    const sig = note.value.signatures[0]!;
    const bad = sig.signature.slice();
    bad[0] = (bad[0] as number) ^ 0x80;
    const tampered = formatNote({ ...note.value, signatures: [{ ...sig, signature: bad }] });
    const d = decideCosign(hasher, LOGS, stateAt(honest, 5), { ...req, checkpoint: tampered });
    expect(d).toMatchObject({ decision: 'refuse', code: 'BAD_LOG_SIGNATURE' });
  });

  it('refuses an unknown origin and a malformed checkpoint', () => {
    const other = createNoteSigner(sha256, 'other.example/log', logKey);
    const text = formatCheckpoint({
      origin: 'other.example/log',
      size: 5,
      rootHash: treeHash(hasher, 5, honest.read),
      extensions: [],
    });
    const unknown = { oldSize: 0, proof: [], checkpoint: formatNote(signNote(text, [other])) };
    expect(decideCosign(hasher, LOGS, null, unknown)).toMatchObject({ code: 'UNKNOWN_ORIGIN' });
    const garbage = { oldSize: 0, proof: [], checkpoint: 'not a note' };
    expect(decideCosign(hasher, LOGS, null, garbage)).toMatchObject({ code: 'MALFORMED' });
  });

  it('needs the empty-tree root at size 0 and no proof from size 0', () => {
    expect(decideCosign(hasher, LOGS, null, request(honest, 0, 0))).toMatchObject({
      decision: 'cosign',
    });
    const bad = formatNote(
      signNote(
        formatCheckpoint({ origin: ORIGIN, size: 0, rootHash: new Uint8Array(32), extensions: [] }),
        [logSigner],
      ),
    );
    expect(
      decideCosign(hasher, LOGS, null, { oldSize: 0, proof: [], checkpoint: bad }),
    ).toMatchObject({
      code: 'BAD_EMPTY_ROOT',
    });
    const withProof = {
      ...request(honest, 0, 9),
      proof: consistencyProof(hasher, 5, 9, honest.read),
    };
    expect(decideCosign(hasher, LOGS, null, withProof)).toMatchObject({ code: 'PROOF_NOT_EMPTY' });
  });

  it('goes round the add-checkpoint protocol: request text in, cosigned note out', () => {
    const witnessKey = createEd25519Signer(generateEd25519KeyPair().seed);
    const cosigner = createCosigner(sha256, 'party-a.example/witness', witnessKey);
    let state: WitnessLogState | null = null;
    for (const size of [3, 8, 8, 13, 20]) {
      const body = formatAddCheckpointRequest(request(honest, state?.size ?? 0, size));
      const parsed = parseAddCheckpointRequest(body);
      if (!parsed.ok) throw new Error(parsed.message);
      const d = decideCosign(hasher, LOGS, state, parsed.value);
      if (d.decision !== 'cosign') throw new Error(d.message);
      state = d.next;
      const line = cosigner.cosign(d.text, 1_700_000_000 + size);
      const note = parseNote(parsed.value.checkpoint);
      if (!note.ok) throw new Error(note.message);
      const cosigned = formatNote({ ...note.value, signatures: [...note.value.signatures, line] });
      const witnessVerifier = createCosignatureVerifier(
        sha256,
        'party-a.example/witness',
        witnessKey.publicKey,
        ed25519Verify,
      );
      expect(openNote(cosigned, [...LOGS[0]!.verifiers, witnessVerifier])).toMatchObject({
        ok: true,
      });
    }
    expect(state).toEqual(stateAt(honest, 20));
  });
});
