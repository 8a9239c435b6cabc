import { Type } from 'typebox';
import type { Static } from 'typebox';
import { IdSchema, RELIABILITY_GRADES } from '../core/observations/index.js';

const Num = (description: string, limits: { minimum?: number; maximum?: number } = {}) =>
  Type.Number({ ...limits, description });

const Seconds = (description: string) => Num(description, { minimum: 0, maximum: 30 * 86_400 });

const Probability = (description: string) => Num(description, { minimum: 0, maximum: 1 });

const Term = (description: string) =>
  Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$', description });

const Name = Type.Optional(Type.String({ maxLength: 200, description: 'Display name.' }));

const Reliability = Type.Optional(
  Type.Union(
    RELIABILITY_GRADES.map((g) => Type.Literal(g)),
    { description: 'Source reliability grade A to F registered for the sensor (default B).' },
  ),
);

const Owner = Type.Optional(
  IdSchema('Organisation that owns the sensor (default: the scenario `owner`).'),
);

/** A closed interval of numbers, `min` to `max`. */
export const RangeSchema = Type.Object(
  {
    min: Num('Smallest value.'),
    max: Num('Largest value (at least `min`).'),
  },
  { additionalProperties: false, description: 'An interval of values, min to max.' },
);

/**
 * A position, in one of three forms: absolute (`lon`, `lat`); relative to the primary line of
 * the zone spec (`alongKm`, `distanceKm`, `side`); or the centre of an area zone (`zone`).
 */
export const PlaceSchema = Type.Object(
  {
    lon: Type.Optional(Num('Longitude, degrees WGS84.', { minimum: -180, maximum: 180 })),
    lat: Type.Optional(Num('Latitude, degrees WGS84.', { minimum: -90, maximum: 90 })),
    alongKm: Type.Optional(
      Num('Distance along the primary line from its first vertex, km.', { minimum: -1000 }),
    ),
    distanceKm: Type.Optional(
      Num('Distance from the line, perpendicular to it at `alongKm`, km (default 0).', {
        minimum: 0,
        maximum: 1000,
      }),
    ),
    side: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'Side of the line: a party id of the zone spec (the side that party holds), or ' +
          '`left` or `right` (looking along the line). Needed when `distanceKm` > 0.',
      }),
    ),
    zone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'An area zone of the spec (with `geometry`): the centre of its polygon.',
      }),
    ),
  },
  { additionalProperties: false, description: 'A position on the demo zones.' },
);

/** Places spread evenly along the primary line. */
export const SpreadSchema = Type.Object(
  {
    fromKm: Num('Along-line position of the first place, km.', { minimum: -1000 }),
    toKm: Num('Along-line position of the last place, km.', { minimum: -1000 }),
    count: Type.Integer({ minimum: 1, maximum: 1000, description: 'Number of places.' }),
    distanceKm: Num('Distance of every place from the line, km.', { minimum: 0, maximum: 1000 }),
    sides: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      minItems: 1,
      maxItems: 16,
      description: 'Sides (as for a place) taken in turn by successive places.',
    }),
  },
  { additionalProperties: false, description: 'Places spread evenly along the primary line.' },
);

/** The noise model of one kind of sensor; every field has a default per kind. */
export const NoiseSchema = Type.Object(
  {
    detectionProbability: Type.Optional(
      Probability('Chance that one look detects an object in coverage (or hears an event).'),
    ),
    positionErrorM: Type.Optional(
      Num(
        '95% radius of the horizontal position error, metres; reported as `uncertaintyM` ' +
          '(errors are drawn from a circular normal distribution).',
        { minimum: 0, maximum: 100_000 },
      ),
    ),
    altitudeErrorM: Type.Optional(
      Num('Standard deviation of the altitude error of airborne objects, metres.', {
        minimum: 0,
        maximum: 10_000,
      }),
    ),
    misclassificationRate: Type.Optional(
      Probability(
        'Chance that a detection names another class (or event type) of the same confusion group.',
      ),
    ),
    partyIdentificationRate: Type.Optional(
      Probability('Chance that a detection of a party object names its party.'),
    ),
    falseAlarmRate: Type.Optional(
      Num(
        'False detections (false events for acoustic arrays) per sensor per hour of operation; ' +
          'per pass for satellites. Placed uniformly in the coverage.',
        { minimum: 0, maximum: 10_000 },
      ),
    ),
    falseAlarmAs: Type.Optional(
      Type.Array(Term('A class (an event type for acoustic arrays).'), {
        minItems: 1,
        maxItems: 32,
        description: 'Classes (event types for acoustic arrays) that false alarms are given.',
      }),
    ),
    duplicateRate: Type.Optional(
      Probability('Chance that an observation is delivered a second time (same id).'),
    ),
    duplicateDelayS: Type.Optional(RangeSchema),
    latencyS: Type.Optional(RangeSchema),
    lateRate: Type.Optional(
      Probability('Chance that a delivery is held back by an extra `lateDelayS`.'),
    ),
    lateDelayS: Type.Optional(RangeSchema),
    bearingErrorDeg: Type.Optional(
      Num('Standard deviation of an acoustic bearing, degrees.', { minimum: 0, maximum: 45 }),
    ),
    rangeErrorFraction: Type.Optional(
      Probability('Standard deviation of an acoustic range estimate, as a fraction of the range.'),
    ),
  },
  { additionalProperties: false, description: 'Noise of one kind of sensor.' },
);

