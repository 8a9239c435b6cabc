import { Type } from 'typebox';
import type { Static } from 'typebox';
import { OBSERVATION_KINDS } from './taxonomy.js';

/** Identifier syntax shared by sensors, observations and other records. */
export const IdSchema = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '^[A-Za-z0-9][A-Za-z0-9._:@/-]*$',
    description,
  });

/** A token from a vocabulary that configuration may extend (checked against it at validation). */
const Token = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$', description });

/** A located position: where the observed thing is, with its error radius. */
export const PointPositionSchema = Type.Object(
  {
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, degrees WGS84.' }),
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude, degrees WGS84.' }),
    altM: Type.Optional(
      Type.Number({
        minimum: -500,
        maximum: 100_000,
        description: 'Altitude above the WGS84 ellipsoid, metres (needed for altitude bands).',
      }),
    ),
    uncertaintyM: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100_000,
        description:
          'Radius around the position within which the observed thing lies, metres (95%). ' +
          "Absent: the sensor's default error for its kind applies.",
      }),
    ),
  },
  { additionalProperties: false, description: 'A position on WGS84 with its error radius.' },
);

/**
 * Where an observer placed an event it heard or saw without locating it: a bearing from the
 * sensor's own position and a range of distances.
 */
export const BearingPositionSchema = Type.Object(
  {
    bearingDeg: Type.Number({
      minimum: 0,
      maximum: 360,
      description: "Bearing from the sensor's position, degrees clockwise from true north.",
    }),
    bearingUncertaintyDeg: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 90,
        description: 'Half-width of the bearing error, degrees (default 2).',
      }),
    ),
    minRangeM: Type.Number({
      minimum: 0,
      maximum: 100_000,
      description: 'Nearest possible distance from the sensor, metres.',
    }),
    maxRangeM: Type.Number({
      minimum: 0,
      maximum: 100_000,
      description: 'Farthest possible distance from the sensor, metres.',
    }),
    altM: Type.Optional(
      Type.Number({ minimum: -500, maximum: 100_000, description: 'Altitude, metres, if known.' }),
    ),
  },
  {
    additionalProperties: false,
    description: "A bearing and a range of distances from the reporting sensor's position.",
  },
);

/** A piece of media an observation refers to, pinned by its hash. */
export const EvidenceSchema = Type.Object(
  {
    uri: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'Where the media is kept (a URI the mission can resolve).',
    }),
    sha256: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: 'SHA-256 of the media bytes, lowercase hex.',
    }),
    mediaType: Type.Optional(
      Type.String({ maxLength: 128, description: 'IANA media type, e.g. image/jpeg.' }),
    ),
    bytes: Type.Optional(Type.Integer({ minimum: 0, description: 'Size of the media in bytes.' })),
  },
  { additionalProperties: false, description: 'A media reference with its SHA-256 hash.' },
);

/** What a detection saw. */
export const DetectedObjectSchema = Type.Object(
  {
    class: Token('Equipment class (see the taxonomy), e.g. "tank" or "civilian-vehicle".'),
    count: Type.Integer({ minimum: 1, maximum: 100_000, description: 'How many were seen.' }),
    party: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Party the object belongs to, if identified (a party id of the zone spec).',
      }),
    ),
    confidence: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: "The sensor's confidence in the class, 0..1.",
      }),
    ),
    activity: Type.Optional(
      Token('What the object was doing, e.g. "stationary", "moving", "firing", "digging".'),
    ),
    trackId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: "The sensor's identifier of this object across its fixes (for transitions).",
      }),
    ),
  },
  { additionalProperties: false, description: 'The object a detection saw.' },
);

/** What a kinetic observation heard or saw. */
export const KineticEventSchema = Type.Object(
  {
    type: Token('Kinetic event type, e.g. "explosion-impact" (see the taxonomy).'),
    count: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100_000, description: 'Number of events, default 1.' }),
    ),
  },
  { additionalProperties: false, description: 'A kinetic event.' },
);

/** Interference with the mission's sensors or with navigation. */
export const InterferenceSchema = Type.Object(
  {
    type: Token('Interference type, e.g. "gps-jamming" (see the taxonomy).'),
    targetSensorId: Type.Optional(IdSchema('The sensor interfered with, if one was.')),
  },
  { additionalProperties: false, description: 'Interference with sensors or navigation.' },
);

/** A free-text report, e.g. from a patrol, with optional structured fields. */
export const ReportSchema = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 20_000, description: 'The report text.' }),
    fields: Type.Optional(
      Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
        description: 'Structured fields of the report (e.g. a patrol form), free JSON.',
      }),
    ),
  },
  { additionalProperties: false, description: 'A report in words.' },
);

/** An observation as an integrator submits it. */
export const ObservationSchema = Type.Object(
  {
    id: IdSchema('Identifier unique per sensor; (sensorId, id) is the idempotency key.'),
    sensorId: IdSchema('The registered sensor that made the observation.'),
    observedAt: Type.String({
      format: 'date-time',
      description: 'Event time, RFC 3339 with a time zone (the server records receipt time too).',
    }),
    kind: Type.Enum(OBSERVATION_KINDS, { description: 'What the observation reports.' }),
    position: Type.Optional(
      Type.Union([PointPositionSchema, BearingPositionSchema], {
        description:
          'Where: a position, or (kinetic only) a bearing and range from the sensor. Absent: ' +
          "the sensor's registered position (heartbeats, interference).",
      }),
    ),
    object: Type.Optional(DetectedObjectSchema),
    event: Type.Optional(KineticEventSchema),
    interference: Type.Optional(InterferenceSchema),
    report: Type.Optional(ReportSchema),
    evidence: Type.Optional(
      Type.Array(EvidenceSchema, { maxItems: 32, description: 'Media references.' }),
    ),
  },
  { additionalProperties: false, description: 'One observation by one sensor.' },
);

/** An observation as an integrator submits it. */
export type Observation = Static<typeof ObservationSchema>;
/** A located position. */
export type PointPosition = Static<typeof PointPositionSchema>;
/** A bearing and range from the sensor. */
export type BearingPosition = Static<typeof BearingPositionSchema>;
