import type { TSchema } from 'typebox';
import { nonFiniteErrors, schemaErrors } from '../errors/index.js';
import type { ErrorCode, PathError } from '../errors/index.js';
import { findCrossings, geodesicDistanceM } from '../geo/index.js';
import {
  AREA_ZONE_KINDS,
  AreaGeometrySchema,
  AreaZoneSchema,
  BandZoneSchema,
  ReferenceLineSchema,
  SectorZoneSchema,
  StripZoneSchema,
  ZONE_KINDS,
  ZoneSpecSchema,
} from './zone-spec.js';
import type { AreaGeometry, ReferenceLine, Zone, ZoneSpec } from './zone-spec.js';

/** The outcome of validating a zone spec: the typed spec, or every error found. */
export type ZoneSpecValidation = { ok: true; spec: ZoneSpec } | { ok: false; errors: PathError[] };

function timeOf(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : Date.parse(value);
}

/** Validity of a record as [fromMs, toMs), unbounded ends as infinities. */
export function validityOf(v: { validFrom?: string; validTo?: string }): [number, number] {
  return [timeOf(v.validFrom, -Infinity), timeOf(v.validTo, Infinity)];
}

const overlaps = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];

function checkPosition(pos: readonly number[], path: string, errors: PathError[]): boolean {
  const [lon, lat] = pos as [number, number];
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
    errors.push({
      path,
      code: 'NOT_FINITE',
      message: `position [${pos.join(', ')}] has a value that is not a finite number`,
    });
    return false;
  }
  if (lat < -90 || lat > 90) {
    errors.push({
      path: `${path}/1`,
      code: 'LAT_OUT_OF_RANGE',
      message: `latitude ${lat} is outside -90..90`,
    });
    return false;
  }
  if (lon < -180 || lon > 180) {
    errors.push({
      path: `${path}/0`,
      code: 'LON_OUT_OF_RANGE',
      message: `longitude ${lon} is outside -180..180`,
    });
    return false;
  }
  return true;
}

function checkPath(
  coords: readonly (readonly number[])[],
  path: string,
  errors: PathError[],
): boolean {
  let ok = true;
  coords.forEach((p, i) => {
    ok = checkPosition(p, `${path}/${i}`, errors) && ok;
  });
  if (!ok) return false;
  for (let i = 0; i + 1 < coords.length; i++) {
    const a = coords[i] as readonly number[];
    const b = coords[i + 1] as readonly number[];
    if (Math.abs((a[0] as number) - (b[0] as number)) > 180) {
      errors.push({
        path: `${path}/${i + 1}`,
        code: 'ANTIMERIDIAN',
        message: `the edge from vertex ${i} to ${i + 1} crosses the antimeridian, which is not supported`,
      });
      return false;
    }
  }
  return true;
}

/** Validates a GeoJSON Polygon or MultiPolygon: shape, ranges, closed rings, no crossings. */
export function validateAreaGeometry(value: unknown, path: string): PathError[] {
  const errors: PathError[] = [];
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== 'Polygon' && type !== 'MultiPolygon') {
    return [
      {
        path: `${path}/type`,
        code: 'SCHEMA',
        message: `geometry type must be "Polygon" or "MultiPolygon", got ${JSON.stringify(type)}`,
      },
    ];
  }
  const schema = AreaGeometrySchema.anyOf[type === 'Polygon' ? 0 : 1] as TSchema;
  errors.push(...schemaErrors(schema, value, path));
  if (errors.length > 0) return errors;
  const geometry = value as AreaGeometry;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  polygons.forEach((rings, pi) => {
    const polygonPath =
      geometry.type === 'Polygon' ? `${path}/coordinates` : `${path}/coordinates/${pi}`;
    const valid = rings.every((ring, ri) => checkPath(ring, `${polygonPath}/${ri}`, errors));
    if (!valid) return;
    rings.forEach((ring, ri) => {
      const first = ring[0] as readonly number[];
      const last = ring[ring.length - 1] as readonly number[];
      if (first[0] !== last[0] || first[1] !== last[1]) {
        errors.push({
          path: `${polygonPath}/${ri}`,
          code: 'UNCLOSED_RING',
          message: `ring ${ri} ends at [${last.join(', ')}], not at its first position [${first.join(', ')}]`,
        });
      }
    });
    if (errors.length > 0) return;
    const crossing = findCrossings(rings, 1)[0];
    if (crossing) {
      errors.push({
        path: `${polygonPath}/${crossing.a.part}/${crossing.a.edge}`,
        code: 'SELF_INTERSECTION',
        message: `edge ${crossing.a.edge} of ring ${crossing.a.part} crosses edge ${crossing.b.edge} of ring ${crossing.b.part} near [${crossing.at.map((v) => v.toFixed(6)).join(', ')}]`,
      });
    }
  });
  return errors;
}

