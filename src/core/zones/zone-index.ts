import { cellRadiusBoundM } from '../geo/index.js';
import type { LineFoot, LineMetric, LonLatBox } from '../geo/index.js';
import type { ZoneSet } from './compile-zone-set.js';
import {
  alongOverSegments,
  isAlong,
  isOnSide,
  isSideAmbiguousNearEnds,
  nearOverRegion,
} from './evaluate.js';
import { FALSE, TRUE, UNKNOWN, evaluateExpr, primitivesOf } from './tri.js';
import type { Tri } from './tri.js';

/** How finely the index divides space. Exactness does not depend on these, only speed and size. */
export interface ZoneIndexOptions {
  /** Size of the top grid's cells, metres (default 3200). */
  readonly topCellM?: number;
  /** Cells are divided until they are decided or smaller than this, metres (default 100). */
  readonly leafSizeM?: number;
}

/** What a position's classification resolves to: the zones holding it and its side. */
export interface ZoneClass {
  /** 1 for each zone of `ZoneSet.zones` that contains the position, else 0. */
  readonly zones: Uint8Array;
  /** Side of the primary line: -1 left, +1 right, 0 on it or no primary line. */
  readonly side: -1 | 0 | 1;
}

/** Size and shape of a built index. */
export interface ZoneIndexStats {
  /** Cells of the top grid. */
  readonly topCells: number;
  /** Quadtree nodes below the top grid. */
  readonly nodes: number;
  /** Cells smaller than the leaf size that a boundary passes through: decided per position. */
  readonly exactLeaves: number;
  /** Distinct classes (zone combinations and sides). */
  readonly classes: number;
  /** Bytes held by the index's typed arrays. */
  readonly bytes: number;
}

/**
 * An index over a zone set that classifies positions exactly and fast. Space is divided into a
 * grid and quadtrees; a cell is decided when every zone and the side of the primary line are
 * the same over all of it (proved with rigorous distance bounds: distance to a line is
 * 1-Lipschitz, polygons are tested edge by edge). Undecided cells smaller than the leaf size
 * keep the few candidate segments and the primitives still open, and decide each position with
 * the exact geodesic computation. The result is identical to `evaluatePoint` for every position.
 */
export interface ZoneIndex {
  /** The region the index covers; positions outside it are classified exactly, more slowly. */
  readonly bbox: LonLatBox;
  /** Classes by id. */
  readonly classes: readonly ZoneClass[];
  /** Size of the index. */
  readonly stats: ZoneIndexStats;
  /** The class id of a position. */
  classify(lon: number, lat: number): number;
  /** Class ids of many positions, given as interleaved lon, lat pairs. */
  classifyMany(lonLat: Float64Array, out: Int32Array): void;
}

const DEG = Math.PI / 180;
const M_PER_DEG_LAT_MIN = 110_574 * 0.999;

interface ExactLeaf {
  /** Candidate segments per line (undefined when no open primitive uses the line). */
  readonly candidates: (Int32Array | undefined)[];
  /** Primitive values inherited from the cell: 0, 1, or 2 (compute per position). */
  readonly prims: Uint8Array;
  /** Primary side decided for the cell (-1, 0, 1), or 2 to compute. */
  readonly side: number;
}

interface Cell {
  readonly box: LonLatBox;
  /** Candidate segments per line that may hold the foot of some point of the cell. */
  readonly candidates: (Int32Array | undefined)[];
  /** Primitive values decided by an enclosing cell (2 where open). */
  readonly prims: Uint8Array;
  /** Polygon edges per primitive that may cross the cell (undefined for non-polygons). */
  readonly edges: (number[] | undefined)[];
  /** Primary side decided by an enclosing cell, or 2. */
  readonly side: number;
}

