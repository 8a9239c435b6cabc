import { Type } from 'typebox';
import type { Static } from 'typebox';
import { IdSchema, OBSERVATION_KINDS } from '../observations/index.js';

const Terms = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
    minItems: 1,
    maxItems: 1000,
    uniqueItems: true,
    description,
  });

/** How severe a finding of a rule is. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** How severe a finding is. */
export type Severity = (typeof SEVERITIES)[number];

/** A time of day, HH:MM in UTC. */
const TimeOfDay = (description: string) =>
  Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description });

/** When a rule applies: an interval, and optionally only part of each day. */
export const RuleWindowSchema = Type.Object(
  {
    from: Type.Optional(
      Type.String({ format: 'date-time', description: 'The rule applies from (RFC 3339).' }),
    ),
    to: Type.Optional(
      Type.String({ format: 'date-time', description: 'The rule applies until (exclusive).' }),
    ),
    dailyFrom: Type.Optional(TimeOfDay('Start of the daily window, HH:MM UTC.')),
    dailyTo: Type.Optional(
      TimeOfDay(
        'End of the daily window, HH:MM UTC (exclusive; may be before dailyFrom: overnight).',
      ),
    ),
  },
  { additionalProperties: false, description: 'When the rule applies (event time).' },
);

/** How findings of a rule merge into incidents; overrides the rule set's defaults. */
export const MergeSchema = Type.Object(
  {
    distanceM: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 100_000,
        description:
          'Findings whose positions (with their error radii) come within this distance of an ' +
          'incident may be the same event, metres.',
      }),
    ),
    windowS: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 7 * 86_400,
        description: 'Findings within this time of an incident may be the same event, seconds.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Merge thresholds.' },
);

/**
 * A rule: which observations, where and when, are a finding of what severity. Every condition
 * given must hold; a list matches when the observation's value is in it.
 */
export const RuleSchema = Type.Object(
  {
    id: IdSchema('Rule identifier; findings and incidents refer to it.'),
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Short title.' }),
    description: Type.Optional(
      Type.String({ maxLength: 4000, description: 'The provision of the agreement it enforces.' }),
    ),
    severity: Type.Enum(SEVERITIES, { description: 'Severity of its findings.' }),
    kinds: Type.Array(Type.Enum(OBSERVATION_KINDS), {
      minItems: 1,
      uniqueItems: true,
      description: 'Observation kinds the rule looks at.',
    }),
    zones: Type.Optional(Terms('The position must be inside one of these zones (ids).')),
    zoneKinds: Type.Optional(
      Terms('The position must be inside a zone of one of these kinds (e.g. "crossing-point").'),
    ),
    exceptZones: Type.Optional(
      Terms(
        'No finding when the position is inside one of these zones (permit areas, or a zone ' +
          'a more specific rule covers).',
      ),
    ),
    parties: Type.Optional(
      Terms('Parties of the detected object ("unknown" when the sensor did not identify it).'),
    ),
    exceptParties: Type.Optional(Terms('Parties whose objects never make a finding.')),
    classes: Type.Optional(Terms('Equipment classes of the detected object.')),
    exceptClasses: Type.Optional(Terms('Equipment classes that never make a finding.')),
    activities: Type.Optional(Terms('Activities of the detected object (e.g. "firing").')),
    eventTypes: Type.Optional(Terms('Kinetic event types.')),
    interferenceTypes: Type.Optional(Terms('Interference types.')),
    targetOwners: Type.Optional(
      Terms(
        'Owners of the sensor interfered with (the target, else the reporting sensor), e.g. ' +
          '"mission".',
      ),
    ),
    window: Type.Optional(RuleWindowSchema),
    notifiable: Type.Optional(
      Type.Boolean({
        description:
          'Whether a prior notification by the party can authorize the activity (default true).',
      }),
    ),
    merge: Type.Optional(MergeSchema),
  },
  { additionalProperties: false, description: 'One rule of the agreement, as data.' },
);

/** A rule set: the rules in force and the default merge thresholds. */
export const RuleSetSchema = Type.Object(
  {
    version: Type.Optional(
      Type.String({ maxLength: 64, description: 'Free version label of the rule set.' }),
    ),
    merge: Type.Optional(MergeSchema),
    compatibleClasses: Type.Optional(
      Type.Array(Terms('Classes or event types that may describe the same thing.'), {
        maxItems: 100,
        description:
          'Groups of classes (and of event types) that sensors confuse, so findings naming ' +
          'different members of a group may merge into one incident.',
      }),
    ),
    rules: Type.Array(RuleSchema, { maxItems: 10_000, description: 'The rules.' }),
  },
  { additionalProperties: false, description: 'Rules of the agreement as data.' },
);

/** One rule. */
export type Rule = Static<typeof RuleSchema>;
/** A rule set. */
export type RuleSet = Static<typeof RuleSetSchema>;
