import type { PathError } from '../core/errors/index.js';
import type { Sensor } from '../core/observations/index.js';
import { classifyPosition } from '../core/zones/index.js';
import type { ZoneSet } from '../core/zones/index.js';
import {
  approxDistanceM,
  createRoute,
  offsetLonLat,
  roundDeg,
  routeAt,
  trackAt,
  trackBox,
} from './place-frame.js';
import type { LonLat, PlaceFrame, Route, Track } from './place-frame.js';
import type { Noise, SimSensorKind } from './resolve-noise.js';
import type { Rng } from './create-rng.js';
import type { Place, Scenario, Schedule, Spread } from './scenario-schema.js';
import type { TruthOutage, TruthViolation } from './truth.js';
import { groupSensorIds } from './validate-scenario.js';

/** A half-open interval of simulated time, Unix ms. */
export interface Interval {
  /** Start (inclusive). */
  readonly fromMs: number;
  /** End (exclusive). */
  readonly toMs: number;
}

/** A satellite pass: when and which rectangle it imaged. */
export interface Pass {
  /** Time of the image, Unix ms. */
  readonly atMs: number;
  /** Footprint bounds, degrees. */
  readonly box: { readonly w: number; readonly s: number; readonly e: number; readonly n: number };
}

/** A period when a sensor's positions are worse than usual (jamming, spoofing). */
export interface Degradation extends Interval {
  /** Multiplier of the position error. */
  readonly factor: number;
  /** Whether the sensor knows (jamming: it reports the larger error) or not (spoofing). */
  readonly reported: boolean;
}

/** A sensor as the simulator runs it. */
export interface SimSensor {
  /** Its registration. */
  readonly sensor: Sensor;
  /** Its kind. */
  readonly kind: SimSensorKind;
  /** Its noise. */
  readonly noise: Noise;
  /** Coverage radius (camera, array, UAV half swath, patrol), metres. */
  readonly rangeM: number;
  /** Time between looks, ms (0: no looks). */
  readonly lookMs: number;
  /** Heartbeat interval, ms, if it reports on a schedule. */
  readonly heartbeatMs?: number;
  /** When it is out working (all the span for fixed sensors; sorties; patrols). */
  readonly windows: readonly Interval[];
  /** Where it is at a time. */
  positionAt(tMs: number): LonLat;
  /** Satellite passes. */
  readonly passes: readonly Pass[];
  /** Outages (technical and from interference). */
  readonly outages: Interval[];
  /** Degradations from interference. */
  readonly degradations: Degradation[];
}

/** A real object: a unit, a vehicle, an aircraft. */
export interface SimObject {
  /** Object id (never sent; sensors give their own track ids). */
  readonly id: string;
  /** Equipment class. */
  readonly class: string;
  /** Party, if any. */
  readonly party?: string;
  /** How many. */
  readonly count: number;
  /** Whether it flies (seen by cameras only, with altitude). */
  readonly air: boolean;
  /** Altitude, metres, for aircraft. */
  readonly altM?: number;
  /** When it exists, Unix ms. */
  readonly fromMs: number;
  /** When it stops existing, Unix ms. */
  readonly toMs: number;
  /** Where it goes. */
  readonly track: Track;
  /** Bounds of its track, degrees. */
  readonly box: { readonly w: number; readonly s: number; readonly e: number; readonly n: number };
  /** Activity reported. */
  readonly activity?: string;
  /** The violation it is part of. */
  readonly violationId?: string;
}

/** A real kinetic event. */
export interface SimEvent {
  /** Time, Unix ms. */
  readonly atMs: number;
  /** Position, degrees. */
  readonly lon: number;
  /** Position, degrees. */
  readonly lat: number;
  /** Event type. */
  readonly type: string;
  /** Party firing. */
  readonly party?: string;
  /** The violation it is part of. */
  readonly violationId?: string;
}

/** An interference report to emit. */
export interface InterferenceReport {
  /** Reporting sensor. */
  readonly reporter: string;
  /** Sensor interfered with. */
  readonly target: string;
  /** Interference type. */
  readonly type: string;
  /** Time, Unix ms. */
  readonly atMs: number;
  /** The violation. */
  readonly violationId: string;
}

