import { ApiError, apiRequest, expectOk } from './api-request.js';
import type { ApiTarget } from './api-request.js';
import type { IncidentRecord } from './score-run.js';

/** Which incidents to fetch. */
export interface FetchIncidentsOptions extends Partial<Pick<ApiTarget, 'retry' | 'sleep'>> {
  /** Only incidents with a source at or after this event time, Unix ms. */
  readonly fromMs?: number;
  /** Only incidents with a source before this event time, Unix ms. */
  readonly toMs?: number;
  /** Page size (default 500, at most 1000). */
  readonly pageSize?: number;
  /** Cancels the fetch. */
  readonly signal?: AbortSignal;
}

/**
 * Every incident the key may see, paging through `GET /api/v1/incidents` by its cursor until
 * `nextCursor` is null.
 */
export async function fetchIncidents(
  target: string,
  key: string,
  options: FetchIncidentsOptions = {},
): Promise<IncidentRecord[]> {
  const t: ApiTarget = {
    target,
    key,
    ...(options.retry && { retry: options.retry }),
    ...(options.sleep && { sleep: options.sleep }),
    ...(options.signal && { signal: options.signal }),
  };
  const out: IncidentRecord[] = [];
  let cursor: string | null = null;
  const seen = new Set<string>();
  do {
    const q = new URLSearchParams({ limit: String(Math.min(1000, options.pageSize ?? 500)) });
    if (options.fromMs !== undefined) q.set('from', new Date(options.fromMs).toISOString());
    if (options.toMs !== undefined) q.set('to', new Date(options.toMs).toISOString());
    if (cursor !== null) q.set('cursor', cursor);
    const res = await apiRequest(t, 'GET', `api/v1/incidents?${q.toString()}`);
    expectOk('GET /api/v1/incidents', res);
    let page: { items?: IncidentRecord[]; nextCursor?: string | null };
    try {
      page = JSON.parse(res.text) as typeof page;
    } catch {
      throw new ApiError('GET /api/v1/incidents: the response is not JSON', res.status);
    }
    if (!Array.isArray(page.items)) {
      throw new ApiError('GET /api/v1/incidents: the response has no items list', res.status);
    }
    out.push(...page.items);
    cursor = page.nextCursor ?? null;
    if (cursor !== null && seen.has(cursor)) {
      throw new ApiError(`GET /api/v1/incidents: the cursor '${cursor}' repeats`, res.status);
    }
    if (cursor !== null) seen.add(cursor);
  } while (cursor !== null);
  return out;
}
