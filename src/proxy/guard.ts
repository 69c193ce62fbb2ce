/**
 * What stands between a request and the routes: its id, the per-address budget (webhook senders have
 * their own), the deadline, the per-subject budget once the caller is known, the stream caps, and
 * afterwards one log line (refusals summed up per burst) and its metrics. Also the audit lines and
 * `GET /metrics`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { ApiError } from '../core/errors.ts';
import type { Caller } from './auth.ts';
import type { RateLimits } from './limits.ts';
import type { Bursts, Logger } from './logger.ts';
import type { ProxyMetrics } from './metrics.ts';

/** Open event streams allowed at once on this instance. */
export interface StreamCaps {
  /** Of one token subject (a page needs one). Default 10. */
  perToken: number;
  /** Of one meeting. Default 2000. */
  perMeeting: number;
  /** In all. Default 10000. */
  perInstance: number;
}

export const DEFAULT_STREAM_CAPS: StreamCaps = { perToken: 10, perMeeting: 2000, perInstance: 10_000 };

export interface GuardSettings {
  /** Every request is answered within this long (a `504` if the work is not done). Default 10 s. */
  deadlineMs: number;
  /** Take the client address from the last `X-Forwarded-For` entry (behind your own reverse proxy). */
  trustForwardedFor: boolean;
  /** The bearer token `GET /metrics` requires; null turns the route off. */
  metricsToken: string | null;
  streams: StreamCaps;
}

/** How soon to try a refused stream again. */
const STREAM_RETRY_SECONDS = 5;

export class Guards {
  private readonly subjects = new WeakMap<Request, { subject: string | null; actor: string | null }>();
  /** Open streams per meeting id and per token subject (see `openStream`). */
  private readonly meetingStreams = new Map<string, number>();
  private readonly tokenStreams = new Map<string, number>();
  private openStreams = 0;

  constructor(
    readonly limits: RateLimits,
    readonly metrics: ProxyMetrics,
    readonly logger: Logger,
    readonly bursts: Bursts,
    private readonly settings: GuardSettings,
  ) {}

  /** The caller is known: counts the request against its subject's budget; throws 429 past it. */
  async admit(c: Context, who: Caller): Promise<Caller> {
    const subject = who.sub ? `sub:${who.sub}` : await tokenSubject(c.req.header('authorization'));
    this.subjects.set(c.req.raw, { subject, actor: who.sub });
    if (subject !== null) await this.limits.subject(subject, isWrite(c));
    return who;
  }

  /** Opens a stream slot (`acquire` runs once the caps allow); returns the release of both. */
  openStream(c: Context, acquire: () => () => void): () => void {
    const meetingId = c.req.param('meetingId') ?? '';
    // A caller without a subject is not counted per token.
    const subject = this.subjects.get(c.req.raw)?.subject ?? null;
    const { perToken, perMeeting, perInstance } = this.settings.streams;
    const refuse = (status: 429 | 503, message: string) =>
      new ApiError(
        status,
        status === 429 ? 'rate_limited' : 'upstream_unavailable',
        message,
        { retryAfter: STREAM_RETRY_SECONDS },
        { 'Retry-After': String(STREAM_RETRY_SECONDS) },
      );
    if (perInstance > 0 && this.openStreams >= perInstance) {
      throw refuse(503, 'This server has as many live connections as it can take; try again shortly.');
    }
    if (perMeeting > 0 && (this.meetingStreams.get(meetingId) ?? 0) >= perMeeting) {
      throw refuse(429, 'This meeting has as many live connections as allowed; try again shortly.');
    }
    if (perToken > 0 && subject !== null && (this.tokenStreams.get(subject) ?? 0) >= perToken) {
      throw refuse(429, 'This token has as many live connections open as allowed; close one first.');
    }
    const release = acquire();
    count(this.meetingStreams, meetingId, 1);
    if (subject !== null) count(this.tokenStreams, subject, 1);
    this.openStreams += 1;
    this.metrics.openStreams.inc();
    // Kept as long as the stream is open: it holds the two keys it was counted under and nothing else.
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      count(this.meetingStreams, meetingId, -1);
      if (subject !== null) count(this.tokenStreams, subject, -1);
      this.openStreams -= 1;
      this.metrics.openStreams.dec();
    };
  }

  /** One line for every start, stop, pause, resume and download: who, which meeting, which recording. */
  audit(action: string, who: Caller, recordingId: string): void {
    this.logger.info(
      { audit: action, actor: { id: who.sub, name: who.name }, meetingId: who.meetingId, recordingId },
      `audit: ${action} of recording ${recordingId} in meeting ${who.meetingId}`,
    );
  }

  /** `GET /metrics`: 404 while no metrics token is configured, 401 without it. */
  async metricsResponse(c: Context): Promise<Response> {
    const { metricsToken } = this.settings;
    if (metricsToken === null) throw new ApiError(404, 'not_found', 'No such route.');
    const sent = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (!sameText(sent, metricsToken)) {
      throw new ApiError(401, 'unauthorized', 'Send the metrics token as "Authorization: Bearer <token>".');
    }
    return c.body(await this.metrics.registry.metrics(), 200, {
      'content-type': this.metrics.registry.contentType,
    });
  }

  /** What the request log says of the caller, once known. */
  actorOf(request: Request): string | null {
    return this.subjects.get(request)?.actor ?? null;
  }

  clientAddress(c: Context): string | null {
    if (this.settings.trustForwardedFor) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
      if (forwarded) return forwarded;
    }
    const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
    return env?.incoming?.socket?.remoteAddress ?? null;
  }

  get deadlineMs(): number {
    return this.settings.deadlineMs;
  }
}