/** Everything the sensors can observe, and the truth. */
export interface World {
  /** Start of the span, Unix ms. */
  readonly startMs: number;
  /** End of the span, Unix ms. */
  readonly endMs: number;
  /** Sensors by id, in registration order. */
  readonly sensors: ReadonlyMap<string, SimSensor>;
  /** Objects. */
  readonly objects: readonly SimObject[];
  /** Kinetic events, by time. */
  readonly events: readonly SimEvent[];
  /** Interference reports. */
  readonly interference: readonly InterferenceReport[];
  /** True violations (observableBy filled in later). */
  readonly violations: TruthViolation[];
  /** Outages. */
  readonly outages: readonly TruthOutage[];
}

type Errors = PathError[];

/** The starts of a schedule within the span. */
export function scheduleStarts(sch: Schedule, spanS: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < (sch.count ?? Infinity); k++) {
    const t = sch.firstS + k * sch.everyS;
    if (t >= spanS) break;
    out.push(t);
  }
  return out;
}

function spreadPlaces(s: Spread): Place[] {
  return Array.from({ length: s.count }, (_, i) => ({
    alongKm: s.count === 1 ? s.fromKm : s.fromKm + ((s.toKm - s.fromKm) * i) / (s.count - 1),
    distanceKm: s.distanceKm,
    side: s.sides[i % s.sides.length] as string,
  }));
}

function resolvePlaces(
  frame: PlaceFrame,
  places: readonly Place[],
  path: string,
  errors: Errors,
): LonLat[] {
  const out: LonLat[] = [];
  places.forEach((p, i) => {
    const q = frame.resolve(p, `${path}/${i}`, errors);
    if (q) out.push(q);
  });
  return out;
}

const lonLatPair = (p: LonLat): [number, number] => [roundDeg(p.lon), roundDeg(p.lat)];

/** Position on a route flown (or walked) out and back repeatedly from `startMs`. */
function pingPong(route: Route, metresPerMs: number, startMs: number, tMs: number): LonLat {
  if (route.lengthM === 0) return route.points[0] as LonLat;
  const d = Math.max(0, (tMs - startMs) * metresPerMs) % (2 * route.lengthM);
  return routeAt(route, d <= route.lengthM ? d : 2 * route.lengthM - d);
}

function sortieAt(windows: readonly Interval[], tMs: number): Interval | undefined {
  let found: Interval | undefined;
  for (const w of windows) {
    if (w.fromMs <= tMs) found = w;
    else break;
  }
  return found;
}

interface Ctx {
  readonly s: Scenario;
  readonly zs: ZoneSet;
  readonly frame: PlaceFrame;
  readonly noise: Readonly<Record<SimSensorKind, Noise>>;
  readonly startMs: number;
  readonly endMs: number;
  readonly rng: Rng;
  readonly errors: Errors;
}

function baseSensor(
  ctx: Ctx,
  id: string,
  kind: Sensor['kind'],
  g: { name?: string; reliability?: Sensor['reliability']; owner?: string },
): Pick<Sensor, 'id' | 'kind' | 'owner' | 'reliability'> & { name?: string } {
  return {
    id,
    ...(g.name !== undefined && { name: g.name }),
    kind,
    owner: g.owner ?? ctx.s.owner ?? 'mission',
    reliability: g.reliability ?? 'B',
  };
}

function fixedSensors(ctx: Ctx, out: Map<string, SimSensor>): void {
  const groups = [
    ...(ctx.s.sensors.cameras ?? []).map((g, i) => ({
      g,
      kind: 'camera' as const,
      path: `/sensors/cameras/${i}`,
      lookS: g.lookIntervalS ?? 60,
    })),
    ...(ctx.s.sensors.acoustic ?? []).map((g, i) => ({
      g,
      kind: 'acoustic' as const,
      path: `/sensors/acoustic/${i}`,
      lookS: 0,
    })),
  ];
  const whole: Interval[] = [{ fromMs: ctx.startMs, toMs: ctx.endMs }];
  for (const { g, kind, path, lookS } of groups) {
    const places = g.at ?? (g.spread ? spreadPlaces(g.spread) : []);
    const positions = g.at
      ? resolvePlaces(ctx.frame, places, `${path}/at`, ctx.errors)
      : places.map((p) => ctx.frame.resolve(p, `${path}/spread`, ctx.errors) as LonLat);
    if (positions.length !== places.length || positions.some((p) => !p)) continue;
    const ids = groupSensorIds(g.id, places.length);
    const noise = ctx.noise[kind];
    const heartbeatS = g.heartbeatIntervalS ?? 60;
    positions.forEach((pos, i) => {
      const id = ids[i] as string;
      const position = { lon: roundDeg(pos.lon), lat: roundDeg(pos.lat) };
      out.set(id, {
        sensor: {
          ...baseSensor(ctx, id, kind, g),
          ...(places.length > 1 && g.name !== undefined && { name: `${g.name} ${i + 1}` }),
          position,
          rangeM: g.rangeM,
          heartbeatIntervalS: heartbeatS,
          ...(noise.positionErrorM > 0 && { positionErrorM: noise.positionErrorM }),
        },
        kind,
        noise,
        rangeM: g.rangeM,
        lookMs: lookS * 1000,
        heartbeatMs: heartbeatS * 1000,
        windows: whole,
        positionAt: () => position,
        passes: [],
        outages: [],
        degradations: [],
      });
    });
  }
}

