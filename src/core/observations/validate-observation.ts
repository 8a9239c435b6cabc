import type { TSchema } from 'typebox';
import { nonFiniteErrors, schemaErrors } from '../errors/index.js';
import type { PathError } from '../errors/index.js';
import {
  BearingPositionSchema,
  ObservationSchema,
  PointPositionSchema,
} from './observation-schema.js';
import type { Observation } from './observation-schema.js';
import { EQUIPMENT_CLASSES, INTERFERENCE_TYPES, KINETIC_EVENT_TYPES } from './taxonomy.js';

/** The terms observations may use; a deployment may extend the defaults. */
export interface ObservationVocabulary {
  /** Equipment classes of detections. */
  readonly classes: ReadonlySet<string>;
  /** Kinetic event types. */
  readonly eventTypes: ReadonlySet<string>;
  /** Interference types. */
  readonly interferenceTypes: ReadonlySet<string>;
}

/** The vocabulary of the taxonomy, extended by the given extra classes and types. */
export function createVocabulary(
  extra: {
    classes?: readonly string[];
    eventTypes?: readonly string[];
    interferenceTypes?: readonly string[];
  } = {},
): ObservationVocabulary {
  return {
    classes: new Set([...EQUIPMENT_CLASSES, ...(extra.classes ?? [])]),
    eventTypes: new Set([...KINETIC_EVENT_TYPES, ...(extra.eventTypes ?? [])]),
    interferenceTypes: new Set([...INTERFERENCE_TYPES, ...(extra.interferenceTypes ?? [])]),
  };
}

/** The outcome of validating one observation. */
export type ObservationValidation =
  { ok: true; observation: Observation; observedAtMs: number } | { ok: false; errors: PathError[] };

/** RFC 3339 sec. 5.6 `date-time`: a full date, a time, and a zone offset or Z. */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses an RFC 3339 date-time (sec. 5.6) to Unix milliseconds, or NaN if it is not one. A leap
 * second (:60) counts as the last millisecond of its minute, as POSIX time has no leap seconds.
 */
export function parseRfc3339(text: string): number {
  const m = RFC3339.exec(text);
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  const leapYear =
    (year as number) % 4 === 0 && ((year as number) % 100 !== 0 || (year as number) % 400 === 0);
  const monthDays = month === 2 && !leapYear ? 28 : (DAYS_IN_MONTH[(month as number) - 1] ?? 0);
  if ((day as number) < 1 || (day as number) > monthDays) return NaN;
  if ((hour as number) > 23 || (minute as number) > 59 || (second as number) > 60) return NaN;
  const leap = second === 60;
  const normalised = (leap ? text.slice(0, 17) + '59' + text.slice(19) : text).toUpperCase();
  const ms = Date.parse(normalised);
  if (!Number.isFinite(ms)) return NaN;
  return leap ? Math.floor(ms / 1000) * 1000 + 999 : ms;
}

/** Which payload field each kind takes; a record of one kind may not carry another's. */
const PAYLOAD: Record<Observation['kind'], 'object' | 'event' | 'interference' | 'report' | null> =
  {
    detection: 'object',
    kinetic: 'event',
    interference: 'interference',
    report: 'report',
    heartbeat: null,
  };
const PAYLOADS = ['object', 'event', 'interference', 'report'] as const;

function positionErrors(position: unknown, kind: unknown): PathError[] {
  if (typeof position !== 'object' || position === null || Array.isArray(position)) {
    return [{ path: '/position', code: 'SCHEMA', message: 'must be an object' }];
  }
  const isBearing = 'bearingDeg' in position;
  const schema: TSchema = isBearing ? BearingPositionSchema : PointPositionSchema;
  const errors = schemaErrors(schema, position, '/position');
  if (errors.length > 0) return errors;
  if (isBearing) {
    const b = position as unknown as { minRangeM: number; maxRangeM: number };
    if (kind !== 'kinetic') {
      errors.push({
        path: '/position/bearingDeg',
        code: 'FIELD_NOT_ALLOWED',
        message: 'a bearing and range position is only for kinetic observations',
      });
    }
    if (b.minRangeM > b.maxRangeM) {
      errors.push({
        path: '/position/minRangeM',
        code: 'INVALID_RANGE',
        message: `minRangeM ${b.minRangeM} is greater than maxRangeM ${b.maxRangeM}`,
      });
    }
  }
  return errors;
}

function termError(
  path: string,
  value: string,
  terms: ReadonlySet<string>,
  what: string,
): PathError[] {
  if (terms.has(value)) return [];
  return [{ path, code: 'UNKNOWN_TERM', message: `'${value}' is not a known ${what}` }];
}

function payloadErrors(o: Observation, vocab: ObservationVocabulary): PathError[] {
  const errors: PathError[] = [];
  const needed = PAYLOAD[o.kind];
  for (const field of PAYLOADS) {
    if (field !== needed && o[field] !== undefined) {
      errors.push({
        path: `/${field}`,
        code: 'FIELD_NOT_ALLOWED',
        message: `a ${o.kind} observation does not take '${field}'`,
      });
    }
  }
  if (needed && o[needed] === undefined) {
    errors.push({
      path: `/${needed}`,
      code: 'MISSING_FIELD',
      message: `a ${o.kind} observation needs '${needed}'`,
    });
  }
  if (o.object) errors.push(...termError('/object/class', o.object.class, vocab.classes, 'class'));
  if (o.event) {
    errors.push(...termError('/event/type', o.event.type, vocab.eventTypes, 'event type'));
  }
  if (o.interference) {
    errors.push(
      ...termError(
        '/interference/type',
        o.interference.type,
        vocab.interferenceTypes,
        'interference type',
      ),
    );
  }
  if ((o.kind === 'detection' || o.kind === 'kinetic') && o.position === undefined) {
    errors.push({
      path: '/position',
      code: 'MISSING_FIELD',
      message: `a ${o.kind} observation needs a position`,
    });
  }
  return errors;
}

/**
 * Validates one observation as submitted (already parsed from JSON) and returns it typed, with
 * its event time in Unix milliseconds, or every fault found with its JSON Pointer. Checks shape
 * and types, finite numbers, coordinate ranges, the RFC 3339 timestamp, that each kind carries
 * its own payload and no other's, and the vocabulary of classes and types.
 */
export function validateObservation(
  value: unknown,
  vocab: ObservationVocabulary,
): ObservationValidation {
  const notFinite = nonFiniteErrors(value, '');
  if (notFinite.length > 0) return { ok: false, errors: notFinite };
  const errors = schemaErrors(ObservationSchema, value, '', ['/position']);
  const record = value as Record<string, unknown> | null;
  if (typeof record === 'object' && record !== null && record.position !== undefined) {
    errors.push(...positionErrors(record.position, record.kind));
  }
  if (errors.length > 0) return { ok: false, errors };
  const o = value as Observation;
  const observedAtMs = parseRfc3339(o.observedAt);
  if (Number.isNaN(observedAtMs)) {
    errors.push({
      path: '/observedAt',
      code: 'INVALID_TIME',
      message: `'${o.observedAt}' is not an RFC 3339 date-time with a time zone`,
    });
  }
  errors.push(...payloadErrors(o, vocab));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, observation: o, observedAtMs };
}
