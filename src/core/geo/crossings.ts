/** Where two edges of a set of polylines cross. */
export interface Crossing {
  /** Polyline and edge index of the first edge. */
  a: { part: number; edge: number };
  /** Polyline and edge index of the second edge. */
  b: { part: number; edge: number };
  /** An approximate crossing position [lon, lat]. */
  at: [number, number];
}

interface Edge {
  part: number;
  edge: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  px: number,
  py: number,
): boolean {
  return (
    Math.min(ax, bx) <= px &&
    px <= Math.max(ax, bx) &&
    Math.min(ay, by) <= py &&
    py <= Math.max(ay, by)
  );
}

function shareEndpoint(e: Edge, f: Edge): boolean {
  return (
    (e.x1 === f.x1 && e.y1 === f.y1) ||
    (e.x1 === f.x2 && e.y1 === f.y2) ||
    (e.x2 === f.x1 && e.y2 === f.y1) ||
    (e.x2 === f.x2 && e.y2 === f.y2)
  );
}

function cross(e: Edge, f: Edge): [number, number] | undefined {
  const o1 = orient(e.x1, e.y1, e.x2, e.y2, f.x1, f.y1);
  const o2 = orient(e.x1, e.y1, e.x2, e.y2, f.x2, f.y2);
  const o3 = orient(f.x1, f.y1, f.x2, f.y2, e.x1, e.y1);
  const o4 = orient(f.x1, f.y1, f.x2, f.y2, e.x2, e.y2);
  const adjacentTouch = shareEndpoint(e, f);
  if (o1 !== o2 && o3 !== o4 && o1 !== 0 && o2 !== 0 && o3 !== 0 && o4 !== 0) {
    const d = (e.x2 - e.x1) * (f.y2 - f.y1) - (e.y2 - e.y1) * (f.x2 - f.x1);
    const t = ((f.x1 - e.x1) * (f.y2 - f.y1) - (f.y1 - e.y1) * (f.x2 - f.x1)) / d;
    return [e.x1 + t * (e.x2 - e.x1), e.y1 + t * (e.y2 - e.y1)];
  }
  if (o1 === 0 && o2 === 0) {
    // Collinear: crossing when they overlap along a stretch, not just at a shared end point.
    const useX = Math.abs(e.x2 - e.x1) >= Math.abs(e.y2 - e.y1);
    const [e0, e1] = useX ? [e.x1, e.x2] : [e.y1, e.y2];
    const [f0, f1] = useX ? [f.x1, f.x2] : [f.y1, f.y2];
    const lo = Math.max(Math.min(e0, e1), Math.min(f0, f1));
    const hi = Math.min(Math.max(e0, e1), Math.max(f0, f1));
    if (hi > lo)
      return useX ? [lo, e.y1 + ((lo - e.x1) / (e.x2 - e.x1 || 1)) * (e.y2 - e.y1)] : [f.x1, lo];
    if (hi === lo && !adjacentTouch) return [f.x1, f.y1];
    return undefined;
  }
  if (adjacentTouch) return undefined;
  if (o1 === 0 && onSegment(e.x1, e.y1, e.x2, e.y2, f.x1, f.y1)) return [f.x1, f.y1];
  if (o2 === 0 && onSegment(e.x1, e.y1, e.x2, e.y2, f.x2, f.y2)) return [f.x2, f.y2];
  if (o3 === 0 && onSegment(f.x1, f.y1, f.x2, f.y2, e.x1, e.y1)) return [e.x1, e.y1];
  if (o4 === 0 && onSegment(f.x1, f.y1, f.x2, f.y2, e.x2, e.y2)) return [e.x2, e.y2];
  return undefined;
}

/**
 * Finds edges of polylines (lon/lat, straight edges) that cross or touch other than at the
 * end point they share with their neighbour. Edges are bucketed on a grid so that long
 * lines and rings are checked in near-linear time. Returns at most `limit` crossings.
 */
export function findCrossings(
  parts: readonly (readonly (readonly number[])[])[],
  limit = 10,
): Crossing[] {
  const edges: Edge[] = [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  parts.forEach((part, p) => {
    for (let i = 0; i + 1 < part.length; i++) {
      const a = part[i] as readonly number[];
      const b = part[i + 1] as readonly number[];
      const e = {
        part: p,
        edge: i,
        x1: a[0] as number,
        y1: a[1] as number,
        x2: b[0] as number,
        y2: b[1] as number,
      };
      edges.push(e);
      minX = Math.min(minX, e.x1, e.x2);
      maxX = Math.max(maxX, e.x1, e.x2);
      minY = Math.min(minY, e.y1, e.y2);
      maxY = Math.max(maxY, e.y1, e.y2);
    }
  });
  if (edges.length < 2) return [];
  const side = Math.max(1, Math.ceil(Math.sqrt(edges.length)));
  const cw = (maxX - minX) / side || 1;
  const ch = (maxY - minY) / side || 1;
  const cells = new Map<number, number[]>();
  edges.forEach((e, k) => {
    const x0 = Math.min(side - 1, Math.floor((Math.min(e.x1, e.x2) - minX) / cw));
    const x1 = Math.min(side - 1, Math.floor((Math.max(e.x1, e.x2) - minX) / cw));
    const y0 = Math.min(side - 1, Math.floor((Math.min(e.y1, e.y2) - minY) / ch));
    const y1 = Math.min(side - 1, Math.floor((Math.max(e.y1, e.y2) - minY) / ch));
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        const key = y * side + x;
        const list = cells.get(key);
        if (list) list.push(k);
        else cells.set(key, [k]);
      }
    }
  });
  const found: Crossing[] = [];
  const seen = new Set<number>();
  for (const list of cells.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const ki = list[i] as number;
        const kj = list[j] as number;
        const pairKey = Math.min(ki, kj) * edges.length + Math.max(ki, kj);
        if (seen.has(pairKey)) continue;
        seen.add(pairKey);
        const at = cross(edges[ki] as Edge, edges[kj] as Edge);
        if (!at) continue;
        const e = edges[ki] as Edge;
        const f = edges[kj] as Edge;
        found.push({ a: { part: e.part, edge: e.edge }, b: { part: f.part, edge: f.edge }, at });
        if (found.length >= limit) return found;
      }
    }
  }
  return found;
}