function validateLine(line: ReferenceLine, path: string, errors: PathError[]): void {
  if (!checkPath(line.coordinates, `${path}/coordinates`, errors)) return;
  for (let i = 0; i + 1 < line.coordinates.length; i++) {
    const a = line.coordinates[i] as readonly number[];
    const b = line.coordinates[i + 1] as readonly number[];
    if (geodesicDistanceM(a[0] as number, a[1] as number, b[0] as number, b[1] as number) < 0.01) {
      errors.push({
        path: `${path}/coordinates/${i + 1}`,
        code: 'DUPLICATE_VERTEX',
        message: `vertex ${i + 1} repeats vertex ${i}`,
      });
      return;
    }
  }
  const crossing = findCrossings([line.coordinates], 1)[0];
  if (crossing) {
    errors.push({
      path: `${path}/coordinates/${crossing.a.edge}`,
      code: 'SELF_INTERSECTION',
      message: `line '${line.id}' crosses itself: segment ${crossing.a.edge} meets segment ${crossing.b.edge} near [${crossing.at.map((v) => v.toFixed(6)).join(', ')}]`,
    });
  }
}

function zoneSchema(kind: string): TSchema | undefined {
  if (kind === 'strip') return StripZoneSchema;
  if (kind === 'band') return BandZoneSchema;
  if (kind === 'sector') return SectorZoneSchema;
  if ((AREA_ZONE_KINDS as readonly string[]).includes(kind)) return AreaZoneSchema;
  return undefined;
}

/** Length of a line in metres (sum of geodesic segment lengths). */
export function lineLengthM(line: ReferenceLine): number {
  let sum = 0;
  for (let i = 0; i + 1 < line.coordinates.length; i++) {
    const a = line.coordinates[i] as readonly number[];
    const b = line.coordinates[i + 1] as readonly number[];
    sum += geodesicDistanceM(a[0] as number, a[1] as number, b[0] as number, b[1] as number);
  }
  return sum;
}

/**
 * Resolves the line and side a band is measured from: its own `line`/`side`, else the line
 * that belongs to its party and the side the line's `sides` give that party.
 */
export function resolveBand(
  band: { party: string; line?: string; side?: 'left' | 'right' },
  lines: readonly ReferenceLine[],
): { lineId?: string; side?: 'left' | 'right' } {
  const lineId = band.line ?? lines.find((l) => l.party === band.party)?.id;
  if (!lineId) return {};
  if (band.side) return { lineId, side: band.side };
  const versions = lines.filter((l) => l.id === lineId);
  const sides = versions.map((l) =>
    l.sides?.left === band.party ? 'left' : l.sides?.right === band.party ? 'right' : undefined,
  );
  const side = sides[0];
  return side && sides.every((s) => s === side) ? { lineId, side } : { lineId };
}

interface Checker {
  errors: PathError[];
  spec: ZoneSpec;
  linesById: Map<string, { line: ReferenceLine; index: number }[]>;
  zonesById: Map<string, { zone: Zone; index: number }>;
  parties?: Set<string>;
}

