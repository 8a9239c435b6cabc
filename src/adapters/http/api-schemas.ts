import { Type } from 'typebox';
import type { Static } from 'typebox';
import { INCIDENT_STATUSES } from '../../core/incidents/index.js';
import { ObservationSchema, SensorSchema } from '../../core/observations/index.js';
import { SEVERITIES } from '../../core/rules/index.js';

const Time = (description: string) => Type.String({ format: 'date-time', description });
const Strings = (description: string) => Type.Array(Type.String(), { description });

/** A fault with its JSON Pointer. */
export const PathErrorSchema = Type.Object(
  {
    path: Type.String({ description: 'JSON Pointer (RFC 6901) to the faulty value.' }),
    code: Type.String({ description: 'Stable error code (docs/errors.md).' }),
    message: Type.String({ description: 'A sentence for a person.' }),
  },
  { description: 'One fault of a document.' },
);

/** The error body of every failed request. */
export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable error code (docs/errors.md).' }),
      message: Type.String({ description: 'What went wrong, for a person.' }),
      errors: Type.Optional(Type.Array(PathErrorSchema, { description: 'Faults, if several.' })),
    }),
  },
  { description: 'An error. Never contains a stack trace.' },
);

/** A per-record fault of a batch. */
export const RecordErrorSchema = Type.Object(
  {
    index: Type.Integer({ description: 'Zero-based position of the record in the batch.' }),
    path: Type.String({ description: 'JSON Pointer inside the record.' }),
    code: Type.String({ description: 'Stable error code.' }),
    message: Type.String({ description: 'Why the record was refused.' }),
  },
  { description: 'Why one record of a batch was refused.' },
);

/** The answer to an observation batch. */
export const IngestResultSchema = Type.Object(
  {
    accepted: Type.Integer({ description: 'Records kept (committed before this answer).' }),
    duplicates: Type.Integer({
      description: 'Records already kept: acknowledged, not kept twice.',
    }),
    rejected: Type.Integer({ description: 'Records refused; see errors.' }),
    errors: Type.Array(RecordErrorSchema, { description: 'One entry per fault.' }),
    incidentsCreated: Strings('Incidents the batch opened.'),
    incidentsUpdated: Strings('Incidents the batch added sources to.'),
  },
  { description: 'What happened to a batch of observations.' },
);

/** A position estimate with its radius. */
export const EstimateSchema = Type.Object(
  {
    lon: Type.Number({ description: 'Longitude, degrees.' }),
    lat: Type.Number({ description: 'Latitude, degrees.' }),
    radiusM: Type.Number({ description: 'Radius that holds the true position, metres.' }),
  },
  { description: 'A position estimate.' },
);

/** An incident as the API shows it. */
export const IncidentViewSchema = Type.Object(
  {
    id: Type.String({ description: 'Incident id.' }),
    ruleId: Type.String({ description: 'The rule broken (sensor-outage for outages).' }),
    severity: Type.Enum(SEVERITIES, { description: 'Severity.' }),
    status: Type.Enum(INCIDENT_STATUSES, { description: 'Review status.' }),
    certainty: Type.Union([Type.Literal('certain'), Type.Literal('possible')], {
      description: 'Certain when at least one source is certainly a violation.',
    }),
    firstObservedAt: Time('Earliest source event time.'),
    lastObservedAt: Time('Latest source event time.'),
    position: Type.Union([EstimateSchema, Type.Null()], { description: 'Where, if known.' }),
    zones: Strings('Zones its sources matched.'),
    sectors: Strings('Sectors its sources are in.'),
    classes: Strings('Equipment classes reported.'),
    eventTypes: Strings('Event types reported.'),
    parties: Strings('Parties identified.'),
    maxCount: Type.Integer({ description: 'Most objects or events one source reported.' }),
    sensorIds: Strings('Distinct sensors that saw it.'),
    corroboration: Type.Integer({ description: 'Number of distinct sensors that saw it.' }),
    sourceCount: Type.Integer({ description: 'Number of source observations.' }),
    transitions: Type.Array(
      Type.Object({
        from: Type.String({ description: 'Status before.' }),
        to: Type.String({ description: 'Status after.' }),
        actor: Type.String({ description: 'Who.' }),
        at: Time('When.'),
        reason: Type.String({ description: 'Why.' }),
      }),
      { description: 'Status changes, oldest first.' },
    ),
    createdAt: Time('When the server opened it.'),
    updatedAt: Time('When it last changed.'),
    version: Type.Integer({ description: 'Increases with every change.' }),
  },
  { description: 'An incident: one event that breaks a rule, with its corroboration.' },
);

