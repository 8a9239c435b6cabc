/**
 * npm run bench:zones - classification speed of the zone index against Turf.
 *
 * A detailed variant of the NOTIONAL line (densified to >= 5,000 vertices and perturbed
 * deterministically, like a real front line) carries the whole demo zone set. 1,000,000 random
 * positions across the region are classified by the index (every zone, and the side of the
 * line), and the same job is done in the same run with @turf/boolean-point-in-polygon against
 * the zones' display polygons with a bounding-box pre-check per zone.
 */
import { readFileSync } from 'node:fs';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { createLineMetric, geodesicDirect, geodesicSegment } from '../src/core/geo/index.js';
import {
  buildZoneIndex,
  compileZoneSet,
  validateZoneSpec,
  zoneSetToGeoJson,
} from '../src/core/zones/index.js';
import { makeDemoZoneSpec } from '../scripts/demo-zones.js';
import { mulberry32 } from '../test/support/demo.js';

const POSITIONS = Number(process.env.BENCH_POSITIONS ?? 1_000_000);
const TURF_POSITIONS = Number(process.env.BENCH_TURF_POSITIONS ?? 20_000);
const TARGET_VERTICES = 5_000;

/** Densifies the line along its geodesics and moves each new vertex sideways by up to 60 m. */
function detailedLine(coords: [number, number][], random: () => number): [number, number][] {
  const total = createLineMetric(coords, 1000).lengthM;
  const spacing = total / (TARGET_VERTICES + coords.length);
  const out: [number, number][] = [];
  let offset = 0;
  for (let i = 0; i + 1 < coords.length; i++) {
    const [lon1, lat1] = coords[i] as [number, number];
    const [lon2, lat2] = coords[i + 1] as [number, number];
    const seg = geodesicSegment(lon1, lat1, lon2, lat2);
    const n = Math.max(1, Math.round(seg.lengthM / spacing));
    out.push([lon1, lat1]);
    for (let k = 1; k < n; k++) {
      const p = seg.at((seg.lengthM * k) / n);
      // A random walk, pulled back towards the line: wiggles of tens of metres.
      offset = 0.7 * offset + (random() - 0.5) * 60;
      const q = geodesicDirect(p.lon, p.lat, p.azimuthDeg + 90, offset);
      out.push([q.lon, q.lat]);
    }
  }
  out.push(coords[coords.length - 1] as [number, number]);
  return out;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

function main(): void {
  const random = mulberry32(20261123);
  const source = JSON.parse(
    readFileSync(
      new URL('../../shared/data/notional-line-of-contact.geojson', import.meta.url),
      'utf8',
    ),
  ) as Parameters<typeof makeDemoZoneSpec>[0];
  const lineFeature = source.features.find((f) => f.geometry.type === 'LineString');
  if (!lineFeature) throw new Error('no line in the shared data');
  const coords = detailedLine(lineFeature.geometry.coordinates as [number, number][], random);
  lineFeature.geometry.coordinates = coords;
  const lengthM = createLineMetric(coords, 1000).lengthM;
  const v = validateZoneSpec(makeDemoZoneSpec(source, lengthM));
  if (!v.ok) throw new Error(JSON.stringify(v.errors.slice(0, 3)));
  const c = compileZoneSet(v.spec, Date.parse('2026-01-01T00:00:00Z'));
  if (!c.ok) throw new Error(JSON.stringify(c.errors.slice(0, 3)));
  const zs = c.zoneSet;
  console.log(
    `line: ${coords.length} vertices, ${(lengthM / 1000).toFixed(1)} km (NOTIONAL, densified and perturbed); zones: ${zs.zones.length}`,
  );

  const heapBefore = process.memoryUsage().heapUsed;
  let t = performance.now();
  const index = buildZoneIndex(zs);
  const buildMs = performance.now() - t;
  const s = index.stats;
  console.log(
    `index: built in ${(buildMs / 1000).toFixed(1)} s; ${mb(s.bytes)} in typed arrays ` +
      `(heap +${mb(process.memoryUsage().heapUsed - heapBefore)}); ${s.topCells} top cells, ` +
      `${s.nodes} nodes, ${s.exactLeaves} exact leaves, ${s.classes} classes`,
  );

  const { minLon, minLat, maxLon, maxLat } = index.bbox;
  const lonLat = new Float64Array(2 * POSITIONS);
  for (let i = 0; i < POSITIONS; i++) {
    lonLat[2 * i] = minLon + random() * (maxLon - minLon);
    lonLat[2 * i + 1] = minLat + random() * (maxLat - minLat);
  }
  const out = new Int32Array(POSITIONS);
  index.classifyMany(
    lonLat.subarray(0, 2 * Math.min(POSITIONS, 100_000)),
    out.subarray(0, 100_000),
  );
  t = performance.now();
  index.classifyMany(lonLat, out);
  const ours = POSITIONS / ((performance.now() - t) / 1000);

  // Turf: the display polygons (within 1 m of the true edges), bbox pre-check per zone.
  const features = zoneSetToGeoJson(zs).features.filter(
    (f): f is Feature<Polygon | MultiPolygon> =>
      f.geometry?.type === 'Polygon' || f.geometry?.type === 'MultiPolygon',
  );
  const boxes = features.map((f) => {
    const b = [Infinity, Infinity, -Infinity, -Infinity];
    const rings =
      f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat();
    for (const ring of rings)
      for (const [x, y] of ring as [number, number][]) {
        b[0] = Math.min(b[0] as number, x);
        b[1] = Math.min(b[1] as number, y);
        b[2] = Math.max(b[2] as number, x);
        b[3] = Math.max(b[3] as number, y);
      }
    return b as [number, number, number, number];
  });
  const vertices = features.reduce((n, f) => n + JSON.stringify(f.geometry).split('],[').length, 0);
  let agree = 0;
  t = performance.now();
  for (let i = 0; i < TURF_POSITIONS; i++) {
    const x = lonLat[2 * i] as number;
    const y = lonLat[2 * i + 1] as number;
    let inside = 0;
    for (let k = 0; k < features.length; k++) {
      const b = boxes[k] as [number, number, number, number];
      if (x < b[0] || x > b[2] || y < b[1] || y > b[3]) continue;
      if (booleanPointInPolygon([x, y], features[k] as Feature<Polygon | MultiPolygon>)) inside++;
    }
    const cls = index.classes[out[i] as number];
    if (cls && cls.zones.reduce((a, z) => a + z, 0) === inside) agree++;
  }
  const turf = TURF_POSITIONS / ((performance.now() - t) / 1000);
  console.log(
    `turf: ${features.length} polygons, ~${vertices} vertices, timed on ${TURF_POSITIONS} of the positions; ` +
      `zone counts agree with the index on ${((100 * agree) / TURF_POSITIONS).toFixed(2)}%`,
  );
  console.log(
    `zones: ${Math.round(ours)} positions/s, turf: ${Math.round(turf)} positions/s, ratio: ${(ours / turf).toFixed(1)}x`,
  );
}

main();