function error(c: Checker, path: string, code: ErrorCode, message: string): void {
  c.errors.push({ path, code, message });
}

function checkParty(c: Checker, party: string | undefined, path: string): void {
  if (party !== undefined && c.parties && !c.parties.has(party)) {
    error(c, path, 'UNKNOWN_PARTY', `party '${party}' is not listed in /parties`);
  }
}

function checkValidity(
  c: Checker,
  v: { validFrom?: string; validTo?: string },
  path: string,
): void {
  const [from, to] = validityOf(v);
  if (from >= to)
    error(
      c,
      `${path}/validTo`,
      'INVALID_INTERVAL',
      `validTo ${v.validTo} is not after validFrom ${v.validFrom}`,
    );
}

function checkLineInForce(c: Checker, zone: Zone, lineId: string, path: string): void {
  const versions = c.linesById.get(lineId) ?? [];
  const [from, to] = validityOf(zone);
  const covered = versions.map((v) => validityOf(v.line)).sort((a, b) => a[0] - b[0]);
  let cursor = from;
  for (const [vf, vt] of covered) {
    if (vt <= cursor) continue;
    if (vf > cursor) break;
    cursor = vt;
    if (cursor >= to) return;
  }
  if (cursor < to) {
    const when = Number.isFinite(cursor)
      ? new Date(cursor).toISOString()
      : 'the start of its validity';
    error(
      c,
      path,
      'LINE_NOT_IN_FORCE',
      `zone '${zone.id}' is in force at ${when} but line '${lineId}' has no version in force then`,
    );
  }
}

function checkZone(c: Checker, zone: Zone, i: number): void {
  const path = `/zones/${i}`;
  checkValidity(c, zone, path);
  if (
    zone.altitudeM?.minM !== undefined &&
    zone.altitudeM.maxM !== undefined &&
    zone.altitudeM.minM > zone.altitudeM.maxM
  ) {
    error(
      c,
      `${path}/altitudeM/minM`,
      'ALTITUDE_MIN_GT_MAX',
      `altitude minM ${zone.altitudeM.minM} is above maxM ${zone.altitudeM.maxM}`,
    );
  }
  if ('clip' in zone && zone.clip)
    c.errors.push(...validateAreaGeometry(zone.clip, `${path}/clip`));
  switch (zone.kind) {
    case 'strip': {
      if (!c.linesById.has(zone.line)) {
        error(c, `${path}/line`, 'UNKNOWN_LINE', `line '${zone.line}' is not defined in /lines`);
      } else checkLineInForce(c, zone, zone.line, `${path}/line`);
      if (zone.widthM.left === 0 && zone.widthM.right === 0) {
        error(
          c,
          `${path}/widthM`,
          'ZERO_WIDTH',
          'a strip needs a width greater than zero on at least one side',
        );
      }
      return;
    }
    case 'band': {
      checkParty(c, zone.party, `${path}/party`);
      if (zone.minM > zone.maxM) {
        error(
          c,
          `${path}/minM`,
          'BAND_MIN_GT_MAX',
          `minM ${zone.minM} is greater than maxM ${zone.maxM}`,
        );
      } else if (zone.minM === zone.maxM) {
        error(c, `${path}/maxM`, 'ZERO_WIDTH', 'a band needs maxM greater than minM');
      }
      if (zone.line !== undefined && !c.linesById.has(zone.line)) {
        error(c, `${path}/line`, 'UNKNOWN_LINE', `line '${zone.line}' is not defined in /lines`);
        return;
      }
      const resolved = resolveBand(zone, c.spec.lines);
      if (!resolved.lineId) {
        error(
          c,
          `${path}/line`,
          'UNKNOWN_LINE',
          `no line belongs to party '${zone.party}': give the band a \`line\``,
        );
        return;
      }
      checkLineInForce(c, zone, resolved.lineId, `${path}/line`);
      if (!resolved.side) {
        error(
          c,
          `${path}/side`,
          'SIDE_UNRESOLVED',
          `cannot tell which side of line '${resolved.lineId}' party '${zone.party}' holds: give \`side\` or the line's \`sides\``,
        );
      }
      return;
    }
    case 'sector':
      checkSector(c, zone, i);
      return;
    default:
      checkArea(c, zone, i);
  }
}

