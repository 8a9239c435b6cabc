import { afterEach, describe, expect, it } from 'vitest';
import {
  createEd25519Signer,
  ed25519Verify,
  generateEd25519KeyPair,
  sha256,
} from '../../src/adapters/crypto/index.js';
import type { Built } from '../../src/build-app.js';
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  bytesEqual,
  createCosigner,
  createMerkleHasher,
  decodeBase64,
  encodeBase64,
  formatSignatureLine,
  formatVerifierKey,
  openCheckpoint,
  parseNote,
  parseVerifierKey,
  verifierFromKey,
  verifierKeyOf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/core/ledger/index.js';
import { AUTH, at, camera, ndjson, startTestApp } from './test-app.js';
import type { FakeClock } from './test-app.js';

const hasher = createMerkleHasher(sha256);
const IN_DMZ = { lon: 36.592681, lat: 47.813637 };

let t: (Built & { clock: FakeClock }) | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

function witnessKey(name: string) {
  const pair = generateEd25519KeyPair();
  const signer = createEd25519Signer(pair.seed);
  const vkey = formatVerifierKey(
    verifierKeyOf(sha256, name, SIGNATURE_TYPE_COSIGNATURE_V1, signer.publicKey),
  );
  return { vkey, cosigner: createCosigner(sha256, name, signer) };
}

async function start(ledger?: { witnesses?: string[]; quorum?: number }) {
  const app = await startTestApp(ledger ? { ledger } : {});
  t = app;
  const r = await app.server.inject({
    method: 'PUT',
    url: '/api/v1/sensors/cam-1',
    headers: AUTH,
    payload: camera('cam-1', IN_DMZ.lon + 0.01, IN_DMZ.lat + 0.01),
  });
  expect(r.statusCode).toBe(201);
  return app;
}

function detection(id: string, offsetMs = 0) {
  return {
    id,
    sensorId: 'cam-1',
    observedAt: at(offsetMs),
    kind: 'detection',
    position: { ...IN_DMZ, uncertaintyM: 30 },
    object: { class: 'tank', count: 1 },
  };
}

async function postObservations(app: Built, records: unknown[]) {
  const r = await app.server.inject({
    method: 'POST',
    url: '/api/v1/observations',
    headers: { ...AUTH, 'content-type': 'application/x-ndjson' },
    payload: ndjson(records),
  });
  expect(r.statusCode).toBe(200);
  return r.json() as { accepted: number; incidentsCreated: string[] };
}

/** GET without credentials: the ledger routes are public. */
async function get(app: Built, url: string) {
  return app.server.inject({ method: 'GET', url });
}

/** Root of leaves [lo, hi) straight from RFC 9162 §2.1.1, independent of the stored layout. */
function mth(leafHashes: Uint8Array[], lo = 0, hi = leafHashes.length): Uint8Array {
  if (hi - lo === 0) return hasher.emptyRoot;
  if (hi - lo === 1) return leafHashes[lo] as Uint8Array;
  let k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return hasher.hashChildren(mth(leafHashes, lo, lo + k), mth(leafHashes, lo + k, hi));
}

async function logVerifiers(app: Built) {
  const keys = (await get(app, '/api/v1/ledger/keys')).json() as {
    origin: string;
    log: string[];
  };
  return {
    origin: keys.origin,
    verifiers: keys.log.map((vkey) => {
      const parsed = parseVerifierKey(sha256, vkey);
      if (!parsed.ok) throw new Error(parsed.message);
      return verifierFromKey(sha256, parsed.value, ed25519Verify);
    }),
  };
}