/** The middleware: budgets and deadline first, then one log line and the metrics of the answer. */
export function guarded(
  guards: Guards,
  renderError: (error: Error, c: Context) => Response,
): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[\w.:-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    try {
      const address = guards.clientAddress(c);
      if (c.req.method === 'POST' && c.req.path.endsWith('/webhooks')) await guards.limits.webhook(address);
      else await guards.limits.address(address, isWrite(c));
      // An event stream's opening is bounded by the upstream timeouts; once open, it writes on its own.
      await withDeadline(next(), c.req.path.endsWith('/events') ? 0 : guards.deadlineMs, c);
    } catch (error) {
      c.res = renderError(error as Error, c);
    }
    const route = routePath(c, -1);
    const status = c.res.status;
    const fields = {
      requestId,
      method: c.req.method,
      route: route === '*' || route === '/*' || route === '' ? 'unmatched' : route,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      actor: guards.actorOf(c.req.raw),
    };
    guards.metrics.requests.inc({ route: fields.route, method: fields.method, status });
    if (status >= 400 && status < 500) {
      // One line for the first refusal of a kind, one for the rest of its burst.
      const code = status === 429 ? 'rate limited' : `answered ${status}`;
      guards.bursts.note(`${fields.method} ${fields.route} ${status}`, fields, `request ${code}`);
    } else {
      guards.logger[status >= 500 ? 'error' : 'info'](fields, 'request');
    }
  };
}

/** Adds `by` to the key's count; a count down to zero is forgotten. */
function count(counts: Map<string, number>, key: string, by: number): void {
  const left = (counts.get(key) ?? 0) + by;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

/** Writes (start, stop, pause, resume, acknowledge) and download links have the tighter budget. */
function isWrite(c: Context): boolean {
  return (
    (c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.req.method !== 'OPTIONS') ||
    c.req.path.endsWith('/download')
  );
}

/** A token without a subject is known by its hash (the token itself is never kept). */
async function tokenSubject(authorization: string | undefined): Promise<string | null> {
  if (!authorization) return null;
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(authorization)),
  );
  return `token:${Array.from(digest.slice(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Runs the routes under the deadline. Work still going when it passes goes on (a start in flight
 * must finish: a second click joins it), but its late answer is discarded, its body cancelled.
 */
async function withDeadline(work: Promise<void>, ms: number, c: Context): Promise<void> {
  if (ms <= 0) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    if ((await Promise.race([work, late])) !== 'late') return;
  } finally {
    clearTimeout(timer);
  }
  const answered = new ApiError(
    504,
    'upstream_unavailable',
    `The recording service did not answer within ${Math.round(ms / 1000)} s; try again.`,
  );
  void work.then(
    () => c.res.body?.cancel().catch(() => undefined),
    () => undefined,
  );
  throw answered;
}

/** Compares in time independent of where the texts differ. */
function sameText(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  }
  return difference === 0;
}