const HeartbeatInterval = Type.Optional(
  Num('Heartbeat interval registered and emitted, seconds (default 60).', {
    minimum: 1,
    maximum: 86_400,
  }),
);

const LookInterval = (fallback: number) =>
  Type.Optional(
    Num(`Time between looks (detection reports), seconds (default ${fallback}).`, {
      minimum: 1,
      maximum: 86_400,
    }),
  );

const Places = (description: string) =>
  Type.Array(PlaceSchema, { minItems: 1, maxItems: 1000, description });

/** Fixed cameras: one sensor per place. */
export const CameraGroupSchema = Type.Object(
  {
    id: IdSchema('Sensor id; with several places, `ID-01`, `ID-02`, ...'),
    name: Name,
    at: Type.Optional(Places('Where the cameras stand, one sensor each.')),
    spread: Type.Optional(SpreadSchema),
    rangeM: Num('Radius the camera sees, metres.', { minimum: 1, maximum: 100_000 }),
    lookIntervalS: LookInterval(60),
    heartbeatIntervalS: HeartbeatInterval,
    reliability: Reliability,
    owner: Owner,
  },
  { additionalProperties: false, description: 'Fixed cameras (give `at` or `spread`).' },
);

/** Acoustic arrays: one sensor per place; they hear kinetic events and report bearing and range. */
export const AcousticGroupSchema = Type.Object(
  {
    id: IdSchema('Sensor id; with several places, `ID-01`, `ID-02`, ...'),
    name: Name,
    at: Type.Optional(Places('Where the arrays stand, one sensor each.')),
    spread: Type.Optional(SpreadSchema),
    rangeM: Num('Radius within which the array hears events, metres.', {
      minimum: 1,
      maximum: 100_000,
    }),
    heartbeatIntervalS: HeartbeatInterval,
    reliability: Reliability,
    owner: Owner,
  },
  { additionalProperties: false, description: 'Acoustic arrays (give `at` or `spread`).' },
);

/** Repeated flights or patrols: a first start, a period and a duration. */
export const ScheduleSchema = Type.Object(
  {
    firstS: Seconds('Start of the first one, seconds from the scenario start.'),
    everyS: Num('Time from one start to the next, seconds.', { minimum: 1, maximum: 30 * 86_400 }),
    durationS: Type.Optional(
      Num('How long each lasts, seconds (patrols: default out and back along the route).', {
        minimum: 1,
        maximum: 30 * 86_400,
      }),
    ),
    count: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10_000, description: 'Most starts (default: all).' }),
    ),
  },
  { additionalProperties: false, description: 'A repeating schedule.' },
);

/** A mission UAV flying a patrol route back and forth during its sorties. */
export const UavSchema = Type.Object(
  {
    id: IdSchema('Sensor id.'),
    name: Name,
    route: Type.Array(PlaceSchema, { minItems: 2, maxItems: 1000, description: 'The route.' }),
    altitudeM: Num('Flight altitude, metres above the ellipsoid.', { minimum: 0, maximum: 20_000 }),
    speedKmh: Num('Ground speed, km/h.', { minimum: 1, maximum: 1000 }),
    rangeM: Num('Half the swath: distance from the track it sees, metres.', {
      minimum: 1,
      maximum: 100_000,
    }),
    lookIntervalS: LookInterval(30),
    sorties: ScheduleSchema,
    class: Type.Optional(
      Type.Union([Type.Literal('uav-small'), Type.Literal('uav-large')], {
        description: 'Class others see it as (default uav-large).',
      }),
    ),
    reliability: Reliability,
    owner: Owner,
  },
  { additionalProperties: false, description: 'A mission UAV.' },
);