/** Builds the index of a compiled zone set. */
export function buildZoneIndex(zs: ZoneSet, options: ZoneIndexOptions = {}): ZoneIndex {
  const topCellM = options.topCellM ?? 3200;
  const leafSizeM = options.leafSizeM ?? 100;
  const prims = zs.primitives;
  const nLines = zs.lines.length;
  const metrics: LineMetric[] = zs.lines.map((l) => l.metric);
  const primary = zs.primaryLine;

  // Which lines the open primitives need, for cells and leaves.
  const linesOf = (open: Uint8Array, side: number): boolean[] => {
    const need = new Array<boolean>(nLines).fill(false);
    prims.forEach((p, i) => {
      if (open[i] === UNKNOWN && p.kind !== 'polygon') need[p.line] = true;
    });
    if (side === UNKNOWN && primary >= 0) need[primary] = true;
    return need;
  };

  const bbox = regionBox(zs);
  const midLat = (bbox.minLat + bbox.maxLat) / 2;
  const dLat = topCellM / M_PER_DEG_LAT_MIN;
  const dLon = topCellM / (M_PER_DEG_LAT_MIN * Math.cos(midLat * DEG));
  const nx = Math.max(1, Math.ceil((bbox.maxLon - bbox.minLon) / dLon));
  const ny = Math.max(1, Math.ceil((bbox.maxLat - bbox.minLat) / dLat));
  const top = new Int32Array(nx * ny);
  const nodes: number[] = [];
  const leaves: ExactLeaf[] = [];
  const classes: ZoneClass[] = [];
  const classIds = new Map<string, number>();
  const classByKey = new Map<string, number>();

  const classId = (zones: Uint8Array, side: number): number => {
    const key = `${zones.join('')}${side}`;
    let id = classIds.get(key);
    if (id === undefined) {
      id = classes.length;
      classes.push({ zones, side: side as -1 | 0 | 1 });
      classIds.set(key, id);
    }
    return id;
  };

  const allCandidates = metrics.map((m) =>
    Int32Array.from({ length: m.segmentCount }, (_, i) => i),
  );
  const rootPrims = new Uint8Array(prims.length).fill(UNKNOWN);
  const rootEdges = prims.map((p) =>
    p.kind === 'polygon' ? Array.from({ length: p.polygon.edgeCount }, (_, i) => i) : undefined,
  );

  /** Encodes a cell: a class id (>= 0), or -1 - (2 node | 1) for a node or exact leaf. */
  const encode = (cell: Cell, sizeM: number): number => {
    const { box } = cell;
    const lon = (box.minLon + box.maxLon) / 2;
    const lat = (box.minLat + box.maxLat) / 2;
    const r = cellRadiusBoundM(box.minLon, box.minLat, box.maxLon, box.maxLat) + 0.01;
    const need = linesOf(cell.prims, cell.side);
    const feet: (LineFoot | undefined)[] = [];
    const candidates: (Int32Array | undefined)[] = [];
    const ambiguous: boolean[] = [];
    for (let l = 0; l < nLines; l++) {
      const from = cell.candidates[l];
      if (!need[l] || !from) continue;
      const m = metrics[l] as LineMetric;
      const foot = m.nearest(lon, lat, from);
      feet[l] = foot;
      candidates[l] = Int32Array.from(
        m.candidatesWithin(lon, lat, foot.coreDistanceM + 2 * r, from),
      );
      ambiguous[l] = isSideAmbiguousNearEnds(m, lon, lat, foot.distanceM, r);
    }
    const values = cell.prims.slice();
    const edges: (number[] | undefined)[] = [];
    prims.forEach((p, i) => {
      if (values[i] !== UNKNOWN) return;
      if (p.kind === 'near') {
        const f = feet[p.line] as LineFoot;
        values[i] = nearOverRegion(
          p.side,
          p.maxM,
          f.distanceM,
          f.sideSign,
          r,
          ambiguous[p.line] as boolean,
        );
      } else if (p.kind === 'along') {
        const f = feet[p.line] as LineFoot;
        values[i] = alongOverSegments(
          metrics[p.line] as LineMetric,
          candidates[p.line] as Int32Array,
          p,
          lon,
          lat,
          f,
          r,
        );
      } else {
        const touching = p.polygon.edgesTouchingBox(box, cell.edges[i]);
        edges[i] = touching;
        if (touching.length === 0) values[i] = p.polygon.contains(lon, lat) ? TRUE : FALSE;
      }
    });
    let side = cell.side;
    if (side === UNKNOWN && primary >= 0) {
      const f = feet[primary] as LineFoot;
      if (f.distanceM > r && !ambiguous[primary]) side = f.sideSign;
    } else if (primary < 0) side = 0;
    const zoneValues = zs.zones.map((z) => evaluateExpr(z.expr, values));
    if (side !== UNKNOWN && zoneValues.every((v) => v !== UNKNOWN)) {
      return classId(Uint8Array.from(zoneValues), side);
    }
    // Primitives no undecided zone uses need not be computed per position.
    const used = new Set<number>();
    zs.zones.forEach((z, k) => {
      if (zoneValues[k] === UNKNOWN) primitivesOf(z.expr, used);
    });
    for (let i = 0; i < prims.length; i++)
      if (!used.has(i) && values[i] === UNKNOWN) values[i] = FALSE;
    const child: Cell = { box, candidates, prims: values, edges, side };
    if (sizeM <= leafSizeM) {
      const needLeaf = linesOf(values, side);
      leaves.push({
        candidates: candidates.map((c, l) => (needLeaf[l] ? c : undefined)),
        prims: values,
        side,
      });
      return -1 - (((leaves.length - 1) << 1) | 1);
    }
    const at = nodes.length;
    nodes.push(0, 0, 0, 0);
    const midLon = (box.minLon + box.maxLon) / 2;
    const midLatC = (box.minLat + box.maxLat) / 2;
    const quads: LonLatBox[] = [
      { minLon: box.minLon, minLat: box.minLat, maxLon: midLon, maxLat: midLatC },
      { minLon: midLon, minLat: box.minLat, maxLon: box.maxLon, maxLat: midLatC },
      { minLon: box.minLon, minLat: midLatC, maxLon: midLon, maxLat: box.maxLat },
      { minLon: midLon, minLat: midLatC, maxLon: box.maxLon, maxLat: box.maxLat },
    ];
    quads.forEach((q, k) => {
      nodes[at + k] = encode({ ...child, box: q }, sizeM / 2);
    });
    return -1 - ((at / 4) << 1);
  };

  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const box = {
        minLon: bbox.minLon + ix * dLon,
        minLat: bbox.minLat + iy * dLat,
        maxLon: bbox.minLon + (ix + 1) * dLon,
        maxLat: bbox.minLat + (iy + 1) * dLat,
      };
      top[iy * nx + ix] = encode(
        { box, candidates: allCandidates, prims: rootPrims, edges: rootEdges, side: UNKNOWN },
        topCellM,
      );
    }
  }
  const tree = Int32Array.from(nodes);
  const values = new Uint8Array(prims.length);
  const zoneBits = new Uint8Array(zs.zones.length);

  const bounds = new Float64Array(2);
  const lineLower = new Float64Array(nLines);
  const lineUpper = new Float64Array(nLines);
  const lineFoot: (LineFoot | undefined)[] = new Array<LineFoot | undefined>(nLines);
  const words = Math.max(1, Math.ceil(zs.zones.length / 30));
  const key = new Int32Array(words);

  /**
   * Decides a position in an exact leaf. Cheap rigorous bounds of the distance to each line
   * settle most "near" primitives (a position well outside or well inside a band edge); the
   * exact geodesic foot is computed only when the bounds straddle the edge, or when the side or
   * the along-line position is needed.
   */
  const exact = (leaf: ExactLeaf, lon: number, lat: number): number => {
    for (let l = 0; l < nLines; l++) {
      lineFoot[l] = undefined;
      const c = leaf.candidates[l];
      if (c) {
        (metrics[l] as LineMetric).distanceBoundsM(lon, lat, c, bounds);
        lineLower[l] = bounds[0] as number;
        lineUpper[l] = bounds[1] as number;
      }
    }
    const footOf = (l: number): LineFoot => {
      let f = lineFoot[l];
      if (!f) {
        f = (metrics[l] as LineMetric).nearest(lon, lat, leaf.candidates[l] as Int32Array);
        lineFoot[l] = f;
      }
      return f;
    };
    for (let i = 0; i < prims.length; i++) {
      const v = leaf.prims[i] as number;
      if (v !== UNKNOWN) {
        values[i] = v;
        continue;
      }
      const p = prims[i];
      if (!p) continue;
      if (p.kind === 'near') {
        if ((lineLower[p.line] as number) > p.maxM) values[i] = FALSE;
        else if (
          (lineUpper[p.line] as number) <= p.maxM &&
          (p.side === 0 || (p.line === primary && leaf.side !== UNKNOWN && leaf.side !== 0))
        ) {
          values[i] = p.side === 0 || p.side === leaf.side ? TRUE : FALSE;
        } else {
          const f = footOf(p.line);
          values[i] = isOnSide(f, p.side) && f.distanceM <= p.maxM ? TRUE : FALSE;
        }
      } else if (p.kind === 'along') {
        values[i] = isAlong(footOf(p.line).alongM, p) ? TRUE : FALSE;
      } else values[i] = p.polygon.contains(lon, lat) ? TRUE : FALSE;
    }
    key.fill(0);
    for (let k = 0; k < zs.zones.length; k++) {
      if (evaluateExpr((zs.zones[k] as ZoneSet['zones'][number]).expr, values) === TRUE) {
        key[(k / 30) | 0] = (key[(k / 30) | 0] as number) | (1 << (k % 30));
        zoneBits[k] = 1;
      } else zoneBits[k] = 0;
    }
    const side = leaf.side !== UNKNOWN ? leaf.side : (footOf(primary).sideSign as Tri);
    const text = `${key.join(',')}/${side}`;
    const known = classByKey.get(text);
    if (known !== undefined) return known;
    const id = classId(zoneBits.slice(), side);
    classByKey.set(text, id);
    return id;
  };

  const outside = (lon: number, lat: number): number => {
    const leaf: ExactLeaf = {
      candidates: allCandidates,
      prims: rootPrims,
      side: primary >= 0 ? UNKNOWN : 0,
    };
    return exact(leaf, lon, lat);
  };

  const invDLon = 1 / dLon;
  const invDLat = 1 / dLat;
  const classify = (lon: number, lat: number): number => {
    const fx = (lon - bbox.minLon) * invDLon;
    const fy = (lat - bbox.minLat) * invDLat;
    if (!(fx >= 0 && fy >= 0 && fx < nx && fy < ny)) return outside(lon, lat);
    const ix = Math.floor(fx);
    const iy = Math.floor(fy);
    let v = top[iy * nx + ix] as number;
    let x0 = bbox.minLon + ix * dLon;
    let y0 = bbox.minLat + iy * dLat;
    let x1 = bbox.minLon + (ix + 1) * dLon;
    let y1 = bbox.minLat + (iy + 1) * dLat;
    while (v < 0) {
      const x = -1 - v;
      if (x & 1) return exact(leaves[x >> 1] as ExactLeaf, lon, lat);
      const mx = (x0 + x1) / 2;
      const my = (y0 + y1) / 2;
      let q = 0;
      if (lon >= mx) {
        q = 1;
        x0 = mx;
      } else x1 = mx;
      if (lat >= my) {
        q |= 2;
        y0 = my;
      } else y1 = my;
      v = tree[(x >> 1) * 4 + q] as number;
    }
    return v;
  };

  let leafBytes = 0;
  for (const leaf of leaves) {
    leafBytes += 64 + leaf.prims.length;
    for (const c of leaf.candidates) leafBytes += c ? 16 + c.byteLength : 0;
  }
  return {
    bbox,
    classes,
    get stats(): ZoneIndexStats {
      return {
        topCells: nx * ny,
        nodes: tree.length / 4,
        exactLeaves: leaves.length,
        classes: classes.length,
        bytes: top.byteLength + tree.byteLength + leafBytes,
      };
    },
    classify,
    classifyMany(lonLat, out) {
      const n = out.length;
      for (let i = 0; i < n; i++)
        out[i] = classify(lonLat[2 * i] as number, lonLat[2 * i + 1] as number);
    },
  };
}

