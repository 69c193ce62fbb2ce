/**
 * Dyte's v2 REST API (Basic auth with org id and API key), and Cloudflare RealtimeKit, which serves
 * the same routes and shapes under its own base with a Bearer token.
 */
import type { RecordingAction } from '../../core/contract.ts';
import { normalizeV2Recording } from '../../core/normalize.ts';
import { asObject, parseNumber, parseString, parseTime } from '../../core/parse.ts';
import type { Recording } from '../../core/recording.ts';
import { UpstreamHttp, UpstreamRejection } from './http.ts';
import type { ReadAnswer, UpstreamHttpOptions } from './http.ts';
import {
  arrayField,
  defined,
  field,
  newestFirst,
  normalized,
  readWebhook,
  recordingNotFound,
} from './envelope.ts';
import { STORAGE_TYPES } from './types.ts';
import type {
  ActiveRecording,
  ActiveSession,
  RecordingDetail,
  SessionFileKind,
  SessionFileLink,
  StartOptions,
  StorageConfig,
  Upstream,
  UpstreamKind,
} from './types.ts';

interface DyteV2Options extends Omit<UpstreamHttpOptions, 'baseUrl'> {
  kind: Extract<UpstreamKind, 'v2' | 'rtk'>;
  /** The API root, e.g. `https://api.dyte.io/v2` or RealtimeKit's `…/realtime/kit/{app}`. */
  baseUrl: string;
  /** Origin whose `/.well-known/webhooks.json` publishes the webhook key. */
  origin: string;
}

export class DyteV2Upstream implements Upstream {
  readonly supportsPause = true;
  readonly codecs = ['H264', 'VP8'] as const;
  readonly storageTypes = STORAGE_TYPES;
  readonly kind: DyteV2Options['kind'];
  readonly webhookKeyUrl: string;
  private readonly http: UpstreamHttp;

  constructor(options: DyteV2Options) {
    this.kind = options.kind;
    this.webhookKeyUrl = `${options.origin}/.well-known/webhooks.json`;
    this.http = new UpstreamHttp(options);
  }

  get health() {
    return this.http.health;
  }

  async list(meetingId: string, offset: number, limit: number) {
    // Pages are whole multiples of `limit` (cursors are minted that way), 1-based.
    const { body, sentAt } = await this.http.read('/recordings', {
      meeting_id: meetingId,
      page_no: Math.floor(offset / limit) + 1,
      per_page: limit,
      sort_order: 'DESC',
    });
    const recordings = arrayField(body, 'data').map((item) =>
      normalized(() => normalizeV2Recording(item, { meetingId: statedMeeting(item) ?? meetingId })),
    );
    const total = parseNumber(field(body, 'paging', 'total_count'));
    const hasMore = total === null ? recordings.length === limit : offset + recordings.length < total;
    return { recordings: newestFirst(recordings), hasMore, sentAt };
  }

  async active(meetingId: string): Promise<ActiveRecording> {
    const sentAt = Date.now();
    try {
      const answer = await this.http.read(`/recordings/active-recording/${encodeURIComponent(meetingId)}`);
      const data = field(answer.body, 'data');
      return {
        recording: asObject(data) ? normalized(() => normalizeV2Recording(data, { meetingId })) : null,
        sentAt: answer.sentAt,
      };
    } catch (error) {
      if (error instanceof UpstreamRejection && error.status === 404) return { recording: null, sentAt };
      throw error;
    }
  }

  async activeSession(meetingId: string): Promise<ActiveSession> {
    const sentAt = Date.now();
    try {
      const answer = await this.http.read(`/meetings/${encodeURIComponent(meetingId)}/active-session`);
      const participants = parseNumber(field(answer.body, 'data', 'live_participants'));
      const updated = parseTime(field(answer.body, 'data', 'updated_at'));
      if (participants === null) throw new Error('the active session names no live_participants');
      const count = Math.max(0, Math.round(participants));
      return {
        sentAt: answer.sentAt,
        session: { participants: count, updatedAt: updated === null ? null : Date.parse(updated) },
      };
    } catch (error) {
      if (error instanceof UpstreamRejection && error.status === 404) return { session: null, sentAt };
      throw error;
    }
  }