/** An imaging satellite: a pass every `revisitS`, each over the next target in turn. */
export const SatelliteSchema = Type.Object(
  {
    id: IdSchema('Sensor id.'),
    name: Name,
    firstPassS: Seconds('Time of the first pass, seconds from the scenario start.'),
    revisitS: Num('Time between passes, seconds.', { minimum: 60, maximum: 30 * 86_400 }),
    footprintKm: Type.Object(
      {
        widthKm: Num('East-west extent, km.', { minimum: 0.1, maximum: 1000 }),
        heightKm: Num('North-south extent, km.', { minimum: 0.1, maximum: 1000 }),
      },
      { additionalProperties: false, description: 'Size of the imaged rectangle.' },
    ),
    targets: Places('Centres of the footprints, taken in turn pass after pass.'),
    reliability: Reliability,
    owner: Owner,
  },
  { additionalProperties: false, description: 'An imaging satellite.' },
);

/** A foot or vehicle patrol walking or driving a route out and back. */
export const PatrolSchema = Type.Object(
  {
    id: IdSchema('Sensor id (the patrol team).'),
    name: Name,
    route: Type.Array(PlaceSchema, { minItems: 2, maxItems: 1000, description: 'The route.' }),
    speedKmh: Num('Speed, km/h.', { minimum: 0.5, maximum: 200 }),
    rangeM: Num('Distance from the patrol it sees, metres.', { minimum: 1, maximum: 50_000 }),
    lookIntervalS: LookInterval(300),
    departures: ScheduleSchema,
    reliability: Reliability,
    owner: Owner,
  },
  { additionalProperties: false, description: 'A foot or vehicle patrol.' },
);

/** Units of one party and class moving about behind their line, outside every rule's zone. */
export const ForceGroupSchema = Type.Object(
  {
    id: IdSchema('Group id (object ids derive from it).'),
    party: Type.String({ minLength: 1, maxLength: 64, description: 'Party (of the zone spec).' }),
    class: Term('Equipment class.'),
    units: Type.Integer({ minimum: 1, maximum: 10_000, description: 'Number of units.' }),
    countPerUnit: RangeSchema,
    distanceKm: RangeSchema,
    alongKm: Type.Optional(RangeSchema),
    speedKmh: Num('Speed while moving, km/h.', { minimum: 0, maximum: 200 }),
    dwellS: RangeSchema,
  },
  {
    additionalProperties: false,
    description:
      "Background forces: `units` units on the party's own side, `distanceKm` from the line " +
      '(the range must keep them outside every zone a rule applies to their class), moving ' +
      'between waypoints at `speedKmh` and resting `dwellS` at each.',
  },
);

/** Civilian vehicles crossing the line at crossing points. */
export const TrafficSchema = Type.Object(
  {
    id: IdSchema('Traffic id (object ids derive from it).'),
    crossings: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
      minItems: 1,
      maxItems: 1000,
      description: 'Crossing-point zones (area zones) the vehicles pass through.',
    }),
    vehiclesPerHour: Num('Mean vehicles per hour at each crossing (Poisson).', {
      minimum: 0,
      maximum: 10_000,
    }),
    speedKmh: Num('Speed, km/h.', { minimum: 1, maximum: 200 }),
    approachKm: Num('Distance driven on each side of the crossing, km.', {
      minimum: 0.1,
      maximum: 100,
    }),
  },
  { additionalProperties: false, description: 'Civilian traffic through crossing points.' },
);

const ViolationCommon = {
  id: IdSchema('Violation id; the truth lists it.'),
  rule: IdSchema('The rule of the rule set it breaks (for the truth and scoring).'),
  alsoRules: Type.Optional(
    Type.Array(IdSchema('A rule id.'), {
      maxItems: 16,
      description:
        'Other rules the same activity breaks (a party UAV over the strip may break a rule on ' +
        'forces in the strip too): incidents of these rules that match it are not false.',
    }),
  ),
  startS: Seconds('When it starts, seconds from the scenario start.'),
  durationS: Num('How long it lasts, seconds.', { minimum: 1, maximum: 30 * 86_400 }),
};

