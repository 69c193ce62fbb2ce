/**
 * Every route of the simulator: Dyte v2 (and the same under RealtimeKit's prefix), Dyte v1, the public
 * webhook key, the signed downloads and the `/_sim/` control plane. Handlers validate, call the world,
 * and render; auth, rate limit, faults and error envelopes are the server's (index.ts).
 */
import type { Faults } from './faults.ts';
import { readFault } from './faults.ts';
import type { Reply, Request, Route } from './http.ts';
import { HttpError, parseRange } from './http.ts';
import type { SimRecording } from './lifecycle.ts';
import { isRunning } from './lifecycle.ts';
import type { MediaLibrary } from './media.ts';
import type { Links } from './render.ts';
import { iso, toV1Recording, toV2Recording } from './render.ts';
import type { UrlSigner } from './signing.ts';
import type { Stats } from './stats.ts';
import {
  readMeetingId,
  readV1Action,
  readV1ListQuery,
  readV1Start,
  readV2Action,
  readV2ListQuery,
  readV2Start,
  readWebhook,
  V1_WEBHOOK_EVENTS,
  V2_WEBHOOK_EVENTS,
  ValidationError,
} from './validate.ts';
import type { WebhookFields } from './validate.ts';
import type { ActiveSessionInfo, Webhook, World } from './world.ts';
import type { HeaderPrefix } from './webhooks.ts';

export interface RouteDeps {
  world: World;
  faults: Faults;
  stats: Stats;
  media: MediaLibrary;
  signer: UrlSigner;
  publicKeyPem: string;
  links(recording: SimRecording): Links;
}

const RTK_PREFIX = '/client/v4/accounts/:account_id/realtime/kit/:app_id';

export function buildRoutes(deps: RouteDeps): Route[] {
  return [
    ...v2Routes(deps, '/v2', 'v2'),
    ...v2Routes(deps, RTK_PREFIX, 'rtk'),
    ...v1Routes(deps),
    ...controlRoutes(deps),
  ];
}

const ok = (data: unknown, status = 200): Reply => ({ status, body: { success: true, data } });

/** v2 and RealtimeKit: the same routes and shapes, a different bucket field and webhook header prefix. */
function v2Routes({ world, links }: RouteDeps, prefix: string, api: 'v2' | 'rtk'): Route[] {
  const bucketField = api === 'rtk' ? 'realtimekit_bucket_config' : 'dyte_bucket_config';
  const headerPrefix: HeaderPrefix = api === 'rtk' ? 'rtk' : 'dyte';
  const render = (recording: SimRecording) => toV2Recording(recording, world.now(), links(recording));
  const route = (method: string, path: string, handle: Route['handle']): Route => ({
    method,
    template: `${prefix}${path}`,
    api,
    handle,
  });
  const webhookFields = async (request: Request, partial: boolean) =>
    readWebhook(await request.json(), V2_WEBHOOK_EVENTS, partial);
  return [
    route('POST', '/recordings', async (request) =>
      ok(render(world.start(readV2Start(await request.json(), bucketField)))),
    ),
    route('GET', '/recordings', (request) => {
      const query = readV2ListQuery(request.url.searchParams);
      const all = world.list({
        meetingId: query.meetingId,
        statuses: query.statuses,
        expired: query.expired,
        from: query.startTime,
        to: query.endTime,
        order: query.sortOrder,
      });
      const first = (query.pageNo - 1) * query.perPage;
      const page = all.slice(first, first + query.perPage);
      return {
        status: 200,
        body: {
          success: true,
          data: page.map((recording) => ({ ...render(recording), meeting: v2Meeting(world, recording) })),
          paging: {
            total_count: all.length,
            start_offset: first + 1,
            end_offset: first + page.length,
          },
        },
      };
    }),
    route('GET', '/recordings/active-recording/:meeting_id', (request) => {
      const meetingId = readMeetingId(request.params.meeting_id, 'meeting_id');
      const active = world.active(meetingId);
      if (!active) throw new HttpError(404, `No active recording found for meeting ${meetingId}.`);
      return ok(render(active));
    }),
    route('GET', '/recordings/:recording_id', (request) =>
      ok(render(world.get(request.params.recording_id!))),
    ),
    route('PUT', '/recordings/:recording_id', async (request) => {
      const action = readV2Action(await request.json());
      return ok(render(world.control(request.params.recording_id!, action)));
    }),
    route('GET', '/meetings/:meeting_id/active-session', (request) => {
      const meetingId = readMeetingId(request.params.meeting_id, 'meeting_id');
      return ok(v2ActiveSession(world.activeSession(meetingId), world.orgId, world.now()));
    }),
    route('GET', '/sessions/:session_id/transcript', (request) => {
      const sessionId = request.params.session_id!;
      const { url, expiresAt } = world.transcripts.fresh(sessionId, 'transcript.csv');
      return ok({ sessionId, transcript_download_url: url, transcript_download_url_expiry: iso(expiresAt) });
    }),
    route('GET', '/sessions/:session_id/summary', (request) => {
      const sessionId = request.params.session_id!;
      const { url, expiresAt } = world.transcripts.fresh(sessionId, 'summary.txt');
      return ok({ sessionId, summaryDownloadUrl: url, summaryDownloadUrlExpiry: iso(expiresAt) });
    }),
    route('POST', '/sessions/:session_id/summary', (request) => {
      world.transcripts.requestSummary(request.params.session_id!);
      return ok({ success: true, message: 'Success' });
    }),
    route('GET', '/webhooks', () => ok(world.listWebhooks().map(v2Webhook))),
    route('POST', '/webhooks', async (request) =>
      ok(v2Webhook(world.addWebhook(complete(await webhookFields(request, false)), headerPrefix)), 201),
    ),
    route('GET', '/webhooks/:webhook_id', (request) =>
      ok(v2Webhook(world.getWebhook(request.params.webhook_id!))),
    ),
    route('PUT', '/webhooks/:webhook_id', async (request) =>
      ok(
        v2Webhook(
          world.updateWebhook(request.params.webhook_id!, complete(await webhookFields(request, false))),
        ),
      ),
    ),
    route('PATCH', '/webhooks/:webhook_id', async (request) =>
      ok(v2Webhook(world.updateWebhook(request.params.webhook_id!, await webhookFields(request, true)))),
    ),
    route('DELETE', '/webhooks/:webhook_id', (request) =>
      ok(v2Webhook(world.deleteWebhook(request.params.webhook_id!))),
    ),
  ];
}