function movingSensors(ctx: Ctx, out: Map<string, SimSensor>): void {
  const spanS = (ctx.endMs - ctx.startMs) / 1000;
  const movers = [
    ...(ctx.s.sensors.uavs ?? []).map((u, i) => ({
      u,
      kind: 'uav' as const,
      path: `/sensors/uavs/${i}`,
      schedule: u.sorties,
      lookS: u.lookIntervalS ?? 30,
    })),
    ...(ctx.s.sensors.patrols ?? []).map((u, i) => ({
      u,
      kind: 'patrol' as const,
      path: `/sensors/patrols/${i}`,
      schedule: u.departures,
      lookS: u.lookIntervalS ?? 300,
    })),
  ];
  for (const { u, kind, path, schedule, lookS } of movers) {
    const points = resolvePlaces(ctx.frame, u.route, `${path}/route`, ctx.errors);
    if (points.length !== u.route.length) continue;
    const route = createRoute(points);
    const metresPerMs = u.speedKmh / 3600;
    const durationMs =
      schedule.durationS !== undefined
        ? schedule.durationS * 1000
        : (2 * route.lengthM) / metresPerMs;
    const windows = scheduleStarts(schedule, spanS).map((s) => {
      const fromMs = ctx.startMs + s * 1000;
      return { fromMs, toMs: Math.min(ctx.endMs, fromMs + durationMs) };
    });
    const noise = ctx.noise[kind];
    out.set(u.id, {
      sensor: {
        ...baseSensor(ctx, u.id, kind, u),
        route: points.map(lonLatPair),
        rangeM: u.rangeM,
        positionErrorM: noise.positionErrorM,
      },
      kind,
      noise,
      rangeM: u.rangeM,
      lookMs: lookS * 1000,
      windows,
      positionAt: (tMs) =>
        pingPong(route, metresPerMs, sortieAt(windows, tMs)?.fromMs ?? ctx.startMs, tMs),
      passes: [],
      outages: [],
      degradations: [],
    });
  }
}

function satellites(ctx: Ctx, out: Map<string, SimSensor>): void {
  (ctx.s.sensors.satellites ?? []).forEach((sat, i) => {
    const path = `/sensors/satellites/${i}`;
    const targets = resolvePlaces(ctx.frame, sat.targets, `${path}/targets`, ctx.errors);
    if (targets.length !== sat.targets.length) return;
    const passes: Pass[] = [];
    const halfW = (sat.footprintKm.widthKm * 1000) / 2;
    const halfH = (sat.footprintKm.heightKm * 1000) / 2;
    for (let k = 0; ; k++) {
      const atMs = ctx.startMs + (sat.firstPassS + k * sat.revisitS) * 1000;
      if (atMs >= ctx.endMs || k >= 10_000) break;
      const c = targets[k % targets.length] as LonLat;
      const sw = offsetLonLat(c.lon, c.lat, -halfW, -halfH);
      const ne = offsetLonLat(c.lon, c.lat, halfW, halfH);
      passes.push({
        atMs,
        box: {
          w: roundDeg(sw.lon),
          s: roundDeg(sw.lat),
          e: roundDeg(ne.lon),
          n: roundDeg(ne.lat),
        },
      });
    }
    const noise = ctx.noise.satellite;
    const first = targets[0] as LonLat;
    out.set(sat.id, {
      sensor: {
        ...baseSensor(ctx, sat.id, 'satellite', sat),
        passes: passes.map((p) => ({
          at: new Date(p.atMs).toISOString(),
          footprint: [
            [p.box.w, p.box.s],
            [p.box.e, p.box.s],
            [p.box.e, p.box.n],
            [p.box.w, p.box.n],
            [p.box.w, p.box.s],
          ],
        })),
        positionErrorM: noise.positionErrorM,
      },
      kind: 'satellite',
      noise,
      rangeM: 0,
      lookMs: 0,
      windows: passes.map((p) => ({ fromMs: p.atMs, toMs: p.atMs + 1 })),
      positionAt: (tMs) => {
        let best = passes[0];
        for (const p of passes) if (p.atMs <= tMs) best = p;
        return best
          ? { lon: (best.box.w + best.box.e) / 2, lat: (best.box.s + best.box.n) / 2 }
          : first;
      },
      passes,
      outages: [],
      degradations: [],
    });
  });
}

