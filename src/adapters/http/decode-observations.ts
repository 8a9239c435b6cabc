import type { IngestRecord } from '../../app/index.js';

/** Most records one request may carry. */
export const MAX_RECORDS_PER_REQUEST = 100_000;

/** The outcome of decoding a request body: records, or why the whole body is unusable. */
export type DecodedBatch =
  | { ok: true; records: IngestRecord[] }
  | { ok: false; status: 400 | 413 | 415; code: string; message: string };

/** The message of a JSON.parse error, which names the position of the fault. */
function jsonErrorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function tooMany(n: number): DecodedBatch {
  return {
    ok: false,
    status: 413,
    code: 'TOO_LARGE',
    message: `${n} records in one request; at most ${MAX_RECORDS_PER_REQUEST}`,
  };
}

/**
 * NDJSON (one JSON value per line, https://github.com/ndjson/ndjson-spec): each non-blank line is
 * a record, numbered in order from 0 (blank lines are skipped); a line that is not JSON is a
 * per-record error naming its line number, and the other lines are still kept.
 */
function decodeNdjson(text: string): DecodedBatch {
  const lines = text.split('\n');
  const records: IngestRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    if (records.length >= MAX_RECORDS_PER_REQUEST) return tooMany(lines.length);
    try {
      records.push({ value: JSON.parse(line) as unknown });
    } catch (err) {
      records.push({
        error: {
          path: '',
          code: 'INVALID_JSON',
          message: `line ${i + 1}: ${jsonErrorMessage(err)}`,
        },
      });
    }
  }
  return { ok: true, records };
}

/**
 * A GeoJSON Feature (RFC 7946 sec. 3.2) as an observation: its properties are the observation's
 * fields, its Point geometry the position ([lon, lat] or [lon, lat, alt]) and
 * `properties.uncertaintyM` the error radius.
 */
function featureToObservation(feature: unknown): IngestRecord {
  if (typeof feature !== 'object' || feature === null || Array.isArray(feature)) {
    return { error: { path: '', code: 'SCHEMA', message: 'a feature must be an object' } };
  }
  const f = feature as { type?: unknown; geometry?: unknown; properties?: unknown };
  if (f.type !== 'Feature') {
    return { error: { path: '/type', code: 'SCHEMA', message: "must be 'Feature'" } };
  }
  const props = f.properties;
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    return { error: { path: '/properties', code: 'SCHEMA', message: 'must be an object' } };
  }
  const { uncertaintyM, ...rest } = props as Record<string, unknown>;
  if (f.geometry === null || f.geometry === undefined) return { value: rest };
  const g = f.geometry as { type?: unknown; coordinates?: unknown };
  if (g.type !== 'Point' || !Array.isArray(g.coordinates)) {
    return {
      error: { path: '/geometry', code: 'SCHEMA', message: 'must be a GeoJSON Point or null' },
    };
  }
  const [lon, lat, altM] = g.coordinates as unknown[];
  return {
    value: {
      ...rest,
      position: {
        lon,
        lat,
        ...(altM !== undefined && { altM }),
        ...(uncertaintyM !== undefined && { uncertaintyM }),
      },
    },
  };
}

/**
 * Decodes an observation batch: a JSON array of observations, a GeoJSON FeatureCollection of
 * them (parsed or as text), or NDJSON text. A JSON body that does not parse is refused whole (400 with the position of
 * the fault); NDJSON is decoded line by line.
 */
export function decodeObservations(contentType: string, raw: unknown): DecodedBatch {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-ndjson' || type === 'application/jsonl') {
    return decodeNdjson(typeof raw === 'string' ? raw : '');
  }
  if (type !== 'application/json' && type !== 'application/geo+json') {
    return {
      ok: false,
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `content-type '${type}' is not accepted: use application/json, application/geo+json or application/x-ndjson`,
    };
  }
  // The JSON body may come parsed already (the server's JSON parser keeps 1e999 as Infinity,
  // so the validator can name it NOT_FINITE) or as text.
  let body: unknown = raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch (err) {
      return { ok: false, status: 400, code: 'INVALID_JSON', message: jsonErrorMessage(err) };
    }
  }
  if (Array.isArray(body)) {
    if (body.length > MAX_RECORDS_PER_REQUEST) return tooMany(body.length);
    return { ok: true, records: body.map((value: unknown) => ({ value })) };
  }
  const fc = body as { type?: unknown; features?: unknown } | null;
  if (fc && fc.type === 'FeatureCollection' && Array.isArray(fc.features)) {
    if (fc.features.length > MAX_RECORDS_PER_REQUEST) return tooMany(fc.features.length);
    return { ok: true, records: fc.features.map(featureToObservation) };
  }
  return {
    ok: false,
    status: 400,
    code: 'SCHEMA',
    message: 'the body must be a JSON array of observations or a GeoJSON FeatureCollection',
  };
}
