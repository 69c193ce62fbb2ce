/** The browser contract (DESIGN.md) as a Hono app: routes, CORS, and the one error handler. */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { ApiError } from '../core/errors.ts';
import { shapeForRole } from '../core/contract.ts';
import type { AcknowledgementList, RecordingList } from '../core/contract.ts';
import { actorOf, permissionsFor, requireMeeting, requirePermission } from './auth.ts';
import type { Authorize, Caller } from './auth.ts';
import { responder } from './respond.ts';
import type { Responder } from './respond.ts';
import { parseControlRequest, parseStartRequest, readJsonObject, readRaw } from './body.ts';
import type { StateBackend } from './coordination.ts';
import type { EventStreams } from './events.ts';
import { requireValidId } from './ids.ts';
import type { RecordingService } from './recordings.ts';
import type { MeetingView, MeetingWatches } from './watch.ts';
import type { WebhookReceiver } from './webhooks.ts';
import type { SessionFileService } from './sessions.ts';
import type { SessionFileKind } from './upstream/types.ts';
import type { Codec } from '../core/recording.ts';
import type { Guards, Handler, RenderError, RouteKind } from './guard.ts';
import { isoNow } from './clock.ts';
import { andThen } from './maybe.ts';
import type { MaybePromise } from './maybe.ts';

/** Webhook bodies can be larger than anything a browser sends, but are still capped. */
const MAX_WEBHOOK_BYTES = 256 * 1024;
const MAX_LIMIT = 100;
/** How deep a cursor may page (a thousand pages of 100): anything deeper was not handed out. */
const MAX_OFFSET = 100_000;
const DOWNLOAD_KINDS = ['video', 'audio', 'transcript', 'summary'];

interface AppParts {
  basePath: string;
  authorize: Authorize;
  allowedOrigins: string[];
  codecs: readonly Codec[];
  viewerCanDownload: boolean;
  pageSize: number;
  /** Webhooks count as flowing while one arrived within this long. */
  webhookQuietMs: number;
  service: RecordingService;
  watches: MeetingWatches;
  streams: EventStreams;
  webhooks: WebhookReceiver;
  /** Where the state is kept; `/health` says when it cannot be reached. */
  backend: StateBackend;
  sessionFiles: SessionFileService;
  /** Rate limits, stream caps, the deadline, request logs, audit lines and metrics. */
  guards: Guards;
}

