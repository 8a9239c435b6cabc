import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { geodesicDirect } from '../core/geo/index.js';
import {
  classifyObserverBearing,
  classifyPosition,
  createZoneModel,
  detectTransitions,
  validateZoneSpec,
  zoneSetToGeoJson,
} from '../core/zones/index.js';
import type { PositionClassification, ZoneSet } from '../core/zones/index.js';
import { CliError, println } from './io.js';
import type { CliIo } from './io.js';

const DEMO_SPEC = new URL('../../examples/zones/notional-demo.json', import.meta.url);

function describe(c: PositionClassification): string {
  const side = c.side ?? 'on the line';
  const dist =
    c.distanceToLineM === null ? '' : `${(c.distanceToLineM / 1000).toFixed(3)} km from the line`;
  const zones = c.inside.length > 0 ? c.inside.join(', ') : 'no zone';
  const maybe = c.possiblyInside.length > 0 ? `; possibly ${c.possiblyInside.join(', ')}` : '';
  return `${c.mgrs ?? ''}  ${side}, ${dist}\n      in: ${zones}${maybe}`;
}

function samples(
  zs: ZoneSet,
): { label: string; lon: number; lat: number; uncertaintyM?: number }[] {
  const line = zs.lines[zs.primaryLine];
  if (!line) return [];
  const m = line.metric;
  const at = (alongKm: number, side: -1 | 1, km: number) => {
    const p = m.pointAt(alongKm * 1000);
    return geodesicDirect(p.lon, p.lat, p.azimuthDeg + 90 * side, km * 1000);
  };
  return [
    { label: 'tank 19.9 km on the left (UKR) side', ...at(450, -1, 19.9) },
    { label: 'tank 20.1 km on the left (UKR) side', ...at(450, -1, 20.1) },
    { label: 'MLRS 30 km on the right (RUS) side', ...at(200, 1, 30) },
    { label: 'report 19.95 km right, +/-200 m', ...at(300, 1, 19.95), uncertaintyM: 200 },
  ];
}

/**
 * `armistice demo`: a walk through the notional demo zone set - the zones, positions classified
 * against them, an explosion placed by an observer's bearing, and a patrol's transitions - and
 * the zones written as GeoJSON. The live monitoring demo builds on this (pipeline issue).
 */
export async function demoCommand(io: CliIo, args: string[]): Promise<number> {
  if (args.length > 0) throw new CliError('Usage: armistice demo');
  const v = validateZoneSpec(JSON.parse(readFileSync(DEMO_SPEC, 'utf8')));
  if (!v.ok) throw new CliError(`the demo zone spec is invalid: ${v.errors[0]?.message}`, 1);
  const model = createZoneModel(v.spec);
  const c = model.at(io.now());
  if (!c.ok) throw new CliError(`the demo zone set does not build: ${c.errors[0]?.message}`, 1);
  const zs = c.zoneSet;
  const out = io.stdout;
  println(out, `Armistice demo - ${zs.spec.name}`);
  println(out, 'NOTIONAL geometry: for demonstration only, not an agreed or authoritative line.');
  const line = zs.lines[zs.primaryLine];
  if (line) {
    println(
      out,
      `Reference line '${line.name}': ${(line.metric.lengthM / 1000).toFixed(1)} km, ` +
        `${line.sides.left ?? '?'} on the left, ${line.sides.right ?? '?'} on the right`,
    );
  }
  const byKind = new Map<string, number>();
  for (const z of zs.zones) byKind.set(z.spec.kind, (byKind.get(z.spec.kind) ?? 0) + 1);
  println(out, `Zones in force: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  println(out);
  println(out, 'Positions:');
  for (const s of samples(zs)) {
    println(out, `  ${s.label}`);
    println(out, `      ${describe(classifyPosition(zs, s))}`);
  }
  const observerAt = line ? line.metric.pointAt(700_000) : undefined;
  if (observerAt) {
    const observer = geodesicDirect(
      observerAt.lon,
      observerAt.lat,
      observerAt.azimuthDeg - 90,
      8000,
    );
    const r = classifyObserverBearing(zs, {
      observerLon: observer.lon,
      observerLat: observer.lat,
      bearingDeg: observerAt.azimuthDeg + 90,
      bearingUncertaintyDeg: 3,
      minRangeM: 12_000,
      maxRangeM: 16_000,
    });
    println(
      out,
      '  explosion heard by a patrol 8 km left of the line, bearing across it, 12-16 km',
    );
    println(out, `      ${describe(r)}`);
    println(out);
    const from = geodesicDirect(observerAt.lon, observerAt.lat, observerAt.azimuthDeg - 90, 26_000);
    const to = geodesicDirect(observerAt.lon, observerAt.lat, observerAt.azimuthDeg - 90, 12_000);
    const changes = detectTransitions(zs, from, to).filter((t) => t.transition !== 'outside');
    println(out, 'A vehicle moves from 26 km to 12 km left of the line:');
    for (const t of changes) println(out, `      ${t.transition.padEnd(6)} ${t.zone}`);
  }
  const dir = path.resolve(io.cwd, '.armistice', 'demo');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'zones.geojson');
  writeFileSync(file, `${JSON.stringify(zoneSetToGeoJson(zs))}\n`);
  println(out);
  println(out, `Zones written as GeoJSON to ${path.relative(io.cwd, file)} (open it in any GIS).`);
  println(
    out,
    'Try: armistice zones classify --zones examples/zones/notional-demo.json < points.ndjson',
  );
  return 0;
}
