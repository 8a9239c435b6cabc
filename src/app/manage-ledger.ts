import { cosignedCheckpointNote, incidentRef, keyChangeLeaf } from '../core/evidence/index.js';
import {
  bytesEqual,
  encodeBase64,
  formatCheckpoint,
  formatNote,
  formatSignatureLine,
  parseNote,
  parseSignatureLine,
  signNote,
} from '../core/ledger/index.js';
import type { NoteSigner, NoteVerifier } from '../core/ledger/index.js';
import type { Incident } from '../core/incidents/index.js';
import type { AccessPolicy, Principal } from './access.js';
import { appendWith } from './ledger-writer.js';
import type { LedgerWriter } from './ledger-writer.js';
import type {
  Clock,
  LedgerLeafRecord,
  Storage,
  StoredCheckpoint,
  StoredIncidentSource,
  StoredObservation,
} from './ports.js';
import { fail, ok } from './result.js';
import type { Result } from './result.js';

/** A witness the mission accepts cosignatures from. */
export interface LedgerWitness {
  /** Its cosignature verifier key in the signed-note vkey format (published). */
  readonly vkey: string;
  /** The verifier built from it. */
  readonly verifier: NoteVerifier;
}

/** How the ledger signs and who witnesses it. */
export interface LedgerSettings {
  /** The checkpoint origin line, e.g. `armistice.mission.example/ledger`. */
  readonly origin: string;
  /**
   * The log's signing keys (Ed25519, signed-note): the current key first, then any previous key
   * kept during a rotation so that witnesses pinned to it keep verifying checkpoints.
   */
  readonly signers: readonly NoteSigner[];
  /** The verifier keys of `signers`, in the same order, published at /ledger/keys. */
  readonly logKeys: readonly string[];
  /** Witnesses whose cosignatures count. */
  readonly witnesses: readonly LedgerWitness[];
  /** Witness cosignatures a checkpoint needs to count as published (0: every checkpoint). */
  readonly quorum: number;
}

/** Ports of the ledger use cases. */
export interface ManageLedgerDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly policy: AccessPolicy;
  readonly serial: <T>(task: () => Promise<T>) => Promise<T>;
  readonly ledger: LedgerWriter;
  readonly settings: LedgerSettings;
}

/** The public keys of the ledger. */
export interface LedgerKeys {
  /** Checkpoint origin. */
  readonly origin: string;
  /** Log verifier keys that sign checkpoints now (the current key first). */
  readonly log: readonly string[];
  /** Log verifier keys retired by a rotation: they signed older checkpoints. */
  readonly retired: readonly string[];
  /** Witness cosignature verifier keys. */
  readonly witnesses: readonly string[];
  /** Cosignatures a checkpoint needs to be published. */
  readonly quorum: number;
}

/** What an evidence bundle is assembled from (see core/evidence). */
export interface EvidenceParts {
  /** The incident. */
  readonly incident: Incident;
  /** Its sources, as released to the requester. */
  readonly sources: StoredIncidentSource[];
  /** The observations behind the sources, as released. */
  readonly observations: StoredObservation[];
  /** The checkpoint note with its cosignatures. */
  readonly checkpointNote: string;
  /** The checkpoint's size. */
  readonly checkpointSize: number;
  /** The leaves: the observations' and the incident's decisions, in index order. */
  readonly leaves: LedgerLeafRecord[];
  /** Inclusion proof of each leaf in the checkpoint's tree, same order. */
  readonly proofs: Uint8Array[][];
  /** The ledger's keys. */
  readonly keys: LedgerKeys;
}

/** A cosignature accepted (or already held). */
export interface CosignatureOutcome {
  /** False when the checkpoint already had a cosignature by this key. */
  readonly accepted: boolean;
  /** Cosignatures the checkpoint now has. */
  readonly cosignatures: number;
  /** Whether it has reached the quorum. */
  readonly published: boolean;
}

const MAX_PROOF_SIZE = 2 ** 52;

/** The full signed note of a stored checkpoint: the log's signature, then the cosignatures. */
export function checkpointNoteText(checkpoint: StoredCheckpoint): string {
  return cosignedCheckpointNote(checkpoint.note, checkpoint.cosignatures);
}

/** The ledger ref of every `key-change` decision. */
export const LEDGER_KEYS_REF = 'ledger-keys';

/** The log keys in force according to the ledger's `key-change` leaves, oldest first. */
function loggedKeys(leaves: readonly LedgerLeafRecord[]): { active: string[]; retired: string[] } {
  const active: string[] = [];
  const retired: string[] = [];
  for (const leaf of leaves) {
    const { record } = JSON.parse(new TextDecoder().decode(leaf.data)) as {
      record: { action: string; vkey: string };
    };
    const at = active.indexOf(record.vkey);
    if (record.action === 'added' && at < 0) active.push(record.vkey);
    if (record.action === 'retired' && at >= 0) {
      active.splice(at, 1);
      retired.push(record.vkey);
    }
  }
  return { active, retired };
}

