import { geodesicInverse, wrapDeg360 } from '../core/geo/index.js';
import type { Observation } from '../core/observations/index.js';
import { approxDistanceM, degreesAround, offsetLonLat, roundDeg, trackAt } from './place-frame.js';
import type { LonLat } from './place-frame.js';
import type { Rng } from './create-rng.js';
import { isWithin } from './build-world.js';
import type { SimEvent, SimObject, SimSensor, World } from './build-world.js';

/** An observation before it is numbered: its event time and its payload. */
export interface RawObservation {
  /** Event time, Unix ms. */
  readonly tMs: number;
  /** Everything but id, sensorId and observedAt. */
  readonly body: Omit<Observation, 'id' | 'sensorId' | 'observedAt'>;
}

/** Running counts of what the sensors produced. */
export interface Tally {
  /** Chances to detect. */
  opportunities: number;
  /** Detections of real objects and events. */
  trueDetections: number;
  /** False alarms. */
  falseAlarms: number;
  /** Wrong class or type named. */
  misclassified: number;
}

/** Objects bucketed by time, so a look only considers those that exist then. */
export interface ObjectIndex {
  /** Objects that may exist at the time. */
  at(tMs: number): readonly SimObject[];
}

const BUCKET_MS = 10 * 60_000;

/** Builds the time index of the objects. */
export function indexObjects(objects: readonly SimObject[], startMs: number): ObjectIndex {
  const buckets = new Map<number, SimObject[]>();
  for (const o of objects) {
    const first = Math.floor((o.fromMs - startMs) / BUCKET_MS);
    const last = Math.floor((o.toMs - startMs) / BUCKET_MS);
    for (let b = first; b <= last; b++) {
      const list = buckets.get(b);
      if (list) list.push(o);
      else buckets.set(b, [o]);
    }
  }
  return { at: (tMs) => buckets.get(Math.floor((tMs - startMs) / BUCKET_MS)) ?? [] };
}

/** 95% radius of a circular normal distribution in units of its standard deviation. */
const R95_SIGMAS = Math.sqrt(-2 * Math.log(0.05));

const round1 = (v: number) => Math.round(v * 10) / 10;

/** What the sensor and the world share while one sensor observes. */
interface Observer {
  readonly world: World;
  readonly sensor: SimSensor;
  readonly rng: Rng;
  readonly groups: readonly (readonly string[])[];
  readonly tally: Tally;
  readonly observable: Map<string, Set<string>>;
  readonly trackIds: Map<string, string>;
  readonly out: RawObservation[];
}

function isWorking(s: SimSensor, tMs: number): boolean {
  return isWithin(s.windows, tMs) && !isWithin(s.outages, tMs);
}

/** The position error multiplier at a time: actual, and as the sensor reports it. */
function degradation(s: SimSensor, tMs: number): { actual: number; reported: number } {
  for (const d of s.degradations) {
    if (tMs >= d.fromMs && tMs < d.toMs) {
      return { actual: d.factor, reported: d.reported ? d.factor : 1 };
    }
  }
  return { actual: 1, reported: 1 };
}

/** A noisy position: the truth moved by a circular normal error of the given 95% radius. */
function noisyPosition(rng: Rng, p: LonLat, r95M: number): LonLat {
  const sigma = r95M / R95_SIGMAS;
  return offsetLonLat(p.lon, p.lat, sigma * rng.normal(), sigma * rng.normal());
}

/** The term a sensor reports: the true one, or another member of its confusion group. */
function reportTerm(o: Observer, term: string): string {
  const rate = o.sensor.noise.misclassificationRate;
  if (rate <= 0 || !o.rng.chance(rate)) return term;
  const group = o.groups.find((g) => g.includes(term));
  const others = group?.filter((t) => t !== term) ?? [];
  if (others.length === 0) return term;
  o.tally.misclassified++;
  return o.rng.pick(others);
}

function markObservable(o: Observer, violationId: string | undefined): void {
  if (violationId === undefined) return;
  const set = o.observable.get(violationId);
  if (set) set.add(o.sensor.sensor.id);
  else o.observable.set(violationId, new Set([o.sensor.sensor.id]));
}

