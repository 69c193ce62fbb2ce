/**
 * CORS and the headers every answer carries, all set before the route runs: an answer is then built
 * once, with its final headers, instead of being copied to add them afterwards (which also pushes
 * `@hono/node-server` off its fast path). A route's own headers (an event stream's `Cache-Control`)
 * replace these.
 */
import type { MiddlewareHandler } from 'hono';

const ALLOW_METHODS = 'GET,POST,PUT,OPTIONS';
const ALLOW_HEADERS = 'Authorization,Content-Type,Last-Event-ID,Accept';
const EXPOSE_HEADERS = 'Retry-After,Location';
const MAX_AGE_SECONDS = '600';

export function responseHeaders(allowedOrigins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(allowedOrigins);
  return async (c, next) => {
    const origin = c.req.raw.headers.get('origin');
    if (origin !== null && allowed.has(origin)) c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
    if (c.req.method === 'OPTIONS') {
      // A preflight (or any OPTIONS): answered here, whatever the route.
      c.header('Vary', 'Origin, Access-Control-Request-Headers');
      c.header('Access-Control-Max-Age', MAX_AGE_SECONDS);
      c.header('Access-Control-Allow-Methods', ALLOW_METHODS);
      c.header('Access-Control-Allow-Headers', ALLOW_HEADERS);
      return c.body(null, 204);
    }
    c.header('Vary', 'Origin');
    await next();
  };
}
