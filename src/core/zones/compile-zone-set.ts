import type { PathError } from '../errors/index.js';
import { createLineMetric, findCrossings, preparePlanarPolygon } from '../geo/index.js';
import type { LineMetric, PlanarPolygon } from '../geo/index.js';
import type { Expr } from './tri.js';
import { resolveBand, validityOf } from './validate-zone-spec.js';
import type { AreaGeometry, ReferenceLine, Zone, ZoneSpec } from './zone-spec.js';

/** The version of a reference line in force, with its exact metric. */
export interface CompiledLine {
  /** `id@version`. */
  readonly key: string;
  /** Line id. */
  readonly id: string;
  /** Version number. */
  readonly version: number;
  /** Display name. */
  readonly name: string;
  /** The party whose own line this is, if any. */
  readonly party?: string;
  /** Party on each side. */
  readonly sides: { readonly left?: string; readonly right?: string };
  /** Exact distance, side and along-line position on the line extended past its ends. */
  readonly metric: LineMetric;
}

/** A predicate of a position that zone expressions combine. */
export type Primitive =
  | {
      /** On the given side of a line (0 for either) within `maxM` metres of it. */
      readonly kind: 'near';
      /** Index of the line in `ZoneSet.lines`. */
      readonly line: number;
      /** -1 left, +1 right, 0 either side. */
      readonly side: -1 | 0 | 1;
      /** Largest distance, metres. */
      readonly maxM: number;
    }
  | {
      /**
       * The position's nearest point on the line lies between `minM` and `maxM` along it:
       * between two cross-cuts, each the geodesic normal to the line at the cut.
       */
      readonly kind: 'along';
      /** Index of the line in `ZoneSet.lines`. */
      readonly line: number;
      /** Start of the interval, metres along the line (inclusive). */
      readonly minM: number;
      /** End of the interval, metres along the line (exclusive unless `maxInclusive`). */
      readonly maxM: number;
      /** Whether the end is part of the interval (it is at the line's last vertex). */
      readonly maxInclusive: boolean;
    }
  | {
      /** Inside a polygon with straight lon/lat edges. */
      readonly kind: 'polygon';
      /** The prepared polygon. */
      readonly polygon: PlanarPolygon;
      /** What the polygon is, for diagnostics. */
      readonly label: string;
    };

/** Distance interval from the line on one side, metres. */
export interface SideExtent {
  /** Inner distance, metres (0 at the line). */
  readonly minM: number;
  /** Outer distance, metres. */
  readonly maxM: number;
}

/** The geometry of a zone: measured from a line between two cuts, or an explicit area. */
export type ZoneShape =
  | {
      readonly type: 'line';
      /** Index of the line in `ZoneSet.lines`. */
      readonly line: number;
      /** Extent on the left and right, or null where the zone has nothing on that side. */
      readonly left: SideExtent | null;
      /** Extent on the right, or null. */
      readonly right: SideExtent | null;
      /** Where the zone starts along the line, metres (negative on the start extension). */
      readonly fromM: number;
      /** Where it ends along the line, metres. */
      readonly toM: number;
      /** Area the zone is clipped to, if any. */
      readonly clip?: AreaGeometry;
    }
  | { readonly type: 'area'; readonly geometry: AreaGeometry };

/** A zone in force, compiled to an expression over primitives. */
export interface ActiveZone {
  /** Zone id. */
  readonly id: string;
  /** Position of the zone in the spec's `zones`, for error paths. */
  readonly specIndex: number;
  /** The zone as specified. */
  readonly spec: Zone;
  /** Membership as a three-valued expression over `ZoneSet.primitives`. */
  readonly expr: Expr;
  /** Geometry for display. */
  readonly shape: ZoneShape;
}

