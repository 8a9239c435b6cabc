import canonicalize from 'canonicalize';
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

function checkJson(value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError(`${path || '/'}: nested deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    // RFC 8785 §3.2.2.3: NaN and Infinity have no JSON form.
    if (!Number.isFinite(value)) throw new TypeError(`${path || '/'}: ${value} is not JSON`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJson(v, `${path}/${i}`, depth + 1));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      checkJson(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1);
    }
    return;
  }
  // undefined, functions, symbols, bigints, Dates, Maps and class instances would be
  // dropped or converted silently by JSON serialisation; evidence must not change shape.
  throw new TypeError(`${path || '/'}: a ${typeof value} is not a plain JSON value`);
}

/**
 * The RFC 8785 (JCS) canonical JSON text of `value`: object members sorted by UTF-16 code
 * units, no whitespace, numbers in ECMAScript form, minimal string escapes. Equal values give
 * equal text, so the ledger hashes the same bytes whoever serialises a record. Throws a
 * TypeError for anything that is not plain JSON (NaN, undefined, a Date, a lone surrogate...).
 */
export function canonicalJson(value: JsonValue): string {
  checkJson(value, '', 0);
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (e) {
    throw new TypeError(`not canonicalisable JSON: ${(e as Error).message}`);
  }
  if (text === undefined) throw new TypeError('not canonicalisable JSON');
  return text;
}

const encoder = new TextEncoder();

/** The bytes of a ledger leaf: the UTF-8 encoding of its RFC 8785 canonical JSON. */
export function encodeLeaf(leaf: LedgerLeaf | JsonValue): Uint8Array {
  return encoder.encode(canonicalJson(leaf as JsonValue));
}

/** The RFC 9162 leaf hash of a ledger leaf: SHA-256(0x00 || canonical JSON bytes). */
export function leafHashOf(hasher: MerkleHasher, leaf: LedgerLeaf | JsonValue): Uint8Array {
  return hasher.hashLeaf(encodeLeaf(leaf));
}