function checkSector(c: Checker, zone: Extract<Zone, { kind: 'sector' }>, i: number): void {
  const path = `/zones/${i}`;
  if (zone.fromM >= zone.toM) {
    error(c, `${path}/toM`, 'INVALID_RANGE', `toM ${zone.toM} is not after fromM ${zone.fromM}`);
    return;
  }
  const strip = c.zonesById.get(zone.strip);
  if (!strip) {
    error(c, `${path}/strip`, 'UNKNOWN_ZONE', `zone '${zone.strip}' is not defined in /zones`);
    return;
  }
  if (strip.zone.kind !== 'strip') {
    error(
      c,
      `${path}/strip`,
      'NOT_A_STRIP',
      `zone '${zone.strip}' is a ${strip.zone.kind}, not a strip`,
    );
    return;
  }
  const validity = validityOf(zone);
  for (const { line } of c.linesById.get(strip.zone.line) ?? []) {
    if (!overlaps(validity, validityOf(line))) continue;
    const length = lineLengthM(line);
    if (zone.toM > length + 1e-6) {
      error(
        c,
        `${path}/toM`,
        'SECTOR_OUT_OF_RANGE',
        `toM ${zone.toM} is beyond the end of line '${line.id}' version ${line.version} (${length.toFixed(1)} m long)`,
      );
    }
  }
  c.spec.zones.forEach((other, j) => {
    if (j >= i || other.kind !== 'sector' || other.strip !== zone.strip) return;
    if (!overlaps(validity, validityOf(other))) return;
    if (zone.fromM < other.toM && other.fromM < zone.toM) {
      error(
        c,
        `${path}/fromM`,
        'SECTOR_OVERLAP',
        `sector '${zone.id}' (${zone.fromM}..${zone.toM} m) overlaps sector '${other.id}' (${other.fromM}..${other.toM} m) of strip '${zone.strip}'`,
      );
    }
  });
}

function checkArea(
  c: Checker,
  zone: Extract<Zone, { kind: (typeof AREA_ZONE_KINDS)[number] }>,
  i: number,
): void {
  const path = `/zones/${i}`;
  if ((zone.geometry === undefined) === (zone.over === undefined)) {
    error(c, path, 'GEOMETRY_REQUIRED', 'give exactly one of `geometry` or `over`');
    return;
  }
  if (zone.geometry) {
    c.errors.push(...validateAreaGeometry(zone.geometry, `${path}/geometry`));
    return;
  }
  const seen = new Set<string>([zone.id]);
  let next: string | undefined = zone.over;
  while (next !== undefined) {
    if (seen.has(next)) {
      error(
        c,
        `${path}/over`,
        'CYCLE',
        `zone '${zone.id}' covers itself through 'over': ${[...seen, next].join(' -> ')}`,
      );
      return;
    }
    seen.add(next);
    const target = c.zonesById.get(next);
    if (!target) {
      error(c, `${path}/over`, 'UNKNOWN_ZONE', `zone '${next}' is not defined in /zones`);
      return;
    }
    next = 'over' in target.zone ? target.zone.over : undefined;
  }
}

/**
 * Validates a zone spec (already parsed from JSON) and returns the typed spec or every error
 * with the JSON Pointer of its fault: shape and types, coordinates, rings, crossings,
 * references between lines, parties and zones, validity intervals, bands and sectors.
 */
