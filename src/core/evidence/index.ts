export {
  incidentRef,
  keyChangeLeaf,
  observationLeaf,
  observationLeafText,
  observationRef,
  ruleChangeLeaf,
  transitionLeaf,
  zoneChangeLeaf,
} from './leaf-records.js';
export type { DerivedObservationFacts } from './leaf-records.js';
export {
  EVIDENCE_BUNDLE_FORMAT,
  MAX_BUNDLE_KEYS,
  MAX_BUNDLE_LEAVES,
  MAX_BUNDLE_RECORDS,
  MAX_PROOF_HASHES,
  assembleEvidenceBundle,
  cosignedCheckpointNote,
} from './bundle.js';
export type {
  EvidenceBundle,
  EvidenceBundleInput,
  EvidenceIncident,
  EvidenceKeys,
  EvidenceLeaf,
  EvidenceLeafData,
  EvidenceSource,
  EvidenceTransition,
} from './bundle.js';
export { MAX_TRUSTED_KEYS_CHARS, parseKeyList, parseTrustedKeys } from './trusted-keys.js';
export type { TrustedKeys, TrustedKeysParse } from './trusted-keys.js';
export { verifyEvidenceBundle } from './verify-bundle.js';
export type {
  EvidenceFailure,
  EvidenceFailureCode,
  EvidenceSummary,
  EvidenceVerification,
  EvidenceVerifyDeps,
  EvidenceWitness,
} from './verify-bundle.js';
