import { describe, expect, it } from 'vitest';
import type { PathError } from '../errors/index.js';
import { createVocabulary, OBSERVATION_KINDS, parseRfc3339, validateObservation } from './index.js';

const vocab = createVocabulary();
const AT = '2026-01-02T10:00:00Z';
const AT_MS = Date.UTC(2026, 0, 2, 10);

const PAYLOADS = {
  object: { class: 'tank', count: 2, party: 'UKR', confidence: 0.8, activity: 'moving' },
  event: { type: 'explosion-impact', count: 3 },
  interference: { type: 'gps-jamming', targetSensorId: 'cam-2' },
  report: { text: 'Patrol saw two tanks.', fields: { patrol: 'P-7', vehicles: 2 } },
} as const;
type Payload = keyof typeof PAYLOADS;
const PAYLOAD_OF: Record<(typeof OBSERVATION_KINDS)[number], Payload | null> = {
  detection: 'object',
  kinetic: 'event',
  interference: 'interference',
  report: 'report',
  heartbeat: null,
};
const POSITION = { lon: 37.5, lat: 48.1, altM: 200, uncertaintyM: 30 };

/** A valid observation of a kind, with the given fields replaced (undefined removes one). */
function observation(
  kind: (typeof OBSERVATION_KINDS)[number],
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  const payload = PAYLOAD_OF[kind];
  const o: Record<string, unknown> = {
    id: `${kind}-1`,
    sensorId: 'cam-1',
    observedAt: AT,
    kind,
    ...(kind === 'detection' || kind === 'kinetic' ? { position: POSITION } : {}),
    ...(payload ? { [payload]: PAYLOADS[payload] } : {}),
    ...fields,
  };
  for (const [k, v] of Object.entries(o)) if (v === undefined) delete o[k];
  return o;
}

/** The errors as [path, code] pairs (none for a valid observation). */
function faults(value: unknown, vocabulary = vocab): [string, string][] {
  const v = validateObservation(value, vocabulary);
  return v.ok ? [] : v.errors.map((e: PathError) => [e.path, e.code]);
}

