import { geodesicSegment } from '../geo/index.js';
import type { ZoneSet } from './compile-zone-set.js';
import { evaluateDisk, evaluatePoint } from './evaluate.js';
import { FALSE, TRUE } from './tri.js';

/** What happened to a moving object relative to a zone between two fixes (Tile38's words). */
export type Transition = 'inside' | 'outside' | 'enter' | 'exit' | 'cross';

/** One zone's transition. */
export interface ZoneTransition {
  /** Zone id. */
  readonly zone: string;
  /** The transition. */
  readonly transition: Transition;
}

/** Smallest piece of the path examined when looking for a pass through a zone, metres. */
const MIN_PIECE_M = 0.5;
/** Largest number of pieces examined per zone, to bound the work on a path grazing a zone. */
const MAX_PIECES = 4096;

/**
 * The transition of each zone between two successive fixes joined by a geodesic: `enter` and
 * `exit` when the fixes differ, `inside` when both are in; when both are out, `cross` if the
 * path passes through the zone and `outside` if not. A pass is found by covering the path with
 * disks, halving those the zone may partly hold, down to half a metre.
 */
export function detectTransitions(
  zs: ZoneSet,
  from: { lon: number; lat: number },
  to: { lon: number; lat: number },
): ZoneTransition[] {
  const a = evaluatePoint(zs, from.lon, from.lat).zones;
  const b = evaluatePoint(zs, to.lon, to.lat).zones;
  const path = geodesicSegment(from.lon, from.lat, to.lon, to.lat);
  return zs.zones.map((zone, i) => {
    const inA = a[i] === 1;
    const inB = b[i] === 1;
    let transition: Transition;
    if (inA && inB) transition = 'inside';
    else if (inA) transition = 'exit';
    else if (inB) transition = 'enter';
    else transition = passesThrough(zs, i, path) ? 'cross' : 'outside';
    return { zone: zone.id, transition };
  });
}

function passesThrough(
  zs: ZoneSet,
  zone: number,
  path: ReturnType<typeof geodesicSegment>,
): boolean {
  const stack: [number, number][] = [[0, path.lengthM]];
  let examined = 0;
  while (stack.length > 0 && examined < MAX_PIECES) {
    const [s0, s1] = stack.pop() as [number, number];
    examined++;
    const mid = path.at((s0 + s1) / 2);
    const half = (s1 - s0) / 2;
    if (evaluatePoint(zs, mid.lon, mid.lat).zones[zone] === 1) return true;
    if (half < MIN_PIECE_M) continue;
    const v = evaluateDisk(zs, mid.lon, mid.lat, half * 1.0001 + 1e-6).zones[zone];
    if (v === TRUE) return true;
    if (v === FALSE) continue;
    stack.push([s0, (s0 + s1) / 2], [(s0 + s1) / 2, s1]);
  }
  return false;
}
