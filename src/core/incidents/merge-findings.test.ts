import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { geodesicDirect } from '../geo/index.js';
import type { Finding } from '../rules/index.js';
import { mergeFindings } from './index.js';
import type { Incident, MergeConfig, MergeOutcome } from './index.js';

const T0 = Date.UTC(2026, 0, 2, 10);
const NOW = Date.UTC(2026, 0, 2, 12);
const HERE = { lon: 37.5, lat: 48.1 };
const S = 1000;
const MIN = 60_000;

/** The demo rule set's groups of classes and event types that sensors confuse. */
const COMPATIBLE = [
  ['tank', 'ifv-apc', 'unknown-vehicle', 'engineering-works'],
  ['artillery-lt100', 'artillery-ge100', 'mortar', 'mlrs', 'mlrs-heavy', 'unknown-vehicle'],
  ['uav-small', 'uav-large'],
  ['fixed-wing', 'rotary-wing'],
  ['explosion-undetermined', 'explosion-impact', 'explosion-outgoing', 'airburst', 'projectile'],
  ['muzzle-flash', 'small-arms', 'hmg', 'explosion-outgoing'],
];
const CONFIG: MergeConfig = { distanceM: 1000, windowMs: 5 * MIN, compatible: COMPATIBLE };
const configFor = () => CONFIG;

/** A point `distanceM` from HERE towards `azimuthDeg`. */
const at = (azimuthDeg: number, distanceM: number) => {
  const p = geodesicDirect(HERE.lon, HERE.lat, azimuthDeg, distanceM);
  return { lon: p.lon, lat: p.lat };
};

let serial = 0;
/** A dmz-kinetic finding at HERE, with the given fields replaced. */
function finding(fields: Partial<Finding> = {}): Finding {
  serial += 1;
  return {
    ruleId: 'dmz-kinetic',
    severity: 'high',
    certainty: 'certain',
    sensorId: 'cam-1',
    observationId: `o-${serial}`,
    observedAtMs: T0,
    ...HERE,
    radiusM: 50,
    zones: ['dmz'],
    sectors: ['sector-06'],
    eventType: 'explosion-impact',
    count: 1,
    ...fields,
  };
}

/** Incident ids inc-1, inc-2, ... */
function ids(): () => string {
  let n = 0;
  return () => `inc-${++n}`;
}

/** Merges findings into no incidents. */
const mergeNew = (findings: readonly Finding[], config: MergeConfig = CONFIG) =>
  mergeFindings([], findings, () => config, ids(), NOW);