/**
 * A box holding every position that any zone may contain: the lines' vertices widened by the
 * largest distance any zone reaches (with slack for geodesics bulging between vertices), and
 * every polygon's box.
 */
function regionBox(zs: ZoneSet): LonLatBox {
  const box = { minLon: Infinity, minLat: Infinity, maxLon: -Infinity, maxLat: -Infinity };
  const widen = (b: LonLatBox) => {
    box.minLon = Math.min(box.minLon, b.minLon);
    box.minLat = Math.min(box.minLat, b.minLat);
    box.maxLon = Math.max(box.maxLon, b.maxLon);
    box.maxLat = Math.max(box.maxLat, b.maxLat);
  };
  zs.lines.forEach((line, l) => {
    const reach =
      Math.max(0, ...zs.primitives.map((p) => (p.kind === 'near' && p.line === l ? p.maxM : 0))) +
      2000;
    const m = line.metric;
    // The core segments only: zones with square ends stop at the line's ends; zones that run on
    // along the extensions are clipped to polygons, whose boxes are added below.
    const extend = zs.zones.some(
      (z) => z.shape.type === 'line' && z.shape.line === l && z.shape.fromM < 0,
    );
    const first = extend ? 0 : 1;
    const last = extend ? m.segmentCount - 1 : m.segmentCount - 2;
    let minLat = Infinity;
    let maxLat = -Infinity;
    let minLon = Infinity;
    let maxLon = -Infinity;
    for (let i = first; i <= last; i++) {
      const s = m.segments[i];
      if (!s) continue;
      minLat = Math.min(minLat, s.lat1, s.lat2);
      maxLat = Math.max(maxLat, s.lat1, s.lat2);
      minLon = Math.min(minLon, s.lon1, s.lon2);
      maxLon = Math.max(maxLon, s.lon1, s.lon2);
    }
    const dLat = reach / M_PER_DEG_LAT_MIN;
    const poleward = Math.min(89.9, Math.max(Math.abs(minLat), Math.abs(maxLat)) + dLat);
    const dLon = reach / (M_PER_DEG_LAT_MIN * Math.cos(poleward * DEG));
    widen({
      minLon: minLon - dLon,
      minLat: minLat - dLat,
      maxLon: maxLon + dLon,
      maxLat: maxLat + dLat,
    });
  });
  for (const p of zs.primitives) if (p.kind === 'polygon') widen(p.polygon.bbox);
  return box;
}
