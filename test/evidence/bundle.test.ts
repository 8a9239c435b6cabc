import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed25519Verify, sha256 } from '../../src/adapters/crypto/index.js';
import {
  EVIDENCE_BUNDLE_FORMAT,
  MAX_BUNDLE_LEAVES,
  MAX_PROOF_HASHES,
  assembleEvidenceBundle,
  cosignedCheckpointNote,
  parseTrustedKeys,
  verifyEvidenceBundle,
} from '../../src/core/evidence/index.js';
import type {
  EvidenceBundleInput,
  EvidenceFailure,
  EvidenceVerification,
  TrustedKeys,
} from '../../src/core/evidence/index.js';
import {
  decodeBase64,
  encodeBase64,
  encodeLeaf,
  inclusionProof,
} from '../../src/core/ledger/index.js';
import { hasher } from '../ledger/memory-log.js';
import {
  CHECKPOINT_SIZE,
  IMPOSTOR_LOG_VKEY,
  INCIDENT_ID,
  LOG_VKEY,
  ORIGIN,
  OTHER_WITNESS_VKEY,
  TRUSTED,
  WITNESS1_VKEY,
  WITNESS2_VKEY,
  bundleJson,
  cosignatureLines,
  incidentLeaves,
  log,
  makeBundle,
  signedNote,
  stored,
} from './fixture.js';

const deps = { sha256, ed25519Verify };
type Bundle = ReturnType<typeof bundleJson>;
type Leaf = Bundle['leaves'][number] & {
  index: number;
  ref: string;
  proof: string[];
  record: Record<string, unknown>;
};

/** Verifies with the trusted keys given, by default TRUSTED; null: with the bundle's keys. */
function verify(bundle: unknown, trusted: TrustedKeys | null = TRUSTED): EvidenceVerification {
  return verifyEvidenceBundle(bundle, deps, trusted ?? undefined);
}

/** Verifies a changed copy of the bundle. */
function mutated(change: (b: Bundle) => void, trusted: TrustedKeys | null = TRUSTED) {
  const b = bundleJson();
  change(b);
  return verify(b, trusted);
}

const codes = (r: EvidenceVerification) => r.failures.map((f) => f.code);
const leafAt = (b: Bundle, ref: string) => b.leaves.find((l) => l.ref === ref) as Leaf;

function only(r: EvidenceVerification): EvidenceFailure {
  expect(r.ok).toBe(false);
  expect(r.failures, JSON.stringify(r.failures, null, 2)).toHaveLength(1);
  return r.failures[0] as EvidenceFailure;
}

/** Flips one bit of byte `at` of base64 data (negative: from the end), re-encoded. */
function flip(b64: string, at: number): string {
  const bytes = decodeBase64(b64) as Uint8Array;
  const i = at < 0 ? bytes.length + at : at;
  bytes[i] = (bytes[i] as number) ^ 0x01;
  return encodeBase64(bytes);
}

/** The checkpoint with one signature line (by key name) changed. */
function changeSignature(checkpoint: string, name: string, change: (b64: string) => string) {
  return checkpoint
    .split('\n')
    .map((line) => {
      const m = /^— (\S+) (\S+)$/.exec(line);
      return m && m[1] === name ? `— ${name} ${change(m[2] as string)}` : line;
    })
    .join('\n');
}

