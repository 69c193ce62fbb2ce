/**
 * The local Dyte: an HTTP server speaking Dyte's v2 and v1 recording APIs (and v2 under Cloudflare
 * RealtimeKit's prefix), with their auth schemes, envelopes, life-cycle timing, limits, signed
 * downloads, signed webhooks, a rate limit, fault injection and a `/_sim/` control plane.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { SimClock } from './clock.ts';
import { Faults } from './faults.ts';
import type { ApiKind, Reply, Route } from './http.ts';
import { HttpError, readJson, Router } from './http.ts';
import type { SimRecording } from './lifecycle.ts';
import { InvalidStateError } from './lifecycle.ts';
import { loadMedia } from './media.ts';
import { RateLimiter } from './rate-limit.ts';
import type { Links } from './render.ts';
import { buildRoutes } from './routes.ts';
import { createUrlSigner } from './signing.ts';
import { Stats } from './stats.ts';
import { ValidationError } from './validate.ts';
import { createWebhookSigner, WebhookSender } from './webhooks.ts';
import { ConflictError, NotFoundError, World } from './world.ts';

export interface SimulatorOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: a random UUID. */
  orgId?: string;
  /** Default: a random secret. */
  apiKey?: string;
  /** Clock speed multiplier (default 1): the whole simulated world runs this many times faster. */
  speed?: number;
  /** Simulated ms from INVOKED to RECORDING (default 3000, at most 30000). */
  startLagMs?: number;
  /**
   * Simulated ms the upload of an empty recording takes; each recorded minute adds as much again
   * (default 3000: a one-hour recording uploads in about three minutes). 0 makes uploads instant.
   */
  uploadMs?: number;
  /** Simulated ms a room may stay empty before its recordings stop (default 120000). */
  emptyRoomTimeoutMs?: number;
  /** API requests per client IP per simulated minute before 429 (default 2000). */
  rateLimitPerMinute?: number;
  /** Send Dyte's documented webhook quirks (default true). */
  webhookQuirks?: boolean;
  /** Simulated ms a download URL stays valid after the upload (default 7 days). */
  downloadTtlMs?: number;
  /** Real ms a webhook receiver has to answer before the delivery counts as timed out (default 3000). */
  webhookTimeoutMs?: number;
  /** Webhook delivery attempts in all (default 5); retries back off 2 s, 4 s, 8 s… of simulated time. */
  webhookAttempts?: number;
  /** Transcribe every meeting's sessions (default false; the control plane switches single meetings). */
  transcribe?: boolean;
  /** One line per request and webhook problem (default: silent). */
  log?: (line: string) => void;
  /** Called with every Dyte API response (JSON body, not files) as it is sent: e.g. to check it against Dyte's schemas. */
  observe?: (exchange: Exchange) => void;
}

/** A Dyte API response as the simulator sent it. */
export interface Exchange {
  api: ApiKind;
  method: string;
  /** The route's template (`/v2/recordings/:recording_id`); null when no route matched. */
  template: string | null;
  status: number;
  body: unknown;
}

export interface RunningSimulator {
  /** Origin, e.g. http://127.0.0.1:41234 (v2 at `${url}/v2`, v1 at `${url}/v1`). */
  url: string;
  orgId: string;
  apiKey: string;
  /** Stops timers, webhook retries and the server. */
  close(): Promise<void>;
}