describe('validateObservation', () => {
  it.each(OBSERVATION_KINDS)('accepts a complete %s observation with its event time', (kind) => {
    const o = observation(kind);
    const v = validateObservation(o, vocab);
    expect(v).toEqual({ ok: true, observation: o, observedAtMs: AT_MS });
  });

  it('accepts a kinetic event placed by a bearing and range, and evidence with hashes', () => {
    const o = observation('kinetic', {
      position: { bearingDeg: 135, bearingUncertaintyDeg: 3, minRangeM: 2000, maxRangeM: 4000 },
      evidence: [
        { uri: 'https://media.example/e/1.jpg', sha256: 'a'.repeat(64), mediaType: 'image/jpeg' },
      ],
    });
    expect(faults(o)).toEqual([]);
  });

  it('accepts a bearing whose range is exact (min equal to max)', () => {
    const o = observation('kinetic', {
      position: { bearingDeg: 0, minRangeM: 3000, maxRangeM: 3000 },
    });
    expect(faults(o)).toEqual([]);
  });

  it.each(OBSERVATION_KINDS.filter((k) => PAYLOAD_OF[k] !== null))(
    'requires the payload of a %s observation (MISSING_FIELD)',
    (kind) => {
      const payload = PAYLOAD_OF[kind] as Payload;
      expect(faults(observation(kind, { [payload]: undefined }))).toEqual([
        [`/${payload}`, 'MISSING_FIELD'],
      ]);
    },
  );

  const foreign = OBSERVATION_KINDS.flatMap((kind) =>
    (Object.keys(PAYLOADS) as Payload[])
      .filter((p) => p !== PAYLOAD_OF[kind])
      .map((p) => [kind, p] as const),
  );
  it.each(foreign)('refuses on a %s observation the payload %s (FIELD_NOT_ALLOWED)', (kind, p) => {
    expect(faults(observation(kind, { [p]: PAYLOADS[p] }))).toEqual([
      [`/${p}`, 'FIELD_NOT_ALLOWED'],
    ]);
  });

  it('reports a missing payload and a foreign one together', () => {
    const v = validateObservation(
      observation('detection', { object: undefined, event: PAYLOADS.event }),
      vocab,
    );
    expect(v.ok ? [] : v.errors).toEqual([
      {
        path: '/event',
        code: 'FIELD_NOT_ALLOWED',
        message: "a detection observation does not take 'event'",
      },
      { path: '/object', code: 'MISSING_FIELD', message: "a detection observation needs 'object'" },
    ]);
  });

  it.each(['detection', 'kinetic'] as const)('requires a position for a %s', (kind) => {
    expect(faults(observation(kind, { position: undefined }))).toEqual([
      ['/position', 'MISSING_FIELD'],
    ]);
  });

  it.each(['interference', 'heartbeat', 'report'] as const)(
    'takes the sensor position for a %s without one',
    (kind) => {
      expect(faults(observation(kind, { position: undefined }))).toEqual([]);
      expect(faults(observation(kind, { position: POSITION }))).toEqual([]);
    },
  );

  it('reports terms outside the vocabulary (UNKNOWN_TERM) with their paths', () => {
    expect(faults(observation('detection', { object: { class: 'spaceship', count: 1 } }))).toEqual([
      ['/object/class', 'UNKNOWN_TERM'],
    ]);
    expect(faults(observation('kinetic', { event: { type: 'boom' } }))).toEqual([
      ['/event/type', 'UNKNOWN_TERM'],
    ]);
    expect(faults(observation('interference', { interference: { type: 'laser' } }))).toEqual([
      ['/interference/type', 'UNKNOWN_TERM'],
    ]);
  });

  it('accepts the terms a configuration adds to the vocabulary, and only with it', () => {
    const extended = createVocabulary({
      classes: ['armoured-train'],
      eventTypes: ['drone-drop'],
      interferenceTypes: ['laser-dazzle'],
    });
    const records = [
      observation('detection', { object: { class: 'armoured-train', count: 1 } }),
      observation('kinetic', { event: { type: 'drone-drop' } }),
      observation('interference', { interference: { type: 'laser-dazzle' } }),
    ];
    for (const o of records) {
      expect(faults(o, extended)).toEqual([]);
      expect(faults(o)).toHaveLength(1);
    }
    expect(faults(observation('detection'), extended)).toEqual([]);
  });

  it.each(['detection', 'interference', 'heartbeat', 'report'] as const)(
    'allows a bearing and range only for kinetic observations, not a %s',
    (kind) => {
      const position = { bearingDeg: 90, minRangeM: 100, maxRangeM: 500 };
      expect(faults(observation(kind, { position }))).toEqual([
        ['/position/bearingDeg', 'FIELD_NOT_ALLOWED'],
      ]);
    },
  );

  it('reports a range that ends before it starts (INVALID_RANGE)', () => {
    const v = validateObservation(
      observation('kinetic', { position: { bearingDeg: 90, minRangeM: 5000, maxRangeM: 4000 } }),
      vocab,
    );
    expect(v.ok ? [] : v.errors).toEqual([
      {
        path: '/position/minRangeM',
        code: 'INVALID_RANGE',
        message: 'minRangeM 5000 is greater than maxRangeM 4000',
      },
    ]);
  });

  it.each([
    ['lat 91', { lon: 37, lat: 91 }, '/position/lat'],
    ['lat -90.5', { lon: 37, lat: -90.5 }, '/position/lat'],
    ['lon 181', { lon: 181, lat: 48 }, '/position/lon'],
    ['lon -180.000001', { lon: -180.000001, lat: 48 }, '/position/lon'],
    ['a negative uncertainty', { lon: 37, lat: 48, uncertaintyM: -1 }, '/position/uncertaintyM'],
    ['an altitude below -500 m', { lon: 37, lat: 48, altM: -501 }, '/position/altM'],
  ])('reports %s as a schema fault at its path', (_label, position, path) => {
    expect(faults(observation('detection', { position }))).toEqual([[path, 'SCHEMA']]);
  });

  it('accepts the extreme coordinates themselves', () => {
    for (const position of [
      { lon: 180, lat: 90 },
      { lon: -180, lat: -90 },
    ]) {
      expect(faults(observation('detection', { position }))).toEqual([]);
    }
  });

  it.each([
    ['a bearing of 361', { bearingDeg: 361, minRangeM: 0, maxRangeM: 1 }, '/position/bearingDeg'],
    [
      'a bearing error over 90',
      { bearingDeg: 1, bearingUncertaintyDeg: 91, minRangeM: 0, maxRangeM: 1 },
      '/position/bearingUncertaintyDeg',
    ],
    ['a negative range', { bearingDeg: 1, minRangeM: -1, maxRangeM: 1 }, '/position/minRangeM'],
  ])('reports %s as a schema fault', (_label, position, path) => {
    expect(faults(observation('kinetic', { position }))).toEqual([[path, 'SCHEMA']]);
  });

  it('reports a position that mixes a point and a bearing, or is no object', () => {
    const mixed = { lon: 37, lat: 48, bearingDeg: 10 };
    expect(faults(observation('kinetic', { position: mixed }))).toEqual([
      ['/position', 'SCHEMA'],
      ['/position', 'SCHEMA'],
    ]);
    expect(faults(observation('detection', { position: [37, 48] }))).toEqual([
      ['/position', 'SCHEMA'],
    ]);
    expect(faults(observation('detection', { position: null }))).toEqual([['/position', 'SCHEMA']]);
  });

  it('reports NaN and infinite numbers as NOT_FINITE with their paths, before anything else', () => {
    const o = observation('detection', {
      position: { lon: NaN, lat: Infinity, altM: -Infinity },
      object: { class: 'spaceship', count: 1, confidence: NaN },
    });
    const v = validateObservation(o, vocab);
    expect(v.ok ? [] : v.errors).toEqual([
      { path: '/position/lon', code: 'NOT_FINITE', message: 'NaN is not a finite number' },
      { path: '/position/lat', code: 'NOT_FINITE', message: 'Infinity is not a finite number' },
      { path: '/position/altM', code: 'NOT_FINITE', message: '-Infinity is not a finite number' },
      { path: '/object/confidence', code: 'NOT_FINITE', message: 'NaN is not a finite number' },
    ]);
  });

  it.each([
    ['not an object', null, [['', 'SCHEMA']]],
    ['an array', [observation('heartbeat')], [['', 'SCHEMA']]],
    ['no id', observation('heartbeat', { id: undefined }), [['', 'SCHEMA']]],
    ['an id with a space', observation('heartbeat', { id: 'a b' }), [['/id', 'SCHEMA']]],
    [
      'an empty sensor id (too short, and no match for the pattern)',
      observation('heartbeat', { sensorId: '' }),
      [
        ['/sensorId', 'SCHEMA'],
        ['/sensorId', 'SCHEMA'],
      ],
    ],
    ['an unknown kind', observation('heartbeat', { kind: 'rumour' }), [['/kind', 'SCHEMA']]],
    ['an unknown field', observation('heartbeat', { colour: 'red' }), [['', 'SCHEMA']]],
    [
      'a count of 0',
      observation('detection', { object: { class: 'tank', count: 0 } }),
      [['/object/count', 'SCHEMA']],
    ],
    [
      'a confidence over 1',
      observation('detection', { object: { class: 'tank', count: 1, confidence: 1.5 } }),
      [['/object/confidence', 'SCHEMA']],
    ],
    [
      'a class in capitals',
      observation('detection', { object: { class: 'Tank', count: 1 } }),
      [['/object/class', 'SCHEMA']],
    ],
    [
      'an uppercase hash',
      observation('heartbeat', { evidence: [{ uri: 'x', sha256: 'A'.repeat(64) }] }),
      [['/evidence/0/sha256', 'SCHEMA']],
    ],
    [
      'an empty report',
      observation('report', { report: { text: '' } }),
      [['/report/text', 'SCHEMA']],
    ],
  ])('reports a schema fault: %s', (_label, value, expected) => {
    expect(faults(value)).toEqual(expected);
  });

  it.each([
    '2026-01-02T10:00:00',
    '2026-01-02',
    '2026-01-02 10:00:00Z',
    '2026-02-29T10:00:00Z',
    '2026-04-31T10:00:00Z',
    '2026-01-02T24:00:00Z',
    '2026-01-02T10:00:00+0100',
    'yesterday',
  ])('rejects the timestamp %s at /observedAt', (observedAt) => {
    const got = faults(observation('heartbeat', { observedAt }));
    expect(got).toHaveLength(1);
    expect(got[0]?.[0]).toBe('/observedAt');
  });

  it('reports a timestamp the schema format passes but RFC 3339 parsing does not as INVALID_TIME', () => {
    const observedAt = '2026-01-02T10:00:00.1234567890Z';
    expect(faults(observation('heartbeat', { observedAt }))).toEqual([
      ['/observedAt', 'INVALID_TIME'],
    ]);
  });

  it('returns the event time of offsets, lowercase separators and leap seconds', () => {
    const at = (observedAt: string) => {
      const v = validateObservation(observation('heartbeat', { observedAt }), vocab);
      return v.ok ? v.observedAtMs : NaN;
    };
    expect(at('2026-01-02T12:00:00+02:00')).toBe(AT_MS);
    expect(at('2026-01-02t10:00:00z')).toBe(AT_MS);
    expect(at('2016-12-31T23:59:60Z')).toBe(Date.UTC(2016, 11, 31, 23, 59, 59, 999));
  });
});

