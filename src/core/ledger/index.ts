export { HASH_SIZE, bytesEqual, createMerkleHasher } from './merkle-hasher.js';
export type { MerkleHasher, Sha256 } from './merkle-hasher.js';
export { runHashPlan } from './hash-plan.js';
export type { HashPlan, HashReader } from './hash-plan.js';
export {
  MAX_LOG_SIZE,
  appendHashes,
  planAppend,
  storedHashCount,
  storedHashIndex,
  storedHashNode,
} from './stored-hashes.js';
export type { StoredHash, TreeNode } from './stored-hashes.js';
export { isValidSubtree } from './subtree.js';
export { planSubtreeHash, planTreeHash, subtreeHash, treeHash } from './tree-hash.js';
export {
  consistencyProof,
  inclusionProof,
  planConsistencyProof,
  planInclusionProof,
  planSubtreeConsistencyProof,
  planSubtreeInclusionProof,
  subtreeConsistencyProof,
  subtreeInclusionProof,
} from './merkle-proofs.js';
export {
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from './verify-proofs.js';
export type { ProofCheck, ProofErrorCode } from './verify-proofs.js';
export {
  LEDGER_LEAF_KINDS,
  canonicalJson,
  encodeLeaf,
  encodeLeafText,
  leafHashOf,
} from './canonical-json.js';
export type { JsonObject, JsonValue, LedgerLeaf, LedgerLeafKind } from './canonical-json.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export {
  MAX_NOTE_BYTES,
  MAX_NOTE_SIGNATURES,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  createNoteSigner,
  createNoteVerifier,
  formatKeyId,
  formatNote,
  formatSignatureLine,
  isValidKeyName,
  noteKeyId,
  openNote,
  parseNote,
  parseSignatureLine,
  signNote,
  verifyNote,
} from './signed-note.js';
export type {
  Ed25519Signer,
  Ed25519Verify,
  Note,
  NoteErrorCode,
  NoteSignature,
  NoteSigner,
  NoteVerification,
  NoteVerifier,
  Parsed,
} from './signed-note.js';
export {
  formatVerifierKey,
  parseVerifierKey,
  verifierFromKey,
  verifierKeyOf,
} from './verifier-key.js';
export type { VerifierKey, VerifierKeyType } from './verifier-key.js';
export { formatCheckpoint, openCheckpoint, parseCheckpoint } from './checkpoint.js';
export type { Checkpoint, OpenedCheckpoint } from './checkpoint.js';
export {
  COSIGNATURE_V1_BYTES,
  cosignatureMessage,
  cosignatureTimestamp,
  createCosignatureVerifier,
  createCosigner,
} from './cosignature.js';
export type { Cosigner } from './cosignature.js';
export {
  MAX_WITNESS_PROOF_LINES,
  decideCosign,
  formatAddCheckpointRequest,
  parseAddCheckpointRequest,
} from './witness.js';
export type {
  AddCheckpointRequest,
  WitnessDecision,
  WitnessLogState,
  WitnessRefusalCode,
  WitnessedLog,
} from './witness.js';
