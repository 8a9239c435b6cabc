/**
 * A real small ledger in memory with one incident's evidence in it, a signed and cosigned
 * checkpoint, and the evidence bundle assembled from it: what the evidence route would return.
 */
import { createEd25519Signer, sha256 } from '../../src/adapters/crypto/index.js';
import { incidentView, sourceView } from '../../src/adapters/http/views.js';
import {
  assembleEvidenceBundle,
  cosignedCheckpointNote,
  incidentRef,
  observationLeaf,
  observationRef,
  transitionLeaf,
  zoneChangeLeaf,
} from '../../src/core/evidence/index.js';
import type { EvidenceBundle, EvidenceLeafData } from '../../src/core/evidence/index.js';
import type { Incident, IncidentTransition } from '../../src/core/incidents/index.js';
import {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  createCosigner,
  createNoteSigner,
  encodeLeaf,
  formatCheckpoint,
  formatNote,
  formatSignatureLine,
  formatVerifierKey,
  inclusionProof,
  signNote,
  treeHash,
  verifierKeyOf,
} from '../../src/core/ledger/index.js';
import type { LedgerLeaf } from '../../src/core/ledger/index.js';
import type { Observation } from '../../src/core/observations/index.js';
import { createMemoryLog, hasher } from '../ledger/memory-log.js';

export const ORIGIN = 'armistice.example/ledger';
export const INCIDENT_ID = 'inc-0042';
/** Leaves in the log when the checkpoint was signed. */
export const CHECKPOINT_SIZE = 50;
const T0 = Date.parse('2026-03-01T06:00:00Z');
/** When the witnesses cosigned, POSIX seconds. */
export const COSIGNED_AT_SEC = T0 / 1000 + 3600;

const seed = (n: number) => new Uint8Array(32).fill(n);
const logKey = createEd25519Signer(seed(1));
const w1Key = createEd25519Signer(seed(2));
const w2Key = createEd25519Signer(seed(3));
const otherKey = createEd25519Signer(seed(4));

export const logSigner = createNoteSigner(sha256, ORIGIN, logKey);
export const witness1 = createCosigner(sha256, 'party-a.example/witness', w1Key);
export const witness2 = createCosigner(sha256, 'party-b.example/witness', w2Key);

const vkey = (name: string, type: 0x01 | 0x04, publicKey: Uint8Array) =>
  formatVerifierKey(verifierKeyOf(sha256, name, type, publicKey));

export const LOG_VKEY = vkey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
export const WITNESS1_VKEY = vkey(witness1.name, SIGNATURE_TYPE_COSIGNATURE_V1, w1Key.publicKey);
export const WITNESS2_VKEY = vkey(witness2.name, SIGNATURE_TYPE_COSIGNATURE_V1, w2Key.publicKey);
/** A log key with the log's name but another private key. */
export const IMPOSTOR_LOG_VKEY = vkey(ORIGIN, SIGNATURE_TYPE_ED25519, otherKey.publicKey);
/** A witness key nobody cosigned with. */
export const OTHER_WITNESS_VKEY = vkey(
  'party-c.example/witness',
  SIGNATURE_TYPE_COSIGNATURE_V1,
  otherKey.publicKey,
);

function observation(sensorId: string, id: string, minute: number, lon: number): Observation {
  return {
    id,
    sensorId,
    observedAt: new Date(T0 + minute * 60_000).toISOString(),
    kind: 'detection',
    position: { lon, lat: 35.1234567, uncertaintyM: 25 },
    object: { class: 'tank', count: 2, party: 'A', confidence: 0.9 },
  };
}

const facts = (o: Observation, ruleIds: string[]) => ({
  receivedAtMs: Date.parse(o.observedAt) + 2000,
  lon: o.position && 'lon' in o.position ? o.position.lon : null,
  lat: o.position && 'lat' in o.position ? o.position.lat : null,
  radiusM: 25,
  inside: ['dmz'],
  possiblyInside: [],
  side: 'A',
  distanceToLineM: 812.5,
  zoneSpecVersion: 3,
  ruleIds,
  authorized: [],
});

/** The incident's sources, in the order they are logged. */
export const SOURCE_OBSERVATIONS: Observation[] = [
  observation('cam-07', 'obs-9', 10, 33.4567891),
  observation('radar-2', 'r-1001', 11, 33.4567801),
  observation('cam-07', 'obs-12', 13, 33.4569),
  observation('patrol-1', 'p-77', 20, 33.4571),
  observation('cam-09', 'obs-3', 22, 33.4566),
];

const transitions: IncidentTransition[] = [
  {
    from: 'detected',
    to: 'under-review',
    actor: 'analyst-1',
    atMs: T0 + 30 * 60_000,
    reason: 'triage',
  },
  {
    from: 'under-review',
    to: 'verified',
    actor: 'analyst-2',
    atMs: T0 + 90 * 60_000,
    reason: 'two sensors agree; imagery confirms two tanks',
  },
];

