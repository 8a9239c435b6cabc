import { cellRadiusBoundM, nearestOnGeodesicSegment } from '../geo/index.js';
import type { GeodesicSegment, LineFoot, LineMetric, LonLatBox } from '../geo/index.js';
import type { Primitive, ZoneSet } from './compile-zone-set.js';
import {
  alongOverSegments,
  evaluatePoint,
  isAlong,
  isOnSide,
  isSideAmbiguousNearEnds,
  nearOverBounds,
} from './evaluate.js';
import { FALSE, TRUE, UNKNOWN, evaluateExpr, primitivesOf } from './tri.js';

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
  /**
   * The class of every point of a disk of radius `rM` metres around the position, when the
   * index proves them all the same (every cell the disk may reach is decided, with one class);
   * -1 when it cannot, and the caller must compute. Exact: the disk is enclosed by a box that
   * holds it on the ellipsoid.
   */
  classifyDisk(lon: number, lat: number, rM: number): number;
  /** Class ids of many positions, given as interleaved lon, lat pairs. */
  classifyMany(lonLat: Float64Array, out: Int32Array): void;
}

const DEG = Math.PI / 180;
const M_PER_DEG_LAT_MIN = 110_574 * 0.999;

/**
 * What an exact leaf inherits from its cell, shared by every leaf with the same values: the
 * primitives and side decided for the cell, those left open, and the classes found so far for
 * each combination of open values.
 */
interface LeafPattern {
  /** Primitive values decided for the cell: 0, 1, or 2 (open: compute per position). */
  readonly prims: Uint8Array;
  /** Primary side decided for the cell (-1, 0, 1), or 2 to compute. */
  readonly side: number;
  /** The open primitives. */
  readonly open: Int32Array;
  /** Lines whose distance bounds the open primitives or the side need. */
  readonly lines: Int32Array;
  /**
   * Class id by (bits of the open primitives' values) * 3 + side + 1, -1 until first seen;
   * undefined when too many primitives are open for a table.
   */
  readonly table: Int32Array | undefined;
}