/** The observation ids of each incident, as a sorted list of sorted lists. */
function partition(outcome: Pick<MergeOutcome, 'links'>): string[][] {
  const groups = new Map<string, string[]>();
  for (const l of outcome.links) {
    const g = groups.get(l.incidentId) ?? [];
    g.push(l.source.observationId);
    groups.set(l.incidentId, g);
  }
  return [...groups.values()]
    .map((g) => g.sort())
    .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** One incident opened by one finding, through the public surface. */
function incidentOf(f: Finding, id = 'inc-old', nowMs = T0): Incident {
  const out = mergeFindings([], [f], configFor, () => id, nowMs);
  return out.created[0] as Incident;
}

describe('mergeFindings', () => {
  it("merges five cameras' findings of one explosion into one incident with five sources", () => {
    const five = [0, 1, 2, 3, 4].map((k) =>
      finding({
        sensorId: `cam-${k + 1}`,
        observationId: `cam-${k + 1}-obs`,
        observedAtMs: T0 + k * 2 * S,
        ...at(k * 72, 150),
        radiusM: 40 + 10 * k,
        eventType: k === 2 ? 'explosion-undetermined' : 'explosion-impact',
        certainty: k === 4 ? 'possible' : 'certain',
        count: k === 3 ? 2 : 1,
      }),
    );
    const shuffled = [five[3], five[0], five[4], five[2], five[1]] as Finding[];
    const out = mergeNew(shuffled);
    expect(out.updated).toEqual([]);
    expect(out.created).toHaveLength(1);
    const i = out.created[0] as Incident;
    expect(i).toMatchObject({
      id: 'inc-1',
      ruleId: 'dmz-kinetic',
      severity: 'high',
      status: 'detected',
      certainty: 'certain',
      corroboration: 5,
      sourceCount: 5,
      sensorIds: ['cam-1', 'cam-2', 'cam-3', 'cam-4', 'cam-5'],
      eventTypes: ['explosion-impact', 'explosion-undetermined'],
      classes: [],
      zones: ['dmz'],
      sectors: ['sector-06'],
      maxCount: 2,
      firstObservedAtMs: T0,
      lastObservedAtMs: T0 + 8 * S,
      transitions: [],
      createdAtMs: NOW,
      updatedAtMs: NOW,
    });
    expect(out.links.map((l) => l.incidentId)).toEqual(Array(5).fill('inc-1'));
    expect(out.links.map((l) => l.source)).toEqual(
      five.map((f) => ({
        sensorId: f.sensorId,
        observationId: f.observationId,
        observedAtMs: f.observedAtMs,
        certainty: f.certainty,
      })),
    );
  });

  it('counts distinct sensors as corroboration, and every observation as a source', () => {
    const out = mergeNew([
      finding({ sensorId: 'cam-1', observedAtMs: T0 }),
      finding({ sensorId: 'cam-1', observedAtMs: T0 + 10 * S }),
      finding({ sensorId: 'cam-2', observedAtMs: T0 + 20 * S }),
    ]);
    expect(out.created).toHaveLength(1);
    expect(out.created[0]).toMatchObject({ corroboration: 2, sourceCount: 3 });
  });

  it('is possible while every source is possible, certain once one is certain', () => {
    const out = mergeNew([
      finding({ certainty: 'possible', observedAtMs: T0 }),
      finding({ certainty: 'possible', observedAtMs: T0 + S }),
    ]);
    expect(out.created[0]?.certainty).toBe('possible');
    const more = mergeFindings(
      out.created,
      [finding({ observedAtMs: T0 + 2 * S })],
      configFor,
      ids(),
      NOW,
    );
    expect(more.updated[0]?.certainty).toBe('certain');
  });

  describe('space', () => {
    it('keeps two events 10 km apart as two incidents', () => {
      const out = mergeNew([finding(), finding({ ...at(90, 10_000), sensorId: 'cam-2' })]);
      expect(out.created).toHaveLength(2);
    });

    it('merges up to the merge distance plus both radii, and not a metre beyond', () => {
      // Both radii are 50 m: the allowed distance between the estimates is 1,100 m.
      const inside = mergeNew([finding(), finding({ ...at(30, 1099) })]);
      expect(inside.created).toHaveLength(1);
      const outside = mergeNew([finding(), finding({ ...at(30, 1101) })]);
      expect(outside.created).toHaveLength(2);
      const wide = mergeNew([finding(), finding({ ...at(30, 1101), radiusM: 52 })]);
      expect(wide.created).toHaveLength(1);
    });
  });

  describe('time', () => {
    it('keeps findings further apart than the window as two incidents', () => {
      const out = mergeNew([finding(), finding({ observedAtMs: T0 + 5 * MIN + 1 })]);
      expect(out.created).toHaveLength(2);
    });

    it('merges findings exactly the window apart', () => {
      const out = mergeNew([finding(), finding({ observedAtMs: T0 + 5 * MIN })]);
      expect(out.created).toHaveLength(1);
    });

    it("measures the window from the incident's span, so a chain of findings extends it", () => {
      const out = mergeNew([0, 4, 8, 12].map((m) => finding({ observedAtMs: T0 + m * MIN })));
      expect(out.created).toHaveLength(1);
      expect(out.created[0]).toMatchObject({
        firstObservedAtMs: T0,
        lastObservedAtMs: T0 + 12 * MIN,
      });
    });

    it('puts a late, out-of-order finding into the incident of its own time and place', () => {
      const config = { ...CONFIG, windowMs: 30 * MIN };
      const early = incidentOf(finding({ observedAtMs: T0 }), 'inc-early');
      const later = incidentOf(finding({ observedAtMs: T0 + 120 * MIN }), 'inc-later');
      const elsewhere = incidentOf(finding({ observedAtMs: T0, ...at(0, 50_000) }), 'inc-far');
      const out = mergeFindings(
        [early, later, elsewhere],
        [
          finding({ observedAtMs: T0 + 100 * MIN, observationId: 'late-1' }),
          finding({ observedAtMs: T0 - 10 * MIN, observationId: 'late-2' }),
          finding({ observedAtMs: T0 + 5 * MIN, observationId: 'late-3', ...at(0, 50_100) }),
        ],
        () => config,
        ids(),
        NOW,
      );
      expect(out.created).toEqual([]);
      expect(out.links.map((l) => [l.source.observationId, l.incidentId])).toEqual([
        ['late-2', 'inc-early'],
        ['late-3', 'inc-far'],
        ['late-1', 'inc-later'],
      ]);
      const byId = new Map(out.updated.map((i) => [i.id, i]));
      expect(byId.get('inc-early')).toMatchObject({
        firstObservedAtMs: T0 - 10 * MIN,
        lastObservedAtMs: T0,
        sourceCount: 2,
        version: 2,
        updatedAtMs: NOW,
        createdAtMs: T0,
      });
      expect(byId.get('inc-later')?.firstObservedAtMs).toBe(T0 + 100 * MIN);
    });

    it('orders one batch by event time, whatever order it arrives in', () => {
      const out = mergeNew([
        finding({ observedAtMs: T0 + 4 * MIN, observationId: 'c' }),
        finding({ observedAtMs: T0, observationId: 'a' }),
        finding({ observedAtMs: T0 + 2 * MIN, observationId: 'b' }),
      ]);
      expect(out.created).toHaveLength(1);
      expect(out.links.map((l) => l.source.observationId)).toEqual(['a', 'b', 'c']);
    });
  });

  describe('classes and event types', () => {
    const detection = (cls: string, fields: Partial<Finding> = {}) =>
      finding({ ruleId: 'dmz-forces', class: cls, eventType: undefined, ...fields });

    it('keeps incompatible classes apart', () => {
      expect(mergeNew([detection('tank'), detection('uav-small')]).created).toHaveLength(2);
      expect(mergeNew([detection('tank'), detection('personnel')]).created).toHaveLength(2);
    });

    it('merges classes of one compatible group', () => {
      const out = mergeNew([detection('tank'), detection('ifv-apc'), detection('unknown-vehicle')]);
      expect(out.created).toHaveLength(1);
      expect(out.created[0]?.classes).toEqual(['ifv-apc', 'tank', 'unknown-vehicle']);
      expect(mergeNew([detection('uav-small'), detection('uav-large')]).created).toHaveLength(1);
    });

    it('merges a finding without a class into any incident of its rule', () => {
      const out = mergeNew([
        detection('tank'),
        finding({ ruleId: 'dmz-forces', eventType: undefined }),
      ]);
      expect(out.created).toHaveLength(1);
      expect(out.created[0]?.classes).toEqual(['tank']);
    });

    it('keeps incompatible event types apart and merges compatible ones', () => {
      const impact = finding({ eventType: 'explosion-impact' });
      expect(mergeNew([impact, finding({ eventType: 'small-arms' })]).created).toHaveLength(2);
      expect(mergeNew([impact, finding({ eventType: 'airburst' })]).created).toHaveLength(1);
      expect(
        mergeNew([finding({ eventType: 'hmg' }), finding({ eventType: 'explosion-outgoing' })])
          .created,
      ).toHaveLength(1);
    });

    it('uses no groups when none are configured', () => {
      const strict = { ...CONFIG, compatible: [] };
      expect(mergeNew([detection('tank'), detection('ifv-apc')], strict).created).toHaveLength(2);
      expect(mergeNew([detection('tank'), detection('tank')], strict).created).toHaveLength(1);
    });
  });

  it('never merges findings of different rules', () => {
    const out = mergeNew([
      finding({ ruleId: 'dmz-forces', class: 'tank', eventType: undefined }),
      finding({ ruleId: 'disengagement-forces', class: 'tank', eventType: undefined }),
      finding({ ruleId: 'dmz-kinetic' }),
    ]);
    expect(out.created.map((i) => i.ruleId).sort()).toEqual([
      'disengagement-forces',
      'dmz-forces',
      'dmz-kinetic',
    ]);
  });

  it('merges into an incident under review or with a verdict, but never into a closed one', () => {
    const base = incidentOf(finding());
    const out = (status: Incident['status']) =>
      mergeFindings(
        [{ ...base, status }],
        [finding({ observedAtMs: T0 + S })],
        configFor,
        ids(),
        NOW,
      );
    for (const status of ['detected', 'under-review', 'verified', 'unable-to-verify'] as const) {
      expect(
        out(status).updated.map((i) => i.id),
        status,
      ).toEqual(['inc-old']);
    }
    const closed = out('closed');
    expect(closed.updated).toEqual([]);
    expect(closed.created.map((i) => i.id)).toEqual(['inc-1']);
  });

  it('joins the incident that fits best when several could take a finding', () => {
    const a = incidentOf(finding({ ...at(270, 500) }), 'inc-a');
    const b = incidentOf(finding({ ...at(90, 500) }), 'inc-b');
    const nearB = mergeFindings([a, b], [finding({ ...at(90, 300) })], configFor, ids(), NOW);
    expect(nearB.links.map((l) => l.incidentId)).toEqual(['inc-b']);
    const nearA = mergeFindings([a, b], [finding({ ...at(270, 100) })], configFor, ids(), NOW);
    expect(nearA.links.map((l) => l.incidentId)).toEqual(['inc-a']);
    // Same distance to both: the one closer in time fits better.
    const late = incidentOf(finding({ ...at(90, 500), observedAtMs: T0 + 4 * MIN }), 'inc-late');
    const mid = finding({ observedAtMs: T0 + 3 * MIN });
    const byTime = mergeFindings([a, late], [mid], configFor, ids(), NOW);
    expect(byTime.links.map((l) => l.incidentId)).toEqual(['inc-late']);
  });

  describe('position', () => {
    it('fuses positions as the inverse-variance weighted mean', () => {
      const p1 = at(0, 0);
      const p2 = at(45, 300);
      const out = mergeNew([
        finding({ ...p1, radiusM: 10 }),
        finding({ ...p2, radiusM: 20, observedAtMs: T0 + S }),
      ]);
      const w1 = 1 / 100;
      const w2 = 1 / 400;
      const i = out.created[0] as Incident;
      expect(i.lon).toBeCloseTo((p1.lon * w1 + p2.lon * w2) / (w1 + w2), 12);
      expect(i.lat).toBeCloseTo((p1.lat * w1 + p2.lat * w2) / (w1 + w2), 12);
      expect(i.radiusM).toBeCloseTo(1 / Math.sqrt(w1 + w2), 12);
    });

    it('fuses a chain of findings to the same mean as all at once', () => {
      const parts = [
        { ...at(0, 0), radiusM: 10 },
        { ...at(60, 400), radiusM: 40 },
        { ...at(200, 250), radiusM: 25 },
        { ...at(300, 100), radiusM: 80 },
      ];
      const out = mergeNew(parts.map((p, k) => finding({ ...p, observedAtMs: T0 + k * S })));
      const w = parts.map((p) => 1 / (p.radiusM * p.radiusM));
      const sum = w.reduce((a, b) => a + b, 0);
      const i = out.created[0] as Incident;
      expect(i.lon).toBeCloseTo(
        parts.reduce((a, p, k) => a + p.lon * (w[k] as number), 0) / sum,
        12,
      );
      expect(i.lat).toBeCloseTo(
        parts.reduce((a, p, k) => a + p.lat * (w[k] as number), 0) / sum,
        12,
      );
      expect(i.radiusM).toBeCloseTo(1 / Math.sqrt(sum), 12);
    });

    it('gives an exact position a 1 m radius so that it still has a finite weight', () => {
      const out = mergeNew([finding({ radiusM: 0 }), finding({ ...at(90, 100), radiusM: 1 })]);
      const i = out.created[0] as Incident;
      expect(i.radiusM).toBeCloseTo(Math.SQRT1_2, 12);
      expect(i.lon).toBeCloseTo((HERE.lon + at(90, 100).lon) / 2, 12);
    });

    it('merges findings without a position by rule, time and class alone', () => {
      const none = { lon: null, lat: null, radiusM: null, zones: [], sectors: [] };
      const jam = (fields: Partial<Finding>) =>
        finding({ ruleId: 'interference-mission', eventType: undefined, ...none, ...fields });
      const config = { ...CONFIG, windowMs: 60 * MIN };
      const out = mergeNew(
        [
          jam({ sensorId: 'uav-1', observedAtMs: T0 }),
          jam({ sensorId: 'uav-2', observedAtMs: T0 + 30 * MIN }),
          jam({ sensorId: 'uav-3', observedAtMs: T0 + 200 * MIN }),
        ],
        config,
      );
      expect(out.created).toHaveLength(2);
      expect(out.created[0]).toMatchObject({
        lon: null,
        lat: null,
        radiusM: null,
        corroboration: 2,
      });
      // A positioned finding takes over the position of an incident without one, and keeps it.
      const placed = mergeFindings(
        [out.created[0] as Incident],
        [
          jam({ sensorId: 'cam-1', observedAtMs: T0 + 40 * MIN, ...HERE, radiusM: 30 }),
          jam({ sensorId: 'uav-4', observedAtMs: T0 + 50 * MIN }),
        ],
        () => config,
        ids(),
        NOW,
      );
      expect(placed.updated[0]).toMatchObject({ ...HERE, radiusM: 30, corroboration: 4 });
    });
  });

  it('reports existing incidents that gained sources as updated, bumping their version per source', () => {
    const old = incidentOf(finding(), 'inc-old', T0);
    const untouched = incidentOf(finding({ ...at(0, 50_000) }), 'inc-untouched', T0);
    const out = mergeFindings(
      [old, untouched],
      [
        finding({ observedAtMs: T0 + S }),
        finding({ observedAtMs: T0 + 2 * S }),
        finding({ ...at(180, 50_000) }),
      ],
      configFor,
      ids(),
      NOW,
    );
    expect(out.updated.map((i) => [i.id, i.version, i.sourceCount, i.updatedAtMs])).toEqual([
      ['inc-old', 3, 3, NOW],
    ]);
    expect(out.created.map((i) => [i.id, i.version, i.createdAtMs])).toEqual([['inc-1', 1, NOW]]);
    expect(out.links).toHaveLength(3);
  });

  it('returns nothing for no findings', () => {
    expect(mergeFindings([incidentOf(finding())], [], configFor, ids(), NOW)).toEqual({
      created: [],
      updated: [],
      links: [],
    });
  });

  describe('property: well separated events', () => {
    const EVENT_TYPES = COMPATIBLE[4] as string[];
    /** Events 20 km apart (20 times the merge distance), each seen by 1-5 sensors. */
    const scenario = fc
      .array(
        fc.record({
          atMs: fc.integer({ min: 0, max: 86_400_000 }),
          sightings: fc.array(
            fc.record({
              azimuthDeg: fc.double({ min: 0, max: 360, noNaN: true }),
              offsetM: fc.double({ min: 0, max: 200, noNaN: true }),
              dtMs: fc.integer({ min: -60_000, max: 60_000 }),
              radiusM: fc.integer({ min: 0, max: 100 }),
              type: fc.constantFrom(...EVENT_TYPES),
              certain: fc.boolean(),
            }),
            { minLength: 1, maxLength: 5 },
          ),
        }),
        { minLength: 1, maxLength: 6 },
      )
      .map((events) =>
        events.flatMap((e, k) => {
          const centre = geodesicDirect(HERE.lon, HERE.lat, 0, k * 20_000);
          return e.sightings.map((s, j) => {
            const p = geodesicDirect(centre.lon, centre.lat, s.azimuthDeg, s.offsetM);
            return finding({
              sensorId: `sensor-${j}`,
              observationId: `event-${k}-sighting-${j}`,
              observedAtMs: T0 + e.atMs + s.dtMs,
              lon: p.lon,
              lat: p.lat,
              radiusM: s.radiusM,
              eventType: s.type,
              certainty: s.certain ? 'certain' : 'possible',
            });
          });
        }),
      )
      .chain((findings) =>
        fc.tuple(
          fc.constant(findings),
          fc.shuffledSubarray(findings, { minLength: findings.length, maxLength: findings.length }),
          fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, findings.length - 1) }), {
            maxLength: 4,
          }),
        ),
      );

    const truth = (findings: readonly Finding[]) =>
      partition({
        links: findings.map((f) => ({
          incidentId: f.observationId.replace(/-sighting-\d+$/, ''),
          source: { ...f, certainty: f.certainty },
        })),
      });

    it('gives the same partition into incidents in any order, in one batch or many', () => {
      fc.assert(
        fc.property(scenario, ([findings, shuffled, cuts]) => {
          const expected = truth(findings);
          expect(partition(mergeNew(findings))).toEqual(expected);
          expect(partition(mergeNew(shuffled))).toEqual(expected);
          // The shuffled findings delivered in several batches, late ones after earlier ones.
          const bounds = [0, ...[...cuts].sort((a, b) => a - b), shuffled.length];
          const incidents = new Map<string, Incident>();
          const links: MergeOutcome['links'] = [];
          const newId = ids();
          for (let b = 0; b + 1 < bounds.length; b++) {
            const batch = shuffled.slice(bounds[b], bounds[b + 1]);
            const out = mergeFindings([...incidents.values()], batch, configFor, newId, NOW);
            for (const i of [...out.created, ...out.updated]) incidents.set(i.id, i);
            links.push(...out.links);
          }
          expect(partition({ links })).toEqual(expected);
          expect(incidents.size).toBe(expected.length);
        }),
        { numRuns: 150, seed: 20_260_102 },
      );
    });
  });
});
