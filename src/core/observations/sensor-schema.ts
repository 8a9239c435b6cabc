import { Type } from 'typebox';
import type { Static } from 'typebox';
import { IdSchema } from './observation-schema.js';
import { RELIABILITY_GRADES, SENSOR_KINDS } from './taxonomy.js';

const LonLat = Type.Array(Type.Number(), {
  minItems: 2,
  maxItems: 2,
  description: '[longitude, latitude] in degrees WGS84.',
});

/** A satellite pass: when it images and the footprint on the ground. */
export const SatellitePassSchema = Type.Object(
  {
    at: Type.String({ format: 'date-time', description: 'Time of the image, RFC 3339.' }),
    footprint: Type.Array(LonLat, {
      minItems: 4,
      maxItems: 1000,
      description: 'The imaged area as a closed ring (first position repeated last).',
    }),
  },
  { additionalProperties: false, description: 'One satellite pass over the zone.' },
);

/** A sensor as registered by the mission. */
export const SensorSchema = Type.Object(
  {
    id: IdSchema('Sensor identifier, unique in the mission.'),
    name: Type.Optional(Type.String({ maxLength: 200, description: 'Display name.' })),
    kind: Type.Enum(SENSOR_KINDS, {
      description: 'What kind of sensor; decides how its coverage is derived.',
    }),
    owner: IdSchema('Organisation that owns the sensor and its data, e.g. "mission".'),
    position: Type.Optional(
      Type.Object(
        {
          lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude, degrees.' }),
          lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude, degrees.' }),
          altM: Type.Optional(Type.Number({ description: 'Altitude, metres.' })),
        },
        { additionalProperties: false, description: 'Where a fixed sensor stands.' },
      ),
    ),
    route: Type.Optional(
      Type.Array(LonLat, {
        minItems: 2,
        maxItems: 10_000,
        description: 'The route a UAV or patrol follows, as a line of positions.',
      }),
    ),
    rangeM: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 200_000,
        description:
          'Radius a camera, radar or acoustic array covers around its position, or half the ' +
          'swath of a UAV or patrol along its route, metres (default per kind).',
      }),
    ),
    passes: Type.Optional(
      Type.Array(SatellitePassSchema, {
        maxItems: 10_000,
        description: 'Satellite passes with their footprints.',
      }),
    ),
    reliability: Type.Enum(RELIABILITY_GRADES, {
      description: 'Source reliability grade A (reliable) to F (cannot be judged).',
    }),
    heartbeatIntervalS: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 30 * 86_400,
        description:
          'How often the sensor reports at least a heartbeat, seconds. A sensor silent for ' +
          'longer raises a sensor-outage finding. Absent: the sensor is not expected to report ' +
          'on a schedule (patrols, satellites).',
      }),
    ),
    positionErrorM: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100_000,
        description:
          'Error radius applied to its observations that carry none, metres (default per kind).',
      }),
    ),
  },
  { additionalProperties: false, description: 'A registered sensor.' },
);

/** A registered sensor. */
export type Sensor = Static<typeof SensorSchema>;
