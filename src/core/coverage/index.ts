export { clipIntervals, mergeIntervals, totalDurationMs, uptimeFromActivity } from './intervals.js';
export type { Interval } from './intervals.js';
export { DEFAULT_COVERAGE_RANGE_M, coverageRangeM, coverageShape } from './shapes.js';
export type { CoverageSensor, CoverageShape, PassShape } from './shapes.js';
export {
  DEFAULT_COVERAGE_TOLERANCE_M,
  geodesicDiskRing,
  geodesicSwath,
  sensorCoverage,
} from './sensor-coverage.js';
export type { SensorCoverageOptions } from './sensor-coverage.js';
export { unionPolygons } from './polygon-union.js';
export {
  DEFAULT_MAX_CELLS,
  DEFAULT_TARGET_CELLS,
  MAX_AUTO_RESOLUTION,
  approximateAreaM2,
  chooseCoverageResolution,
  zoneCells,
} from './zone-cells.js';
export type { ZoneCells } from './zone-cells.js';
export { cellsOutline } from './cell-outline.js';
export { coverageOfZone } from './coverage-of-zone.js';
export type {
  CellCoverage,
  SensorCoverageShare,
  SensorUptime,
  ZoneCoverage,
  ZoneCoverageQuery,
} from './coverage-of-zone.js';