/** The zones and lines in force at one instant, ready for classification. */
export interface ZoneSet {
  /** The spec compiled. */
  readonly spec: ZoneSpec;
  /** Zones in force, in spec order. */
  readonly zones: readonly ActiveZone[];
  /** Line versions in force that zones use (and the primary line). */
  readonly lines: readonly CompiledLine[];
  /** Index in `lines` of the line whose side and distance are reported, or -1. */
  readonly primaryLine: number;
  /** The primitive predicates the zone expressions use. */
  readonly primitives: readonly Primitive[];
}

/** The outcome of compiling: the zone set or the errors, with the JSON Pointer of each fault. */
export type ZoneSetCompilation =
  { ok: true; zoneSet: ZoneSet } | { ok: false; errors: PathError[] };

function inForce(v: { validFrom?: string; validTo?: string }, atMs: number): boolean {
  const [from, to] = validityOf(v);
  return from <= atMs && atMs < to;
}

function marginFor(widthM: number): number {
  return Math.max(1000, widthM * 0.05);
}

function lineExtents(
  zone: Zone,
  spec: ZoneSpec,
  lines: readonly ReferenceLine[],
): { lineId: string; left: SideExtent | null; right: SideExtent | null } | undefined {
  if (zone.kind === 'strip') {
    return {
      lineId: zone.line,
      left: zone.widthM.left > 0 ? { minM: 0, maxM: zone.widthM.left } : null,
      right: zone.widthM.right > 0 ? { minM: 0, maxM: zone.widthM.right } : null,
    };
  }
  if (zone.kind === 'band') {
    const r = resolveBand(zone, lines);
    if (!r.lineId || !r.side) return undefined;
    const extent = { minM: zone.minM, maxM: zone.maxM };
    return {
      lineId: r.lineId,
      left: r.side === 'left' ? extent : null,
      right: r.side === 'right' ? extent : null,
    };
  }
  if (zone.kind === 'sector') {
    const strip = spec.zones.find((z) => z.id === zone.strip);
    return strip ? lineExtents(strip, spec, lines) : undefined;
  }
  return undefined;
}

function endsOf(zone: Zone): 'square' | 'extend' {
  if (zone.kind !== 'strip' && zone.kind !== 'band') return 'square';
  return zone.ends ?? (zone.clip ? 'extend' : 'square');
}

function polygonsOf(geometry: AreaGeometry): number[][][][] {
  return (
    geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  ) as number[][][][];
}

interface Builder {
  spec: ZoneSpec;
  atMs: number;
  errors: PathError[];
  lines: CompiledLine[];
  lineIndex: Map<string, number>;
  primitives: Primitive[];
  primitiveKeys: Map<string, number>;
}

function primitive(b: Builder, key: string, make: () => Primitive): number {
  const known = b.primitiveKeys.get(key);
  if (known !== undefined) return known;
  b.primitives.push(make());
  b.primitiveKeys.set(key, b.primitives.length - 1);
  return b.primitives.length - 1;
}

function near(b: Builder, line: number, side: -1 | 0 | 1, maxM: number): number {
  return primitive(b, `near:${line}:${side}:${maxM}`, () => ({ kind: 'near', line, side, maxM }));
}

function areaPrimitive(b: Builder, key: string, geometry: AreaGeometry, label: string): number {
  return primitive(b, key, () => ({
    kind: 'polygon',
    polygon: preparePlanarPolygon(polygonsOf(geometry)),
    label,
  }));
}

/** The expression for the distance part of a line-based zone. */
function distanceExpr(
  b: Builder,
  line: number,
  left: SideExtent | null,
  right: SideExtent | null,
): Expr {
  const terms: Expr[] = [];
  const side = (s: -1 | 1, e: SideExtent): Expr =>
    e.minM > 0
      ? { and: [near(b, line, s, e.maxM), { not: near(b, line, s, e.minM) }] }
      : near(b, line, s, e.maxM);
  if (left && right && left.minM === 0 && right.minM === 0) {
    // Either side within the smaller width: lets regions straddling the line be decided.
    terms.push(near(b, line, 0, Math.min(left.maxM, right.maxM)));
  }
  if (left) terms.push(side(-1, left));
  if (right) terms.push(side(1, right));
  return terms.length === 1 ? (terms[0] as Expr) : { or: terms };
}

