import { Type } from 'typebox';
import type { Static } from 'typebox';

const Id = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
    description,
  });

const Instant = (description: string) => Type.String({ format: 'date-time', description });

/** A GeoJSON position: longitude and latitude in degrees (an altitude, if present, is ignored). */
export const PositionSchema = Type.Array(Type.Number(), {
  minItems: 2,
  maxItems: 3,
  description: 'A position [longitude, latitude] in degrees on WGS84 (RFC 7946 sec. 3.1.1).',
});

const Ring = Type.Array(PositionSchema, {
  minItems: 4,
  description: 'A closed linear ring: at least four positions, the last equal to the first.',
});

/** A GeoJSON Polygon or MultiPolygon (RFC 7946 sec. 3.1.6-3.1.7): edges are straight in lon/lat. */
export const AreaGeometrySchema = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal('Polygon', { description: 'GeoJSON geometry type.' }),
        coordinates: Type.Array(Ring, {
          minItems: 1,
          description: 'The exterior ring followed by any holes.',
        }),
      },
      { description: 'A GeoJSON Polygon.' },
    ),
    Type.Object(
      {
        type: Type.Literal('MultiPolygon', { description: 'GeoJSON geometry type.' }),
        coordinates: Type.Array(Type.Array(Ring, { minItems: 1 }), {
          minItems: 1,
          description: 'Polygons, each an exterior ring followed by any holes.',
        }),
      },
      { description: 'A GeoJSON MultiPolygon.' },
    ),
  ],
  { description: 'An area as a GeoJSON Polygon or MultiPolygon.' },
);

/** A party to the ceasefire. Parties are data: no party is known to the code. */
export const PartySchema = Type.Object(
  {
    id: Id('Party identifier used by lines, bands and observations, e.g. "A" or "UKR".'),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'Display name.' })),
  },
  { additionalProperties: false, description: 'A party to the ceasefire.' },
);

/** One version of a named reference line. */
export const ReferenceLineSchema = Type.Object(
  {
    id: Id('Name of the line; versions of the same line share it.'),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'Display name.' })),
    version: Type.Integer({ minimum: 1, description: 'Version number, unique per line id.' }),
    validFrom: Type.Optional(Instant('Start of validity (inclusive); unbounded when absent.')),
    validTo: Type.Optional(Instant('End of validity (exclusive); unbounded when absent.')),
    party: Type.Optional(
      Id(
        "The party whose own line this is (withdrawals measured from each side's own line, as under Minsk II).",
      ),
    ),
    sides: Type.Optional(
      Type.Object(
        {
          left: Type.Optional(Id('Party on the left of the line, looking along its direction.')),
          right: Type.Optional(Id('Party on the right of the line, looking along its direction.')),
        },
        { additionalProperties: false, description: 'Which party holds each side of the line.' },
      ),
    ),
    coordinates: Type.Array(PositionSchema, {
      minItems: 2,
      maxItems: 200_000,
      description: 'Vertices [lon, lat] joined by geodesics, in the direction of the line.',
    }),
  },
  { additionalProperties: false, description: 'A versioned reference line.' },
);

const AltitudeBand = Type.Object(
  {
    minM: Type.Optional(
      Type.Number({ description: 'Lowest altitude in metres above the WGS84 ellipsoid.' }),
    ),
    maxM: Type.Optional(
      Type.Number({ description: 'Highest altitude in metres above the WGS84 ellipsoid.' }),
    ),
  },
  { additionalProperties: false, description: 'Altitude band in which the zone applies.' },
);

const Ends = Type.Union([Type.Literal('square'), Type.Literal('extend')], {
  description:
    '"square": cut perpendicular to the line at its end points; "extend": continue along the line\'s extension (use with a clip polygon). Default: "square", or "extend" when a clip is given.',
});

const commonZoneFields = {
  id: Id('Zone identifier, unique in the spec.'),
  name: Type.Optional(Type.String({ maxLength: 200, description: 'Display name.' })),
  validFrom: Type.Optional(Instant('Start of validity (inclusive); unbounded when absent.')),
  validTo: Type.Optional(Instant('End of validity (exclusive); unbounded when absent.')),
  altitudeM: Type.Optional(AltitudeBand),
  properties: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'Free properties for rules and display (e.g. equipment classes, unit).',
    }),
  ),
};

/** A demilitarized strip either side of a line, asymmetric widths allowed. */
export const StripZoneSchema = Type.Object(
  {
    ...commonZoneFields,
    kind: Type.Literal('strip', { description: 'Zone kind.' }),
    line: Id('Reference line the strip follows.'),
    widthM: Type.Object(
      {
        left: Type.Number({
          minimum: 0,
          maximum: 1_000_000,
          description: 'Width on the left side, metres.',
        }),
        right: Type.Number({
          minimum: 0,
          maximum: 1_000_000,
          description: 'Width on the right side, metres.',
        }),
      },
      {
        additionalProperties: false,
        description: 'Geodesic width of the strip on each side of the line.',
      },
    ),
    ends: Type.Optional(Ends),
    clip: Type.Optional(AreaGeometrySchema),
  },
  { additionalProperties: false, description: 'A strip either side of a reference line.' },
);