describe('the evidence ledger over HTTP', () => {
  it('logs every observation and decision, and signs a checkpoint whose root is the tree of the stored leaves', async () => {
    const app = await start();
    const result = await postObservations(app, [detection('a'), detection('b', 1000)]);
    expect(result.accepted).toBe(2);
    const [incidentId] = result.incidentsCreated;
    const transition = await app.server.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incidentId}/transitions`,
      headers: AUTH,
      payload: { to: 'under-review', reason: 'checking the camera footage' },
    });
    expect(transition.statusCode).toBe(200);

    const leaves = await app.storage.ledgerLeaves(0, 1000);
    // The signing key, the zone spec, the rule set, two observations, one transition.
    expect(leaves.map((l) => l.kind)).toEqual([
      'key-change',
      'zone-change',
      'rule-change',
      'observation',
      'observation',
      'incident-transition',
    ]);
    const transitionLeaf = JSON.parse(new TextDecoder().decode(leaves[5]!.data));
    expect(transitionLeaf).toMatchObject({
      kind: 'incident-transition',
      record: {
        incidentId,
        from: 'detected',
        to: 'under-review',
        reason: 'checking the camera footage',
      },
    });

    const listed = await app.server.inject({
      method: 'GET',
      url: '/api/v1/observations',
      headers: AUTH,
    });
    const items = (listed.json() as { items: { observation: { id: string }; leafIndex: number }[] })
      .items;
    expect(items.map((o) => [o.observation.id, o.leafIndex])).toEqual([
      ['a', 3],
      ['b', 4],
    ]);

    expect((await get(app, '/api/v1/ledger/checkpoint')).statusCode).toBe(404);
    await app.app.ledger.issueCheckpoint();
    const response = await get(app, '/api/v1/ledger/checkpoint');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const { origin, verifiers } = await logVerifiers(app);
    const opened = openCheckpoint(response.body, origin, verifiers);
    if (!opened.ok) throw new Error(opened.message);
    const { checkpoint } = opened.value;
    expect(checkpoint.size).toBe(6);
    const leafHashes = leaves.map((l) => hasher.hashLeaf(l.data));
    expect(bytesEqual(checkpoint.rootHash, mth(leafHashes))).toBe(true);

    for (let index = 0; index < 6; index++) {
      const proof = (
        await get(app, `/api/v1/ledger/proof/inclusion?index=${index}&size=6`)
      ).json() as {
        proof: string[];
      };
      const check = verifyInclusion(
        hasher,
        leafHashes[index]!,
        index,
        6,
        proof.proof.map((p) => decodeBase64(p)!),
        checkpoint.rootHash,
      );
      expect(check, `leaf ${index}`).toEqual({ ok: true });
    }
  });

  it('proves each checkpoint consistent with the ones before', async () => {
    const app = await start();
    await postObservations(app, [detection('a')]);
    const first = await app.app.ledger.issueCheckpoint();
    await postObservations(app, [detection('b', 1000), detection('c', 2000)]);
    const second = await app.app.ledger.issueCheckpoint();
    expect(first!.size).toBeLessThan(second!.size);
    const r = await get(
      app,
      `/api/v1/ledger/proof/consistency?from=${first!.size}&to=${second!.size}`,
    );
    expect(r.statusCode).toBe(200);
    const proof = (r.json() as { proof: string[] }).proof.map((p) => decodeBase64(p)!);
    expect(
      verifyConsistency(
        hasher,
        first!.size,
        second!.size,
        proof,
        first!.rootHash,
        second!.rootHash,
      ),
    ).toEqual({ ok: true });
    // Nothing new: no new checkpoint.
    expect((await app.app.ledger.issueCheckpoint())!.size).toBe(second!.size);
  });

  it('refuses proofs of sizes the log does not have', async () => {
    const app = await start();
    const size = (await app.storage.ledgerSize()) as number;
    for (const url of [
      `/api/v1/ledger/proof/inclusion?index=${size}&size=${size}`,
      `/api/v1/ledger/proof/inclusion?index=0&size=${size + 1}`,
      `/api/v1/ledger/proof/inclusion?index=-1&size=${size}`,
      `/api/v1/ledger/proof/consistency?from=0&to=${size}`,
      `/api/v1/ledger/proof/consistency?from=2&to=1`,
      `/api/v1/ledger/proof/consistency?from=1&to=${size + 1}`,
      `/api/v1/ledger/proof/consistency?from=x&to=1`,
    ]) {
      const r = await get(app, url);
      expect(r.statusCode, url).toBe(400);
      expect((r.json() as { error: { code: string } }).error.code, url).toMatch(
        /INVALID_INPUT|SCHEMA/,
      );
    }
  });

  it('takes cosignatures from configured witnesses only, and publishes at the quorum', async () => {
    const alice = witnessKey('witness.alice.example');
    const bob = witnessKey('witness.bob.example');
    const mallory = witnessKey('witness.mallory.example');
    const app = await start({ witnesses: [alice.vkey, bob.vkey], quorum: 2 });
    const keys = (await get(app, '/api/v1/ledger/keys')).json() as { origin: string };
    expect(keys).toMatchObject({ witnesses: [alice.vkey, bob.vkey], quorum: 2 });

    const cp = await app.app.ledger.issueCheckpoint();
    const note = parseNote((await get(app, '/api/v1/ledger/checkpoint')).body);
    if (!note.ok) throw new Error(note.message);
    const text = note.value.text;
    const line = (w: { cosigner: ReturnType<typeof createCosigner> }) =>
      formatSignatureLine(w.cosigner.cosign(text, 1_780_000_000)).trim();
    const submit = (size: number, cosignature: string) =>
      app.server.inject({
        method: 'POST',
        url: '/api/v1/ledger/cosignatures',
        payload: { size, cosignature },
      });

    expect((await get(app, '/api/v1/ledger/checkpoint?published=true')).statusCode).toBe(404);
    expect((await submit(cp!.size, line(mallory))).statusCode).toBe(403);
    const forged = line(alice).replace(/.{4}$/, 'AAAA');
    const bad = await submit(cp!.size, forged);
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ error: { code: 'BAD_SIGNATURE' } });
    expect((await submit(cp!.size + 1, line(alice))).statusCode).toBe(404);
    expect((await submit(cp!.size, 'not a signature line')).statusCode).toBe(400);

    const split = await app.server.inject({
      method: 'POST',
      url: '/api/v1/ledger/cosignatures',
      payload: {
        size: cp!.size,
        cosignature: line(alice),
        rootHash: encodeBase64(new Uint8Array(32)),
      },
    });
    expect(split.statusCode).toBe(409);
    expect(split.json()).toMatchObject({ error: { code: 'CONFLICT' } });

    const one = await submit(cp!.size, line(alice));
    expect(one.json()).toEqual({ accepted: true, cosignatures: 1, published: false });
    const again = await submit(cp!.size, line(alice));
    expect(again.json()).toEqual({ accepted: false, cosignatures: 1, published: false });
    const two = await submit(cp!.size, line(bob));
    expect(two.json()).toEqual({ accepted: true, cosignatures: 2, published: true });

    const published = await get(app, '/api/v1/ledger/checkpoint?published=true');
    expect(published.statusCode).toBe(200);
    const witnessed = parseNote(published.body);
    if (!witnessed.ok) throw new Error(witnessed.message);
    expect(witnessed.value.signatures.map((s) => s.name)).toEqual([
      keys.origin,
      'witness.alice.example',
      'witness.bob.example',
    ]);
  });

  it('needs no key for the ledger routes but still bounds the cosignature body', async () => {
    const app = await start();
    await app.app.ledger.issueCheckpoint();
    const big = await app.server.inject({
      method: 'POST',
      url: '/api/v1/ledger/cosignatures',
      payload: { size: 1, cosignature: 'x'.repeat(10_000) },
    });
    expect(big.statusCode).toBe(413);
  });
});