const ZoneRef = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });

/** Equipment or personnel where a rule forbids them. */
export const ForcesViolationSchema = Type.Object(
  {
    ...ViolationCommon,
    zone: ZoneRef('Zone every position must be inside (checked when generating).'),
    party: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Party the object belongs to.',
    }),
    class: Term('Equipment class.'),
    count: Type.Integer({ minimum: 1, maximum: 10_000, description: 'How many.' }),
    at: PlaceSchema,
    moveTo: Type.Optional(PlaceSchema),
    activity: Type.Optional(Term('Activity reported, e.g. "moving" or "digging".')),
  },
  {
    additionalProperties: false,
    description: 'Forces present from `at` (moving to `moveTo` over the duration, if given).',
  },
);

/** Fire (kinetic events) inside a zone. */
export const FireViolationSchema = Type.Object(
  {
    ...ViolationCommon,
    zone: ZoneRef('Zone every event must be inside (checked when generating).'),
    party: Type.String({ minLength: 1, maxLength: 64, description: 'Party firing.' }),
    eventType: Term('Kinetic event type, e.g. "small-arms" or "explosion-impact".'),
    at: PlaceSchema,
    rounds: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      description: 'Number of events, uniform in time.',
    }),
    spreadM: Num('Events fall within this distance of `at`, metres.', {
      minimum: 0,
      maximum: 10_000,
    }),
  },
  { additionalProperties: false, description: 'Fire inside a zone.' },
);

/** An artillery duel: guns behind each line firing at targets in the strip on the other side. */
export const DuelViolationSchema = Type.Object(
  {
    ...ViolationCommon,
    zone: ZoneRef('Zone every impact must be inside (checked when generating).'),
    alongKm: Num('Along-line position of the duel, km.', { minimum: -1000 }),
    parties: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        minItems: 2,
        maxItems: 2,
        description: "The two parties (default: the primary line's left and right parties).",
      }),
    ),
    gunDistanceKm: Num('Distance of each battery behind its own side of the line, km.', {
      minimum: 0,
      maximum: 500,
    }),
    targetDistanceKm: Num("Distance of each target on the opponent's side of the line, km.", {
      minimum: 0,
      maximum: 500,
    }),
    roundsPerSide: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      description: 'Rounds each battery fires.',
    }),
    spreadM: Num('Impacts fall within this distance of the target, metres.', {
      minimum: 0,
      maximum: 10_000,
    }),
  },
  {
    additionalProperties: false,
    description:
      'An artillery duel: two violations (one per firing party, id `ID-PARTY`); outgoing ' +
      'fire at the batteries and impacts at the targets, heard as kinetic events.',
  },
);

/** A UAV of a party flying in a no-fly zone. */
export const UavFlightViolationSchema = Type.Object(
  {
    ...ViolationCommon,
    zone: ZoneRef('Zone every position (with the altitude) must be inside.'),
    party: Type.String({ minLength: 1, maxLength: 64, description: 'Party flying it.' }),
    class: Type.Union([Type.Literal('uav-small'), Type.Literal('uav-large')], {
      description: 'UAV class.',
    }),
    altitudeM: Num('Altitude, metres.', { minimum: 0, maximum: 20_000 }),
    route: Type.Array(PlaceSchema, { minItems: 1, maxItems: 1000, description: 'Flown once.' }),
  },
  { additionalProperties: false, description: 'A party UAV in a no-fly zone.' },
);

/** Interference with a sensor: jamming, spoofing, disabling it or firing at it. */
export const InterferenceViolationSchema = Type.Object(
  {
    ...ViolationCommon,
    type: Term('Interference type, e.g. "gps-jamming" or "camera-outage".'),
    target: IdSchema('The sensor interfered with.'),
    reporter: Type.Optional(IdSchema('The sensor that reports it (default: the target).')),
    party: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Party responsible, if known.' }),
    ),
    effect: Type.Optional(
      Type.Union([Type.Literal('outage'), Type.Literal('degraded'), Type.Literal('none')], {
        description:
          'What it does to the target: `outage` silences it for the duration; `degraded` ' +
          'multiplies its position error by `errorFactor`. Default: outage for camera-outage, ' +
          'uav-loss and fire-at-asset, degraded for gps-jamming and gps-spoofing.',
      }),
    ),
    errorFactor: Type.Optional(
      Num('Position error multiplier while degraded (default 5).', { minimum: 1, maximum: 1000 }),
    ),
    repeatEveryS: Type.Optional(
      Num('The reporter reports it again this often while it lasts, seconds (default 600).', {
        minimum: 10,
        maximum: 86_400,
      }),
    ),
  },
  { additionalProperties: false, description: 'Interference with a sensor.' },
);