export function createApp(parts: AppParts): Hono {
  const { service, watches, streams, webhooks, guards } = parts;
  const newApp = () => (parts.basePath ? new Hono().basePath(parts.basePath) : new Hono());
  const app = newApp();
  /** Answers `405` (with `Allow`) on a route's other methods; asked only when `app` has no match. */
  const otherMethods = newApp();
  const respond = responder(parts.allowedOrigins);
  const { answer, json, jsonText } = respond;

  const renderError: RenderError = (error, c) => {
    if (c.req.path.endsWith('/webhooks') && error instanceof ApiError && error.status < 500) {
      guards.metrics.webhooks.inc({ outcome: 'rejected' });
    }
    if (error instanceof ApiError) return json(c, error.toBody(), error.status, error.headers);
    if (c.req.raw.signal.aborted) {
      guards.bursts.note('client-abort', {}, 'client aborted a request');
      return json(c, new ApiError(400, 'bad_request', 'The request was aborted.').toBody(), 400);
    }
    guards.logger.error({ err: { name: error.name, message: error.message } }, 'internal error');
    return json(
      c,
      new ApiError(500, 'internal_error', 'The recording proxy failed unexpectedly.').toBody(),
      500,
    );
  };
  // Every handler runs under the guard: budgets and the deadline before, the log line and metrics after.
  const route = routeTable(app, otherMethods, respond, guards, renderError);
  app.options('*', guards.guard('preflight', 'read', respond.preflight, renderError));

  const permissions = (who: Caller) =>
    permissionsFor(who, {
      viewerCanDownload: parts.viewerCanDownload,
      upstreamPauses: service.upstream.supportsPause,
    });

  const caller = (c: Context, meetingId: string | null): MaybePromise<Caller> =>
    andThen(parts.authorize(c.req.raw, { meetingId }), (who) => guards.admit(c, who));

  /** A recording route: the id is checked, then the caller, then the recording's meeting on use. */
  const recordingCaller = async (c: Context) => {
    const recordingId = requireValidId(c.req.param('recordingId'), 'recording id');
    return { recordingId, who: await caller(c, null) };
  };

  /** The caller of a meeting's route; at once where the token and the budgets are checked in memory. */
  const meetingCaller = (c: Context): MaybePromise<{ meetingId: string; who: Caller }> => {
    const meetingId = requireValidId(c.req.param('meetingId'), 'meeting id');
    return andThen(caller(c, meetingId), (who) => {
      requireMeeting(who, meetingId);
      return { meetingId, who };
    });
  };

  const listBody = (
    who: Caller,
    view: Omit<MeetingView, 'meeting'>,
    nextCursor: string | null,
  ): RecordingList => ({
    recordings: view.recordings.map((recording) => shapeForRole(recording, who.role)),
    active: shapeForRole(view.active, who.role),
    nextCursor,
    permissions: permissions(who),
    serverTime: new Date().toISOString(),
  });

  const firstCursor = (view: Omit<MeetingView, 'meeting'>) =>
    view.hasMore ? encodeCursor(parts.pageSize, parts.pageSize) : null;

  /**
   * A cached first page with its `serverTime`, as bytes, made once per page and millisecond: built
   * per request, each answer would copy the page twice (a string written out is flattened first).
   */
  const utf8 = new TextEncoder();
  let stamped = { page: '', time: '', bytes: utf8.encode('') };
  const stampedBody = (page: string): Uint8Array<ArrayBuffer> => {
    const time = isoNow();
    if (stamped.page !== page || stamped.time !== time) {
      stamped = { page, time, bytes: utf8.encode(`${page},"serverTime":"${time}"}`) };
    }
    return stamped.bytes;
  };

  /** The last /health body, kept while the facts it states stay the same (load balancers poll it). */
  let health: { reachable: boolean | null; stateReachable: boolean; flowing: boolean; text: string } | null =
    null;
  route('/health', {
    GET: (c) => {
      const { reachable } = service.upstream.health;
      const stateReachable = parts.backend.reachable();
      const flowing = webhooks.flowing(parts.webhookQuietMs);
      const ok = reachable !== false && stateReachable;
      if (
        health === null ||
        health.reachable !== reachable ||
        health.stateReachable !== stateReachable ||
        health.flowing !== flowing
      ) {
        const body = {
          ok,
          upstream: { kind: service.upstream.kind, reachable, webhooks: flowing },
          state: { backend: parts.backend.kind, reachable: stateReachable },
        };
        health = { reachable, stateReachable, flowing, text: JSON.stringify(body) };
      }
      return jsonText(c, health.text, ok ? 200 : 503);
    },
  });

  route('/meetings/:meetingId/recordings', {
    // Synchronous while the caller is checked in memory and the page is watched: the hot read.
    GET: (c) =>
      andThen(meetingCaller(c), ({ meetingId, who }) => {
        const { offset, limit } = readPage(c.req.query('cursor'), c.req.query('limit'), parts.pageSize);
        if (offset === 0 && limit === parts.pageSize) {
          // The first page as the elements ask for it: serialized once per role and version of the page.
          const cached = watches.cachedBody(meetingId, who.role, (view) => {
            const { serverTime: _, ...rest } = listBody(who, view, firstCursor(view));
            return JSON.stringify(rest).slice(0, -1);
          });
          if (cached !== null) return jsonText(c, stampedBody(cached));
        }
        const page = (view: Omit<MeetingView, 'meeting'>) =>
          json(c, listBody(who, view, view.hasMore ? encodeCursor(offset + limit, limit) : null));
        const watched = offset === 0 ? watches.cached(meetingId, limit) : null;
        return watched ? page(watched) : service.cachedList(meetingId, offset, limit).then(page);
      }),
    POST: async (c) => {
      const { meetingId, who } = await meetingCaller(c);
      requirePermission(permissions(who).start, 'start a recording');
      const codec = parseStartRequest(await readJsonObject(c.req.raw), parts.codecs);
      const recording = await service.start(meetingId, codec, actorOf(who));
      guards.audit('start', who, recording.id);
      return json(c, recording, 201);
    },
  });

  route('/meetings/:meetingId/events', {
    GET: async (c) => {
      const { meetingId, who } = await meetingCaller(c);
      // A HEAD gets the stream's headers only: nobody would read (or cancel) its body.
      if (c.req.method === 'HEAD')
        return answer(c, null, 200, { 'content-type': 'text/event-stream; charset=utf-8' });
      const lastEventId = c.req.header('last-event-id');
      const release = guards.openStream(c, () => watches.acquire(meetingId));
      return streams.start(
        {
          meetingId,
          lastEventId: lastEventId && /^\d{1,16}$/.test(lastEventId.trim()) ? Number(lastEventId) : null,
          expiresAt: who.expiresAt,
          role: who.role,
          onClose: release,
          snapshot: async () => {
            const view = await watches.view(meetingId);
            return {
              view,
              list: listBody(who, view, firstCursor(view)),
            };
          },
        },
        c,
        respond,
      );
    },
  });

  route('/recordings/:recordingId', {
    GET: async (c) => {
      const { recordingId, who } = await recordingCaller(c);
      const { recording } = await service.read(who.meetingId, recordingId);
      return json(c, shapeForRole(recording, who.role));
    },
    PUT: async (c) => {
      const { recordingId, who } = await recordingCaller(c);
      requirePermission(permissions(who).stop, 'control a recording');
      const action = parseControlRequest(await readJsonObject(c.req.raw));
      const recording = await service.control(who.meetingId, recordingId, action, actorOf(who));
      guards.audit(action, who, recordingId);
      return json(c, recording);
    },
  });

  route('/recordings/:recordingId/download', {
    GET: async (c) => {
      const { recordingId, who } = await recordingCaller(c);
      requirePermission(permissions(who).download, 'download recordings');
      const kind = c.req.query('kind') ?? 'video';
      if (!DOWNLOAD_KINDS.includes(kind)) {
        throw new ApiError(400, 'bad_request', '"kind" must be "video", "audio", "transcript" or "summary".');
      }
      const link =
        kind === 'video' || kind === 'audio'
          ? await service.download(who.meetingId, recordingId, kind)
          : await parts.sessionFiles.link(who.meetingId, recordingId, kind as SessionFileKind);
      guards.audit(`download ${kind}`, who, recordingId);
      const noReferrer = { 'referrer-policy': 'no-referrer' };
      if (/\bapplication\/json\b/i.test(c.req.header('accept') ?? '')) return json(c, link, 200, noReferrer);
      return answer(c, null, 302, { ...noReferrer, location: link.url });
    },
  });

  route('/recordings/:recordingId/acknowledgements', {
    GET: async (c) => {
      const { recordingId, who } = await recordingCaller(c);
      requirePermission(who.role === 'host', 'see who acknowledged a recording');
      const acknowledgements = await service.acknowledgements(who.meetingId, recordingId);
      return json(c, { acknowledgements } satisfies AcknowledgementList);
    },
    POST: async (c) => {
      const { recordingId, who } = await recordingCaller(c);
      if (Object.keys(await readJsonObject(c.req.raw)).length > 0) {
        throw new ApiError(400, 'bad_request', 'An acknowledgement takes no fields: the token says who.');
      }
      if (!who.sub) throw new ApiError(400, 'bad_request', 'This token has no subject to acknowledge as.');
      const { acknowledgement, created } = await service.acknowledge(who.meetingId, recordingId, {
        id: who.sub,
        name: who.name,
      });
      return json(c, acknowledgement, created ? 201 : 200);
    },
  });

  route('/recordings/:recordingId/summary', {
    GET: async (c) => {
      const { recordingId, who } = await recordingCaller(c);
      requirePermission(permissions(who).download, 'read summaries');
      return json(c, await parts.sessionFiles.summaryText(who.meetingId, recordingId));
    },
  });

  route('/webhooks', {
    POST: async (c) => {
      // Unsigned senders are turned away before their body is read.
      if (!c.req.header('dyte-signature') && !c.req.header('rtk-signature')) {
        throw new ApiError(401, 'invalid_signature', 'The webhook carries no signature.');
      }
      const outcome = await webhooks.receive(c.req.raw.headers, await readRaw(c.req.raw, MAX_WEBHOOK_BYTES));
      guards.metrics.webhooks.inc({ outcome: outcome === 'duplicate' ? 'deduplicated' : 'accepted' });
      return answer(c, null, 204);
    },
  });

  route('/metrics', { GET: (c) => guards.metricsResponse(c) });

  otherMethods.notFound((c) => json(c, new ApiError(404, 'not_found', 'No such route.').toBody(), 404));
  app.notFound(
    guards.guard('unmatched', 'unmatched', (c) => otherMethods.fetch(c.req.raw, c.env), renderError),
  );
  app.onError(renderError);
  return app;
}

