export { ZoneSpecSchema, ZONE_KINDS, AREA_ZONE_KINDS } from './zone-spec.js';
export type {
  AreaGeometry,
  AreaZone,
  BandZone,
  Party,
  ReferenceLine,
  SectorZone,
  StripZone,
  Zone,
  ZoneSpec,
} from './zone-spec.js';
export { validateZoneSpec, validityOf } from './validate-zone-spec.js';
export type { ZoneSpecValidation } from './validate-zone-spec.js';
export { compileZoneSet } from './compile-zone-set.js';
export type {
  ActiveZone,
  CompiledLine,
  Primitive,
  ZoneSet,
  ZoneSetCompilation,
} from './compile-zone-set.js';
export { evaluateDisk, evaluatePoint } from './evaluate.js';
export type { DiskEvaluation, PointEvaluation } from './evaluate.js';
export { buildZoneIndex } from './zone-index.js';
export type { ZoneClass, ZoneIndex, ZoneIndexOptions, ZoneIndexStats } from './zone-index.js';
export {
  DISPLAY_TOLERANCE_M,
  lineZoneRing,
  zoneDisplayGeometry,
  zoneSetToGeoJson,
} from './zone-geometry.js';
export { bandEdge } from './band-edge.js';
export {
  classifyObserverBearing,
  classifyPosition,
  classifyPositionIndexed,
  coverObserverBearing,
} from './classify-position.js';
export type {
  ObserverBearing,
  PointPosition,
  PositionClassification,
} from './classify-position.js';
export { detectTransitions } from './detect-transitions.js';
export type { Transition, ZoneTransition } from './detect-transitions.js';
export { createZoneModel } from './zone-model.js';
export type { ZoneModel } from './zone-model.js';
