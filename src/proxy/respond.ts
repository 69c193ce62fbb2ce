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
  /** A JSON answer already serialized (a cached body). */
  jsonText(c: Context, text: string, status?: number, headers?: HeaderRecord): Response;
  /** The answer to any OPTIONS (a preflight), whatever the route. */
  preflight(c: Context): Response;
}

export function responder(allowedOrigins: readonly string[]): Responder {
  const allowed = new Set(allowedOrigins);
  const common = {
    'access-control-expose-headers': EXPOSE_HEADERS,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  const plain: HeaderRecord = Object.freeze({ ...common, vary: 'Origin' });
  const jsonType: HeaderRecord = Object.freeze({ 'content-type': 'application/json' });
  // The headers of most answers (JSON, no CORS request), made once: shared, never changed.
  const plainJson: HeaderRecord = Object.freeze({ ...plain, ...jsonType });
  const allowOrigin = (c: Context) => {
    const origin = requestHeader(c, 'origin');
    return origin !== null && allowed.has(origin) ? { 'access-control-allow-origin': origin } : null;
  };
  const headersOf = (c: Context): HeaderRecord => {
    const allow = allowOrigin(c);
    return allow ? { ...allow, ...plain } : plain;
  };
  const answer: Responder['answer'] = (c, body, status, headers) =>
    new Response(body, { status, headers: headers ? { ...headersOf(c), ...headers } : headersOf(c) });
  const jsonText: Responder['jsonText'] = (c, text, status = 200, headers) =>
    headers || allowOrigin(c)
      ? answer(c, text, status, headers ? { ...jsonType, ...headers } : jsonType)
      : new Response(text, { status, headers: plainJson });
  return {
    headersOf,
    answer,
    json: (c, value, status, headers) => jsonText(c, JSON.stringify(value), status, headers),
    jsonText,
    preflight: (c) =>
      new Response(null, {
        status: 204,
        headers: {
          ...allowOrigin(c),
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