function detect(o: Observer, obj: SimObject, tMs: number, truth: LonLat, tracked: boolean): void {
  const n = o.sensor.noise;
  const rng = o.rng;
  o.tally.trueDetections++;
  const deg = degradation(o.sensor, tMs);
  const p = noisyPosition(rng, truth, n.positionErrorM * deg.actual);
  const cls = reportTerm(o, obj.class);
  const party =
    obj.party !== undefined && rng.chance(n.partyIdentificationRate) ? obj.party : undefined;
  const confidence = cls === obj.class ? rng.uniform(0.6, 0.99) : rng.uniform(0.3, 0.75);
  let trackId: string | undefined;
  if (tracked) {
    trackId = o.trackIds.get(obj.id);
    if (trackId === undefined) {
      trackId = `trk-${o.trackIds.size + 1}`;
      o.trackIds.set(obj.id, trackId);
    }
  }
  const altM =
    obj.air && obj.altM !== undefined
      ? Math.max(0, Math.round(obj.altM + n.altitudeErrorM * rng.normal()))
      : undefined;
  o.out.push({
    tMs,
    body: {
      kind: 'detection',
      position: {
        lon: roundDeg(p.lon),
        lat: roundDeg(p.lat),
        ...(altM !== undefined && { altM }),
        uncertaintyM: Math.round(n.positionErrorM * deg.reported),
      },
      object: {
        class: cls,
        count: obj.count,
        ...(party !== undefined && { party }),
        confidence: Math.round(confidence * 100) / 100,
        ...(obj.activity !== undefined && { activity: obj.activity }),
        ...(trackId !== undefined && { trackId }),
      },
    },
  });
}

/** Looks of cameras, UAVs and patrols: every object in range may be detected. */
function looks(o: Observer, index: ObjectIndex): void {
  const s = o.sensor;
  if (s.lookMs <= 0) return;
  const seesAir = s.kind === 'camera';
  const tracked = s.kind === 'camera' || s.kind === 'uav';
  const phase = o.rng.uniform(0, s.lookMs);
  for (const w of s.windows) {
    const first = s.kind === 'camera' ? w.fromMs + phase : w.fromMs;
    for (let t = first; t < w.toMs; t += s.lookMs) {
      const tMs = Math.round(t);
      if (isWithin(s.outages, tMs)) continue;
      const pos = s.positionAt(tMs);
      const { dLon, dLat } = degreesAround(pos.lat, s.rangeM);
      for (const obj of index.at(tMs)) {
        if (tMs < obj.fromMs || tMs >= obj.toMs || (obj.air && !seesAir)) continue;
        const b = obj.box;
        if (b.w > pos.lon + dLon || b.e < pos.lon - dLon) continue;
        if (b.s > pos.lat + dLat || b.n < pos.lat - dLat) continue;
        const p = trackAt(obj.track, tMs);
        if (approxDistanceM(pos.lon, pos.lat, p.lon, p.lat) > s.rangeM) continue;
        o.tally.opportunities++;
        markObservable(o, obj.violationId);
        if (o.rng.chance(s.noise.detectionProbability)) detect(o, obj, tMs, p, tracked);
      }
    }
  }
}

/** Satellite passes: every ground object in the footprint may be detected. */
function passes(o: Observer, index: ObjectIndex): void {
  for (const pass of o.sensor.passes) {
    if (isWithin(o.sensor.outages, pass.atMs)) continue;
    const b = pass.box;
    for (const obj of index.at(pass.atMs)) {
      if (pass.atMs < obj.fromMs || pass.atMs >= obj.toMs || obj.air) continue;
      const p = trackAt(obj.track, pass.atMs);
      if (p.lon < b.w || p.lon > b.e || p.lat < b.s || p.lat > b.n) continue;
      o.tally.opportunities++;
      markObservable(o, obj.violationId);
      if (o.rng.chance(o.sensor.noise.detectionProbability)) detect(o, obj, pass.atMs, p, false);
    }
  }
}