describe('a bundle assembled from a real log', () => {
  it('verifies with trusted keys: summary, no failure, no warning', () => {
    const r = verify(makeBundle());
    expect(r.failures).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.summary).toMatchObject({
      incidentId: INCIDENT_ID,
      incidentStatus: 'verified',
      origin: ORIGIN,
      checkpointSize: CHECKPOINT_SIZE,
      keysFrom: 'trusted',
      leaves: 7,
      leavesVerified: 7,
      sources: 5,
      sourceCount: 5,
      transitions: 2,
      quorum: 2,
    });
    expect(r.summary.logSigners).toEqual([expect.stringMatching(/^armistice\.example\/ledger /)]);
    expect(r.summary.witnesses.map((w) => [w.name, w.cosignedAt])).toEqual([
      ['party-a.example/witness', '2026-03-01T07:00:00.000Z'],
      ['party-b.example/witness', '2026-03-01T07:00:00.000Z'],
    ]);
  });

  it('lists the leaves by index, with the record read from the stored bytes', () => {
    const b = makeBundle();
    expect(b.format).toBe(EVIDENCE_BUNDLE_FORMAT);
    expect(b.leaves.map((l) => l.index)).toEqual(incidentLeaves.map((l) => l.index));
    expect(b.leaves.map((l) => l.kind)).toEqual([
      ...Array(5).fill('observation'),
      'incident-transition',
      'incident-transition',
    ]);
    for (const leaf of b.leaves) {
      const data = stored[leaf.index]?.data;
      expect(encodeLeaf({ kind: leaf.kind, record: leaf.record })).toEqual(data);
      expect(leaf.proof.every((p) => decodeBase64(p)?.length === 32)).toBe(true);
    }
    expect(b.generatedAt).toBe('2026-03-02T06:00:00.000Z');
    expect(b.checkpoint).toBe(signedNote + cosignatureLines.join(''));
  });

  it('verifies with the bundle keys only, with a warning that they are its own', () => {
    const r = verify(makeBundle(), null);
    expect(r.ok).toBe(true);
    expect(r.summary.keysFrom).toBe('bundle');
    expect(r.warnings).toEqual([expect.stringMatching(/keys come from the bundle itself/)]);
  });

  it('takes the quorum from the bundle, with a warning, when the trusted keys give none', () => {
    const r = verify(makeBundle(), { log: [LOG_VKEY], witnesses: [WITNESS1_VKEY, WITNESS2_VKEY] });
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual(['the witness quorum (2) comes from the bundle itself']);
  });
});

