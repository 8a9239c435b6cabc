import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../ledger/index.js';
import type { JsonValue } from '../ledger/index.js';
import type { Observation } from '../observations/index.js';
import { observationLeaf, observationLeafText } from './leaf-records.js';
import type { DerivedObservationFacts } from './leaf-records.js';

const text = fc.string({ unit: 'binary', maxLength: 12 });
const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());

const observation = fc.record(
  {
    id: text,
    sensorId: text,
    observedAt: fc.constant('2026-03-01T12:00:00.000Z'),
    kind: fc.constantFrom('detection', 'heartbeat'),
    position: fc.record({ lon: number, lat: number, uncertaintyM: number }),
    object: fc.record({ class: text, count: fc.integer({ min: 1, max: 9 }) }),
    note: fc.dictionary(text, fc.oneof(text, number, fc.boolean(), fc.constant(null))),
  },
  { requiredKeys: ['id', 'sensorId', 'observedAt', 'kind'] },
) as unknown as fc.Arbitrary<Observation>;

const facts: fc.Arbitrary<DerivedObservationFacts> = fc.record({
  receivedAtMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  lon: fc.option(number, { nil: null }),
  lat: fc.option(number, { nil: null }),
  radiusM: fc.option(number, { nil: null }),
  inside: fc.array(text, { maxLength: 3 }),
  possiblyInside: fc.array(text, { maxLength: 3 }),
  side: fc.option(text, { nil: null }),
  distanceToLineM: fc.option(number, { nil: null }),
  zoneSpecVersion: fc.nat(),
  ruleIds: fc.array(text, { maxLength: 3 }),
  authorized: fc.array(fc.record({ ruleId: text, notificationId: text }), { maxLength: 2 }),
});

describe('observationLeafText', () => {
  it('is the canonical JSON of observationLeaf', () => {
    fc.assert(
      fc.property(observation, facts, (o, f) => {
        expect(observationLeafText(o, f)).toBe(
          canonicalJson(observationLeaf(o, f) as unknown as JsonValue),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses what canonicalJson refuses', () => {
    const o = { id: 'o1', sensorId: 'cam-1', observedAt: 'x', kind: 'heartbeat' } as Observation;
    const f: DerivedObservationFacts = {
      receivedAtMs: 0,
      lon: 1,
      lat: 2,
      radiusM: 3,
      inside: [],
      possiblyInside: [],
      side: null,
      distanceToLineM: Number.NaN,
      zoneSpecVersion: 1,
      ruleIds: [],
      authorized: [],
    };
    expect(() => observationLeafText(o, f)).toThrow(TypeError);
    expect(() => observationLeafText({ ...o, id: '\ud800' }, { ...f, distanceToLineM: 1 })).toThrow(
      TypeError,
    );
  });
});