/** A technical outage of a sensor (not a violation): it is silent for the duration. */
export const OutageSchema = Type.Object(
  {
    sensor: IdSchema('The sensor.'),
    startS: Seconds('Start, seconds from the scenario start.'),
    durationS: Num('Length, seconds.', { minimum: 1, maximum: 30 * 86_400 }),
    cause: Type.Optional(Type.String({ maxLength: 200, description: 'Why, for the truth.' })),
  },
  { additionalProperties: false, description: 'A sensor outage.' },
);

const List = <T extends Parameters<typeof Type.Array>[0]>(item: T, description: string) =>
  Type.Optional(Type.Array(item, { maxItems: 10_000, description }));

/** A simulation scenario: a sensor network, activity, violations, outages and noise. */
export const ScenarioSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Scenario name.' }),
    description: Type.Optional(Type.String({ maxLength: 5000, description: 'What it shows.' })),
    notional: Type.Optional(
      Type.Boolean({ description: 'True when the scenario is for demonstration only.' }),
    ),
    durationS: Num('Simulated time span, seconds.', { minimum: 60, maximum: 30 * 86_400 }),
    owner: Type.Optional(IdSchema('Default owner of the sensors (default "mission").')),
    noise: Type.Optional(
      Type.Object(
        {
          camera: Type.Optional(NoiseSchema),
          acoustic: Type.Optional(NoiseSchema),
          uav: Type.Optional(NoiseSchema),
          satellite: Type.Optional(NoiseSchema),
          patrol: Type.Optional(NoiseSchema),
        },
        { additionalProperties: false, description: 'Noise per sensor kind (over defaults).' },
      ),
    ),
    confusionGroups: Type.Optional(
      Type.Array(Type.Array(Term('A class or event type.'), { minItems: 2, maxItems: 64 }), {
        maxItems: 64,
        description:
          'Groups of classes and event types a sensor may confuse (default: those of the demo ' +
          'rule set). A misclassified detection names another member of its group.',
      }),
    ),
    sensors: Type.Object(
      {
        cameras: List(CameraGroupSchema, 'Fixed cameras.'),
        acoustic: List(AcousticGroupSchema, 'Acoustic arrays.'),
        uavs: List(UavSchema, 'Mission UAVs.'),
        satellites: List(SatelliteSchema, 'Imaging satellites.'),
        patrols: List(PatrolSchema, 'Foot and vehicle patrols.'),
      },
      { additionalProperties: false, description: 'The sensor network.' },
    ),
    background: Type.Optional(
      Type.Object(
        {
          forces: List(ForceGroupSchema, 'Forces moving behind their lines.'),
          traffic: List(TrafficSchema, 'Civilian traffic through crossing points.'),
        },
        { additionalProperties: false, description: 'Lawful activity.' },
      ),
    ),
    violations: Type.Optional(
      Type.Object(
        {
          forces: List(ForcesViolationSchema, 'Forces where a rule forbids them.'),
          fire: List(FireViolationSchema, 'Fire inside a zone.'),
          duels: List(DuelViolationSchema, 'Artillery duels.'),
          uavFlights: List(UavFlightViolationSchema, 'Party UAVs in a no-fly zone.'),
          interference: List(InterferenceViolationSchema, 'Interference with sensors.'),
        },
        { additionalProperties: false, description: 'Scheduled violations (the ground truth).' },
      ),
    ),
    outages: List(OutageSchema, 'Technical sensor outages.'),
  },
  { additionalProperties: false, description: 'A simulation scenario.' },
);

/** A simulation scenario. */
export type Scenario = Static<typeof ScenarioSchema>;
/** A position in one of the three place forms. */
export type Place = Static<typeof PlaceSchema>;
/** Places spread along the line. */
export type Spread = Static<typeof SpreadSchema>;
/** Noise of one kind of sensor, as given. */
export type NoiseInput = Static<typeof NoiseSchema>;
/** An interval of values. */
export type Range = Static<typeof RangeSchema>;
/** A repeating schedule. */
export type Schedule = Static<typeof ScheduleSchema>;
