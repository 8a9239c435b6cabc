export { ERROR_CODES } from './error-codes.js';
export type { ErrorCode, PathError } from './error-codes.js';
export { nonFiniteErrors, pointerToken, schemaErrors } from './schema-errors.js';
