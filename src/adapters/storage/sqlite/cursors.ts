import type { ErrorCode } from '../../../core/errors/index.js';

/** An error storage reports with a stable code (the HTTP layer maps INVALID_INPUT to 400). */
export type StorageError = Error & { readonly code: ErrorCode };

/** A new error with a stable code. */
export function storageError(code: ErrorCode, message: string, cause?: unknown): StorageError {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  return Object.assign(error, { code });
}

const MAX_CURSOR_CHARS = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const OBSERVATION_CURSOR = /^o1:([1-9][0-9]{0,15})$/;
const INCIDENT_CURSOR = /^i1:(-?(?:0|[1-9][0-9]{0,15})):(.+)$/s;

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function malformed(): StorageError {
  return storageError('INVALID_INPUT', 'the cursor is malformed: pass a nextCursor as received');
}

/** The text inside a cursor; only cursors this module wrote decode (re-encoding gives them back). */
function decode(cursor: string): string {
  if (cursor.length > MAX_CURSOR_CHARS || !BASE64URL.test(cursor)) throw malformed();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encode(text) !== cursor) throw malformed();
  return text;
}

/** The cursor of the observation list after the observation `seq`. */
export function encodeObservationCursor(seq: number): string {
  return encode(`o1:${seq}`);
}

/** The `seq` an observation cursor continues after; INVALID_INPUT when it is not one. */
export function decodeObservationCursor(cursor: string): number {
  const match = OBSERVATION_CURSOR.exec(decode(cursor));
  const seq = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(seq)) throw malformed();
  return seq;
}

/** Position in the incident list (newest first): the last incident of a page. */
export interface IncidentCursor {
  /** Its lastObservedAtMs. */
  readonly lastObservedAtMs: number;
  /** Its id (breaks ties). */
  readonly id: string;
}

/** The cursor of the incident list after an incident. */
export function encodeIncidentCursor(position: IncidentCursor): string {
  return encode(`i1:${position.lastObservedAtMs}:${position.id}`);
}

/** Where an incident cursor continues; INVALID_INPUT when it is not one. */
export function decodeIncidentCursor(cursor: string): IncidentCursor {
  const match = INCIDENT_CURSOR.exec(decode(cursor));
  if (!match) throw malformed();
  const lastObservedAtMs = Number(match[1]);
  if (!Number.isSafeInteger(lastObservedAtMs)) throw malformed();
  return { lastObservedAtMs, id: match[2] };
}