describe('each changed byte fails, naming what failed', () => {
  it('an observation field (one digit of a coordinate)', () => {
    const ref = 'observation:cam-07/obs-9';
    const f = only(
      mutated((b) => {
        const obs = leafAt(b, ref).record.observation as { position: { lon: number } };
        expect(obs.position.lon).toBe(33.4567891);
        obs.position.lon = 33.4567892;
      }),
    );
    expect(f).toMatchObject({
      code: 'INCLUSION_FAILED',
      where: '/leaves/0',
      leaf: { index: 7, ref },
      proof: { step: 'RFC 9162 §2.1.3.2 step 5', code: 'ROOT_MISMATCH' },
    });
    expect(f.message).toMatch(
      /^leaf 7 \(observation:cam-07\/obs-9\): inclusion proof fails at RFC 9162 §2\.1\.3\.2 step 5: root mismatch: computed root [0-9a-f]{64} is not the expected root/,
    );
  });

  it('a derived fact of an observation (the rules it broke)', () => {
    const f = only(
      mutated((b) => {
        (leafAt(b, 'observation:patrol-1/p-77').record.derived as { ruleIds: string[] }).ruleIds =
          [];
      }),
    );
    expect(f).toMatchObject({
      code: 'INCLUSION_FAILED',
      leaf: { ref: 'observation:patrol-1/p-77' },
    });
  });

  it('a proof hash (one bit)', () => {
    const f = only(
      mutated((b) => {
        const leaf = leafAt(b, 'observation:radar-2/r-1001');
        leaf.proof[2] = flip(leaf.proof[2] as string, 5);
      }),
    );
    expect(f).toMatchObject({
      code: 'INCLUSION_FAILED',
      leaf: { ref: 'observation:radar-2/r-1001' },
      proof: { code: 'ROOT_MISMATCH' },
    });
    expect(f.message).toMatch(/^leaf \d+ \(observation:radar-2\/r-1001\): inclusion proof fails/);
  });

  it('a proof one hash short, or one too long', () => {
    const short = only(mutated((b) => void (b.leaves[3] as Leaf).proof.pop()));
    expect(short.proof).toEqual({ step: 'RFC 9162 §2.1.3.2 step 5', code: 'PROOF_TOO_SHORT' });
    const long = only(
      mutated((b) => {
        const leaf = b.leaves[3] as Leaf;
        leaf.proof.push(leaf.proof[0] as string);
      }),
    );
    expect(long.proof).toEqual({ step: 'RFC 9162 §2.1.3.2 step 4a', code: 'PROOF_TOO_LONG' });
  });

  it('a leaf index (the record moved to another place in the log)', () => {
    const f = only(mutated((b) => void ((b.leaves[1] as Leaf).index += 1)));
    expect(f).toMatchObject({
      code: 'INCLUSION_FAILED',
      leaf: { index: (makeBundle().leaves[1]?.index ?? 0) + 1 },
    });
  });

  it('a transition record (its reason)', () => {
    const r = mutated((b) => {
      const leaf = b.leaves[6] as Leaf;
      leaf.record.reason = 'imagery inconclusive';
    });
    // The hash no longer matches, and the leaf no longer matches the incident's transition.
    expect(codes(r)).toEqual(['INCLUSION_FAILED', 'MISSING_TRANSITION_LEAF', 'UNREFERENCED_LEAF']);
    expect(r.failures[1]?.message).toBe(
      `transition 1 of incident ${INCIDENT_ID} (under-review -> verified by analyst-2 at ` +
        `2026-03-01T07:30:00.000Z) has no incident-transition leaf in the bundle; leaf 44 ` +
        `(incident:${INCIDENT_ID}) has the same statuses but another reason`,
    );
  });

  it('the checkpoint body (its root hash): the log signature and cosignatures fail', () => {
    const r = mutated((b) => {
      const [origin, size, root, ...rest] = b.checkpoint.split('\n');
      b.checkpoint = [origin, size, flip(root as string, 0), ...rest].join('\n');
    });
    expect(r.ok).toBe(false);
    const [first, ...more] = r.failures;
    expect(first).toMatchObject({
      code: 'BAD_LOG_SIGNATURE',
      where: '/checkpoint',
      signer: { name: ORIGIN },
    });
    expect(first?.message).toMatch(
      /^checkpoint signature by armistice\.example\/ledger \(key ID [0-9a-f]{8}\) does not verify \(checkpoint signature line 1\)$/,
    );
    expect(more.slice(0, 3).map((f) => f.code)).toEqual([
      'BAD_COSIGNATURE',
      'BAD_COSIGNATURE',
      'QUORUM_NOT_MET',
    ]);
    // And every proof now leads elsewhere.
    expect(more.slice(3).map((f) => f.code)).toEqual(Array(7).fill('INCLUSION_FAILED'));
  });

  it('the checkpoint body (its size)', () => {
    const r = mutated((b) => {
      b.checkpoint = b.checkpoint.replace(`\n${CHECKPOINT_SIZE}\n`, `\n${CHECKPOINT_SIZE + 1}\n`);
    });
    expect(codes(r).slice(0, 4)).toEqual([
      'BAD_LOG_SIGNATURE',
      'BAD_COSIGNATURE',
      'BAD_COSIGNATURE',
      'QUORUM_NOT_MET',
    ]);
    expect(r.summary.checkpointSize).toBe(CHECKPOINT_SIZE + 1);
  });

  it('the log signature (one bit)', () => {
    const f = only(
      mutated((b) => {
        b.checkpoint = changeSignature(b.checkpoint, ORIGIN, (s) => flip(s, -1));
      }),
    );
    expect(f.code).toBe('BAD_LOG_SIGNATURE');
    expect(f.message).toMatch(/^checkpoint signature by armistice\.example\/ledger \(key ID/);
  });

  it('a cosignature (one bit of the signature, or of its timestamp)', () => {
    for (const at of [-1, 7]) {
      const r = mutated((b) => {
        b.checkpoint = changeSignature(b.checkpoint, 'party-b.example/witness', (s) => flip(s, at));
      });
      expect(codes(r)).toEqual(['BAD_COSIGNATURE', 'QUORUM_NOT_MET']);
      expect(r.failures[0]).toMatchObject({ signer: { name: 'party-b.example/witness' } });
      expect(r.failures[0]?.message).toMatch(
        /^cosignature by witness party-b\.example\/witness \(key ID [0-9a-f]{8}\) does not verify \(checkpoint signature line 3\)$/,
      );
      expect(r.failures[1]?.message).toBe(
        '1 known witness cosigned the checkpoint (party-a.example/witness); the quorum is 2',
      );
    }
  });

  it('a signature line that is not base64: the note does not parse, naming the line', () => {
    const f = only(
      mutated((b) => {
        b.checkpoint = changeSignature(
          b.checkpoint,
          'party-a.example/witness',
          (s) => `!${s.slice(1)}`,
        );
      }),
    );
    expect(f.code).toBe('MALFORMED_CHECKPOINT');
    expect(f.message).toMatch(/signature line 2/);
  });
});

describe('what the bundle claims must match what the ledger holds', () => {
  it('a source without its leaf', () => {
    const f = only(
      mutated((b) => {
        b.leaves = b.leaves.filter((l) => l.ref !== 'observation:cam-07/obs-12');
      }),
    );
    expect(f).toMatchObject({
      code: 'MISSING_SOURCE_LEAF',
      where: '/sources/2',
      message: 'source cam-07/obs-12 has no observation leaf in the bundle',
    });
  });

  it('a transition without its leaf', () => {
    const f = only(mutated((b) => void b.leaves.splice(5, 1)));
    expect(f).toMatchObject({ code: 'MISSING_TRANSITION_LEAF', where: '/incident/transitions/0' });
  });

  it('a source whose time differs from its logged observation', () => {
    const f = only(
      mutated((b) => {
        (b.sources as { observedAt: string }[])[1]!.observedAt = '2026-03-01T06:11:01.000Z';
      }),
    );
    expect(f.code).toBe('SOURCE_MISMATCH');
    expect(f.message).toBe(
      'source radar-2/r-1001 was observed at 2026-03-01T06:11:01.000Z, but leaf 11 ' +
        '(observation:radar-2/r-1001) records 2026-03-01T06:11:00.000Z',
    );
  });

  it('a transition shown but never logged, and a status its transitions do not reach', () => {
    const r = mutated((b) => {
      const i = b.incident as { status: string; transitions: unknown[] };
      i.transitions.push({
        from: 'verified',
        to: 'closed',
        actor: 'chief',
        at: '2026-03-02T00:00:00.000Z',
        reason: 'done',
      });
      i.status = 'closed';
    });
    expect(codes(r)).toEqual(['MISSING_TRANSITION_LEAF']);
    const s = mutated((b) => void ((b.incident as { status: string }).status = 'closed'));
    expect(only(s)).toMatchObject({
      code: 'STATUS_MISMATCH',
      where: '/incident/status',
      message: `incident ${INCIDENT_ID} shows status closed, but its transitions lead to verified`,
    });
  });

  it('an unrelated leaf, with a valid proof, is not referenced by the incident', () => {
    const extra = (index: number) => {
      const l = stored[index]!;
      return {
        index,
        kind: l.kind,
        ref: l.ref,
        record: (JSON.parse(new TextDecoder().decode(l.data)) as { record: unknown }).record,
        proof: inclusionProof(hasher, index, CHECKPOINT_SIZE, log.read).map(encodeBase64),
      };
    };
    const r = mutated((b) => {
      b.leaves.push(extra(0), extra(1), extra(37));
    });
    expect(r.summary.leavesVerified).toBe(10);
    expect(r.failures.map((f) => [f.code, f.leaf?.index])).toEqual([
      ['UNREFERENCED_LEAF', 0],
      ['UNREFERENCED_LEAF', 37],
      ['UNREFERENCED_LEAF', 1],
    ]);
    expect(r.failures.map((f) => f.message)).toEqual([
      `leaf 0 (zone-spec:3) is not referenced by incident ${INCIDENT_ID}: it is a zone-change ` +
        'leaf; a bundle holds only observation and incident-transition leaves',
      `leaf 37 (incident:inc-0041) is not referenced by incident ${INCIDENT_ID}: it records a ` +
        'transition of incident inc-0041',
      `leaf 1 (observation:seismic-0/s-0) is not referenced by incident ${INCIDENT_ID}: it is ` +
        'not the observation of any source',
    ]);
  });

  it('a leaf listed twice', () => {
    const f = only(mutated((b) => void b.leaves.push(b.leaves[0]!)));
    expect(f).toMatchObject({ code: 'DUPLICATE_LEAF', where: '/leaves/7', leaf: { index: 7 } });
  });

  it('a ref that does not name the record (refs are not hashed, so they are checked)', () => {
    const f = only(mutated((b) => void ((b.leaves[0] as Leaf).ref = 'observation:cam-07/obs-12')));
    expect(f).toMatchObject({ code: 'REF_MISMATCH', where: '/leaves/0/ref' });
    expect(f.message).toBe(
      'leaf 7 (observation:cam-07/obs-12): ref does not name its record, which is ' +
        'observation:cam-07/obs-9',
    );
  });

  it('a bundle origin other than the checkpoint origin', () => {
    const f = only(mutated((b) => void (b.origin = 'evil.example/ledger')));
    expect(f).toMatchObject({
      code: 'WRONG_ORIGIN',
      message:
        "checkpoint origin armistice.example/ledger is not the bundle's origin evil.example/ledger",
    });
  });
});

describe('keys and quorum', () => {
  it('quorum not met: a cosignature line removed', () => {
    const f = only(
      mutated((b) => {
        b.checkpoint = b.checkpoint.replace(cosignatureLines[0] as string, '');
      }),
    );
    expect(f).toMatchObject({
      code: 'QUORUM_NOT_MET',
      message: '1 known witness cosigned the checkpoint (party-b.example/witness); the quorum is 2',
    });
  });

  it('quorum not met: the trusted quorum is higher than the cosignatures', () => {
    const r = verify(makeBundle(), { ...TRUSTED, quorum: 3 });
    expect(only(r).code).toBe('QUORUM_NOT_MET');
    expect(r.summary.quorum).toBe(3);
  });

  it('one witness cosigning twice (two lines) counts once', () => {
    const r = mutated((b) => {
      b.checkpoint = b.checkpoint.replace(
        cosignatureLines[1] as string,
        cosignatureLines[0] as string,
      );
    });
    expect(only(r).code).toBe('QUORUM_NOT_MET');
  });

  it('a quorum of 0 needs no witness; cosignatures by unknown keys are ignored, with a warning', () => {
    const r = verify(makeBundle(), { log: [LOG_VKEY], witnesses: [], quorum: 0 });
    expect(r.ok).toBe(true);
    expect(r.summary.witnesses).toEqual([]);
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^ignored checkpoint signatures by unknown keys: party-a\.example\/witness \(key ID [0-9a-f]{8}\), party-b/,
      ),
    ]);
  });

  it('wrong trusted log key: no signature by a trusted log key', () => {
    const r = verify(makeBundle(), { ...TRUSTED, log: [IMPOSTOR_LOG_VKEY] });
    const f = only(r);
    expect(f.code).toBe('NO_LOG_SIGNATURE');
    expect(f.message).toMatch(
      /^the checkpoint has no signature by a trusted log key \(log keys: armistice\.example\/ledger \(key ID ([0-9a-f]{8})\)\); it is signed by armistice\.example\/ledger \(key ID (?!\1)[0-9a-f]{8}\), party-a/,
    );
  });

  it('wrong trusted witness keys: quorum not met', () => {
    const r = verify(makeBundle(), { ...TRUSTED, witnesses: [OTHER_WITNESS_VKEY] });
    expect(only(r)).toMatchObject({
      code: 'QUORUM_NOT_MET',
      message: '0 known witnesses cosigned the checkpoint; the quorum is 2',
    });
  });

  it('a checkpoint signed by another key under the log name fails with the bundle keys', () => {
    const impostor = (b: Bundle) => void ((b.keys as { log: string[] }).log = [IMPOSTOR_LOG_VKEY]);
    expect(codes(mutated(impostor, null))).toEqual(['NO_LOG_SIGNATURE']);
    // With trusted keys the bundle's own keys are not used.
    expect(mutated(impostor).ok).toBe(true);
  });

  it('keys of the wrong type, or that do not parse', () => {
    const r = verify(makeBundle(), { log: [WITNESS1_VKEY], witnesses: [LOG_VKEY, 'nonsense'] });
    expect(r.failures.map((f) => [f.code, f.where])).toEqual([
      ['BAD_KEY', 'trusted.log[0]'],
      ['BAD_KEY', 'trusted.witnesses[0]'],
      ['BAD_KEY', 'trusted.witnesses[1]'],
      ['NO_LOG_SIGNATURE', '/checkpoint'],
      ['QUORUM_NOT_MET', '/checkpoint'],
    ]);
    expect(r.failures[0]?.message).toBe(
      'trusted.log[0] (party-a.example/witness) is a cosignature key (type 0x04), not a log key (type 0x01)',
    );
  });
});