type Method = 'GET' | 'POST' | 'PUT';

/**
 * Registers a path's methods, each under the guard (one handler per match keeps Hono on its direct
 * path), and `405` with `Allow` for every other method on it.
 */
function routeTable(
  app: Hono,
  otherMethods: Hono,
  { json }: Responder,
  guards: Guards,
  renderError: RenderError,
) {
  return (path: string, handlers: Partial<Record<Method, Handler>>): void => {
    for (const [method, handler] of Object.entries(handlers)) {
      app.on(method, path, guards.guard(path, routeKind(method as Method, path), handler, renderError));
    }
    const allow = [...Object.keys(handlers), ...(handlers.GET ? ['HEAD'] : []), 'OPTIONS'].join(', ');
    otherMethods.all(path, (c) =>
      json(c, new ApiError(405, 'method_not_allowed', `Use ${allow} on this route.`).toBody(), 405, {
        Allow: allow,
      }),
    );
  };
}

/** Writes (start, stop, pause, resume, acknowledge) and download links have the tighter budget. */
function routeKind(method: Method, path: string): RouteKind {
  if (path === '/health') return 'probe';
  if (path === '/webhooks') return 'webhook';
  if (path.endsWith('/events')) return 'stream';
  return method !== 'GET' || path.endsWith('/download') ? 'write' : 'read';
}

/** Cursors are opaque to the browser: base64url of `offset:limit`, so every page keeps its size. */
function encodeCursor(offset: number, limit: number): string {
  return btoa(`${offset}:${limit}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function readPage(cursor: string | undefined, limit: string | undefined, pageSize: number) {
  if (cursor !== undefined && cursor !== '') {
    let decoded = '';
    try {
      decoded = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    } catch {
      // Falls through to the error below.
    }
    const match = /^(\d{1,9}):(\d{1,3})$/.exec(decoded);
    const page = match && { offset: Number(match[1]), limit: Number(match[2]) };
    if (
      !page ||
      page.limit < 1 ||
      page.limit > MAX_LIMIT ||
      page.offset > MAX_OFFSET ||
      page.offset % page.limit !== 0
    ) {
      throw new ApiError(400, 'bad_request', 'The "cursor" is not one this server handed out.');
    }
    return page;
  }
  if (limit === undefined || limit === '') return { offset: 0, limit: pageSize };
  if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
    throw new ApiError(400, 'bad_request', `"limit" must be a whole number from 1 to ${MAX_LIMIT}.`);
  }
  return { offset: 0, limit: Number(limit) };
}