export const DEFAULT_START_LAG_MS = 3000;
export const MAX_START_LAG_MS = 30_000;
export const DEFAULT_UPLOAD_MS = 3000;
export const DEFAULT_EMPTY_ROOM_TIMEOUT_MS = 120_000;
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 2000;
const DAY_MS = 86_400_000;

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const orgId = options.orgId ?? randomUUID();
  const apiKey = options.apiKey ?? randomBytes(24).toString('base64url');
  const startLagMs = options.startLagMs ?? DEFAULT_START_LAG_MS;
  if (!(startLagMs >= 0 && startLagMs <= MAX_START_LAG_MS)) {
    throw new RangeError(`startLagMs must be from 0 to ${MAX_START_LAG_MS}, got ${startLagMs}`);
  }
  for (const [name, value] of Object.entries({
    uploadMs: options.uploadMs,
    emptyRoomTimeoutMs: options.emptyRoomTimeoutMs,
    downloadTtlMs: options.downloadTtlMs,
    webhookTimeoutMs: options.webhookTimeoutMs,
  })) {
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) {
      throw new RangeError(`${name} must be a number ≥ 0, got ${value}`);
    }
  }
  const log = options.log ?? (() => {});
  const clock = new SimClock(options.speed ?? 1);
  const webhookSigner = createWebhookSigner();
  const urlSigner = createUrlSigner();
  const sender = new WebhookSender(
    clock,
    webhookSigner,
    {
      timeoutMs: options.webhookTimeoutMs ?? 3000,
      maxAttempts: Math.max(1, options.webhookAttempts ?? 5),
      backoffMs: 2000,
    },
    log,
  );
  let origin = '';
  const faults = new Faults();
  const links = (recording: SimRecording): Links => {
    const expiresAt = recording.downloadExpiresAt;
    if (recording.status !== 'UPLOADED' || expiresAt === null)
      return { video: null, audio: null, expiresAt: null };
    const link = (file: string) => {
      const path = `/_downloads/${recording.id}/${encodeURIComponent(file)}`;
      return `${origin}${path}?${urlSigner.sign(path, expiresAt)}`;
    };
    const audio = recording.config.audioCodec
      ? link(`audio.${audioExtension[recording.config.audioCodec]}`)
      : null;
    return { video: link(recording.outputFileName), audio, expiresAt };
  };
  const world = new World(
    clock,
    {
      orgId,
      startLagMs,
      uploadMs: options.uploadMs ?? DEFAULT_UPLOAD_MS,
      emptyRoomTimeoutMs: options.emptyRoomTimeoutMs ?? DEFAULT_EMPTY_ROOM_TIMEOUT_MS,
      downloadTtlMs: options.downloadTtlMs ?? 7 * DAY_MS,
      webhookQuirks: options.webhookQuirks ?? true,
      transcribe: options.transcribe ?? false,
    },
    sender,
    links,
    (sessionId, file) => {
      const expiresAt = clock.now() + (options.downloadTtlMs ?? 7 * DAY_MS);
      const path = `/_downloads/sessions/${encodeURIComponent(sessionId)}/${file}`;
      return { url: `${origin}${path}?${urlSigner.sign(path, expiresAt)}`, expiresAt };
    },
    () => faults.takeStartFailure(),
  );
  const stats = new Stats();
  const limiter = new RateLimiter(options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE);
  const router = new Router(
    buildRoutes({
      world,
      faults,
      stats,
      media: loadMedia(),
      signer: urlSigner,
      publicKeyPem: webhookSigner.publicKeyPem,
      links,
    }),
  );
  const credentials = { orgId, apiKey };
  /** Responses withheld by the `timeout` fault: their connections close when the timer fires (or on close). */
  const held = new Set<ReturnType<typeof setTimeout>>();
  const closing = new AbortController();
  setMaxListeners(0, closing.signal); // every request in a latency fault waits on it

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    clock.runDue();
    const head = request.method === 'HEAD';
    const method = head ? 'GET' : (request.method ?? 'GET');
    const url = new URL(request.url ?? '/', 'http://simulator');
    const found = router.match(method, url.pathname);
    const api = found.route ? found.route.api : guessApi(url.pathname);
    let reply: Reply;
    let withheldMs: number | null = null;
    try {
      if (!found.route) {
        throw found.allowed.length > 0
          ? new HttpError(405, `${method} is not allowed here; use ${found.allowed.join(', ')}.`, {
              allow: found.allowed.join(', '),
            })
          : new HttpError(404, `No route ${method} ${url.pathname}.`);
      }
      const { route, params } = found;
      withheldMs = route.api ? await guard(route, request) : null;
      reply = await route.handle({
        method,
        url,
        params,
        headers: request.headers,
        json: () => readJson(request),
      });
    } catch (error) {
      reply = errorReply(api, error, log);
    }
    if (withheldMs !== null) {
      hold(response, withheldMs);
      log(`${method} ${url.pathname} → ${reply.status}, withheld: the connection closes in ${withheldMs} ms`);
      return;
    }
    log(`${request.method} ${url.pathname} → ${reply.status}`);
    if (api && !Buffer.isBuffer(reply.body)) {
      options.observe?.({
        api,
        method,
        template: found.route?.template ?? null,
        status: reply.status,
        body: reply.body,
      });
    }
    send(response, reply, head);
  }

  /**
   * What every Dyte API request goes through before its handler: counting, the rate limit, injected
   * 500s and latency, and auth. Returns the ms to withhold the response for (`timeout` fault) or null.
   */
  async function guard(route: Route, request: IncomingMessage): Promise<number | null> {
    stats.count(request.method === 'HEAD' ? 'GET' : request.method!, route.template);
    const wait = limiter.take(request.socket.remoteAddress ?? 'unknown', clock.now());
    if (wait !== null) {
      // Retry-After tells a real client how long to wait: real seconds, whatever the clock speed.
      const seconds = Math.max(1, Math.ceil(clock.toRealMs(wait) / 1000));
      throw new HttpError(429, 'Too many requests: rate limit exceeded.', { 'retry-after': String(seconds) });
    }
    if (faults.takeFailure()) throw new HttpError(500, 'Internal server error (injected fault).');
    if (faults.latencyMs > 0) await delay(faults.latencyMs, undefined, { signal: closing.signal });
    authenticate(route.api!, request, credentials);
    return faults.takeTimeout();
  }

  function hold(response: ServerResponse, ms: number): void {
    const timer = setTimeout(() => {
      held.delete(timer);
      response.socket?.destroy();
    }, ms);
    held.add(timer);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // Only reached when the simulator is closing mid-request (an aborted latency wait).
      if (!closing.signal.aborted) log(`internal error: ${(error as Error).message}`);
      response.socket?.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  origin = `http://${host}:${address.port}`;

  return {
    url: origin,
    orgId,
    apiKey,
    async close() {
      closing.abort();
      clock.close();
      sender.close();
      for (const timer of held) clearTimeout(timer);
      held.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

const audioExtension = { AAC: 'm4a', MP3: 'mp3', VORBIS: 'ogg' } as const;

function guessApi(path: string): ApiKind | null {
  if (path.startsWith('/v2/')) return 'v2';
  if (path.startsWith('/v1/')) return 'v1';
  if (path.startsWith('/client/v4/')) return 'rtk';
  return null;
}

/** Checks the request's credentials in the API's scheme; throws a 401 HttpError when they do not fit. */
function authenticate(
  api: ApiKind,
  request: IncomingMessage,
  expected: { orgId: string; apiKey: string },
): void {
  const header = request.headers.authorization ?? '';
  const [scheme = '', value = ''] = header.split(/\s+/, 2);
  let valid: boolean;
  switch (api) {
    case 'v2': {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      valid =
        scheme.toLowerCase() === 'basic' &&
        colon > 0 &&
        same(decoded.slice(0, colon), expected.orgId) &&
        same(decoded.slice(colon + 1), expected.apiKey);
      break;
    }
    case 'rtk':
      valid = scheme.toLowerCase() === 'bearer' && same(value, expected.apiKey);
      break;
    case 'v1': {
      const org = /^\/v1\/organizations\/([^/]+)/.exec(new URL(request.url ?? '/', 'http://x').pathname)?.[1];
      valid = scheme.toUpperCase() === 'APIKEY' && same(value, expected.apiKey) && org === expected.orgId;
      break;
    }
  }
  if (!valid) {
    throw new HttpError(
      401,
      header === '' ? 'Unauthorized: no credentials were sent.' : 'Unauthorized: invalid credentials.',
    );
  }
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  416: 'range_not_satisfiable',
  429: 'rate_limited',
  500: 'internal_error',
};

/** An error as the API it happened in would report it. */
function errorReply(api: ApiKind | null, error: unknown, log: (line: string) => void): Reply {
  let status: number;
  let headers: Record<string, string> = {};
  if (error instanceof HttpError) {
    status = error.status;
    headers = error.headers;
  } else if (error instanceof ValidationError) status = 400;
  else if (error instanceof NotFoundError) status = 404;
  else if (error instanceof ConflictError || error instanceof InvalidStateError) status = 409;
  else {
    status = 500;
    log(`internal error: ${(error as Error).stack ?? String(error)}`);
  }
  const message =
    status === 500 && !(error instanceof HttpError) ? 'Internal server error.' : (error as Error).message;
  const body =
    api === 'v1'
      ? { success: false, message }
      : api
        ? { success: false, error: { code: status, message } }
        : { error: { code: STATUS_CODES[status] ?? 'error', message } };
  return { status, body, headers };
}

function send(response: ServerResponse, reply: Reply, head: boolean): void {
  const headers: Record<string, string | number> = { ...reply.headers };
  let payload: Buffer | undefined;
  if (Buffer.isBuffer(reply.body)) payload = reply.body;
  else if (reply.body !== undefined) {
    payload = Buffer.from(JSON.stringify(reply.body));
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  if (payload) headers['content-length'] = payload.length;
  response.writeHead(reply.status, headers);
  response.end(head ? undefined : payload);
}
