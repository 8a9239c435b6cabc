import type { UseCaseError } from '../../app/index.js';
import type { ErrorCode } from '../../core/errors/index.js';

/** HTTP status of each error code a use case can return (RFC 9110 sec. 15). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  INVALID_JSON: 400,
  SCHEMA: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  BAD_SIGNATURE: 422,
  NOT_YET_WITNESSED: 503,
};

/** The HTTP status for a use case error (400 for any code about the input). */
export function statusOf(code: string): number {
  return STATUS[code as ErrorCode] ?? (code === 'INTERNAL' ? 500 : 400);
}

/** The JSON error body. */
export function errorBody(e: Pick<UseCaseError, 'code' | 'message' | 'errors'>) {
  return {
    error: { code: e.code, message: e.message, ...(e.errors && { errors: [...e.errors] }) },
  };
}