describe('malformed bundles fail without throwing', () => {
  const shapes: [string, unknown, string][] = [
    ['not an object', [1, 2], ''],
    ['null', null, ''],
    ['another format', { format: 'armistice-evidence-bundle/2' }, '/format'],
  ];
  it.each(shapes)('%s', (_name, bundle, where) => {
    const f = only(verify(bundle));
    expect(f.where).toBe(where);
  });

  it('names each wrong field with its JSON path', () => {
    const r = mutated((b) => {
      b.generatedAt = 'yesterday';
      (b.incident as { transitions: unknown }).transitions = 'none';
      (b.sources as unknown[])[0] = { sensorId: 'cam-07' };
      (b.leaves[0] as Leaf).proof[1] = 'not base64';
      (b.leaves[1] as unknown as { index: string }).index = '14';
      (b.leaves[2] as unknown as { kind: string }).kind = 'gossip';
      (b.keys as { quorum: unknown }).quorum = -1;
    });
    expect(r.failures.map((f) => [f.code, f.where])).toEqual([
      ['MALFORMED_BUNDLE', '/generatedAt'],
      ['MALFORMED_BUNDLE', '/incident/transitions'],
      ['MALFORMED_BUNDLE', '/sources/0'],
      ['MALFORMED_BUNDLE', '/leaves/0/proof/1'],
      ['MALFORMED_BUNDLE', '/leaves/1/index'],
      ['MALFORMED_BUNDLE', '/leaves/2/kind'],
      ['MALFORMED_BUNDLE', '/keys/quorum'],
    ]);
    expect(r.warnings).toContain(
      'sources and transitions were not all matched to leaves: some are malformed (see the failures)',
    );
    expect(r.failures[3]?.message).toBe(
      'leaf 7 (observation:cam-07/obs-9): proof[1] is not the base64 of a 32-byte hash',
    );
  });

  it('bounds sizes: leaves, proof hashes', () => {
    const many = only(mutated((b) => void (b.leaves = Array(MAX_BUNDLE_LEAVES + 1).fill(null))));
    expect(many).toMatchObject({ code: 'MALFORMED_BUNDLE', where: '/leaves' });
    const long = mutated((b) => {
      const leaf = b.leaves[0] as Leaf;
      leaf.proof = Array(MAX_PROOF_HASHES + 1).fill(leaf.proof[0]);
    });
    expect(long.failures[0]).toMatchObject({ code: 'MALFORMED_BUNDLE', where: '/leaves/0/proof' });
  });

  it('a record that is not canonical JSON (too deep, lone surrogate) is a leaf failure', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { a: deep };
    const r = mutated((b) => {
      (b.leaves[0] as Leaf).record.extra = deep;
      (b.leaves[1] as Leaf).record.extra = '\ud800';
    });
    expect(r.failures.slice(0, 2).map((f) => [f.code, f.leaf?.index])).toEqual([
      ['BAD_LEAF', 7],
      ['BAD_LEAF', 11],
    ]);
  });

  it('strings from the bundle are quoted and escaped in messages', () => {
    const r = mutated((b) => void ((b.leaves[0] as Leaf).ref = 'observation:\u001b[31mred\u202e'));
    expect(r.failures[0]?.message).toMatch(/^leaf 7 \("observation:\\u001b\[31mred\\u202e"\)/);
  });

  it('a throwing getter is an INTERNAL failure, not an exception', () => {
    const b = bundleJson();
    Object.defineProperty(b, 'leaves', {
      get() {
        throw new Error('boom');
      },
    });
    expect(only(verify(b))).toMatchObject({ code: 'INTERNAL' });
  });

  it('never throws, whatever is changed', () => {
    const base = bundleJson();
    const paths: string[][] = [
      ['origin'],
      ['generatedAt'],
      ['incident'],
      ['incident', 'id'],
      ['incident', 'transitions'],
      ['sources'],
      ['checkpoint'],
      ['leaves'],
      ['leaves', '0'],
      ['leaves', '0', 'record'],
      ['leaves', '0', 'proof'],
      ['leaves', '0', 'index'],
      ['keys'],
      ['keys', 'log'],
      ['keys', 'quorum'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (p, value) => {
        const b = structuredClone(base) as Record<string, unknown>;
        let at: Record<string, unknown> = b;
        for (const key of p.slice(0, -1)) at = at[key] as Record<string, unknown>;
        at[p[p.length - 1] as string] = value;
        const r = verify(b);
        expect(r.ok).toBe(r.failures.length === 0);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(verify(value).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('assembleEvidenceBundle', () => {
  const input = (): EvidenceBundleInput => {
    const b = makeBundle();
    const leaves = incidentLeaves;
    return {
      origin: ORIGIN,
      generatedAtMs: 0,
      incident: b.incident,
      sources: b.sources,
      checkpointNote: b.checkpoint,
      leaves,
      proofs: leaves.map((l) => inclusionProof(hasher, l.index, CHECKPOINT_SIZE, log.read)),
      keys: b.keys,
    };
  };

  it('assembles a bundle that survives JSON and verifies', () => {
    const b = assembleEvidenceBundle(input());
    expect(verify(JSON.parse(JSON.stringify(b))).ok).toBe(true);
  });

  it('refuses storage that disagrees with itself', () => {
    const i = input();
    const first = i.leaves[0]!;
    const cases: [Partial<EvidenceBundleInput>, RegExp][] = [
      [{ proofs: i.proofs.slice(1) }, /7 leaves but 6 proofs/],
      [
        { leaves: [{ ...first, kind: 'incident-transition' }], proofs: [i.proofs[0]!] },
        /is a observation leaf, not incident-transition|is a observation|not incident-transition/,
      ],
      [
        {
          leaves: [
            { ...first, data: new TextEncoder().encode('{"record":{},  "kind":"observation"}') },
          ],
          proofs: [[]],
        },
        /not the canonical JSON/,
      ],
      [{ leaves: [{ ...first, data: new Uint8Array([0xff]) }], proofs: [[]] }, /not UTF-8 JSON/],
      [
        { leaves: [{ ...first, index: CHECKPOINT_SIZE }], proofs: [[]] },
        /not in a tree of size 50/,
      ],
      [{ leaves: [first, first], proofs: [[], []] }, /listed twice/],
      [{ proofs: i.proofs.map(() => [new Uint8Array(31)]) }, /not a list of 32-byte hashes/],
      [{ origin: 'other.example/log' }, /checkpoint origin/],
      [{ checkpointNote: 'nonsense' }, /checkpoint note/],
    ];
    for (const [change, message] of cases) {
      expect(() => assembleEvidenceBundle({ ...i, ...change })).toThrow(message);
    }
  });

  it('cosignedCheckpointNote appends cosignature lines and checks them', () => {
    expect(cosignedCheckpointNote(signedNote, [])).toBe(signedNote);
    expect(() => cosignedCheckpointNote(signedNote, ['— no-newline AAAA'])).toThrow(RangeError);
    expect(() => cosignedCheckpointNote('no note\n', cosignatureLines)).toThrow(RangeError);
  });
});

describe('parseTrustedKeys', () => {
  it('reads log and witness keys by type, comments, blank lines and a quorum', () => {
    const text = [
      '# Armistice ledger',
      LOG_VKEY,
      '',
      '  # witnesses',
      `  ${WITNESS1_VKEY}  `,
      WITNESS2_VKEY,
      WITNESS2_VKEY,
      'quorum 2',
      '',
    ].join('\r\n');
    expect(parseTrustedKeys(sha256, text)).toEqual({
      ok: true,
      value: { log: [LOG_VKEY], witnesses: [WITNESS1_VKEY, WITNESS2_VKEY], quorum: 2 },
    });
    expect(parseTrustedKeys(sha256, LOG_VKEY)).toEqual({
      ok: true,
      value: { log: [LOG_VKEY], witnesses: [] },
    });
  });

  it('names the line at fault', () => {
    const bad = (text: string) => {
      const r = parseTrustedKeys(sha256, text);
      return r.ok ? 'ok' : `${r.line}: ${r.message}`;
    };
    expect(bad(`${LOG_VKEY}\nnot-a-key`)).toBe(
      '2: not a verifier key: verifier key is not <name>+<key ID>+<key>',
    );
    expect(bad(`${LOG_VKEY}\n${LOG_VKEY.replace(/\+[0-9a-f]{8}\+/, '+00000000+')}`)).toMatch(
      /^2: not a verifier key: key ID 00000000 does not match/,
    );
    expect(bad(`${LOG_VKEY}\nquorum 2\nquorum 3`)).toBe('3: a second quorum line');
    expect(bad(`${LOG_VKEY}\nquorum two`)).toMatch(/^2: quorum must be a whole number/);
    expect(bad(`${LOG_VKEY}\nquorum 101`)).toMatch(/^2: quorum must be a whole number/);
    expect(bad(WITNESS1_VKEY)).toBe('0: no log key (a verifier key of type 0x01)');
  });
});