/** Most open primitives a leaf pattern keeps a class table for (3 * 2^n entries). */
const MAX_TABLE_BITS = 12;

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
  const classes: ZoneClass[] = [];
  const classIds = new Map<string, number>();

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

  // Exact leaves, flat: per leaf its pattern, then per line the start and length of its
  // candidate segments in `pool` (length -1 when the leaf does not need the line).
  const stride = 1 + 2 * nLines;
  const leafInfo: number[] = [];
  const pool: number[] = [];
  const lastList = new Array<number>(nLines).fill(-1);
  const patterns: LeafPattern[] = [];
  const patternIds = new Map<string, number>();

  const patternId = (values: Uint8Array, side: number): number => {
    const key = `${values.join('')}/${side}`;
    let id = patternIds.get(key);
    if (id === undefined) {
      const open: number[] = [];
      values.forEach((v, i) => {
        if (v === UNKNOWN) open.push(i);
      });
      const need = linesOf(values, side);
      id = patterns.length;
      patterns.push({
        prims: values,
        side,
        open: Int32Array.from(open),
        lines: Int32Array.from(need.flatMap((n, l) => (n ? [l] : []))),
        table:
          open.length <= MAX_TABLE_BITS ? new Int32Array(3 << open.length).fill(-1) : undefined,
      });
      patternIds.set(key, id);
    }
    return id;
  };

  /** Stores an exact leaf; the candidate list of a line is shared with the previous leaf's. */
  const addLeaf = (values: Uint8Array, side: number, candidates: (Int32Array | undefined)[]) => {
    const at = leafInfo.length / stride;
    const need = linesOf(values, side);
    leafInfo.push(patternId(values, side));
    for (let l = 0; l < nLines; l++) {
      const c = candidates[l];
      if (!need[l] || !c) {
        leafInfo.push(0, -1);
        continue;
      }
      const last = lastList[l] as number;
      let same = last >= 0 && leafInfo[last * stride + 2 + 2 * l] === c.length;
      const start = same ? (leafInfo[last * stride + 1 + 2 * l] as number) : 0;
      for (let k = 0; same && k < c.length; k++) same = pool[start + k] === c[k];
      if (same) leafInfo.push(start, c.length);
      else {
        leafInfo.push(pool.length, c.length);
        for (let k = 0; k < c.length; k++) pool.push(c[k] as number);
      }
      lastList[l] = at;
    }
    return at;
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
    const distLow: number[] = [];
    const distHigh: number[] = [];
    for (let l = 0; l < nLines; l++) {
      const from = cell.candidates[l];
      if (!need[l] || !from) continue;
      const m = metrics[l] as LineMetric;
      // The whole line: the metric's own tree is faster than a scan.
      const among = from === allCandidates[l] ? undefined : from;
      const foot = m.nearest(lon, lat, among);
      feet[l] = foot;
      const c = Int32Array.from(m.footCandidates(lon, lat, r, foot, among));
      candidates[l] = c;
      // Positions past an end are measured from the extension only while their nearest point
      // of the line is the end vertex. Where the cell may also hold positions whose nearest
      // point is elsewhere on the line than the end segment, the distance and the side can
      // jump between the two: bound the distance by both, and leave the side open.
      const last = m.segmentCount - 1;
      const mixed = m.extensionJump(lon, lat, r, c);
      let low = foot.distanceM;
      if (mixed) {
        low = foot.coreDistanceM;
        for (const e of [0, last]) {
          if (c.includes(e)) {
            const seg = m.segments[e] as GeodesicSegment;
            low = Math.min(low, nearestOnGeodesicSegment(seg, lon, lat).distanceM);
          }
        }
      }
      distLow[l] = low;
      distHigh[l] = mixed ? foot.coreDistanceM : foot.distanceM;
      ambiguous[l] = mixed || isSideAmbiguousNearEnds(m, lon, lat, foot.distanceM, r);
    }
    const values = cell.prims.slice();
    const edges: (number[] | undefined)[] = [];
    prims.forEach((p, i) => {
      if (values[i] !== UNKNOWN) return;
      if (p.kind === 'near') {
        values[i] = nearOverBounds(
          p.side,
          p.maxM,
          distLow[p.line] as number,
          distHigh[p.line] as number,
          (feet[p.line] as LineFoot).sideSign,
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
    if (sizeM <= leafSizeM) return -1 - ((addLeaf(values, side, candidates) << 1) | 1);
    const child: Cell = { box, candidates, prims: values, edges, side };
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
  const info = Int32Array.from(leafInfo);
  const segs = Int32Array.from(pool);

  // Per-position state of the exact computation, reused across positions.
  const values = new Uint8Array(prims.length);
  const openValues = new Uint8Array(prims.length);
  const bounds = new Float64Array(5);
  const lineLower = new Float64Array(nLines);
  const lineUpper = new Float64Array(nLines);
  const lineAlongLo = new Float64Array(nLines);
  const lineAlongHi = new Float64Array(nLines);
  const lineSide = new Int8Array(nLines);
  const lineFoot: (LineFoot | undefined)[] = new Array<LineFoot | undefined>(nLines);

  /** The position being decided, and its leaf's offset in `info`. */
  const at = { base: 0, lon: 0, lat: 0 };

  /** The exact foot of the position on line l, computed once per position. */
  const footOf = (l: number): LineFoot => {
    let f = lineFoot[l];
    if (!f) {
      const start = info[at.base + 1 + 2 * l] as number;
      f = (metrics[l] as LineMetric).nearest(
        at.lon,
        at.lat,
        segs.subarray(start, start + (info[at.base + 2 + 2 * l] as number)),
      );
      lineFoot[l] = f;
    }
    return f;
  };

  /** The class of a leaf pattern's decided values with the open ones given, and a side. */
  const resolve = (pattern: LeafPattern, side: number): number => {
    values.set(pattern.prims);
    for (let k = 0; k < pattern.open.length; k++) {
      values[pattern.open[k] as number] = openValues[k] as number;
    }
    return classId(
      Uint8Array.from(zs.zones, (z) => (evaluateExpr(z.expr, values) === TRUE ? 1 : 0)),
      side,
    );
  };

  /**
   * Decides a position in an exact leaf. Cheap rigorous bounds of the distance to each line,
   * from straight-line distances to the chords of the leaf's candidate segments, settle most
   * "near" primitives (a position outside or inside a band edge by more than a few centimetres)
   * and the "along" primitives whose interval holds all or none of the one segment that can
   * hold the foot; the exact geodesic foot is computed only when they do not, or when the side
   * is needed.
   */
  const exact = (x: number, lon: number, lat: number): number => {
    const base = x * stride;
    at.base = base;
    at.lon = lon;
    at.lat = lat;
    const pattern = patterns[info[base] as number] as LeafPattern;
    const { lines, open } = pattern;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k] as number;
      const start = info[base + 1 + 2 * l] as number;
      (metrics[l] as LineMetric).chordBoundsM(
        lon,
        lat,
        segs,
        start,
        start + (info[base + 2 + 2 * l] as number),
        pattern.side === UNKNOWN || l !== primary,
        bounds,
      );
      lineLower[l] = bounds[0] as number;
      lineUpper[l] = bounds[1] as number;
      lineAlongLo[l] = bounds[2] as number;
      lineAlongHi[l] = bounds[3] as number;
      lineSide[l] = bounds[4] as number;
      lineFoot[l] = undefined;
    }
    let bits = 0;
    for (let k = 0; k < open.length; k++) {
      const p = prims[open[k] as number] as Primitive;
      let v: number;
      if (p.kind === 'near') {
        // The side of the line, when the cell or the chords' planes prove it (else 0).
        const known =
          p.line === primary && pattern.side !== UNKNOWN
            ? pattern.side
            : (lineSide[p.line] as number);
        if ((lineLower[p.line] as number) > p.maxM) v = FALSE;
        else if (p.side !== 0 && known !== 0 && known !== p.side) v = FALSE;
        else if ((lineUpper[p.line] as number) <= p.maxM && (p.side === 0 || known !== 0)) {
          v = TRUE;
        } else {
          const f = footOf(p.line);
          v = isOnSide(f, p.side) && f.distanceM <= p.maxM ? TRUE : FALSE;
        }
      } else if (p.kind === 'along') {
        v = alongOver(lineAlongLo[p.line] as number, lineAlongHi[p.line] as number, p);
        if (v === UNKNOWN) v = isAlong(footOf(p.line).alongM, p) ? TRUE : FALSE;
      } else v = p.polygon.contains(lon, lat) ? TRUE : FALSE;
      openValues[k] = v;
      bits |= v << k;
    }
    const side =
      pattern.side !== UNKNOWN
        ? pattern.side
        : (lineSide[primary] as number) !== 0
          ? (lineSide[primary] as number)
          : footOf(primary).sideSign;
    const table = pattern.table;
    if (!table) return resolve(pattern, side);
    const slot = bits * 3 + side + 1;
    let id = table[slot] as number;
    if (id < 0) {
      id = resolve(pattern, side);
      table[slot] = id;
    }
    return id;
  };

  const outside = (lon: number, lat: number): number => {
    const e = evaluatePoint(zs, lon, lat);
    return classId(e.zones, primary >= 0 ? (e.feet[primary] as LineFoot).sideSign : 0);
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
      if (x & 1) return exact(x >> 1, lon, lat);
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

  /**
   * Merges into `found` (-2: none yet) the classes of the cells under one top cell that overlap
   * the box [west, east] x [south, north]; -1 when one is an exact leaf or classes differ.
   */
  const classUnder = (
    root: number,
    cell: [number, number, number, number],
    box: [number, number, number, number],
    found: number,
  ): number => {
    const [west, south, east, north] = box;
    const stack: number[] = [root, ...cell];
    while (stack.length > 0) {
      const y1 = stack.pop() as number;
      const x1 = stack.pop() as number;
      const y0 = stack.pop() as number;
      const x0 = stack.pop() as number;
      const v = stack.pop() as number;
      if (x1 < west || x0 > east || y1 < south || y0 > north) continue;
      if (v >= 0) {
        if (found !== -2 && found !== v) return -1;
        found = v;
        continue;
      }
      const x = -1 - v;
      if (x & 1) return -1;
      const mx = (x0 + x1) / 2;
      const my = (y0 + y1) / 2;
      const base = (x >> 1) * 4;
      stack.push(tree[base] as number, x0, y0, mx, my);
      stack.push(tree[base + 1] as number, mx, y0, x1, my);
      stack.push(tree[base + 2] as number, x0, my, mx, y1);
      stack.push(tree[base + 3] as number, mx, my, x1, y1);
    }
    return found;
  };

  /** The one class of every cell overlapping the box, or -1 (an exact leaf or two classes). */
  const classOfBox = (west: number, south: number, east: number, north: number): number => {
    const ix0 = Math.floor((west - bbox.minLon) * invDLon);
    const ix1 = Math.floor((east - bbox.minLon) * invDLon);
    const iy0 = Math.floor((south - bbox.minLat) * invDLat);
    const iy1 = Math.floor((north - bbox.minLat) * invDLat);
    if (ix0 < 0 || iy0 < 0 || ix1 >= nx || iy1 >= ny) return -1;
    const box: [number, number, number, number] = [west, south, east, north];
    let found = -2;
    for (let k = 0; k < (ix1 - ix0 + 1) * (iy1 - iy0 + 1); k++) {
      const ix = ix0 + (k % (ix1 - ix0 + 1));
      const iy = iy0 + Math.floor(k / (ix1 - ix0 + 1));
      const cell: [number, number, number, number] = [
        bbox.minLon + ix * dLon,
        bbox.minLat + iy * dLat,
        bbox.minLon + (ix + 1) * dLon,
        bbox.minLat + (iy + 1) * dLat,
      ];
      found = classUnder(top[iy * nx + ix] as number, cell, box, found);
      if (found === -1) return -1;
    }
    return found < 0 ? -1 : found;
  };

  const classifyDisk = (lon: number, lat: number, rM: number): number => {
    if (!(rM > 0)) return classify(lon, lat);
    // Degrees of latitude per metre are largest where the meridional radius is smallest
    // (M_PER_DEG_LAT_MIN); degrees of longitude per metre at most 1 / (that * cos(lat)) at the
    // disk's poleward edge, since the prime vertical radius is never below the meridional one.
    const dLatR = rM / M_PER_DEG_LAT_MIN + 1e-9;
    const poleward = Math.abs(lat) + dLatR;
    if (poleward >= 89) return -1;
    const dLonR = rM / (M_PER_DEG_LAT_MIN * Math.cos(poleward * DEG)) + 1e-9;
    return classOfBox(lon - dLonR, lat - dLatR, lon + dLonR, lat + dLatR);
  };

  let tableBytes = 0;
  for (const pattern of patterns) {
    tableBytes += pattern.prims.byteLength + pattern.open.byteLength + pattern.lines.byteLength;
    tableBytes += pattern.table?.byteLength ?? 0;
  }
  return {
    bbox,
    classes,
    classifyDisk,
    get stats(): ZoneIndexStats {
      return {
        topCells: nx * ny,
        nodes: tree.length / 4,
        exactLeaves: info.length / stride,
        classes: classes.length,
        bytes: top.byteLength + tree.byteLength + info.byteLength + segs.byteLength + tableBytes,
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

/** The value of an `along` primitive for positions whose foot lies between lo and hi. */
function alongOver(
  lo: number,
  hi: number,
  p: { readonly minM: number; readonly maxM: number; readonly maxInclusive: boolean },
): number {
  if (isAlong(lo, p) && isAlong(hi, p)) return TRUE;
  if (hi < p.minM || (p.maxInclusive ? lo > p.maxM : lo >= p.maxM)) return FALSE;
  return UNKNOWN;
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
