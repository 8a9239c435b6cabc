/**
 * Builds the demo zone set `examples/zones/notional-demo.json` from the NOTIONAL line of contact
 * in `../shared/data`. Run `node --import tsx scripts/demo-zones.ts` to regenerate it; a test
 * checks that the committed file is what this script makes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { meridionalRadiusM, primeVerticalRadiusM } from '../src/core/geo/index.js';

const NOTICE =
  'NOTIONAL: demonstration geometry only, made from approximate public place coordinates. Not an agreed or authoritative line.';

interface LineFeatureCollection {
  features: { geometry: { type: string; coordinates: unknown }; properties: { name?: string } }[];
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** A closed square ring of side `sideM` centred on a position, edges straight in lon/lat. */
function square(lon: number, lat: number, sideM: number): number[][] {
  const h = sideM / 2;
  const dLat = (h / meridionalRadiusM(lat)) * (180 / Math.PI);
  const dLon =
    (h / (primeVerticalRadiusM(lat) * Math.cos((lat * Math.PI) / 180))) * (180 / Math.PI);
  const ring = [
    [lon - dLon, lat - dLat],
    [lon + dLon, lat - dLat],
    [lon + dLon, lat + dLat],
    [lon - dLon, lat + dLat],
    [lon - dLon, lat - dLat],
  ];
  return ring.map(([x, y]) => [round6(x as number), round6(y as number)]);
}

const BANDS = [
  { id: 'lt100', classes: ['artillery-lt100', 'mortar'], km: 15, label: 'weapons under 100 mm' },
  {
    id: 'artillery-ge100',
    classes: ['artillery-ge100'],
    km: 25,
    label: 'artillery of 100 mm and more',
  },
  { id: 'mlrs', classes: ['mlrs'], km: 35, label: 'multiple rocket launchers' },
  {
    id: 'mlrs-heavy',
    classes: ['mlrs-heavy', 'tactical-missile'],
    km: 70,
    label: 'heavy MLRS and tactical missile systems',
  },
] as const;

const DISENGAGEMENT = ['Huliaipole', 'Toretsk', 'Kupiansk'];
const CROSSINGS = [
  'Kherson (river line)',
  'Vasylivka area',
  'Robotyne',
  'Velyka Novosilka',
  'Kurakhove',
  'Bakhmut',
  'Svatove',
  'Vovchansk',
];

/** The demo zone spec for a line-of-contact FeatureCollection (one LineString, named Points). */
export function makeDemoZoneSpec(source: LineFeatureCollection, lineLengthM: number): unknown {
  const line = source.features.find((f) => f.geometry.type === 'LineString');
  if (!line) throw new Error('the source has no LineString');
  const places = new Map(
    source.features
      .filter((f) => f.geometry.type === 'Point' && f.properties.name)
      .map((f) => [f.properties.name as string, f.geometry.coordinates as [number, number]]),
  );
  const at = (name: string) => {
    const p = places.get(name);
    if (!p) throw new Error(`no waypoint named ${name}`);
    return p;
  };
  const parties = ['UKR', 'RUS'] as const;
  const sectorLength = Math.floor(lineLengthM / 10);
  return {
    name: 'Notional demo zone set',
    description: `${NOTICE} A 40 km demilitarized strip along the notional line of contact, Minsk-II-style withdrawal bands for each party, ten sectors, three disengagement areas, eight crossing points and a UAV no-fly zone.`,
    notional: true,
    parties: [
      { id: 'UKR', name: 'Party UKR (north-west of the line in this demo)' },
      { id: 'RUS', name: 'Party RUS (south-east of the line in this demo)' },
    ],
    primaryLine: 'loc',
    lines: [
      {
        id: 'loc',
        name: 'Notional line of contact',
        version: 1,
        sides: { left: 'UKR', right: 'RUS' },
        coordinates: line.geometry.coordinates,
      },
    ],
    zones: [
      {
        id: 'dmz',
        name: 'Demilitarized strip (notional), 20 km each side',
        kind: 'strip',
        line: 'loc',
        widthM: { left: 20_000, right: 20_000 },
        properties: {
          notional: true,
          prohibited: 'all military equipment, personnel and kinetic activity',
        },
      },
      ...parties.flatMap((party) =>
        BANDS.map((band) => ({
          id: `withdrawal-${party}-${band.id}`,
          name: `Withdrawal band ${party}: ${band.label}, ${band.km} km (notional)`,
          kind: 'band',
          party,
          line: 'loc',
          minM: 0,
          maxM: band.km * 1000,
          properties: { notional: true, equipmentClasses: band.classes },
        })),
      ),
      ...Array.from({ length: 10 }, (_, i) => ({
        id: `sector-${String(i + 1).padStart(2, '0')}`,
        name: `Sector ${i + 1} (notional)`,
        kind: 'sector',
        strip: 'dmz',
        fromM: i * sectorLength,
        toM: i === 9 ? lineLengthM : (i + 1) * sectorLength,
        properties: { notional: true, unit: `sector-${String(i + 1).padStart(2, '0')}-command` },
      })),
      ...DISENGAGEMENT.map((name, i) => {
        const [lon, lat] = at(name);
        return {
          id: `disengagement-${i + 1}`,
          name: `Disengagement area ${name} (notional), 2 x 2 km`,
          kind: 'disengagement-area',
          geometry: { type: 'Polygon', coordinates: [square(lon, lat, 2000)] },
          properties: { notional: true },
        };
      }),
      ...CROSSINGS.map((name, i) => {
        const [lon, lat] = at(name);
        return {
          id: `crossing-${i + 1}`,
          name: `Crossing point ${name} (notional)`,
          kind: 'crossing-point',
          geometry: { type: 'Polygon', coordinates: [square(lon, lat, 600)] },
          properties: { notional: true, civilianOnly: true },
        };
      }),
      {
        id: 'no-fly-uav',
        name: 'UAV no-fly zone over the strip below 3,000 m (notional)',
        kind: 'no-fly',
        over: 'dmz',
        altitudeM: { maxM: 3000 },
        properties: {
          notional: true,
          appliesTo: ['uav-small', 'uav-large'],
          exemptOwners: ['mission'],
        },
      },
    ],
  };
}

/** Path of the shared notional line, relative to the repository root. */
export const NOTIONAL_LINE_PATH = '../shared/data/notional-line-of-contact.geojson';
/** Path of the generated demo zone set. */
export const DEMO_ZONES_PATH = 'examples/zones/notional-demo.json';

/** The demo spec as the file holds it. */
export async function demoZoneSpecText(root: string): Promise<string> {
  const { createLineMetric } = await import('../src/core/geo/index.js');
  const source = JSON.parse(
    readFileSync(new URL(NOTIONAL_LINE_PATH, root), 'utf8'),
  ) as LineFeatureCollection;
  const line = source.features.find((f) => f.geometry.type === 'LineString');
  const coords = (line?.geometry.coordinates ?? []) as [number, number][];
  const lengthM = createLineMetric(coords, 1000).lengthM;
  return `${JSON.stringify(makeDemoZoneSpec(source, lengthM), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = new URL('../', import.meta.url).href;
  writeFileSync(new URL(DEMO_ZONES_PATH, root), await demoZoneSpecText(root));
  console.log(`wrote ${DEMO_ZONES_PATH}`);
}