function compileLine(line: ReferenceLine, widestM: number): CompiledLine {
  const extensionM = Math.max(50_000, 3 * widestM);
  const metric = createLineMetric(
    line.coordinates.map((c) => [c[0] as number, c[1] as number] as const),
    extensionM,
  );
  return {
    key: `${line.id}@${line.version}`,
    id: line.id,
    version: line.version,
    name: line.name ?? line.id,
    ...(line.party !== undefined ? { party: line.party } : {}),
    sides: line.sides ?? {},
    metric,
  };
}

function extensionCrossing(line: CompiledLine): string | undefined {
  const m = line.metric;
  const path = (i: number) => {
    const s = m.segments[i];
    if (!s) return [];
    const n = Math.max(1, Math.ceil(s.lengthM / 2000));
    return Array.from({ length: n + 1 }, (_, k) => {
      const p = s.at((s.lengthM * k) / n);
      return [p.lon, p.lat];
    });
  };
  const body = m.segments.slice(1, -1).flatMap((s, i) =>
    i === 0
      ? [
          [s.lon1, s.lat1],
          [s.lon2, s.lat2],
        ]
      : [[s.lon2, s.lat2]],
  );
  const crossing = findCrossings([path(0), body, path(m.segmentCount - 1)], 1)[0];
  return crossing
    ? `the line's extension past its ${crossing.a.part === 0 || crossing.b.part === 0 ? 'start' : 'end'} crosses the line near [${crossing.at.map((v) => v.toFixed(4)).join(', ')}]`
    : undefined;
}

/**
 * Compiles the zones and lines in force at `atMs` (Unix milliseconds): builds the exact metric
 * of each line, the square cuts and cut polygons, and one three-valued expression per zone.
 */
export function compileZoneSet(spec: ZoneSpec, atMs: number): ZoneSetCompilation {
  const b: Builder = {
    spec,
    atMs,
    errors: [],
    lines: [],
    lineIndex: new Map(),
    primitives: [],
    primitiveKeys: new Map(),
  };
  const linesInForce = new Map<string, { line: ReferenceLine; index: number }>();
  spec.lines.forEach((line, index) => {
    if (inForce(line, atMs)) linesInForce.set(line.id, { line, index });
  });
  const zonesInForce = spec.zones
    .map((zone, index) => ({ zone, index }))
    .filter(({ zone }) => inForce(zone, atMs));

  const widest = new Map<string, { left: number; right: number }>();
  for (const { zone } of zonesInForce) {
    const ext = lineExtents(zone, spec, spec.lines);
    if (!ext) continue;
    const w = widest.get(ext.lineId) ?? { left: 0, right: 0 };
    w.left = Math.max(w.left, ext.left?.maxM ?? 0);
    w.right = Math.max(w.right, ext.right?.maxM ?? 0);
    widest.set(ext.lineId, w);
  }
  const primaryId = spec.primaryLine ?? spec.lines[0]?.id;
  const wanted = new Set([
    ...widest.keys(),
    ...(primaryId !== undefined && linesInForce.has(primaryId) ? [primaryId] : []),
  ]);
  for (const id of wanted) {
    const entry = linesInForce.get(id);
    if (!entry) continue;
    const w = widest.get(id) ?? { left: 0, right: 0 };
    const compiled = compileLine(
      entry.line,
      Math.max(w.left + marginFor(w.left), w.right + marginFor(w.right)),
    );
    const crossing = extensionCrossing(compiled);
    if (crossing) {
      b.errors.push({
        path: `/lines/${entry.index}/coordinates`,
        code: 'EXTENSION_CROSSES_LINE',
        message: crossing,
      });
      continue;
    }
    b.lineIndex.set(id, b.lines.length);
    b.lines.push(compiled);
  }
  if (b.errors.length > 0) return { ok: false, errors: b.errors };

  const zones: ActiveZone[] = [];
  const byId = new Map<string, ActiveZone>();
  const pending = [...zonesInForce];
  // Area zones with `over` are compiled after the zone they cover.
  for (let round = 0; pending.length > 0 && round <= zonesInForce.length; round++) {
    for (let k = 0; k < pending.length;) {
      const { zone, index } = pending[k] as { zone: Zone; index: number };
      const over = 'over' in zone ? zone.over : undefined;
      if (over !== undefined && !byId.has(over) && zonesInForce.some((z) => z.zone.id === over)) {
        k++;
        continue;
      }
      pending.splice(k, 1);
      const compiled = compileZone(b, zone, index, byId);
      if (compiled) {
        zones.push(compiled);
        byId.set(compiled.id, compiled);
      }
    }
  }
  if (b.errors.length > 0) return { ok: false, errors: b.errors };
  zones.sort((x, y) => x.specIndex - y.specIndex);
  return {
    ok: true,
    zoneSet: {
      spec,
      zones,
      lines: b.lines,
      primaryLine: primaryId !== undefined ? (b.lineIndex.get(primaryId) ?? -1) : -1,
      primitives: b.primitives,
    },
  };
}

