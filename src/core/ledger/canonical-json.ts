import type { MerkleHasher } from './merkle-hasher.js';

/** A JSON value as RFC 8259 defines it: what a ledger leaf may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** The kinds of record the ledger holds a leaf for (docs/ledger.md). */
export const LEDGER_LEAF_KINDS = [
  'observation',
  'incident-transition',
  'release',
  'attribution',
  'zone-change',
  'rule-change',
  'key-change',
] as const;

/** One of LEDGER_LEAF_KINDS. */
export type LedgerLeafKind = (typeof LEDGER_LEAF_KINDS)[number];

/**
 * What a leaf of the ledger holds before it is made canonical: the kind of record and the
 * record exactly as stored.
 */
export interface LedgerLeaf {
  /** The kind of record. */
  kind: LedgerLeafKind;
  /** The record as stored, e.g. an observation or an incident transition. */
  record: JsonObject;
}

/** Deepest nesting `canonicalJson` accepts: far beyond any record, well within the stack. */
const MAX_DEPTH = 64;

/** Strings that JSON writes as they are, between quotes: no quote, backslash, control or surrogate. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function checkJson(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError(`${path || '/'}: nested deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (!wellFormed(value)) throw new TypeError(`${path || '/'}: a string with a lone surrogate`);
    return;
  }
  if (typeof value === 'number') {
    // RFC 8785 §3.2.2.3: NaN and Infinity have no JSON form.
    if (!Number.isFinite(value)) throw new TypeError(`${path || '/'}: ${value} is not JSON`);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJson(value[i], `${path}/${i}`, depth + 1);
    return;
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!wellFormed(k)) throw new TypeError(`${at}: a name with a lone surrogate`);
      checkJson(v, at, depth + 1);
    }
    return;
  }
  // undefined, functions, symbols, bigints, Dates, Maps and class instances would be
  // dropped or converted silently by JSON serialisation; evidence must not change shape.
  throw new TypeError(`${path || '/'}: a ${typeof value} is not a plain JSON value`);
}

/** An object literal or JSON.parse result (or a null-prototype dictionary). */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const wellFormed = (s: string): boolean =>
  (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Thrown by the fast serialiser; `canonicalJson` then finds and names the fault. */
class NotJson extends Error {}

function stringText(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  // RFC 8785 §3.2.2.2: strings are I-JSON, so a lone surrogate has no canonical form.
  if (!wellFormed(s)) throw new NotJson();
  // ECMAScript JSON.stringify escapes exactly as RFC 8785 §3.2.2.2 asks for well-formed text.
  return JSON.stringify(s);
}

function serialise(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return stringText(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // Finite numbers as ECMAScript Number.prototype.toString writes them (-0 as 0), which is
      // RFC 8785 §3.2.2.3; NaN and Infinity have no JSON form.
      if (!Number.isFinite(value)) throw new NotJson();
      return String(value);
    case 'object':
      break;
    default:
      throw new NotJson();
  }
  if (depth >= MAX_DEPTH) throw new NotJson();
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      out += (i === 0 ? '' : ',') + serialise(value[i], depth + 1);
    }
    return `${out}]`;
  }
  if (!isPlainObject(value)) throw new NotJson();
  const record = value as Record<string, unknown>;
  // RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names, which is what
  // the default Array.prototype.sort compares.
  const keys = Object.keys(record);
  keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out += `${i === 0 ? '' : ','}${stringText(key)}:${serialise(record[key], depth + 1)}`;
  }
  return `${out}}`;
}

/**
 * The RFC 8785 (JCS) canonical JSON text of `value`: object members sorted by UTF-16 code
 * units, no whitespace, numbers in ECMAScript form, minimal string escapes. Equal values give
 * equal text, so the ledger hashes the same bytes whoever serialises a record. Throws a
 * TypeError naming the JSON Pointer of anything that is not plain JSON (NaN, undefined, a Date,
 * a lone surrogate...). Written by hand for speed (one pass, a few µs for an observation; the
 * `canonicalize` package took 20); the tests hold it to that reference implementation.
 */
export function canonicalJson(value: JsonValue): string {
  try {
    return serialise(value, 0);
  } catch (error) {
    if (!(error instanceof NotJson) && !(error instanceof RangeError)) throw error;
    checkJson(value, '', 0);
    throw new TypeError('not canonicalisable JSON');
  }
}

const encoder = new TextEncoder();
let scratch = new Uint8Array(4096);

/** The bytes of a ledger leaf: the UTF-8 encoding of its RFC 8785 canonical JSON. */
export function encodeLeaf(leaf: LedgerLeaf | JsonValue): Uint8Array {
  return encodeLeafText(canonicalJson(leaf as JsonValue));
}

/**
 * The bytes of a ledger leaf from its canonical JSON text, for a caller that wrote the text
 * itself (which must equal `canonicalJson` of the leaf): its UTF-8 encoding.
 */
export function encodeLeafText(text: string): Uint8Array {
  // encodeInto a reused buffer, then copy: several times faster than encode() for records.
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return scratch.slice(0, written);
}

/** The RFC 9162 leaf hash of a ledger leaf: SHA-256(0x00 || canonical JSON bytes). */
export function leafHashOf(hasher: MerkleHasher, leaf: LedgerLeaf | JsonValue): Uint8Array {
  return hasher.hashLeaf(encodeLeaf(leaf));
}