function makeObject(o: Omit<SimObject, 'box'>): SimObject {
  return { ...o, box: trackBox(o.track) };
}

/** Whether a position is inside a zone (with its altitude band, if the altitude is given). */
function isInZone(zs: ZoneSet, zoneId: string, p: LonLat, altM?: number): boolean {
  const c = classifyPosition(zs, { lon: p.lon, lat: p.lat, ...(altM !== undefined && { altM }) });
  return c.inside.includes(zoneId);
}

function checkZoneExists(ctx: Ctx, zone: string, path: string): boolean {
  if (ctx.zs.zones.some((z) => z.id === zone)) return true;
  ctx.errors.push({
    path,
    code: 'UNKNOWN_ZONE',
    message: `'${zone}' is not a zone in force at the scenario start`,
  });
  return false;
}

function checkInside(
  ctx: Ctx,
  zone: string,
  points: readonly LonLat[],
  path: string,
  altM?: number,
): void {
  const bad = points.find((p) => !isInZone(ctx.zs, zone, p, altM));
  if (bad) {
    ctx.errors.push({
      path,
      code: 'INVALID_INPUT',
      message: `position ${bad.lon.toFixed(5)}, ${bad.lat.toFixed(5)}${altM === undefined ? '' : ` at ${altM} m`} is not inside zone '${zone}'`,
    });
  }
}

/** Samples a track once a minute (and at its end). */
function sampleTrack(track: Track, fromMs: number, toMs: number): LonLat[] {
  const out: LonLat[] = [];
  for (let t = fromMs; t < toMs; t += 60_000) out.push(trackAt(track, t));
  out.push(trackAt(track, toMs));
  return out;
}

interface ViolationParts {
  objects: SimObject[];
  events: SimEvent[];
  interference: InterferenceReport[];
  violations: TruthViolation[];
  outages: TruthOutage[];
}

function truthRecord(
  v: Omit<TruthViolation, 'lon' | 'lat' | 'positions' | 'observableBy'>,
  points: readonly LonLat[],
): TruthViolation {
  const first = points[0] ?? { lon: 0, lat: 0 };
  return {
    ...v,
    lon: roundDeg(first.lon),
    lat: roundDeg(first.lat),
    positions: points
      .map(lonLatPair)
      .filter((p, i, all) => i === 0 || p[0] !== all[i - 1]?.[0] || p[1] !== all[i - 1]?.[1]),
    observableBy: [],
  };
}

function forcesViolations(ctx: Ctx, parts: ViolationParts): void {
  ctx.s.violations?.forces?.forEach((v, i) => {
    const path = `/violations/forces/${i}`;
    if (!checkZoneExists(ctx, v.zone, `${path}/zone`)) return;
    const a = ctx.frame.resolve(v.at, `${path}/at`, ctx.errors);
    const b = v.moveTo ? ctx.frame.resolve(v.moveTo, `${path}/moveTo`, ctx.errors) : a;
    if (!a || !b) return;
    const fromMs = ctx.startMs + v.startS * 1000;
    const toMs = Math.min(ctx.endMs, fromMs + v.durationS * 1000);
    const track: Track = { timesMs: [fromMs, toMs], lons: [a.lon, b.lon], lats: [a.lat, b.lat] };
    const points = sampleTrack(track, fromMs, toMs);
    checkInside(ctx, v.zone, points, `${path}/at`);
    parts.objects.push(
      makeObject({
        id: `violation:${v.id}`,
        class: v.class,
        party: v.party,
        count: v.count,
        air: false,
        fromMs,
        toMs,
        track,
        ...(v.activity !== undefined && { activity: v.activity }),
        violationId: v.id,
      }),
    );
    parts.violations.push(
      truthRecord(
        {
          id: v.id,
          ruleId: v.rule,
          alsoRuleIds: v.alsoRules ?? [],
          kind: 'forces',
          startMs: fromMs,
          endMs: toMs,
          zone: v.zone,
          class: v.class,
          party: v.party,
          count: v.count,
        },
        points,
      ),
    );
  });
}