/** An incident source as the API shows it. */
export const SourceViewSchema = Type.Object(
  {
    sensorId: Type.String({ description: 'Reporting sensor.' }),
    observationId: Type.String({ description: 'Observation id.' }),
    observedAt: Time('Event time.'),
    certainty: Type.String({ description: 'certain or possible.' }),
  },
  { description: 'A source observation of an incident.' },
);

/** A stored observation as the API shows it. */
export const ObservationViewSchema = Type.Object(
  {
    seq: Type.Integer({ description: 'Order of receipt.' }),
    observation: ObservationSchema,
    receivedAt: Time('When the server received it.'),
    position: Type.Union([EstimateSchema, Type.Null()], {
      description: 'Resolved position estimate, if any.',
    }),
    inside: Strings('Zones that certainly contain it.'),
    possiblyInside: Strings('Zones that may contain it.'),
    side: Type.Union([Type.String(), Type.Null()], { description: 'Party whose side it is on.' }),
    distanceToLineM: Type.Union([Type.Number(), Type.Null()], {
      description: 'Distance to the primary line, metres.',
    }),
    zoneSpecVersion: Type.Integer({ description: 'Zone spec version it was judged against.' }),
    ruleIds: Strings('Rules it broke.'),
    leafIndex: Type.Union([Type.Integer(), Type.Null()], {
      description:
        'Index of its leaf in the evidence ledger (GET /api/v1/ledger/proof/inclusion); null ' +
        'for observations kept before the ledger existed.',
    }),
  },
  { description: 'An observation as kept, with what the server derived from it.' },
);

/** Health of a sensor as the API shows it. */
export const SensorHealthViewSchema = Type.Object(
  {
    sensorId: Type.String({ description: 'The sensor.' }),
    status: Type.String({ description: 'ok, silent, interfered or unknown.' }),
    lastSeen: Type.Union([Time('Last event time received.'), Type.Null()], {
      description: 'Last event time received, or null.',
    }),
    since: Time('Since when the status holds.'),
    observationCount: Type.Integer({ description: 'Observations received.' }),
  },
  { description: 'Health of a sensor.' },
);

/** A page of a list. */
export const PageSchema = <T extends ReturnType<typeof Type.Object>>(
  item: T,
  description: string,
) =>
  Type.Object(
    {
      items: Type.Array(item, { description }),
      nextCursor: Type.Union([Type.String(), Type.Null()], {
        description: 'Pass as `cursor` for the next page; null on the last page.',
      }),
    },
    { description: 'One page.' },
  );

/** Query of the incident list. */
export const IncidentListQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.String({ description: 'Only this status.' })),
    zone: Type.Optional(Type.String({ description: 'Only matching this zone.' })),
    sector: Type.Optional(Type.String({ description: 'Only in this sector.' })),
    rule: Type.Optional(Type.String({ description: 'Only of this rule.' })),
    severity: Type.Optional(Type.String({ description: 'Only of this severity.' })),
    from: Type.Optional(Time('Only with a source at or after this event time.')),
    to: Type.Optional(Time('Only with a source before this event time.')),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Page cursor.' })),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'Page size (default 100).' }),
    ),
  },
  { additionalProperties: false },
);

/** Query of the observation list. */
export const ObservationListQuerySchema = Type.Object(
  {
    from: Type.Optional(Time('Event time from.')),
    to: Type.Optional(Time('Event time to (exclusive).')),
    bbox: Type.Optional(
      Type.String({
        pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$',
        description: 'west,south,east,north in degrees.',
      }),
    ),
    zone: Type.Optional(Type.String({ description: 'Only certainly inside this zone.' })),
    sensor: Type.Optional(Type.String({ description: 'Only from this sensor.' })),
    kind: Type.Optional(Type.String({ description: 'Only of this kind.' })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Page cursor.' })),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'Page size (default 100).' }),
    ),
  },
  { additionalProperties: false },
);

/** Body of an incident status change. */
export const TransitionBodySchema = Type.Object(
  {
    to: Type.String({ description: `New status: ${INCIDENT_STATUSES.join(', ')}.` }),
    reason: Type.String({ minLength: 1, maxLength: 4000, description: 'Why.' }),
  },
  { additionalProperties: false, description: 'A status change.' },
);