function hearEvent(o: Observer, e: SimEvent, pos: LonLat, rangeM: number): void {
  const n = o.sensor.noise;
  const rng = o.rng;
  const inv = geodesicInverse(pos.lon, pos.lat, e.lon, e.lat);
  if (inv.distanceM > rangeM) return;
  o.tally.opportunities++;
  markObservable(o, e.violationId);
  if (!rng.chance(n.detectionProbability)) return;
  o.tally.trueDetections++;
  const bearingDeg = wrapDeg360(inv.azimuth1Deg + n.bearingErrorDeg * rng.normal());
  const f = n.rangeErrorFraction;
  const estimateM = Math.max(0, inv.distanceM * (1 + f * rng.normal()));
  o.out.push({
    tMs: e.atMs,
    body: {
      kind: 'kinetic',
      position: {
        bearingDeg: round1(bearingDeg),
        bearingUncertaintyDeg: Math.min(90, round1(Math.max(0.5, 2 * n.bearingErrorDeg))),
        minRangeM: Math.round(Math.max(0, estimateM * (1 - 2 * f))),
        maxRangeM: Math.round(Math.min(100_000, Math.max(1, estimateM * (1 + 2 * f)))),
      },
      event: { type: reportTerm(o, e.type), count: 1 },
    },
  });
}

function seeEvent(o: Observer, e: SimEvent, pos: LonLat): void {
  const s = o.sensor;
  if (approxDistanceM(pos.lon, pos.lat, e.lon, e.lat) > s.rangeM) return;
  o.tally.opportunities++;
  markObservable(o, e.violationId);
  if (!o.rng.chance(s.noise.detectionProbability)) return;
  o.tally.trueDetections++;
  const deg = degradation(s, e.atMs);
  const p = noisyPosition(o.rng, e, s.noise.positionErrorM * deg.actual);
  o.out.push({
    tMs: e.atMs,
    body: {
      kind: 'kinetic',
      position: {
        lon: roundDeg(p.lon),
        lat: roundDeg(p.lat),
        uncertaintyM: Math.round(s.noise.positionErrorM * deg.reported),
      },
      event: { type: reportTerm(o, e.type), count: 1 },
    },
  });
}

/** Kinetic events heard by acoustic arrays or seen by cameras, UAVs and patrols. */
function kinetic(o: Observer, events: readonly SimEvent[]): void {
  const s = o.sensor;
  if (s.kind === 'satellite') return;
  for (const e of events) {
    if (!isWorking(s, e.atMs)) continue;
    const pos = s.positionAt(e.atMs);
    if (Math.abs(pos.lat - e.lat) > 1.5) continue;
    if (s.kind === 'acoustic') hearEvent(o, e, pos, s.rangeM);
    else seeEvent(o, e, pos);
  }
}

/** A uniform point in a disk of the given radius. */
function inDisk(rng: Rng, c: LonLat, radiusM: number): LonLat {
  const r = radiusM * Math.sqrt(rng.next());
  const a = rng.uniform(0, 2 * Math.PI);
  return offsetLonLat(c.lon, c.lat, r * Math.sin(a), r * Math.cos(a));
}

function falseAlarm(o: Observer, tMs: number, truth: LonLat): void {
  const s = o.sensor;
  const n = s.noise;
  const rng = o.rng;
  o.tally.falseAlarms++;
  const term = rng.pick(n.falseAlarmAs);
  if (s.kind === 'acoustic') {
    const pos = s.positionAt(tMs);
    const inv = geodesicInverse(pos.lon, pos.lat, truth.lon, truth.lat);
    const f = n.rangeErrorFraction;
    o.out.push({
      tMs,
      body: {
        kind: 'kinetic',
        position: {
          bearingDeg: round1(wrapDeg360(inv.azimuth1Deg)),
          bearingUncertaintyDeg: Math.min(90, round1(Math.max(0.5, 2 * n.bearingErrorDeg))),
          minRangeM: Math.round(inv.distanceM * (1 - 2 * f)),
          maxRangeM: Math.round(Math.min(100_000, inv.distanceM * (1 + 2 * f))),
        },
        event: { type: term, count: 1 },
      },
    });
    return;
  }
  o.out.push({
    tMs,
    body: {
      kind: 'detection',
      position: {
        lon: roundDeg(truth.lon),
        lat: roundDeg(truth.lat),
        uncertaintyM: Math.round(n.positionErrorM),
      },
      object: { class: term, count: 1, confidence: Math.round(rng.uniform(0.3, 0.7) * 100) / 100 },
    },
  });
}

