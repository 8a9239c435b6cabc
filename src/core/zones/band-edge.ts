import { geodesicDirect, wrapDeg180 } from '../geo/index.js';
import type { GeodesicSegment, LineMetric } from '../geo/index.js';

/** Spacing of samples along each segment's parallel curve, metres. */
const ALONG_STEP_M = 1000;
/** Largest sag, metres, of a chord across the arc around a vertex. */
const ARC_SAG_M = 0.25;
/** A sample counts as on the edge when no other part of the line is nearer by more than this. */
const COVER_EPS_M = 1e-3;
const BISECTIONS = 40;

type Pt = [number, number];

/** A piece of the boundary of one segment's own neighbourhood, parametrised on [0, 1]. */
interface Piece {
  readonly at: (t: number) => Pt;
}

function parallelPiece(
  seg: GeodesicSegment,
  side: -1 | 1,
  widthM: number,
  fromS: number,
  toS: number,
): Piece {
  return {
    at(t) {
      const p = seg.at(fromS + (toS - fromS) * t);
      const q = geodesicDirect(p.lon, p.lat, p.azimuthDeg + 90 * side, widthM);
      return [q.lon, q.lat];
    },
  };
}

function arcPiece(
  lon: number,
  lat: number,
  fromAz: number,
  turnDeg: number,
  widthM: number,
): Piece {
  return {
    at(t) {
      const q = geodesicDirect(lon, lat, fromAz + turnDeg * t, widthM);
      return [q.lon, q.lat];
    },
  };
}

/**
 * The edge of the zone within `widthM` of the line on one side, between the cross-cuts at
 * `fromM` and `toM`, as a polyline in the line's direction whose straight lon/lat edges stay
 * within a metre of the true geodesic isoline.
 *
 * The neighbourhood of the line is the union of its segments' neighbourhoods, so its edge is
 * made of pieces of each segment's parallel curve (the points `widthM` along the normal from
 * each point of the segment) and of arcs around vertices. Each piece is sampled; a sample is on
 * the edge exactly when no other part of the line is nearer than `widthM`, and the corners
 * where one piece gives way to another are found by bisection. Samples are exact (every vertex
 * is at the true distance); only the chords between them approximate the curve. Enclosed holes
 * (a closed pocket of the line wider than twice the width) are not drawn.
 */
export function bandEdge(
  metric: LineMetric,
  side: -1 | 1,
  widthM: number,
  fromM: number,
  toM: number,
): Pt[] {
  const out: Pt[] = [];
  const onEdge = (p: Pt) => metric.nearest(p[0], p[1]).distanceM >= widthM - COVER_EPS_M;
  const push = (p: Pt) => {
    const last = out[out.length - 1];
    if (!last || Math.abs(last[0] - p[0]) > 1e-10 || Math.abs(last[1] - p[1]) > 1e-10) out.push(p);
  };
  // Whether the previous sample was on the edge, and where it was, to bisect for corners.
  let prev: { piece: Piece; t: number; on: boolean } | undefined;
  const visit = (piece: Piece, t: number, newPiece: boolean) => {
    const p = piece.at(t);
    const on = onEdge(p);
    if (prev && !newPiece && prev.on !== on) {
      // The edge changes piece between prev.t and t on this piece: find where.
      let lo = prev.t;
      let hi = t;
      for (let k = 0; k < BISECTIONS; k++) {
        const mid = (lo + hi) / 2;
        if (onEdge(piece.at(mid)) === prev.on) lo = mid;
        else hi = mid;
      }
      push(piece.at(prev.on ? lo : hi));
    }
    if (on) push(p);
    prev = { piece, t, on };
  };
  const turnStep = (2 * Math.acos(1 - Math.min(1, ARC_SAG_M / widthM)) * 180) / Math.PI;

  for (let i = 0; i < metric.segmentCount; i++) {
    const seg = metric.segments[i] as GeodesicSegment;
    const start = metric.segmentStartM[i] as number;
    const a = Math.max(fromM, start);
    const b = Math.min(toM, start + seg.lengthM);
    if (b < a) continue;
    if (i > 0 && a === start && fromM < start) {
      const before = metric.segments[i - 1] as GeodesicSegment;
      const turn = wrapDeg180(seg.azimuth1Deg - before.azimuth2Deg);
      const steps = Math.ceil(Math.abs(turn) / turnStep);
      const arc = arcPiece(seg.lon1, seg.lat1, before.azimuth2Deg + 90 * side, turn, widthM);
      for (let k = 0; k <= steps; k++) visit(arc, k / steps, k === 0);
    }
    const piece = parallelPiece(seg, side, widthM, a - start, b - start);
    const n = Math.max(1, Math.ceil((b - a) / ALONG_STEP_M));
    for (let k = 0; k <= n; k++) visit(piece, k / n, k === 0);
  }
  return withoutSmallLoops(out);
}

/** Where segments ab and cd cross (strictly), or undefined. */
function crossing(a: Pt, b: Pt, c: Pt, d: Pt): Pt | undefined {
  const rx = b[0] - a[0];
  const ry = b[1] - a[1];
  const sx = d[0] - c[0];
  const sy = d[1] - c[1];
  const den = rx * sy - ry * sx;
  if (den === 0) return undefined;
  const t = ((c[0] - a[0]) * sy - (c[1] - a[1]) * sx) / den;
  const u = ((c[0] - a[0]) * ry - (c[1] - a[1]) * rx) / den;
  if (t <= 0 || t >= 1 || u <= 0 || u >= 1) return undefined;
  return [a[0] + t * rx, a[1] + t * ry];
}

/**
 * Removes the tiny loops (centimetres) that bisected corners on the inner side of a bend can
 * leave where two pieces meet: when an edge crosses one of the next few edges, the vertices
 * between are replaced by the crossing point, so that rings are simple.
 */
function withoutSmallLoops(points: Pt[], window = 8): Pt[] {
  const out: Pt[] = [];
  for (const p of points) {
    out.push(p);
    const n = out.length;
    if (n < 4) continue;
    const c = out[n - 2] as Pt;
    const d = out[n - 1] as Pt;
    for (let i = Math.max(0, n - 2 - window); i + 1 < n - 2; i++) {
      const x = crossing(out[i] as Pt, out[i + 1] as Pt, c, d);
      if (x) {
        out.splice(i + 1, n - (i + 1), x, d);
        break;
      }
    }
  }
  return out;
}