/** A point within `spreadM` of a centre that is inside the zone (tries a few times). */
function pointNear(
  ctx: Ctx,
  rng: Rng,
  centre: LonLat,
  spreadM: number,
  zone: string,
): LonLat | undefined {
  for (let k = 0; k < 100; k++) {
    const r = spreadM * Math.sqrt(rng.next());
    const a = rng.uniform(0, 2 * Math.PI);
    const p = offsetLonLat(centre.lon, centre.lat, r * Math.sin(a), r * Math.cos(a));
    if (isInZone(ctx.zs, zone, p)) return p;
  }
  return undefined;
}

function fireViolations(ctx: Ctx, parts: ViolationParts): void {
  ctx.s.violations?.fire?.forEach((v, i) => {
    const path = `/violations/fire/${i}`;
    if (!checkZoneExists(ctx, v.zone, `${path}/zone`)) return;
    const centre = ctx.frame.resolve(v.at, `${path}/at`, ctx.errors);
    if (!centre) return;
    const rng = ctx.rng.fork(`fire:${v.id}`);
    const fromMs = ctx.startMs + v.startS * 1000;
    const toMs = Math.min(ctx.endMs, fromMs + v.durationS * 1000);
    const events: SimEvent[] = [];
    for (let k = 0; k < v.rounds; k++) {
      const p = pointNear(ctx, rng, centre, v.spreadM, v.zone);
      if (!p) {
        ctx.errors.push({
          path: `${path}/at`,
          code: 'INVALID_INPUT',
          message: `no position within ${v.spreadM} m of the place is inside zone '${v.zone}'`,
        });
        return;
      }
      const atMs = Math.round(v.rounds === 1 ? fromMs : rng.uniform(fromMs, toMs));
      events.push({ atMs, ...p, type: v.eventType, party: v.party, violationId: v.id });
    }
    events.sort((x, y) => x.atMs - y.atMs);
    parts.events.push(...events);
    parts.violations.push(
      truthRecord(
        {
          id: v.id,
          ruleId: v.rule,
          alsoRuleIds: v.alsoRules ?? [],
          kind: 'fire',
          startMs: (events[0] as SimEvent).atMs,
          endMs: (events[events.length - 1] as SimEvent).atMs,
          zone: v.zone,
          eventType: v.eventType,
          party: v.party,
          count: v.rounds,
        },
        events,
      ),
    );
  });
}

/** Speed of a shell, for the flight time between the outgoing and the impact event, m/s. */
const SHELL_SPEED_MS = 400;

function duelViolations(ctx: Ctx, parts: ViolationParts): void {
  ctx.s.violations?.duels?.forEach((v, i) => {
    const path = `/violations/duels/${i}`;
    if (!checkZoneExists(ctx, v.zone, `${path}/zone`)) return;
    const line = ctx.frame.line;
    const parties = v.parties ?? [line.sides.left ?? 'left', line.sides.right ?? 'right'];
    const rng = ctx.rng.fork(`duel:${v.id}`);
    const fromMs = ctx.startMs + v.startS * 1000;
    const toMs = Math.min(ctx.endMs, fromMs + v.durationS * 1000);
    parties.forEach((party, j) => {
      const own = ctx.frame.sideSign(party);
      if (own === undefined) {
        ctx.errors.push({
          path: `${path}/parties/${j}`,
          code: 'UNKNOWN_PARTY',
          message: `'${party}' holds no side of the primary line`,
        });
        return;
      }
      const alongM = v.alongKm * 1000 + (j === 0 ? -1500 : 1500);
      const gun = ctx.frame.offLine(alongM, own, v.gunDistanceKm * 1000);
      const target = ctx.frame.offLine(alongM, -own as -1 | 1, v.targetDistanceKm * 1000);
      const flightMs =
        (approxDistanceM(gun.lon, gun.lat, target.lon, target.lat) / SHELL_SPEED_MS) * 1000;
      const impacts: SimEvent[] = [];
      for (let k = 0; k < v.roundsPerSide; k++) {
        const firedMs = Math.round(rng.uniform(fromMs, Math.max(fromMs, toMs - flightMs)));
        const hit = pointNear(ctx, rng, target, v.spreadM, v.zone);
        if (!hit) {
          ctx.errors.push({
            path: `${path}/targetDistanceKm`,
            code: 'INVALID_INPUT',
            message: `the target of '${party}' is not inside zone '${v.zone}'`,
          });
          return;
        }
        const id = `${v.id}-${party}`;
        parts.events.push({ atMs: firedMs, ...gun, type: 'explosion-outgoing', party });
        impacts.push({
          atMs: Math.round(firedMs + flightMs),
          ...hit,
          type: 'explosion-impact',
          party,
          violationId: id,
        });
      }
      impacts.sort((x, y) => x.atMs - y.atMs);
      parts.events.push(...impacts);
      parts.violations.push(
        truthRecord(
          {
            id: `${v.id}-${party}`,
            ruleId: v.rule,
            alsoRuleIds: v.alsoRules ?? [],
            kind: 'duel',
            startMs: (impacts[0] as SimEvent).atMs,
            endMs: (impacts[impacts.length - 1] as SimEvent).atMs,
            zone: v.zone,
            eventType: 'explosion-impact',
            party,
            count: v.roundsPerSide,
          },
          impacts,
        ),
      );
    });
  });
}

