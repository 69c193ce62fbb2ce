/** Dyte's v1 REST API: `APIKEY` auth, the org id in every path, recordings addressed through their meeting. */
import { ApiError } from '../../core/errors.ts';
import type { RecordingAction } from '../../core/contract.ts';
import { normalizeV1Recording } from '../../core/normalize.ts';
import { parseString } from '../../core/parse.ts';
import type { Recording } from '../../core/recording.ts';
import { isActive } from '../../core/status.ts';
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
import type { ActiveRecording, RecordingDetail, StartOptions, Upstream } from './types.ts';

interface DyteV1Options extends Omit<UpstreamHttpOptions, 'baseUrl'> {
  /** Origin, e.g. `https://api.dyte.io`; `/v1` is added. */
  origin: string;
  orgId: string;
}

/** How far back a v1 active-recording lookup reads (v1 has no active-recording route for meetings). */
const ACTIVE_SCAN = 20;

export class DyteV1Upstream implements Upstream {
  readonly kind = 'v1' as const;
  readonly supportsPause = false;
  readonly codecs = ['H264', 'VP8', 'VP9'] as const;
  readonly storageTypes = ['aws', 'azure', 'digitalocean'] as const;
  readonly webhookKeyUrl: string;
  private readonly http: UpstreamHttp;
  private readonly org: string;

  constructor(options: DyteV1Options) {
    this.webhookKeyUrl = `${options.origin}/.well-known/webhooks.json`;
    this.org = `/organizations/${encodeURIComponent(options.orgId)}`;
    this.http = new UpstreamHttp({ ...options, baseUrl: `${options.origin}/v1` });
  }

  get health() {
    return this.http.health;
  }

  private meeting(meetingId: string): string {
    return `${this.org}/meetings/${encodeURIComponent(meetingId)}`;
  }

  async list(meetingId: string, offset: number, limit: number) {
    const { body, sentAt } = await this.http.read(`${this.meeting(meetingId)}/recordings`, {
      offset,
      limit,
    });
    const recordings = arrayField(body, 'data', 'recordings').map((item) =>
      normalized(() => normalizeV1Recording(item, { meetingId })),
    );
    return { recordings: newestFirst(recordings), hasMore: recordings.length === limit, sentAt };
  }

  async active(meetingId: string): Promise<ActiveRecording> {
    const { recordings, sentAt } = await this.list(meetingId, 0, ACTIVE_SCAN);
    return { recording: recordings.find((recording) => isActive(recording.status)) ?? null, sentAt };
  }

  async get(meetingId: string, recordingId: string): Promise<RecordingDetail> {
    let answer: ReadAnswer;
    try {
      answer = await this.http.read(
        `${this.meeting(meetingId)}/recordings/${encodeURIComponent(recordingId)}`,
      );
    } catch (error) {
      if (error instanceof UpstreamRejection) throw recordingNotFound();
      throw error;
    }
    const data = field(answer.body, 'data', 'recording');
    return {
      sentAt: answer.sentAt,
      recording: normalized(() => normalizeV1Recording(data, { meetingId })),
      meetingStated: parseString(field(data, 'meetingId')) === meetingId,
      downloadUrl: parseString(field(data, 'downloadUrl')),
      audioDownloadUrl: parseString(field(data, 'audioDownloadUrl')),
    };
  }

  async start(meetingId: string, options: StartOptions): Promise<Recording> {
    const storage = options.storage;
    const body = await this.http.write('POST', `${this.meeting(meetingId)}/recording`, {
      body: {
        videoConfig: { codec: options.codec },
        ...(options.maxSeconds === undefined ? {} : { maxSeconds: options.maxSeconds }),
        ...(storage === undefined
          ? {}
          : {
              storageConfig: defined({
                type: storage.type,
                accessKey: storage.accessKey,
                secret: storage.secret,
                bucket: storage.bucket,
                region: storage.region,
                path: storage.path,
              }),
            }),
      },
    });
    return normalized(() => normalizeV1Recording(field(body, 'data', 'recording'), { meetingId }));
  }

  async control(meetingId: string, recordingId: string, action: RecordingAction): Promise<Recording> {
    if (action !== 'stop') {
      throw new ApiError(422, 'not_supported', `This recording service cannot ${action} a recording.`);
    }
    const body = await this.http.write(
      'PUT',
      `${this.meeting(meetingId)}/recordings/${encodeURIComponent(recordingId)}`,
      { body: { recordingAction: 'stop' } },
    );
    return normalized(() => normalizeV1Recording(field(body, 'data', 'recording'), { meetingId }));
  }

  async webhooks() {
    const { body } = await this.http.read(`${this.org}/webhooks`);
    return arrayField(body, 'data', 'webhooks').flatMap((item) => readWebhook(item) ?? []);
  }

  async registerWebhook(registration: { name: string; url: string; events: string[] }) {
    await this.http.write('POST', `${this.org}/webhook`, { body: registration });
  }

  async replaceWebhook(id: string, registration: { name: string; url: string; events: string[] }) {
    await this.http.write('PUT', `${this.org}/webhooks/${encodeURIComponent(id)}`, { body: registration });
  }
}
