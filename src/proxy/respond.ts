/**
 * How the proxy answers: every answer is built once, with its final headers (CORS for the allowed
 * origins, nosniff, no-store) as a plain object, the usual ones made once and shared. No middleware
 * stands between the router and a route (the guard wraps each handler), so one matching handler keeps
 * Hono on its direct path and a sync route answers synchronously; no `Headers` object or copied
 * `Response` is made, which keeps `@hono/node-server` on its fast path. Routes answer through `json` /
 * `jsonText` / `answer`, never `c.json`.
 */
import type { Context } from 'hono';

const ALLOW_METHODS = 'GET,POST,PUT,OPTIONS';
const ALLOW_HEADERS = 'Authorization,Content-Type,Last-Event-ID,Accept';
const EXPOSE_HEADERS = 'Retry-After,Location,X-Request-Id';
const MAX_AGE_SECONDS = '600';

export type HeaderRecord = Record<string, string>;

export interface Responder {
  /** The headers every answer to this request carries. */
  headersOf(c: Context): HeaderRecord;
  /** An answer with those headers, `headers` replacing any of them. */
  answer(c: Context, body: BodyInit | null, status: number, headers?: HeaderRecord): Response;
  json(c: Context, value: unknown, status?: number, headers?: HeaderRecord): Response;
  /** A JSON answer already serialized (a cached body), as text or bytes. */
  jsonText(
    c: Context,
    text: string | Uint8Array<ArrayBuffer>,
    status?: number,
    headers?: HeaderRecord,
  ): Response;
  /** The answer to any OPTIONS (a preflight), whatever the route. */
  preflight(c: Context): Response;
}

export function responder(allowedOrigins: readonly string[]): Responder {
  const allowed = new Set(allowedOrigins);
  const security = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
  const jsonType = { 'content-type': 'application/json' };
  const common = { 'access-control-expose-headers': EXPOSE_HEADERS, ...security };
  // A request without `Origin` (same-origin, or not a browser) needs no CORS headers, not even
  // `Vary: Origin`: no answer is stored by any cache (`no-store`). These are made once and shared.
  const sameOrigin: HeaderRecord = Object.freeze({ ...security });
  const sameOriginJson: HeaderRecord = Object.freeze({ ...security, ...jsonType });
  const crossOrigin: HeaderRecord = Object.freeze({ ...common, vary: 'Origin' });
  const allowOrigin = (origin: string | null): HeaderRecord | null =>
    origin !== null && allowed.has(origin) ? { 'access-control-allow-origin': origin } : null;
  const headersOf = (c: Context): HeaderRecord => {
    const origin = requestHeader(c, 'origin');
    if (origin === null) return sameOrigin;
    const allow = allowOrigin(origin);
    return allow ? { ...allow, ...crossOrigin } : crossOrigin;
  };
  const answer: Responder['answer'] = (c, body, status, headers) =>
    new Response(body, { status, headers: headers ? { ...headersOf(c), ...headers } : headersOf(c) });
  const jsonText: Responder['jsonText'] = (c, text, status = 200, headers) => {
    const base = headersOf(c);
    const json = base === sameOrigin && !headers ? sameOriginJson : { ...base, ...jsonType, ...headers };
    return new Response(text, { status, headers: json });
  };
  return {
    headersOf,
    answer,
    json: (c, value, status, headers) => jsonText(c, JSON.stringify(value), status, headers),
    jsonText,
    preflight: (c) =>
      new Response(null, {
        status: 204,
        headers: {
          ...allowOrigin(requestHeader(c, 'origin')),
          ...common,
          vary: 'Origin, Access-Control-Request-Headers',
          'access-control-max-age': MAX_AGE_SECONDS,
          'access-control-allow-methods': ALLOW_METHODS,
          'access-control-allow-headers': ALLOW_HEADERS,
        },
      }),
  };
}

/**
 * A request header (`name` in lower case), or null. On Node it is read from the `IncomingMessage`:
 * asking the fetch `Request` for a header makes `@hono/node-server` wrap its headers (and build a full
 * `Headers` object when the header is missing, as `Origin` mostly is), and an open stream keeps that.
 */
export function requestHeader(c: Context, name: string): string | null {
  const incoming = (c.env as { incoming?: { headers?: Record<string, unknown> } } | undefined)?.incoming;
  if (incoming?.headers) {
    const value = incoming.headers[name];
    return typeof value === 'string' ? value : null;
  }
  return c.req.raw.headers.get(name);
}