function badCount(name: string, value: number, max: number): string | undefined {
  if (!Number.isSafeInteger(value) || value < 0) return `${name} must be a whole number ≥ 0`;
  if (value > max) return `${name} must be at most ${max}`;
  return undefined;
}

/**
 * The evidence ledger's use cases (L1–L4): the signing key's entry in the log, checkpoints on a
 * cadence, witness cosignatures, proofs, and the parts of an incident's evidence bundle.
 * Checkpoints, keys and proofs are public: they reveal hashes, never content.
 */
export function createManageLedger(deps: ManageLedgerDeps) {
  const { storage, settings, ledger, policy } = deps;
  let keys: LedgerKeys = {
    origin: settings.origin,
    log: settings.logKeys,
    retired: [],
    witnesses: settings.witnesses.map((w) => w.vkey),
    quorum: settings.quorum,
  };

  async function issue(): Promise<StoredCheckpoint | undefined> {
    const size = await ledger.size();
    const latest = await storage.latestCheckpoint();
    if (size === 0 || (latest && latest.size >= size)) return latest;
    const rootHash = await ledger.treeHash(size);
    const text = formatCheckpoint({ origin: settings.origin, size, rootHash, extensions: [] });
    const checkpoint: StoredCheckpoint = {
      size,
      rootHash,
      note: formatNote(signNote(text, settings.signers)),
      issuedAtMs: deps.clock.nowMs(),
      cosignatures: [],
    };
    await storage.putCheckpoint(checkpoint);
    return checkpoint;
  }

  return {
    /** The published keys and quorum. */
    keys: (): LedgerKeys => keys,

    /**
     * Brings the ledger's record of its signing keys in line with the keys configured: every
     * configured key not yet logged is logged `added`, every logged key no longer configured is
     * logged `retired` — so a key rotation is itself a decision in the log, and the verifier
     * keys of old checkpoints stay published.
     */
    reconcileSigningKeys(actor: string): Promise<void> {
      return deps.serial(async () => {
        const logged = loggedKeys(await storage.ledgerLeavesOf(LEDGER_KEYS_REF));
        const nowMs = deps.clock.nowMs();
        const leaves = [
          ...settings.logKeys
            .filter((vkey) => !logged.active.includes(vkey))
            .map((vkey) => keyChangeLeaf('added', vkey, actor, nowMs)),
          ...logged.active
            .filter((vkey) => !settings.logKeys.includes(vkey))
            .map((vkey) => keyChangeLeaf('retired', vkey, actor, nowMs)),
        ].map((leaf) => ({ ref: LEDGER_KEYS_REF, leaf }));
        if (leaves.length > 0) {
          await appendWith(ledger, leaves, (append) => storage.appendLedger(append));
        }
        const after = loggedKeys(await storage.ledgerLeavesOf(LEDGER_KEYS_REF));
        keys = { ...keys, retired: after.retired.filter((v) => !settings.logKeys.includes(v)) };
      });
    },

    /** Signs and stores a checkpoint of the log as it is now, unless the newest covers it. */
    issueCheckpoint: (): Promise<StoredCheckpoint | undefined> => deps.serial(issue),

    /**
     * The newest checkpoint as a signed note with its cosignatures; with `published`, the newest
     * that has the quorum.
     */
    async checkpoint(published = false): Promise<Result<string>> {
      const cp = await storage.latestCheckpoint(published ? settings.quorum : 0);
      if (!cp) {
        return fail(
          'NOT_FOUND',
          published ? 'no checkpoint is published yet' : 'no checkpoint yet',
        );
      }
      return ok(checkpointNoteText(cp));
    },

    /**
     * Takes a witness's cosignature of the checkpoint of `size`. The cosignature is its own
     * credential: it must be by a configured witness key and verify over the checkpoint text.
     */
    async addCosignature(
      size: number,
      line: string,
      rootHash?: Uint8Array,
    ): Promise<Result<CosignatureOutcome>> {
      const parsed = parseSignatureLine(line.trim());
      if (!parsed.ok) return fail('INVALID_INPUT', `cosignature: ${parsed.message}`);
      const sig = parsed.value;
      const witness = settings.witnesses.find(
        (w) => w.verifier.name === sig.name && w.verifier.keyId === sig.keyId,
      );
      if (!witness) return fail('FORBIDDEN', `'${sig.name}' is not a witness of this ledger`);
      const cp = await storage.getCheckpoint(size);
      if (!cp) return fail('NOT_FOUND', `no checkpoint of size ${size}`);
      if (rootHash && !bytesEqual(rootHash, cp.rootHash)) {
        return fail(
          'CONFLICT',
          `the checkpoint of size ${size} this log signed has root ${encodeBase64(cp.rootHash)}, ` +
            `not ${encodeBase64(rootHash)}: the witness was shown another tree`,
        );
      }
      const note = parseNote(cp.note);
      if (!note.ok) return fail('INTERNAL', 'stored checkpoint does not parse');
      if (!witness.verifier.verify(new TextEncoder().encode(note.value.text), sig.signature)) {
        return fail('BAD_SIGNATURE', `the cosignature by '${sig.name}' does not verify`);
      }
      const accepted = await storage.addCosignature(size, formatSignatureLine(sig));
      const count = (await storage.getCheckpoint(size))?.cosignatures.length ?? 0;
      return ok({ accepted, cosignatures: count, published: count >= settings.quorum });
    },

    /** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves. */
    async inclusionProof(index: number, size: number): Promise<Result<Uint8Array[]>> {
      const current = await ledger.size();
      const bad =
        badCount('size', size, Math.min(current, MAX_PROOF_SIZE)) ??
        badCount('index', index, size - 1);
      if (bad || size === 0) return fail('INVALID_INPUT', bad ?? 'size must be at least 1');
      return ok(await ledger.inclusionProof(index, size));
    },

    /** RFC 9162 consistency proof between the trees of `from` and `to` leaves. */
    async consistencyProof(from: number, to: number): Promise<Result<Uint8Array[]>> {
      const current = await ledger.size();
      const bad =
        badCount('to', to, Math.min(current, MAX_PROOF_SIZE)) ?? badCount('from', from, to);
      if (bad || from === 0) return fail('INVALID_INPUT', bad ?? 'from must be at least 1');
      return ok(await ledger.consistencyProof(from, to));
    },

    /**
     * What an incident's evidence bundle holds, as released to `principal`: the incident, its
     * sources and their observations, the leaves of both and of the incident's decisions, each
     * with an inclusion proof against the newest published checkpoint that covers them all.
     */
    async evidence(principal: Principal, id: string): Promise<Result<EvidenceParts>> {
      if (!policy.can(principal, 'incidents:read')) {
        return fail('FORBIDDEN', 'this key may not read incidents');
      }
      const found = await storage.getIncident(id);
      const [incident] = found ? policy.visible(principal, 'incident', [found]) : [];
      if (!incident) return fail('NOT_FOUND', `no incident '${id}'`);
      const readable = policy.can(principal, 'observations:read');
      const allSources = await storage.incidentSources(id);
      const stored: StoredObservation[] = [];
      for (const s of readable ? allSources : []) {
        const o = await storage.getObservation({ sensorId: s.sensorId, id: s.observationId });
        if (o) stored.push(o);
      }
      const observations = policy.visible(principal, 'observation', stored);
      const released = new Set(
        observations.map((o) => `${o.observation.sensorId}/${o.observation.id}`),
      );
      const sources = allSources.filter((s) => released.has(`${s.sensorId}/${s.observationId}`));
      const leaves: LedgerLeafRecord[] = [...(await storage.ledgerLeavesOf(incidentRef(id)))];
      for (const o of observations) {
        if (o.leafIndex === null) continue;
        const [leaf] = await storage.ledgerLeaves(o.leafIndex, 1);
        if (leaf) leaves.push(leaf);
      }
      leaves.sort((a, b) => a.index - b.index);
      const needed = (leaves.at(-1)?.index ?? -1) + 1;
      let cp = await storage.latestCheckpoint(settings.quorum);
      if ((!cp || cp.size < needed) && settings.quorum === 0) cp = await deps.serial(issue);
      if (!cp || cp.size < needed) {
        return fail(
          'NOT_YET_WITNESSED',
          `the newest checkpoint with ${settings.quorum} witness cosignatures ` +
            `${cp ? `has ${cp.size} leaves` : 'does not exist yet'}; ` +
            `this incident's evidence needs ${needed}. Retry after the witnesses cosign.`,
        );
      }
      const size = cp.size;
      const proofs: Uint8Array[][] = [];
      for (const leaf of leaves) proofs.push(await ledger.inclusionProof(leaf.index, size));
      return ok({
        incident,
        sources,
        observations,
        checkpointNote: checkpointNoteText(cp),
        checkpointSize: size,
        leaves,
        proofs,
        keys,
      });
    },
  };
}

/** The ledger use cases. */
export type ManageLedger = ReturnType<typeof createManageLedger>;