function uavViolations(ctx: Ctx, parts: ViolationParts): void {
  ctx.s.violations?.uavFlights?.forEach((v, i) => {
    const path = `/violations/uavFlights/${i}`;
    if (!checkZoneExists(ctx, v.zone, `${path}/zone`)) return;
    const points = resolvePlaces(ctx.frame, v.route, `${path}/route`, ctx.errors);
    if (points.length !== v.route.length) return;
    const route = createRoute(points);
    const fromMs = ctx.startMs + v.startS * 1000;
    const toMs = Math.min(ctx.endMs, fromMs + v.durationS * 1000);
    const span = toMs - fromMs;
    const track: Track = {
      timesMs: route.cumM.map((d) =>
        route.lengthM > 0 ? fromMs + (span * d) / route.lengthM : fromMs,
      ),
      lons: points.map((p) => p.lon),
      lats: points.map((p) => p.lat),
    };
    if (points.length === 1) {
      (track.timesMs as number[]).push(toMs);
      (track.lons as number[]).push((points[0] as LonLat).lon);
      (track.lats as number[]).push((points[0] as LonLat).lat);
    }
    const samples = sampleTrack(track, fromMs, toMs);
    checkInside(ctx, v.zone, samples, `${path}/route`, v.altitudeM);
    parts.objects.push(
      makeObject({
        id: `violation:${v.id}`,
        class: v.class,
        party: v.party,
        count: 1,
        air: true,
        altM: v.altitudeM,
        fromMs,
        toMs,
        track,
        activity: 'flying',
        violationId: v.id,
      }),
    );
    parts.violations.push(
      truthRecord(
        {
          id: v.id,
          ruleId: v.rule,
          alsoRuleIds: v.alsoRules ?? [],
          kind: 'uav-flight',
          startMs: fromMs,
          endMs: toMs,
          zone: v.zone,
          class: v.class,
          party: v.party,
          count: 1,
          altM: v.altitudeM,
        },
        samples,
      ),
    );
  });
}

const OUTAGE_TYPES = new Set(['camera-outage', 'uav-loss', 'fire-at-asset']);

function interferenceViolations(
  ctx: Ctx,
  sensors: ReadonlyMap<string, SimSensor>,
  parts: ViolationParts,
): void {
  ctx.s.violations?.interference?.forEach((v) => {
    const target = sensors.get(v.target);
    if (!target) return;
    const reporter = v.reporter ?? v.target;
    const fromMs = ctx.startMs + v.startS * 1000;
    const toMs = Math.min(ctx.endMs, fromMs + v.durationS * 1000);
    const effect = v.effect ?? (OUTAGE_TYPES.has(v.type) ? 'outage' : 'degraded');
    if (effect === 'outage') {
      target.outages.push({ fromMs, toMs });
      parts.outages.push({
        sensorId: v.target,
        startMs: fromMs,
        endMs: toMs,
        cause: v.id,
        scheduled: target.heartbeatMs !== undefined,
      });
    } else if (effect === 'degraded') {
      target.degradations.push({
        fromMs,
        toMs,
        factor: v.errorFactor ?? 5,
        reported: v.type !== 'gps-spoofing',
      });
    }
    const everyMs = (v.repeatEveryS ?? 600) * 1000;
    const reporterSensor = sensors.get(reporter) ?? target;
    const points: LonLat[] = [];
    for (let t = fromMs; t < toMs; t += everyMs) {
      points.push(reporterSensor.positionAt(t));
      parts.interference.push({
        reporter,
        target: v.target,
        type: v.type,
        atMs: t,
        violationId: v.id,
      });
    }
    parts.violations.push(
      truthRecord(
        {
          id: v.id,
          ruleId: v.rule,
          alsoRuleIds: v.alsoRules ?? [],
          kind: 'interference',
          startMs: fromMs,
          endMs: toMs,
          interferenceType: v.type,
          ...(v.party !== undefined && { party: v.party }),
          count: 1,
          targetSensorId: v.target,
        },
        points,
      ),
    );
  });
}

