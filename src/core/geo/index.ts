export {
  WGS84_A_M,
  WGS84_B_M,
  WGS84_E2,
  WGS84_F,
  geodesicDirect,
  geodesicDistanceM,
  geodesicInverse,
  geodesicSegment,
  geodesicSegmentFrom,
  meridionalRadiusM,
  primeVerticalRadiusM,
  wrapDeg180,
  wrapDeg360,
} from './wgs84.js';
export type { DirectResult, GeodesicSegment, InverseResult, LonLat } from './wgs84.js';
export { nearestOnGeodesicSegment } from './nearest-on-geodesic.js';
export type { SegmentFoot } from './nearest-on-geodesic.js';
export { createLineMetric } from './line-metric.js';
export type { LineFoot, LineMetric } from './line-metric.js';
export { preparePlanarPolygon, segmentTouchesBox } from './planar-polygon.js';
export type { LonLatBox, PlanarPolygon } from './planar-polygon.js';
export { formatMgrs, parseMgrs } from './mgrs.js';
export type { MgrsPrecision } from './mgrs.js';
export { MIN_CURVATURE_RADIUS_M, geodesicSagBoundM, pointToChordM, toEcef } from './ecef.js';
export { cellRadiusBoundM } from './cell-radius.js';
export { findCrossings } from './crossings.js';
export type { Crossing } from './crossings.js';