export function validateZoneSpec(input: unknown): ZoneSpecValidation {
  // NaN and infinities (possible when the spec comes from code, not JSON) are named as such.
  const notFinite = nonFiniteErrors(input, '');
  if (notFinite.length > 0) return { ok: false, errors: notFinite };
  const errors = schemaErrors(ZoneSpecSchema, input, '');
  if (errors.some((e) => e.path === '' || !/^\/(zones|lines|parties)\/\d+/.test(e.path)))
    return { ok: false, errors };
  const raw = input as ZoneSpec;
  const lineShapeOk: boolean[] = raw.lines.map((line, i) => {
    const lineErrors = schemaErrors(ReferenceLineSchema, line, `/lines/${i}`);
    errors.push(
      ...lineErrors.filter(
        (e) => !errors.some((x) => x.path === e.path && x.message === e.message),
      ),
    );
    return lineErrors.length === 0;
  });
  const zoneShapeOk: boolean[] = raw.zones.map((zone, i) => {
    if (typeof zone !== 'object' || zone === null || Array.isArray(zone)) {
      if (!errors.some((e) => e.path === `/zones/${i}`)) {
        errors.push({ path: `/zones/${i}`, code: 'SCHEMA', message: 'a zone must be an object' });
      }
      return false;
    }
    const kind = (zone as { kind?: unknown }).kind;
    const schema = typeof kind === 'string' ? zoneSchema(kind) : undefined;
    if (!schema) {
      errors.push({
        path: `/zones/${i}/kind`,
        code: 'UNKNOWN_KIND',
        message: `zone kind ${JSON.stringify(kind)} is not one of ${ZONE_KINDS.join(', ')}`,
      });
      return false;
    }
    const zoneErrors = schemaErrors(schema, zone, `/zones/${i}`, [
      `/zones/${i}/geometry`,
      `/zones/${i}/clip`,
    ]);
    errors.push(...zoneErrors);
    return zoneErrors.length === 0;
  });
  if (!lineShapeOk.every(Boolean) || !zoneShapeOk.every(Boolean)) return { ok: false, errors };

  const spec = raw;
  const c: Checker = {
    errors,
    spec,
    linesById: new Map(),
    zonesById: new Map(),
    parties: spec.parties ? new Set(spec.parties.map((p) => p.id)) : undefined,
  };
  const partyIds = new Set<string>();
  spec.parties?.forEach((p, i) => {
    if (partyIds.has(p.id))
      error(c, `/parties/${i}/id`, 'DUPLICATE_ID', `party '${p.id}' is listed twice`);
    partyIds.add(p.id);
  });
  spec.lines.forEach((line, i) => {
    const path = `/lines/${i}`;
    const versions = c.linesById.get(line.id) ?? [];
    if (versions.some((v) => v.line.version === line.version)) {
      error(
        c,
        `${path}/version`,
        'DUPLICATE_ID',
        `line '${line.id}' version ${line.version} is defined twice`,
      );
    }
    checkValidity(c, line, path);
    for (const v of versions) {
      if (overlaps(validityOf(v.line), validityOf(line))) {
        error(
          c,
          `${path}/validFrom`,
          'VERSION_OVERLAP',
          `line '${line.id}' version ${line.version} is in force at the same time as version ${v.line.version} (/lines/${v.index})`,
        );
      }
    }
    versions.push({ line, index: i });
    c.linesById.set(line.id, versions);
    checkParty(c, line.party, `${path}/party`);
    checkParty(c, line.sides?.left, `${path}/sides/left`);
    checkParty(c, line.sides?.right, `${path}/sides/right`);
    validateLine(line, path, errors);
  });
  if (spec.primaryLine !== undefined && !c.linesById.has(spec.primaryLine)) {
    error(c, '/primaryLine', 'UNKNOWN_LINE', `line '${spec.primaryLine}' is not defined in /lines`);
  }
  spec.zones.forEach((zone, i) => {
    if (c.zonesById.has(zone.id))
      error(c, `/zones/${i}/id`, 'DUPLICATE_ID', `zone '${zone.id}' is defined twice`);
    else c.zonesById.set(zone.id, { zone, index: i });
  });
  spec.zones.forEach((zone, i) => checkZone(c, zone, i));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec };
}