function technicalOutages(
  ctx: Ctx,
  sensors: ReadonlyMap<string, SimSensor>,
  outages: TruthOutage[],
): void {
  for (const o of ctx.s.outages ?? []) {
    const sensor = sensors.get(o.sensor);
    if (!sensor) continue;
    const fromMs = ctx.startMs + o.startS * 1000;
    const toMs = Math.min(ctx.endMs, fromMs + o.durationS * 1000);
    sensor.outages.push({ fromMs, toMs });
    outages.push({
      sensorId: o.sensor,
      startMs: fromMs,
      endMs: toMs,
      cause: o.cause ?? 'failure',
      scheduled: sensor.heartbeatMs !== undefined,
    });
  }
}

/** Builds the waypoints of one background unit, keeping it in its distance corridor. */
function unitTrack(
  ctx: Ctx,
  rng: Rng,
  sign: -1 | 1,
  g: NonNullable<NonNullable<Scenario['background']>['forces']>[number],
  path: string,
): Track {
  const lengthKm = ctx.frame.lengthM / 1000;
  const alongMin = g.alongKm?.min ?? Math.min(20, lengthKm / 4);
  const alongMax = g.alongKm?.max ?? Math.max(alongMin, lengthKm - 20);
  const metric = ctx.frame.line.metric;
  const distanceOk = (p: LonLat) => {
    const f = metric.nearest(p.lon, p.lat);
    const dKm = f.distanceM / 1000;
    return f.sideSign === sign && dKm >= g.distanceKm.min && dKm <= g.distanceKm.max;
  };
  const draw = (nearKm?: number): { p: LonLat; alongKm: number } | undefined => {
    for (let k = 0; k < 30; k++) {
      const alongKm =
        nearKm === undefined
          ? rng.uniform(alongMin, alongMax)
          : Math.min(alongMax, Math.max(alongMin, nearKm + rng.uniform(-15, 15)));
      const dM = rng.uniform(g.distanceKm.min, g.distanceKm.max) * 1000;
      const p = ctx.frame.offLine(alongKm * 1000, sign, dM);
      if (distanceOk(p)) return { p, alongKm };
    }
    return undefined;
  };
  let here = draw();
  if (!here) {
    ctx.errors.push({
      path,
      code: 'INVALID_INPUT',
      message: `no position ${g.distanceKm.min}-${g.distanceKm.max} km from the line on the side of '${g.party}'`,
    });
    return { timesMs: [ctx.startMs], lons: [0], lats: [0] };
  }
  const times: number[] = [];
  const lons: number[] = [];
  const lats: number[] = [];
  let t = ctx.startMs;
  const metresPerS = g.speedKmh / 3.6;
  while (t < ctx.endMs) {
    const a = here.p;
    times.push(t, Math.min(ctx.endMs, t + rng.uniform(g.dwellS.min, g.dwellS.max) * 1000));
    lons.push(a.lon, a.lon);
    lats.push(a.lat, a.lat);
    t = times[times.length - 1] as number;
    if (t >= ctx.endMs || metresPerS <= 0) break;
    const next = draw(here.alongKm);
    if (!next) continue;
    const b = next.p;
    const between = [0.25, 0.5, 0.75].map((f) => ({
      lon: a.lon + f * (b.lon - a.lon),
      lat: a.lat + f * (b.lat - a.lat),
    }));
    if (!between.every(distanceOk)) continue;
    t += (approxDistanceM(a.lon, a.lat, b.lon, b.lat) / metresPerS) * 1000;
    here = next;
  }
  return { timesMs: times, lons, lats };
}

function backgroundForces(ctx: Ctx, objects: SimObject[]): void {
  ctx.s.background?.forces?.forEach((g, gi) => {
    const sign = ctx.frame.sideSign(g.party);
    if (sign === undefined) {
      ctx.errors.push({
        path: `/background/forces/${gi}/party`,
        code: 'UNKNOWN_PARTY',
        message: `'${g.party}' holds no side of the primary line`,
      });
      return;
    }
    for (let u = 0; u < g.units; u++) {
      const rng = ctx.rng.fork(`forces:${g.id}:${u}`);
      const count = Math.round(rng.uniform(g.countPerUnit.min, g.countPerUnit.max));
      objects.push(
        makeObject({
          id: `${g.id}-${u + 1}`,
          class: g.class,
          party: g.party,
          count: Math.max(1, count),
          air: false,
          fromMs: ctx.startMs,
          toMs: ctx.endMs,
          track: unitTrack(ctx, rng, sign, g, `/background/forces/${gi}`),
        }),
      );
    }
  });
}