  async sessionFile(sessionId: string, kind: SessionFileKind): Promise<SessionFileLink | null> {
    const [url, expiry] =
      kind === 'transcript'
        ? ['transcript_download_url', 'transcript_download_url_expiry']
        : ['summaryDownloadUrl', 'summaryDownloadUrlExpiry'];
    try {
      const { body } = await this.http.read(`/sessions/${encodeURIComponent(sessionId)}/${kind}`);
      const link = parseString(field(body, 'data', url));
      return link ? { url: link, expiresAt: parseTime(field(body, 'data', expiry)) } : null;
    } catch (error) {
      if (error instanceof UpstreamRejection && error.status === 404) return null;
      throw error;
    }
  }

  async requestSummary(sessionId: string): Promise<void> {
    await this.http.write('POST', `/sessions/${encodeURIComponent(sessionId)}/summary`);
  }

  async get(meetingId: string, recordingId: string): Promise<RecordingDetail> {
    let answer: ReadAnswer;
    try {
      answer = await this.http.read(`/recordings/${encodeURIComponent(recordingId)}`);
    } catch (error) {
      if (error instanceof UpstreamRejection) throw recordingNotFound();
      throw error;
    }
    const data = field(answer.body, 'data');
    const stated = statedMeeting(data);
    return {
      sentAt: answer.sentAt,
      recording: normalized(() => normalizeV2Recording(data, { meetingId: stated ?? meetingId })),
      meetingStated: stated !== null,
      downloadUrl: parseString(field(data, 'download_url')),
      audioDownloadUrl: parseString(field(data, 'audio_download_url')),
    };
  }

  async start(meetingId: string, options: StartOptions): Promise<Recording> {
    const body = await this.http.write('POST', '/recordings', {
      body: {
        meeting_id: meetingId,
        video_config: { codec: options.codec },
        ...(options.maxSeconds === undefined ? {} : { max_seconds: options.maxSeconds }),
        ...(options.fileNamePrefix === undefined ? {} : { file_name_prefix: options.fileNamePrefix }),
        ...(options.storage === undefined ? {} : { storage_config: storageConfig(options.storage) }),
      },
    });
    return normalized(() => normalizeV2Recording(field(body, 'data'), { meetingId }));
  }

  async control(meetingId: string, recordingId: string, action: RecordingAction): Promise<Recording> {
    const body = await this.http.write('PUT', `/recordings/${encodeURIComponent(recordingId)}`, {
      body: { action },
    });
    const data = field(body, 'data');
    return normalized(() => normalizeV2Recording(data, { meetingId: statedMeeting(data) ?? meetingId }));
  }

  async webhooks() {
    const { body } = await this.http.read('/webhooks');
    return arrayField(body, 'data').flatMap((item) => readWebhook(item) ?? []);
  }

  async registerWebhook(registration: { name: string; url: string; events: string[] }) {
    await this.http.write('POST', '/webhooks', { body: registration });
  }

  async replaceWebhook(id: string, registration: { name: string; url: string; events: string[] }) {
    await this.http.write('PUT', `/webhooks/${encodeURIComponent(id)}`, { body: registration });
  }
}

/** The meeting a v2 payload names, if any: `meeting_id`, or the `meeting` object lists embed. */
function statedMeeting(data: unknown): string | null {
  return parseString(field(data, 'meeting_id')) ?? parseString(field(data, 'meeting', 'id'));
}

function storageConfig(storage: StorageConfig): Record<string, string> {
  return defined({
    type: storage.type,
    access_key: storage.accessKey,
    secret: storage.secret,
    bucket: storage.bucket,
    region: storage.region,
    path: storage.path,
  });
}
