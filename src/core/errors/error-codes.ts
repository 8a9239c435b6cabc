/**
 * Every stable error code of Armistice with what it means. Codes never change meaning; new
 * codes are added here. Adapters map them to transport statuses; docs quote this table.
 */
export const ERROR_CODES = {
  SCHEMA: 'The value does not have the shape or type the schema requires.',
  INVALID_JSON: 'The input is not valid JSON.',
  NOT_FINITE: 'A number is NaN or infinite.',
  LAT_OUT_OF_RANGE: 'A latitude is outside -90..90 degrees.',
  LON_OUT_OF_RANGE: 'A longitude is outside -180..180 degrees.',
  ANTIMERIDIAN: 'A line or ring crosses the antimeridian, which is not supported.',
  UNCLOSED_RING: 'A polygon ring does not end at its first position.',
  SELF_INTERSECTION: 'A line or polygon crosses itself.',
  DUPLICATE_VERTEX: 'Two consecutive vertices of a line are the same position.',
  DUPLICATE_ID: 'An identifier is used twice.',
  UNKNOWN_LINE: 'A zone refers to a reference line that the spec does not define.',
  UNKNOWN_ZONE: 'A zone refers to another zone that the spec does not define.',
  UNKNOWN_PARTY: 'A reference names a party that the spec does not list.',
  NOT_A_STRIP: 'A sector refers to a zone that is not a strip.',
  SIDE_UNRESOLVED:
    "A band's side of the line cannot be determined: give `side` or the line's `sides`.",
  BAND_MIN_GT_MAX: 'A band has minM greater than maxM.',
  ZERO_WIDTH: 'A strip has zero width on both sides, or a band has zero depth.',
  INVALID_INTERVAL: 'A validity interval ends before it starts.',
  VERSION_OVERLAP: 'Two versions of the same line are in force at the same time.',
  LINE_NOT_IN_FORCE: 'A zone is in force at a time when its line has no version in force.',
  INVALID_RANGE: 'A range ends before it starts.',
  SECTOR_OUT_OF_RANGE: "A sector lies beyond the end of its strip's line.",
  SECTOR_OVERLAP: 'Two sectors of the same strip overlap in place and time.',
  GEOMETRY_REQUIRED: 'An area zone needs exactly one of `geometry` or `over`.',
  CYCLE: 'Zones refer to each other in a cycle through `over`.',
  ALTITUDE_MIN_GT_MAX: 'An altitude band has minM greater than maxM.',
  UNKNOWN_KIND: 'The zone kind is not one of the known kinds.',
  EXTENSION_CROSSES_LINE: "The line's extension past its ends crosses the line.",
  INVALID_INPUT: 'An input record is malformed.',
  TOO_LARGE: 'The input exceeds a size limit.',
  INVALID_TIME: 'A timestamp is not an RFC 3339 date-time with a time zone.',
  CLOCK_SKEW: 'A timestamp lies further in the future than the allowed clock skew.',
  MISSING_FIELD: 'A field that this kind of record needs is absent.',
  FIELD_NOT_ALLOWED: 'A field is present that this kind of record does not take.',
  UNKNOWN_TERM: 'A value is not in its vocabulary (equipment class, event type, ...).',
  UNKNOWN_SENSOR: 'The observation names a sensor that is not registered.',
  SENSOR_POSITION_REQUIRED:
    'The observation has no position and its sensor has no registered position to use.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body has a content type the endpoint does not accept.',
  UNAUTHENTICATED: 'The request carries no valid credentials.',
  FORBIDDEN: 'The credentials do not allow this action.',
  NOT_FOUND: 'The record does not exist.',
  INVALID_TRANSITION: 'The incident cannot move from its current status to the one asked for.',
  CONFLICT: 'The request conflicts with the current state of the record.',
  RATE_LIMITED: 'Too many requests; retry later.',
  BAD_SIGNATURE: 'A signature or cosignature does not verify with the key it names.',
  NOT_YET_WITNESSED:
    'No checkpoint with enough witness cosignatures covers the record yet; retry later.',
  INTERNAL: 'An unexpected error; the server logged it.',
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error about one place in a document: where (a JSON Pointer, RFC 6901), what and why. */
export interface PathError {
  /** JSON Pointer to the faulty value, e.g. `/zones/3/line`; `` for the whole document. */
  path: string;
  /** Stable error code from ERROR_CODES. */
  code: ErrorCode;
  /** A sentence for a person. */
  message: string;
}