function traffic(ctx: Ctx, objects: SimObject[]): void {
  ctx.s.background?.traffic?.forEach((tr, ti) => {
    tr.crossings.forEach((zone, ci) => {
      const centre = ctx.frame.resolve(
        { zone },
        `/background/traffic/${ti}/crossings/${ci}`,
        ctx.errors,
      );
      if (!centre) return;
      const rng = ctx.rng.fork(`traffic:${tr.id}:${zone}`);
      const foot = ctx.frame.line.metric.nearest(centre.lon, centre.lat);
      const az = ctx.frame.line.metric.pointAt(foot.alongM).azimuthDeg;
      const approachM = tr.approachKm * 1000;
      const ends = [-1, 1].map((side) => {
        const r = (az + 90 * side) * (Math.PI / 180);
        return offsetLonLat(
          centre.lon,
          centre.lat,
          approachM * Math.sin(r),
          approachM * Math.cos(r),
        );
      }) as [LonLat, LonLat];
      const legMs = (approachM / (tr.speedKmh / 3.6)) * 1000;
      if (tr.vehiclesPerHour <= 0) return;
      const meanGapMs = 3_600_000 / tr.vehiclesPerHour;
      let n = 0;
      for (
        let t = ctx.startMs + rng.exponential(meanGapMs);
        t < ctx.endMs;
        t += rng.exponential(meanGapMs)
      ) {
        const forward = rng.chance(0.5);
        const [a, b] = forward ? ends : [ends[1], ends[0]];
        const t0 = Math.round(t);
        n++;
        objects.push(
          makeObject({
            id: `${tr.id}-${zone}-${n}`,
            class: 'civilian-vehicle',
            count: 1,
            air: false,
            fromMs: t0,
            toMs: Math.min(ctx.endMs, t0 + 2 * legMs),
            track: {
              timesMs: [t0, t0 + legMs, t0 + 2 * legMs],
              lons: [a.lon, centre.lon, b.lon],
              lats: [a.lat, centre.lat, b.lat],
            },
            activity: 'moving',
          }),
        );
      }
    });
  });
}

/**
 * Builds the world of a scenario: sensors, objects, kinetic events, interference, and the truth.
 * Faults that only show against the zones (a violation placed outside its zone, a place on a
 * side no party holds) are added to `errors`.
 */
export function buildWorld(
  s: Scenario,
  zs: ZoneSet,
  frame: PlaceFrame,
  noise: Readonly<Record<SimSensorKind, Noise>>,
  rng: Rng,
  startMs: number,
  errors: Errors,
): World {
  const endMs = startMs + s.durationS * 1000;
  const ctx: Ctx = { s, zs, frame, noise, startMs, endMs, rng, errors };
  const sensors = new Map<string, SimSensor>();
  fixedSensors(ctx, sensors);
  movingSensors(ctx, sensors);
  satellites(ctx, sensors);
  const parts: ViolationParts = {
    objects: [],
    events: [],
    interference: [],
    violations: [],
    outages: [],
  };
  backgroundForces(ctx, parts.objects);
  traffic(ctx, parts.objects);
  forcesViolations(ctx, parts);
  fireViolations(ctx, parts);
  duelViolations(ctx, parts);
  uavViolations(ctx, parts);
  interferenceViolations(ctx, sensors, parts);
  technicalOutages(ctx, sensors, parts.outages);
  for (const sensor of sensors.values()) sensor.outages.sort((a, b) => a.fromMs - b.fromMs);
  parts.events.sort((a, b) => a.atMs - b.atMs);
  parts.outages.sort((a, b) => a.startMs - b.startMs || a.sensorId.localeCompare(b.sensorId));
  return {
    startMs,
    endMs,
    sensors,
    objects: parts.objects,
    events: parts.events,
    interference: parts.interference,
    violations: parts.violations,
    outages: parts.outages,
  };
}

/** Whether a time falls in any of the intervals. */
export function isWithin(intervals: readonly Interval[], tMs: number): boolean {
  for (const i of intervals) if (tMs >= i.fromMs && tMs < i.toMs) return true;
  return false;
}