/** A withdrawal band: distance from a party's own line, on that party's side. */
export const BandZoneSchema = Type.Object(
  {
    ...commonZoneFields,
    kind: Type.Literal('band', { description: 'Zone kind.' }),
    party: Id('The party the band applies to.'),
    line: Type.Optional(Id("Line measured from; default: the party's own line.")),
    side: Type.Optional(
      Type.Union([Type.Literal('left'), Type.Literal('right')], {
        description:
          "Side of the line the band lies on; default: the party's side per the line's `sides`.",
      }),
    ),
    minM: Type.Number({
      minimum: 0,
      maximum: 1_000_000,
      description: 'Inner distance from the line, metres.',
    }),
    maxM: Type.Number({
      minimum: 0,
      maximum: 1_000_000,
      description: 'Outer distance from the line, metres.',
    }),
    ends: Type.Optional(Ends),
    clip: Type.Optional(AreaGeometrySchema),
  },
  { additionalProperties: false, description: 'A withdrawal band on one side of a line.' },
);

/** A sector of responsibility: the part of a strip between two cuts across it. */
export const SectorZoneSchema = Type.Object(
  {
    ...commonZoneFields,
    kind: Type.Literal('sector', { description: 'Zone kind.' }),
    strip: Id('The strip zone this sector is part of.'),
    fromM: Type.Number({
      minimum: 0,
      description: "Start of the sector along the strip's line, metres from its first vertex.",
    }),
    toM: Type.Number({
      minimum: 0,
      description: "End of the sector along the strip's line, metres from its first vertex.",
    }),
  },
  { additionalProperties: false, description: 'A sector of a strip between two square cuts.' },
);

/** The kinds of explicit-area zones. */
export const AREA_ZONE_KINDS = [
  'disengagement-area',
  'crossing-point',
  'holding-site',
  'permit-area',
  'no-fly',
  'area',
] as const;

/** The kind of an explicit-area zone. */
export type AreaZoneKind = (typeof AREA_ZONE_KINDS)[number];

/** An explicit area: a polygon, or the same area as another zone (`over`). */
export const AreaZoneSchema = Type.Object(
  {
    ...commonZoneFields,
    kind: Type.Union(
      [
        Type.Literal('disengagement-area'),
        Type.Literal('crossing-point'),
        Type.Literal('holding-site'),
        Type.Literal('permit-area'),
        Type.Literal('no-fly'),
        Type.Literal('area'),
      ],
      { description: 'Zone kind.' },
    ),
    geometry: Type.Optional(AreaGeometrySchema),
    over: Type.Optional(
      Id('Another zone whose area this zone covers (e.g. a no-fly zone over the strip).'),
    ),
  },
  {
    additionalProperties: false,
    description: 'An explicit-area zone: give `geometry` or `over`, not both.',
  },
);

/** Every zone kind that a spec may contain. */
export const ZONE_KINDS = ['strip', 'band', 'sector', ...AREA_ZONE_KINDS] as const;

/** The schema of each zone kind, so that errors name the fields of the kind given. */
export const ZONE_SCHEMA_BY_KIND = {
  strip: StripZoneSchema,
  band: BandZoneSchema,
  sector: SectorZoneSchema,
  area: AreaZoneSchema,
} as const;

/** Any zone. */
export const ZoneSchema = Type.Union(
  [StripZoneSchema, BandZoneSchema, SectorZoneSchema, AreaZoneSchema],
  {
    description: 'A zone: strip, band, sector or explicit area.',
  },
);

/** A zone spec: parties, versioned reference lines and zones. Documented in docs/zones.md. */
export const ZoneSpecSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Name of the zone set.' }),
    description: Type.Optional(
      Type.String({
        maxLength: 5000,
        description: 'What the zone set is and where it comes from.',
      }),
    ),
    notional: Type.Optional(
      Type.Boolean({
        description:
          'True when the geometry is notional (demonstration only); shown wherever it is displayed.',
      }),
    ),
    parties: Type.Optional(
      Type.Array(PartySchema, { maxItems: 64, description: 'The parties to the ceasefire.' }),
    ),
    primaryLine: Type.Optional(
      Id(
        'The line whose side and distance are reported for every position; default: the first line.',
      ),
    ),
    lines: Type.Array(ReferenceLineSchema, {
      maxItems: 1000,
      description: 'Reference lines, all versions.',
    }),
    zones: Type.Array(Type.Object({ kind: Type.String() }, { additionalProperties: true }), {
      maxItems: 10_000,
      description: 'Zones; each is validated against the schema of its kind.',
    }),
  },
  { additionalProperties: false, description: 'A zone spec.' },
);

/** A GeoJSON Polygon or MultiPolygon. */
export type AreaGeometry = Static<typeof AreaGeometrySchema>;
/** A party. */
export type Party = Static<typeof PartySchema>;
/** One version of a reference line. */
export type ReferenceLine = Static<typeof ReferenceLineSchema>;
/** A strip zone. */
export type StripZone = Static<typeof StripZoneSchema>;
/** A band zone. */
export type BandZone = Static<typeof BandZoneSchema>;
/** A sector zone. */
export type SectorZone = Static<typeof SectorZoneSchema>;
/** An explicit-area zone. */
export type AreaZone = Static<typeof AreaZoneSchema>;
/** Any zone. */
export type Zone = StripZone | BandZone | SectorZone | AreaZone;
/** A zone spec after validation. */
export type ZoneSpec = Omit<Static<typeof ZoneSpecSchema>, 'zones'> & { zones: Zone[] };