const baseIncident: Incident = {
  id: INCIDENT_ID,
  ruleId: 'no-heavy-weapons-in-dmz',
  severity: 'critical',
  status: 'detected',
  certainty: 'certain',
  firstObservedAtMs: T0 + 10 * 60_000,
  lastObservedAtMs: T0 + 22 * 60_000,
  lon: 33.4568,
  lat: 35.1234567,
  radiusM: 40,
  zones: ['dmz'],
  sectors: ['S3'],
  classes: ['tank'],
  eventTypes: [],
  parties: ['A'],
  maxCount: 2,
  sensorIds: ['cam-07', 'cam-09', 'patrol-1', 'radar-2'],
  corroboration: 4,
  sourceCount: SOURCE_OBSERVATIONS.length,
  transitions: [],
  createdAtMs: T0 + 10 * 60_000 + 2000,
  updatedAtMs: T0 + 10 * 60_000 + 2000,
  version: 1,
};

/** The incident after both transitions. */
export const incident: Incident = transitions.reduce<Incident>(
  (i, t) => ({
    ...i,
    status: t.to,
    transitions: [...i.transitions, t],
    updatedAtMs: t.atMs,
    version: i.version + 1,
  }),
  baseIncident,
);

interface Entry {
  leaf: LedgerLeaf;
  ref: string;
}

/** Everything logged, in order: the incident's 7 leaves among 53 others. */
function ledgerEntries(): Entry[] {
  const entries: Entry[] = [
    { leaf: zoneChangeLeaf(3, { name: 'notional' }, 'admin', T0), ref: 'zone-spec:3' },
  ];
  let noise = 0;
  const addNoise = (n: number) => {
    for (let k = 0; k < n; k++, noise++) {
      const o = observation(`seismic-${noise % 3}`, `s-${noise}`, noise % 60, 33.5 + noise / 1000);
      entries.push({
        leaf: observationLeaf(o, facts(o, [])),
        ref: observationRef(o.sensorId, o.id),
      });
    }
  };
  addNoise(6);
  SOURCE_OBSERVATIONS.forEach((o, k) => {
    entries.push({
      leaf: observationLeaf(o, facts(o, ['no-heavy-weapons-in-dmz'])),
      ref: observationRef(o.sensorId, o.id),
    });
    addNoise(3 + k);
  });
  // Another incident's decision, then ours, in order.
  entries.push({
    leaf: transitionLeaf({ id: 'inc-0041', version: 2 }, transitions[0] as IncidentTransition),
    ref: incidentRef('inc-0041'),
  });
  transitions.forEach((t, k) => {
    entries.push({
      leaf: transitionLeaf({ id: INCIDENT_ID, version: baseIncident.version + k + 1 }, t),
      ref: incidentRef(INCIDENT_ID),
    });
    addNoise(5);
  });
  addNoise(CHECKPOINT_SIZE + 10 - entries.length);
  return entries;
}

/** The stored leaves (60: the log went on after the checkpoint at 50). */
export const stored: EvidenceLeafData[] = ledgerEntries().map((e, index) => ({
  index,
  kind: e.leaf.kind,
  ref: e.ref,
  data: encodeLeaf(e.leaf),
}));

export const log = createMemoryLog();
log.append(stored.map((l) => hasher.hashLeaf(l.data)));

/** The checkpoint text at CHECKPOINT_SIZE. */
export const checkpointText = formatCheckpoint({
  origin: ORIGIN,
  size: CHECKPOINT_SIZE,
  rootHash: treeHash(hasher, CHECKPOINT_SIZE, log.read),
  extensions: [],
});

/** The note as the log signed it, and the two witnesses' cosignature lines. */
export const signedNote = formatNote(signNote(checkpointText, [logSigner]));
export const cosignatureLines = [witness1, witness2].map((w) =>
  formatSignatureLine(w.cosign(checkpointText, COSIGNED_AT_SEC)),
);

/** The stored leaves of the incident: its sources' observations and its transitions. */
export const incidentLeaves = stored.filter(
  (l) =>
    l.index < CHECKPOINT_SIZE &&
    (l.ref === incidentRef(INCIDENT_ID) ||
      SOURCE_OBSERVATIONS.some((o) => l.ref === observationRef(o.sensorId, o.id))),
);

/** The bundle as the route would build it (leaves given out of order on purpose). */
export function makeBundle(): EvidenceBundle {
  const leaves = [...incidentLeaves].reverse();
  return assembleEvidenceBundle({
    origin: ORIGIN,
    generatedAtMs: T0 + 86_400_000,
    incident: incidentView(incident),
    sources: SOURCE_OBSERVATIONS.map((o) =>
      sourceView({
        incidentId: INCIDENT_ID,
        sensorId: o.sensorId,
        observationId: o.id,
        observedAtMs: Date.parse(o.observedAt),
        certainty: 'certain',
      }),
    ),
    checkpointNote: cosignedCheckpointNote(signedNote, cosignatureLines),
    leaves,
    proofs: leaves.map((l) => inclusionProof(hasher, l.index, CHECKPOINT_SIZE, log.read)),
    keys: { log: [LOG_VKEY], witnesses: [WITNESS1_VKEY, WITNESS2_VKEY], quorum: 2 },
  });
}

/** A JSON copy of the bundle, as a recipient reads it, to change at will. */
export function bundleJson(): Record<string, unknown> & {
  leaves: Record<string, unknown>[];
  checkpoint: string;
} {
  return JSON.parse(JSON.stringify(makeBundle())) as ReturnType<typeof bundleJson>;
}

/** The trusted keys of the verifier: the real log and both witnesses, quorum 2. */
export const TRUSTED = { log: [LOG_VKEY], witnesses: [WITNESS1_VKEY, WITNESS2_VKEY], quorum: 2 };
