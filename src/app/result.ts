import type { ErrorCode, PathError } from '../core/errors/index.js';

/** An expected failure of a use case: a stable code (adapters map it to a status) and why. */
export interface UseCaseError {
  /** Stable code from ERROR_CODES. */
  readonly code: ErrorCode;
  /** A sentence for a person. */
  readonly message: string;
  /** Faults with their JSON Pointers, for invalid documents. */
  readonly errors?: readonly PathError[];
}

/** The outcome of a use case: its value, or an expected failure. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: UseCaseError };

/** A successful result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** A failed result. */
export const fail = <T = never>(
  code: ErrorCode,
  message: string,
  errors?: readonly PathError[],
): Result<T> => ({ ok: false, error: { code, message, ...(errors && { errors }) } });