/** Query of the coverage of a zone. */
export const CoverageQuerySchema = Type.Object(
  {
    zone: Type.String({ minLength: 1, maxLength: 128, description: 'Zone id.' }),
    from: Time('Start of the window (event time, inclusive).'),
    to: Time('End of the window (exclusive); at most 31 days after from.'),
    resolution: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 15,
        description:
          'H3 resolution of the cells (default: chosen from the zone area for about 20,000 ' +
          'cells; coarser when the zone would have more than 200,000).',
      }),
    ),
  },
  { additionalProperties: false },
);

const Fraction = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });

/** A blind spot: cells never observed in the window, merged into a polygon. */
export const BlindSpotSchema = Type.Object(
  {
    type: Type.Literal('Feature'),
    properties: Type.Object({
      cause: Type.Union([Type.Literal('no-sensor'), Type.Literal('sensor-silent')], {
        description:
          'no-sensor: no registered sensor covers it; sensor-silent: sensors cover it, but ' +
          'none reported during the window.',
      }),
      areaKm2: Type.Number({ description: 'Approximate area, square kilometres.' }),
      notional: Type.Optional(Type.Boolean({ description: 'True for notional zones.' })),
      notice: Type.Optional(Type.String({ description: 'Label of notional geometry.' })),
    }),
    geometry: Type.Object({
      type: Type.Literal('Polygon'),
      coordinates: Type.Array(Type.Array(Type.Array(Type.Number())), {
        description: 'Rings of [lon, lat]: exterior counterclockwise, holes clockwise.',
      }),
    }),
  },
  { description: 'A blind spot.' },
);

/** One sensor's part in the coverage of a zone. */
export const SensorCoverageSchema = Type.Object(
  {
    sensorId: Type.String({ description: 'The sensor.' }),
    kind: Type.String({ description: 'Its kind.' }),
    reportValidityS: Type.Union([Type.Number(), Type.Null()], {
      description:
        'How long each report counted as the sensor being up, seconds: its heartbeat ' +
        'interval, or 900 without one; null for satellites, whose passes count instead.',
    }),
    upFraction: Type.Union([Fraction('Share of the window it was up.'), Type.Null()], {
      description: 'Share of the window it was up; null for satellites.',
    }),
    passes: Type.Optional(Type.Integer({ description: 'Satellites: passes in the window.' })),
    inRangeFraction: Fraction('Share of the zone in its coverage, whether it was up or not.'),
    areaFraction: Fraction('Share of the zone it observed at least once in the window.'),
    timeFraction: Fraction('Mean over the zone of the share of the window it observed.'),
  },
  { description: 'One sensor and its part in the coverage.' },
);

/** The coverage of a zone over a window. */
export const CoverageViewSchema = Type.Object(
  {
    zone: Type.String({ description: 'The zone.' }),
    zoneSpecVersion: Type.Integer({ description: 'Zone spec version of the geometry used.' }),
    from: Time('Start of the window.'),
    to: Time('End of the window evaluated: the one asked for, or the server clock if earlier.'),
    resolution: Type.Integer({ description: 'H3 resolution of the cells.' }),
    totalCells: Type.Integer({ description: 'Cells whose centres lie in the zone.' }),
    observedCells: Type.Integer({ description: 'Cells observed at least once in the window.' }),
    areaFraction: Fraction('Share of the zone observed at least once in the window.'),
    timeFraction: Fraction(
      'Mean over the zone of the share of the window during which some sensor observed it.',
    ),
    inRangeFraction: Fraction('Share of the zone some registered sensor covers, up or not.'),
    blindSpots: Type.Object(
      {
        type: Type.Literal('FeatureCollection'),
        features: Type.Array(BlindSpotSchema, { description: 'Largest first.' }),
      },
      { description: 'The parts of the zone never observed in the window (GeoJSON).' },
    ),
    sensors: Type.Array(SensorCoverageSchema, {
      description: 'The sensors whose coverage reaches the zone, by id.',
    }),
  },
  { description: 'What part of a zone was observed in a window, and where it was not.' },
);

/** A sensor, as registered. */
export { SensorSchema };

/** An incident view. */
export type IncidentView = Static<typeof IncidentViewSchema>;
