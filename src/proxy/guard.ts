/**
 * What stands between a request and the routes: its id, the per-address budget (webhook senders have
 * their own), the deadline, the per-subject budget once the caller is known, the stream caps, and
 * afterwards one log line (refusals summed up per burst) and its metrics. Also the audit lines and
 * `GET /metrics`.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { ApiError } from '../core/errors.ts';
import type { Caller } from './auth.ts';
import type { RateLimits } from './limits.ts';
import { tenths } from './logger.ts';
import type { Bursts, Logger, RequestLog, RouteLog } from './logger.ts';
import { andThen } from './maybe.ts';
import { requestHeader } from './respond.ts';
import type { MaybePromise } from './maybe.ts';
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

/**
 * What a route is to the guard: its budget (reads, the tighter writes, webhook senders'), whether the
 * deadline applies (not to an open stream, which writes on its own), or, unmatched, read by its method.
 * A probe (`/health`, polled by load balancers) is a read whose good answers are counted, not logged.
 */
export type RouteKind = 'read' | 'write' | 'stream' | 'webhook' | 'unmatched' | 'probe';

/** What the guard learns of one request on its way: the route, and the caller once known. */
interface RequestNote {
  route: string;
  write: boolean;
  subject: string | null;
  actor: string | null;
}

export type Handler = (c: Context) => MaybePromise<Response>;

/**
 * Where a request's note is kept: a variable of its Hono context (a WeakMap keyed by the context
 * cost several times more per request, its entries being ephemerons the collector must visit).
 */
const NOTE = 'drk.guard';

function noteOf(c: Context): RequestNote | undefined {
  return c.get(NOTE) as RequestNote | undefined;
}

export class Guards {
  /** Open streams per meeting id and per token subject (see `openStream`). */
  private readonly meetingStreams = new Map<string, number>();
  private readonly tokenStreams = new Map<string, number>();
  private openStreams = 0;

  constructor(
    readonly limits: RateLimits,
    readonly metrics: ProxyMetrics,
    readonly logger: Logger,
    readonly requests: RequestLog,
    readonly bursts: Bursts,
    private readonly settings: GuardSettings,
  ) {}

  /**
   * Puts a route's handler under the guard: the request is counted against its address's budget (a
   * webhook sender's for the webhooks) before the handler runs; an answer not ready at once gets the
   * deadline (an open stream does not); every answer, error or not, gets its log line and metrics. A
   * handler that answers synchronously is answered synchronously.
   */
  guard(route: string, kind: RouteKind, handler: Handler, renderError: RenderError): Handler {
    const line = kind === 'probe' ? null : this.requests.forRoute(route);
    const countAnswer = this.metrics.answersOf(route);
    return (c) => {
      const started = performance.now();
      const note: RequestNote = {
        route,
        write: kind === 'write' || (kind === 'unmatched' && !READS.has(c.req.method)),
        subject: null,
        actor: null,
      };
      c.set(NOTE, note);
      let answer: MaybePromise<Response>;
      try {
        answer = andThen(this.budget(c, kind, note.write), () => handler(c));
      } catch (error) {
        answer = renderError(error as Error, c);
      }
      if (!(answer instanceof Promise)) return this.finish(c, note, line, countAnswer, answer, started);
      const timed = kind === 'stream' ? answer : withDeadline(answer, this.settings.deadlineMs);
      return timed.then(
        (response) => this.finish(c, note, line, countAnswer, response, started),
        (error: Error) => this.finish(c, note, line, countAnswer, renderError(error, c), started),
      );
    };
  }

  /** The caller is known: counts the request against its subject's budget; throws 429 past it. */
  admit(c: Context, who: Caller): MaybePromise<Caller> {
    const note = noteOf(c);
    const subject = who.sub ? `sub:${who.sub}` : tokenSubject(requestHeader(c, 'authorization'));
    if (note) {
      note.subject = subject;
      note.actor = who.sub;
    }
    if (subject === null) return who;
    return andThen(this.limits.subject(subject, note?.write ?? true), () => who);
  }

  /** Opens a stream slot (`acquire` runs once the caps allow); returns the release of both. */
  openStream(c: Context, acquire: () => () => void): () => void {
    const meetingId = c.req.param('meetingId') ?? '';
    // A caller without a subject is not counted per token.
    const subject = noteOf(c)?.subject ?? null;
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

  private budget(c: Context, kind: RouteKind, write: boolean): MaybePromise<void> {
    const address = this.clientAddress(c);
    return kind === 'webhook' ? this.limits.webhook(address) : this.limits.address(address, write);
  }

  /** The answer's log line (refusals summed up per burst) and metrics. */
  private finish(
    c: Context,
    note: RequestNote,
    line: RouteLog | null,
    countAnswer: (method: string, status: number) => void,
    response: Response,
    started: number,
  ): Response {
    const { status } = response;
    const method = c.req.method;
    const durationMs = performance.now() - started;
    countAnswer(method, status);
    if (status < 400) {
      if (line && this.requests.enabled) line(requestIdOf(c), method, status, durationMs, note.actor);
      return response;
    }
    // An error answer names its log line, for whoever reports it.
    const requestId = requestIdOf(c);
    response.headers.set('x-request-id', requestId);
    const fields = {
      requestId,
      method,
      route: note.route,
      status,
      durationMs: tenths(durationMs),
      actor: note.actor,
    };
    if (status >= 500) {
      this.logger.error(fields, 'request');
    } else {
      // One line for the first refusal of a kind, one for the rest of its burst.
      const code = status === 429 ? 'rate limited' : `answered ${status}`;
      this.bursts.note(`${method} ${note.route} ${status}`, fields, `request ${code}`);
    }
    return response;
  }

  private clientAddress(c: Context): string | null {
    if (this.settings.trustForwardedFor) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
      if (forwarded) return forwarded;
    }
    const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
    return env?.incoming?.socket?.remoteAddress ?? null;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Adds `by` to the key's count; a count down to zero is forgotten. */
function count(counts: Map<string, number>, key: string, by: number): void {
  const left = (counts.get(key) ?? 0) + by;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

export type RenderError = (error: Error, c: Context) => Response;

/** The caller's request id (a reverse proxy's, say) when it is a sane one; a new one otherwise. */
function requestIdOf(c: Context): string {
  const incoming = requestHeader(c, 'x-request-id');
  return incoming && /^[\w.:-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

/** A token without a subject is known by its hash (the token itself is never kept). */
function tokenSubject(authorization: string | null): string | null {
  if (!authorization) return null;
  return `token:${createHash('sha256').update(authorization).digest('hex').slice(0, 32)}`;
}

/**
 * The answer, or a 504 once the deadline passes. Work still going then goes on (a start in flight
 * must finish: a second click joins it), but its late answer is discarded, its body cancelled.
 */
async function withDeadline(work: Promise<Response>, ms: number): Promise<Response> {
  if (ms <= 0) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    const answer = await Promise.race([work, late]);
    if (answer !== null) return answer;
  } finally {
    clearTimeout(timer);
  }
  void work.then(
    (discarded) => discarded.body?.cancel().catch(() => undefined),
    () => undefined,
  );
  throw new ApiError(
    504,
    'upstream_unavailable',
    `The recording service did not answer within ${Math.round(ms / 1000)} s; try again.`,
  );
}

/** Compares in time independent of the texts: their digests, equal in length, in constant time. */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}