describe('parseRfc3339', () => {
  const utc = (...p: [number, number, number, number?, number?, number?, number?]) =>
    Date.UTC(p[0], p[1] - 1, p[2], p[3] ?? 0, p[4] ?? 0, p[5] ?? 0, p[6] ?? 0);

  it.each([
    ['2026-01-02T10:00:00Z', utc(2026, 1, 2, 10)],
    ['2026-01-02T12:30:00+02:30', utc(2026, 1, 2, 10)],
    ['2026-01-02T05:00:00-05:00', utc(2026, 1, 2, 10)],
    ['2026-01-02T10:00:00-00:00', utc(2026, 1, 2, 10)],
    ['2026-01-02T10:00:00+00:00', utc(2026, 1, 2, 10)],
    ['2026-01-03T09:59:00+23:59', utc(2026, 1, 2, 10)],
    ['2026-01-02t10:00:00z', utc(2026, 1, 2, 10)],
    ['2026-01-02T10:00:00z', utc(2026, 1, 2, 10)],
    ['2026-01-02T10:00:00.5Z', utc(2026, 1, 2, 10, 0, 0, 500)],
    ['2026-01-02T10:00:00.123Z', utc(2026, 1, 2, 10, 0, 0, 123)],
    ['2026-01-02T10:00:00.123456789Z', utc(2026, 1, 2, 10, 0, 0, 123)],
    ['2026-01-02T10:00:00.9999Z', utc(2026, 1, 2, 10, 0, 0, 999)],
    ['2026-01-02T12:00:00.25+02:00', utc(2026, 1, 2, 10, 0, 0, 250)],
    ['2028-02-29T00:00:00Z', utc(2028, 2, 29)],
    ['2000-02-29T00:00:00Z', utc(2000, 2, 29)],
    ['2026-01-31T00:00:00Z', utc(2026, 1, 31)],
    ['2026-04-30T23:59:59Z', utc(2026, 4, 30, 23, 59, 59)],
    ['2026-12-31T23:59:59.999Z', utc(2026, 12, 31, 23, 59, 59, 999)],
    ['2016-12-31T23:59:60Z', utc(2016, 12, 31, 23, 59, 59, 999)],
    ['2016-12-31T23:59:60.5Z', utc(2016, 12, 31, 23, 59, 59, 999)],
    ['2017-01-01T00:59:60+01:00', utc(2016, 12, 31, 23, 59, 59, 999)],
    ['1970-01-01T00:00:00Z', 0],
    ['1969-12-31T23:59:59Z', -1000],
  ])('parses %s', (text, ms) => {
    expect(parseRfc3339(text)).toBe(ms);
  });

  it.each([
    ['no time zone', '2026-01-02T10:00:00'],
    ['a date only', '2026-01-02'],
    ['a space for T', '2026-01-02 10:00:00Z'],
    ['a comma fraction', '2026-01-02T10:00:00,5Z'],
    ['ten fraction digits', '2026-01-02T10:00:00.1234567890Z'],
    ['an empty fraction', '2026-01-02T10:00:00.Z'],
    ['an offset without colon', '2026-01-02T10:00:00+0100'],
    ['an offset hour only', '2026-01-02T10:00:00+01'],
    ['no seconds', '2026-01-02T10:00Z'],
    ['Feb 29 in a non-leap year', '2026-02-29T00:00:00Z'],
    ['Feb 29 in a century year', '1900-02-29T00:00:00Z'],
    ['Feb 30 in a leap year', '2028-02-30T00:00:00Z'],
    ['day 31 of April', '2026-04-31T00:00:00Z'],
    ['day 31 of June', '2026-06-31T00:00:00Z'],
    ['day 31 of September', '2026-09-31T00:00:00Z'],
    ['day 31 of November', '2026-11-31T00:00:00Z'],
    ['day 0', '2026-01-00T00:00:00Z'],
    ['month 0', '2026-00-10T00:00:00Z'],
    ['month 13', '2026-13-10T00:00:00Z'],
    ['hour 24', '2026-01-02T24:00:00Z'],
    ['minute 60', '2026-01-02T10:60:00Z'],
    ['second 61', '2026-01-02T10:00:61Z'],
    ['one-digit month', '2026-1-02T10:00:00Z'],
    ['an expanded year', '+02026-01-02T10:00:00Z'],
    ['leading space', ' 2026-01-02T10:00:00Z'],
    ['trailing text', '2026-01-02T10:00:00Zjunk'],
    ['the empty string', ''],
  ])('returns NaN for %s', (_label, text) => {
    expect(parseRfc3339(text)).toBeNaN();
  });

  it('counts a leap second as the last millisecond of its minute, also before 1970', () => {
    expect(parseRfc3339('1969-12-31T23:59:60Z')).toBe(-1);
  });

  // 1969-12-31T23:59:60.5Z gives 999 (1970-01-01T00:00:00.999Z, the next minute): for a negative
  // time `ms - (ms % 1000)` rounds towards zero instead of down.
  it('counts a leap second with a fraction before 1970 as the last millisecond too', () => {
    expect(parseRfc3339('1969-12-31T23:59:60.5Z')).toBe(-1);
  });
});