function v1Routes({ world, links }: RouteDeps): Route[] {
  const org = '/v1/organizations/:organization_id';
  const render = (recording: SimRecording) => toV1Recording(recording, world.now(), links(recording));
  const route = (method: string, path: string, handle: Route['handle']): Route => ({
    method,
    template: `${org}${path}`,
    api: 'v1',
    handle,
  });
  const inMeeting = (request: Request) => {
    const recording = world.get(request.params.recording_id!);
    if (recording.meetingId !== request.params.meeting_id) {
      throw new HttpError(404, `No recording ${recording.id} in meeting ${request.params.meeting_id}.`);
    }
    return recording;
  };
  const start = async (request: Request, meetingId: string) =>
    ok({ recording: render(world.start(readV1Start(await request.json(), meetingId))) });
  const webhookFields = async (request: Request) =>
    complete(readWebhook(await request.json(), V1_WEBHOOK_EVENTS));
  const v1Webhook = (webhook: Webhook) => ({
    id: webhook.id,
    name: webhook.name,
    url: webhook.url,
    events: webhook.events,
    enabled: webhook.enabled,
    organizationId: world.orgId,
    createdAt: iso(webhook.createdAt),
    updatedAt: iso(webhook.updatedAt),
  });
  return [
    route('POST', '/meetings/:meeting_id/recording', (request) => start(request, request.params.meeting_id!)),
    // A room name is the v1 alias of a meeting: the simulator's meetings are their own rooms.
    route('POST', '/rooms/:room_name/recording', (request) => start(request, request.params.room_name!)),
    route('GET', '/rooms/:room_name/active-recording', (request) => {
      const meetingId = readMeetingId(request.params.room_name, 'roomName');
      return ok({ recordings: world.list({ meetingId, order: 'DESC' }).filter(isRunning).map(render) });
    }),
    route('GET', '/meetings/:meeting_id/recordings', (request) => {
      const { offset, limit } = readV1ListQuery(request.url.searchParams);
      const meetingId = readMeetingId(request.params.meeting_id, 'meetingId');
      const recordings = world.list({ meetingId, order: 'DESC' }).slice(offset, offset + limit);
      return ok({ recordings: recordings.map(render) });
    }),
    route('GET', '/meetings/:meeting_id/recordings/:recording_id', (request) =>
      ok({ recording: render(inMeeting(request)) }),
    ),
    route('PUT', '/meetings/:meeting_id/recordings/:recording_id', async (request) => {
      const action = readV1Action(await request.json());
      return ok({ recording: render(world.control(inMeeting(request).id, action)) });
    }),
    route('POST', '/webhook', async (request) =>
      ok({ webhook: v1Webhook(world.addWebhook(await webhookFields(request), 'dyte')) }),
    ),
    route('GET', '/webhooks', () => ok({ webhooks: world.listWebhooks().map(v1Webhook) })),
    route('GET', '/webhooks/:webhook_id', (request) =>
      ok({ webhook: v1Webhook(world.getWebhook(request.params.webhook_id!)) }),
    ),
    route('PUT', '/webhooks/:webhook_id', async (request) =>
      ok({
        webhook: v1Webhook(world.updateWebhook(request.params.webhook_id!, await webhookFields(request))),
      }),
    ),
    route('DELETE', '/webhooks/:webhook_id', (request) =>
      ok({ webhook: v1Webhook(world.deleteWebhook(request.params.webhook_id!)) }),
    ),
  ];
}

