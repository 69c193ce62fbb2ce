/**
 * The one way the proxy talks HTTP to an upstream: a timeout on every call, bounded retries with
 * backoff for idempotent reads only, identical concurrent reads coalesced into one request, and
 * upstream failures turned into the contract's errors (`upstream_unavailable`, `rate_limited`).
 * Request and response bodies are never logged: they can carry storage secrets and download URLs.
 */
import { ApiError } from '../../core/errors.ts';
import { asObject, parseString } from '../../core/parse.ts';

export interface UpstreamHttpOptions {
  /** Origin plus path prefix every `path` is appended to, e.g. `https://api.dyte.io/v2`. */
  baseUrl: string;
  /** The `Authorization` header value (a secret: never logged). */
  authorization: string;
  timeoutMs: number;
  /** Extra attempts for idempotent reads after a transient failure. */
  readRetries: number;
  /** First backoff delay; each retry waits three times longer, plus jitter. */
  retryBaseMs: number;
  log: (line: string) => void;
  /** Asked before every call; throws (429) to keep the proxy under the upstream's quota. */
  guard?: () => Promise<void>;
  /** Told how every call ended: `ok`, `rejected` (4xx), `rate_limited`, `server_error`, `timeout`, `network`. */
  observe?: (method: string, outcome: string) => void;
}

/** An upstream 4xx the caller decides the meaning of (not found, already active, wrong state…). */
export class UpstreamRejection extends Error {
  override name = 'UpstreamRejection';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
}

/** A read's answer, and when the request that fetched it was sent: it shows the upstream at some moment after `sentAt`. */
export interface ReadAnswer {
  body: unknown;
  /** Epoch ms. For a coalesced read, when the shared request was sent, not when this caller asked. */
  sentAt: number;
}

/** Health as the last upstream exchanges saw it (for `GET /health`). */
export interface UpstreamHealth {
  reachable: boolean | null;
}

export class UpstreamHttp {
  private readonly inFlight = new Map<string, Promise<ReadAnswer>>();
  readonly health: UpstreamHealth = { reachable: null };

  constructor(private readonly options: UpstreamHttpOptions) {}

  /**
   * A write, sent once (never retried): resolves to the parsed JSON body of a 2xx; throws ApiError for
   * transport trouble, UpstreamRejection for other 4xx.
   */
  write(method: 'POST' | 'PUT', path: string, options: RequestOptions = {}): Promise<unknown> {
    return this.attempt(method, this.url(path, options.query), options.body);
  }

  /** A GET, retried through transient failures, and shared by identical concurrent reads. Throws as `write`. */
  read(path: string, query?: RequestOptions['query']): Promise<ReadAnswer> {
    const url = this.url(path, query);
    const pending = this.inFlight.get(url);
    if (pending) return pending;
    const call = this.withRetries(url, this.options.readRetries).finally(() => this.inFlight.delete(url));
    this.inFlight.set(url, call);
    return call;
  }

  private url(path: string, query: RequestOptions['query']): string {
    const url = new URL(this.options.baseUrl.replace(/\/$/, '') + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  private async withRetries(url: string, retries: number): Promise<ReadAnswer> {
    for (let attempt = 0; ; attempt += 1) {
      const sentAt = Date.now();
      try {
        return { body: await this.attempt('GET', url, undefined), sentAt };
      } catch (error) {
        if (attempt >= retries || !isTransient(error)) throw error;
        const delay = this.options.retryBaseMs * 3 ** attempt;
        await sleep(delay + Math.random() * delay * 0.3);
      }
    }
  }

  private async attempt(method: string, url: string, body: unknown): Promise<unknown> {
    await this.options.guard?.();
    const started = Date.now();
    const observe = (outcome: string) => this.options.observe?.(method, outcome);
    const label = `${method} ${new URL(url).pathname}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: this.options.authorization,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      this.health.reachable = false;
      const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError';
      observe(timedOut ? 'timeout' : 'network');
      if (timedOut) {
        this.options.log(`upstream ${label} timed out after ${this.options.timeoutMs} ms`);
        throw unavailable(504, 'The recording service did not answer in time.', true);
      }
      const code = transportCode(error);
      this.options.log(`upstream ${label} failed: ${code ?? 'network error'}`);
      // Only a refused or unresolvable connection proves the request never reached the upstream.
      throw unavailable(502, 'The recording service cannot be reached.', !NEVER_SENT.has(code ?? ''));
    }
    const text = await readText(response);
    // Reads succeed all the time (polls): only writes and failures are worth a line.
    if (method !== 'GET' || !response.ok) {
      this.options.log(`upstream ${label} ${response.status} ${Date.now() - started} ms`);
    }
    const { status } = response;
    observe(
      response.ok ? 'ok' : status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : 'rejected',
    );
    if (response.ok) {
      this.health.reachable = true;
      return parseJson(text);
    }
    throw this.failure(response, text);
  }

  private failure(response: Response, text: string): Error {
    const { status } = response;
    if (status === 429) {
      const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
      return new ApiError(
        429,
        'rate_limited',
        `The recording service is busy; try again in ${retryAfter} s.`,
        { retryAfter },
        { 'Retry-After': String(retryAfter) },
      );
    }
    if (status >= 500) {
      this.health.reachable = false;
      return unavailable(
        status === 503 || status === 504 ? status : 502,
        'The recording service failed; try again shortly.',
        true,
      );
    }
    this.health.reachable = true;
    if (status === 401 || status === 403) {
      // The proxy's own credentials were refused: the browser can do nothing about it.
      this.options.log(`upstream refused the proxy's credentials (${status}): check the API key and org id`);
      return new ApiError(502, 'upstream_error', 'The recording service refused the server configuration.');
    }
    return new UpstreamRejection(status, upstreamMessage(parseJson(text)) ?? `HTTP ${status}`);
  }
}

const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The system error code under fetch's generic "fetch failed". */
function transportCode(error: unknown): string | null {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : null;
}

/** Transport failures and 5xx may succeed on a second try; 4xx and 429 will not (or must not). */
function isTransient(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'upstream_unavailable';
}

/** Failures after which a write may nevertheless have been applied upstream. */
const ambiguousFailures = new WeakSet<ApiError>();

function unavailable(status: number, message: string, ambiguous: boolean): ApiError {
  const error = new ApiError(status, 'upstream_unavailable', message);
  if (ambiguous) ambiguousFailures.add(error);
  return error;
}

/** True when a failed write may nevertheless have been applied upstream (timeout, 5xx, broken answer). */
export function isAmbiguous(error: unknown): boolean {
  return error instanceof ApiError && ambiguousFailures.has(error);
}

/** The body; the request's timeout signal also bounds reading it. */
async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw (error as Error).name === 'TimeoutError'
      ? unavailable(504, 'The recording service did not answer in time.', true)
      : unavailable(502, 'The recording service broke off its answer.', true);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(
      502,
      'upstream_error',
      'The recording service answered with something other than JSON.',
    );
  }
}

/** The human message of either upstream envelope: v2 `{error:{message}}`, v1 `{message}`. */
function upstreamMessage(body: unknown): string | null {
  const object = asObject(body);
  return parseString(asObject(object?.error)?.message) ?? parseString(object?.message);
}

/** `Retry-After` as whole seconds (it may be seconds or an HTTP date); 1 when absent or unreadable. */
function retryAfterSeconds(header: string | null): number {
  if (header === null) return 1;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1 : Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
