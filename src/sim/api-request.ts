/** A failure of the server's API that retrying will not fix (bad key, bad request). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status, or 0 when the server could not be reached after every retry. */
  readonly status: number;
  /** The error code from the server's body, if it gave one. */
  readonly code: string | undefined;
  /** Creates the error. */
  constructor(message: string, status: number, code?: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** How requests are retried on network errors, 429 and 5xx: exponential backoff. */
export interface RetryPolicy {
  /** Tries in all, the first included (default 8). */
  readonly attempts?: number;
  /** Delay before the first retry, ms (default 250); doubles each time. */
  readonly baseDelayMs?: number;
  /** Longest delay between tries, ms (default 10,000). */
  readonly maxDelayMs?: number;
}

/** Waits, or rejects when the signal aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout as a promise that an abort signal cuts short (it then resolves early). */
export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Where and how to reach the server. */
export interface ApiTarget {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  readonly target: string;
  /** API key, sent as `Authorization: Bearer KEY`. */
  readonly key: string;
  /** Retry policy. */
  readonly retry?: RetryPolicy;
  /** Sleep used between retries (tests pass a fast one). */
  readonly sleep?: Sleep;
  /** Cancels waiting between retries. */
  readonly signal?: AbortSignal;
}

/** A response: status and body text. */
export interface ApiResponse {
  /** HTTP status. */
  readonly status: number;
  /** Body text. */
  readonly text: string;
}

function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** The `{error: {code, message}}` of an error body, if it has one. */
export function errorOf(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return body.error ?? {};
  } catch {
    return {};
  }
}

/**
 * Sends one request to the API with the bearer key, retrying network errors, 429 and 5xx with
 * exponential backoff. Returns any other response (2xx or 4xx) for the caller to judge; throws
 * an ApiError when every try failed.
 */
export async function apiRequest(
  t: ApiTarget,
  method: string,
  path: string,
  body?: { readonly contentType: string; readonly text: string },
): Promise<ApiResponse> {
  const attempts = t.retry?.attempts ?? 8;
  const base = t.retry?.baseDelayMs ?? 250;
  const max = t.retry?.maxDelayMs ?? 10_000;
  const sleep = t.sleep ?? defaultSleep;
  const url = new URL(path, t.target.endsWith('/') ? t.target : `${t.target}/`).toString();
  let last = '';
  for (let k = 0; k < attempts; k++) {
    if (k > 0) await sleep(Math.min(max, base * 2 ** (k - 1)), t.signal);
    if (t.signal?.aborted) throw new ApiError(`${method} ${path}: aborted`, 0);
    // fetch leaves its abort listener on the signal it is given until that signal is collected;
    // a signal of its own per request keeps the run's long-lived signal clean.
    const own = new AbortController();
    const forward = () => own.abort();
    t.signal?.addEventListener('abort', forward, { once: true });
    try {
      const res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${t.key}`,
          accept: 'application/json',
          ...(body && { 'content-type': body.contentType }),
        },
        ...(body && { body: body.text }),
        signal: own.signal,
      });
      const text = await res.text();
      if (!isRetryable(res.status)) return { status: res.status, text };
      last = `HTTP ${res.status}${errorOf(text).message ? `: ${errorOf(text).message}` : ''}`;
    } catch (error) {
      if (t.signal?.aborted) throw new ApiError(`${method} ${path}: aborted`, 0);
      last = (error as Error).message;
    } finally {
      t.signal?.removeEventListener('abort', forward);
    }
  }
  throw new ApiError(`${method} ${url} failed after ${attempts} tries: ${last}`, 0);
}

/** Throws an ApiError for a response that is not 2xx, with the server's code and message. */
export function expectOk(what: string, res: ApiResponse): void {
  if (res.status >= 200 && res.status < 300) return;
  const e = errorOf(res.text);
  throw new ApiError(
    `${what}: HTTP ${res.status}${e.code ? ` ${e.code}` : ''}${e.message ? `: ${e.message}` : ''}`,
    res.status,
    e.code,
  );
}