function controlRoutes({ world, faults, stats, media, signer, publicKeyPem }: RouteDeps): Route[] {
  const route = (method: string, template: string, handle: Route['handle']): Route => ({
    method,
    template,
    api: null,
    handle,
  });
  return [
    route('GET', '/.well-known/webhooks.json', () => ok({ publicKey: publicKeyPem })),
    route('POST', '/_sim/meetings/:meeting_id/participants', async (request) => {
      const body = (await request.json()) ?? {};
      if (typeof body !== 'object' || Array.isArray(body))
        throw new ValidationError('The body must be an object {name?}.');
      const name = (body as { name?: unknown }).name;
      if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > 200)) {
        throw new ValidationError('"name" must be a non-empty string of at most 200 characters');
      }
      const meetingId = readMeetingId(request.params.meeting_id, 'meetingId');
      return { status: 201, body: { participantId: world.join(meetingId, name ?? null) } };
    }),
    route('DELETE', '/_sim/meetings/:meeting_id/participants/:participant_id', (request) => {
      world.leave(request.params.meeting_id!, request.params.participant_id!);
      return { status: 204 };
    }),
    route('PUT', '/_sim/meetings/:meeting_id/transcription', async (request) => {
      const enabled = ((await request.json()) as { enabled?: unknown } | undefined)?.enabled;
      if (typeof enabled !== 'boolean')
        throw new ValidationError('The body must be {"enabled": true|false}.');
      world.transcripts.setEnabled(readMeetingId(request.params.meeting_id, 'meetingId'), enabled);
      return { status: 204 };
    }),
    route('GET', '/_downloads/sessions/:session_id/:file_name', (request) => {
      const verdict = signer.verify(request.url.pathname, request.url.searchParams, world.now());
      if (verdict === 'invalid') throw new HttpError(403, 'The download signature does not match.');
      if (verdict === 'expired') throw new HttpError(403, 'The download link has expired.');
      const file = world.transcripts.file(request.params.session_id!, request.params.file_name!);
      if (!file) throw new HttpError(404, 'No such file.');
      return { status: 200, body: Buffer.from(file.text), headers: { 'content-type': file.contentType } };
    }),
    route('POST', '/_sim/faults', async (request) => {
      faults.add(readFault(await request.json()));
      return { status: 204 };
    }),
    route('DELETE', '/_sim/faults', () => {
      faults.clear();
      return { status: 204 };
    }),
    route('GET', '/_sim/stats', () => ({ status: 200, body: stats.snapshot() })),
    route('DELETE', '/_sim/stats', () => {
      stats.reset();
      return { status: 204 };
    }),
    route('GET', '/_downloads/:recording_id/:file_name', (request) => {
      const verdict = signer.verify(request.url.pathname, request.url.searchParams, world.now());
      if (verdict === 'invalid') throw new HttpError(403, 'The download signature does not match.');
      if (verdict === 'expired') throw new HttpError(403, 'The download link has expired.');
      const recording = world.get(request.params.recording_id!);
      const file =
        request.params.file_name === recording.outputFileName
          ? media.video(recording.config.codec)
          : recording.config.audioCodec
            ? media.audio(recording.config.audioCodec)
            : null;
      if (!file) throw new HttpError(404, 'No such file.');
      const size = file.bytes.length;
      const range = parseRange(request.headers.range, size);
      const headers = { 'content-type': file.contentType, 'accept-ranges': 'bytes' };
      if (range === 'unsatisfiable') {
        throw new HttpError(416, 'The requested range is outside the file.', {
          'content-range': `bytes */${size}`,
        });
      }
      if (!range) return { status: 200, body: file.bytes, headers };
      return {
        status: 206,
        body: file.bytes.subarray(range.start, range.end + 1),
        headers: { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${size}` },
      };
    }),
  ];
}

/** A full registration from validated fields (`enabled` defaults to true). */
function complete(fields: Partial<WebhookFields>): WebhookFields {
  return { name: fields.name!, url: fields.url!, events: fields.events!, enabled: fields.enabled ?? true };
}

function v2Webhook(webhook: Webhook) {
  return {
    id: webhook.id,
    name: webhook.name,
    url: webhook.url,
    events: webhook.events,
    enabled: webhook.enabled,
    created_at: iso(webhook.createdAt),
    updated_at: iso(webhook.updatedAt),
  };
}

function v2ActiveSession(session: ActiveSessionInfo, organizationId: string, now: number) {
  return {
    id: session.sessionId,
    associated_id: session.id,
    meeting_display_name: session.title,
    type: 'meeting',
    status: 'LIVE',
    live_participants: session.participants,
    max_concurrent_participants: session.maxParticipants,
    minutes_consumed: Math.round(((now - session.startedAt) / 60_000) * 10_000) / 10_000,
    organization_id: organizationId,
    started_at: iso(session.startedAt),
    created_at: iso(session.startedAt),
    updated_at: iso(session.updatedAt),
  };
}

function v2Meeting(world: World, recording: SimRecording) {
  const meeting = world.meetingInfo(recording.meetingId);
  return {
    id: meeting.id,
    title: meeting.title,
    status: 'ACTIVE',
    created_at: iso(meeting.createdAt),
    updated_at: iso(meeting.createdAt),
  };
}