function compileZone(
  b: Builder,
  zone: Zone,
  specIndex: number,
  byId: Map<string, ActiveZone>,
): ActiveZone | undefined {
  if (zone.kind !== 'strip' && zone.kind !== 'band' && zone.kind !== 'sector') {
    if (zone.geometry) {
      const expr = areaPrimitive(b, `area:${zone.id}`, zone.geometry, `zone ${zone.id}`);
      return {
        id: zone.id,
        specIndex,
        spec: zone,
        expr,
        shape: { type: 'area', geometry: zone.geometry },
      };
    }
    const target = byId.get(zone.over as string);
    return target
      ? { id: zone.id, specIndex, spec: zone, expr: target.expr, shape: target.shape }
      : undefined;
  }
  const ext = lineExtents(zone, b.spec, b.spec.lines);
  const line = ext ? b.lineIndex.get(ext.lineId) : undefined;
  if (!ext || line === undefined) return undefined;
  const metric = (b.lines[line] as CompiledLine).metric;
  const distance = distanceExpr(b, line, ext.left, ext.right);
  const strip = zone.kind === 'sector' ? b.spec.zones.find((z) => z.id === zone.strip) : zone;
  const clip = strip && (strip.kind === 'strip' || strip.kind === 'band') ? strip.clip : undefined;
  const extend = strip !== undefined && endsOf(strip) === 'extend';
  let fromM = extend ? -metric.extensionM : 0;
  let toM = extend ? metric.lengthM + metric.extensionM : metric.lengthM;
  if (zone.kind === 'sector') {
    fromM = zone.fromM;
    toM = Math.min(zone.toM, metric.lengthM);
  }
  const parts: Expr[] = [distance];
  if (!extend || zone.kind === 'sector') {
    const maxInclusive = toM >= metric.lengthM;
    parts.push(
      primitive(b, `along:${line}:${fromM}:${toM}:${maxInclusive}`, () => ({
        kind: 'along',
        line,
        minM: fromM,
        maxM: toM,
        maxInclusive,
      })),
    );
  }
  if (clip) parts.push(areaPrimitive(b, `clip:${strip?.id}`, clip, `clip of zone ${strip?.id}`));
  return {
    id: zone.id,
    specIndex,
    spec: zone,
    expr: parts.length === 1 ? distance : { and: parts },
    shape: {
      type: 'line',
      line,
      left: ext.left,
      right: ext.right,
      fromM,
      toM,
      ...(clip ? { clip } : {}),
    },
  };
}