/** False alarms: a Poisson process over working time, placed uniformly in the coverage. */
function falseAlarms(o: Observer): void {
  const s = o.sensor;
  const rate = s.noise.falseAlarmRate;
  if (rate <= 0) return;
  const rng = o.rng;
  if (s.kind === 'satellite') {
    for (const pass of s.passes) {
      if (isWithin(s.outages, pass.atMs)) continue;
      // Poisson count per pass: exponential gaps within one unit of "pass time".
      for (let x = rng.exponential(1 / rate); x < 1; x += rng.exponential(1 / rate)) {
        const b = pass.box;
        falseAlarm(o, pass.atMs, { lon: rng.uniform(b.w, b.e), lat: rng.uniform(b.s, b.n) });
      }
    }
    return;
  }
  const meanGapMs = 3_600_000 / rate;
  const radiusM = s.kind === 'acoustic' ? s.rangeM * 0.95 : s.rangeM;
  for (const w of s.windows) {
    for (
      let t = w.fromMs + rng.exponential(meanGapMs);
      t < w.toMs;
      t += rng.exponential(meanGapMs)
    ) {
      const tMs = Math.round(t);
      if (isWithin(s.outages, tMs)) continue;
      falseAlarm(o, tMs, inDisk(rng, s.positionAt(tMs), radiusM));
    }
  }
}

function heartbeats(o: Observer): void {
  const s = o.sensor;
  if (s.heartbeatMs === undefined) return;
  const phase = o.rng.uniform(0, s.heartbeatMs);
  for (const w of s.windows) {
    for (let t = w.fromMs + phase; t < w.toMs; t += s.heartbeatMs) {
      const tMs = Math.round(t);
      if (!isWithin(s.outages, tMs)) o.out.push({ tMs, body: { kind: 'heartbeat' } });
    }
  }
}

function interference(o: Observer): void {
  const s = o.sensor;
  const onset = new Set<string>();
  for (const r of o.world.interference) {
    if (r.reporter !== s.sensor.id) continue;
    // The first report goes out as the interference starts, even if it then silences the sensor.
    const first = !onset.has(r.violationId);
    onset.add(r.violationId);
    if (!first && isWithin(s.outages, r.atMs)) continue;
    markObservable(o, r.violationId);
    const pos = s.positionAt(r.atMs);
    o.out.push({
      tMs: r.atMs,
      body: {
        kind: 'interference',
        position: {
          lon: roundDeg(pos.lon),
          lat: roundDeg(pos.lat),
          uncertaintyM: Math.round(s.noise.positionErrorM),
        },
        interference: { type: r.type, targetSensorId: r.target },
      },
    });
  }
}

function patrolReports(o: Observer): void {
  const s = o.sensor;
  if (s.kind !== 'patrol') return;
  s.windows.forEach((w, k) => {
    for (const [tMs, what] of [
      [w.fromMs, 'departed'],
      [w.toMs - 1, 'returned'],
    ] as const) {
      const pos = s.positionAt(tMs);
      o.out.push({
        tMs,
        body: {
          kind: 'report',
          position: {
            lon: roundDeg(pos.lon),
            lat: roundDeg(pos.lat),
            uncertaintyM: Math.round(s.noise.positionErrorM),
          },
          report: {
            text: `Patrol ${s.sensor.id} ${what} (patrol ${k + 1}).`,
            fields: { event: what, patrol: k + 1 },
          },
        },
      });
    }
  });
}

/**
 * Everything one sensor reports over the span, in event-time order: heartbeats, detections of
 * objects in its coverage, kinetic events it hears or sees, false alarms, interference it
 * reports, and patrol reports. Draws only from the sensor's own generator.
 */
export function observeSensor(
  world: World,
  sensor: SimSensor,
  index: ObjectIndex,
  rng: Rng,
  groups: readonly (readonly string[])[],
  tally: Tally,
  observable: Map<string, Set<string>>,
): RawObservation[] {
  const out: RawObservation[] = [];
  const o: Observer = {
    world,
    sensor,
    rng,
    groups,
    tally,
    observable,
    trackIds: new Map(),
    out,
  };
  heartbeats({ ...o, rng: rng.fork('heartbeats') });
  looks({ ...o, rng: rng.fork('looks') }, index);
  passes({ ...o, rng: rng.fork('passes') }, index);
  kinetic({ ...o, rng: rng.fork('kinetic') }, world.events);
  falseAlarms({ ...o, rng: rng.fork('false-alarms') });
  interference(o);
  patrolReports(o);
  // Stable: equal times keep the order above.
  return out
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.tMs - b.r.tMs || a.i - b.i)
    .map((x) => x.r);
}
