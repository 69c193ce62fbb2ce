/**
 * Validation of the simulated API's request bodies and queries. Each reader returns the accepted,
 * normalized value or throws a ValidationError whose message the HTTP layer sends as a 400 in the
 * version's error envelope. Storage secrets are checked here and dropped: nothing downstream sees them.
 */
import type { Codec } from '../core/recording.ts';
import { RECORDING_STATUSES } from '../core/recording.ts';
import type { RecordingStatus } from '../core/recording.ts';

export class ValidationError extends Error {
  override name = 'ValidationError';
}

export type AudioCodec = 'MP3' | 'AAC' | 'VORBIS';
export type StorageType = 'aws' | 'azure' | 'digitalocean' | 'gcs' | 'sftp';

/** A storage config as it may be echoed back: no access key, secret, password or private key. */
export interface PublicStorageConfig {
  type: StorageType;
  bucket: string | null;
  region: string | null;
  path: string | null;
  host: string | null;
  port: number | null;
  username: string | null;
}

/** What every API's start request boils down to. */
export interface StartConfig {
  meetingId: string;
  maxSeconds: number;
  fileNamePrefix: string | null;
  codec: Codec;
  width: number;
  height: number;
  /** Set when an audio file is exported too (`audio_config` given). */
  audioCodec: AudioCodec | null;
  storage: PublicStorageConfig | null;
  /** Whether the file also goes to the simulator's own bucket (and so gets download URLs). */
  ownBucket: boolean;
  allowMultiple: boolean;
}

export const DEFAULT_MAX_SECONDS = 86_400;
const MEETING_ID = /^[\w.:-]{1,128}$/;

type Fields = Record<string, unknown>;

/** The v2 (and RealtimeKit) start body, snake_case. */
export function readV2Start(body: unknown, bucketField = 'dyte_bucket_config'): StartConfig {
  const raw = object(body, 'body');
  const meetingId = raw.meeting_id;
  if (meetingId === undefined) fail('"meeting_id" is required');
  const video = optionalObject(raw.video_config, 'video_config');
  const audio = optionalObject(raw.audio_config, 'audio_config');
  const bucket = optionalObject(raw[bucketField], bucketField);
  const codec = oneOf(video?.codec, 'video_config.codec', ['H264', 'VP8'] as const, 'H264');
  return {
    meetingId: readMeetingId(meetingId, 'meeting_id'),
    maxSeconds: readMaxSeconds(raw.max_seconds, 'max_seconds'),
    fileNamePrefix: optionalString(raw.file_name_prefix, 'file_name_prefix'),
    codec,
    width: dimension(video?.width, 'video_config.width', 1280),
    height: dimension(video?.height, 'video_config.height', 720),
    audioCodec: audio ? readAudioCodec(audio, 'audio_config', codec) : null,
    storage: readV2Storage(raw.storage_config),
    ownBucket: bucket ? boolean(bucket.enabled, `${bucketField}.enabled`, undefined) : true,
    allowMultiple: boolean(raw.allow_multiple_recordings, 'allow_multiple_recordings', false),
  };
}

/** The v1 start body, camelCase; the meeting id comes from the path. */
export function readV1Start(body: unknown, meetingId: string): StartConfig {
  const raw = object(body ?? {}, 'body');
  const video = optionalObject(raw.videoConfig, 'videoConfig');
  const audio = optionalObject(raw.audioConfig, 'audioConfig');
  const bucket = optionalObject(raw.dyteBucketConfig, 'dyteBucketConfig');
  const codec = oneOf(video?.codec, 'videoConfig.codec', ['H264', 'VP8', 'VP9'] as const, 'H264');
  return {
    meetingId: readMeetingId(meetingId, 'meetingId'),
    maxSeconds: readMaxSeconds(raw.maxSeconds, 'maxSeconds'),
    fileNamePrefix: optionalString(raw.file_name_prefix, 'file_name_prefix'),
    codec,
    width: dimension(video?.width, 'videoConfig.width', 1280),
    height: dimension(video?.height, 'videoConfig.height', 720),
    audioCodec: audio ? readAudioCodec(audio, 'audioConfig', codec) : null,
    storage: readV1Storage(raw.storageConfig),
    ownBucket: bucket ? boolean(bucket.enabled ?? true, 'dyteBucketConfig.enabled', true) : true,
    allowMultiple: false,
  };
}

export type RecordingAction = 'stop' | 'pause' | 'resume';

export function readV2Action(body: unknown): RecordingAction {
  const raw = object(body, 'body');
  if (raw.action === undefined) fail('"action" is required');
  return oneOf(raw.action, 'action', ['stop', 'pause', 'resume'] as const, undefined);
}

export function readV1Action(body: unknown): RecordingAction {
  const raw = object(body, 'body');
  if (raw.recordingAction === undefined) fail('"recordingAction" is required');
  return oneOf(raw.recordingAction, 'recordingAction', ['stop'] as const, undefined);
}

export const V2_WEBHOOK_EVENTS = [
  'meeting.started',
  'meeting.ended',
  'meeting.participantJoined',
  'meeting.participantLeft',
  'meeting.chatSynced',
  'recording.statusUpdate',
  'livestreaming.statusUpdate',
  'meeting.transcript',
  'meeting.summary',
] as const;
export const V1_WEBHOOK_EVENTS = [
  'meeting.started',
  'meeting.ended',
  'meeting.participantJoined',
  'meeting.participantLeft',
  'recording.statusUpdate',
] as const;
export type WebhookEvent = (typeof V2_WEBHOOK_EVENTS)[number];

export interface WebhookFields {
  name: string;
  url: string;
  events: WebhookEvent[];
  enabled: boolean;
}

/**
 * A webhook registration. `partial` (PATCH) makes every field optional; the result then holds only
 * the fields given.
 */
export function readWebhook(
  body: unknown,
  allowed: readonly WebhookEvent[],
  partial = false,
): Partial<WebhookFields> {
  const raw = object(body, 'body');
  const out: Partial<WebhookFields> = {};
  for (const key of ['name', 'url', 'events'] as const) {
    if (raw[key] === undefined && !partial) fail(`"${key}" is required`);
  }
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string' || raw.name.trim() === '') fail('"name" must be a non-empty string');
    out.name = raw.name;
  }
  if (raw.url !== undefined) out.url = httpUrl(raw.url, 'url');
  if (raw.events !== undefined) {
    if (!Array.isArray(raw.events) || raw.events.length === 0) fail('"events" must be a non-empty array');
    out.events = [...new Set(raw.events.map((event, i) => oneOf(event, `events[${i}]`, allowed, undefined)))];
  }
  if (raw.enabled !== undefined) out.enabled = boolean(raw.enabled, 'enabled', true);
  return out;
}

export interface V2ListQuery {
  meetingId: string | null;
  pageNo: number;
  perPage: number;
  statuses: RecordingStatus[] | null;
  sortOrder: 'ASC' | 'DESC';
  expired: boolean | null;
  startTime: number | null;
  endTime: number | null;
}

export function readV2ListQuery(query: URLSearchParams): V2ListQuery {
  const meetingId = query.get('meeting_id');
  const statuses = query.getAll('status').flatMap((value) => value.split(','));
  const expired = query.get('expired');
  return {
    meetingId: meetingId === null ? null : readMeetingId(meetingId, 'meeting_id'),
    pageNo: integer(query.get('page_no'), 'page_no', 1, 1, 1_000_000),
    perPage: integer(query.get('per_page'), 'per_page', 20, 1, 100),
    statuses:
      statuses.length === 0
        ? null
        : statuses.map((status, i) => oneOf(status, `status[${i}]`, RECORDING_STATUSES, undefined)),
    sortOrder: oneOf(query.get('sort_order') ?? undefined, 'sort_order', ['ASC', 'DESC'] as const, 'DESC'),
    expired:
      expired === null ? null : oneOf(expired, 'expired', ['true', 'false'] as const, undefined) === 'true',
    startTime: time(query.get('start_time'), 'start_time'),
    endTime: time(query.get('end_time'), 'end_time'),
  };
}

export function readV1ListQuery(query: URLSearchParams): { offset: number; limit: number } {
  return {
    offset: integer(query.get('offset'), 'offset', 0, 0, 1_000_000),
    limit: integer(query.get('limit'), 'limit', 20, 1, 100),
  };
}

export function readMeetingId(value: unknown, name: string): string {
  if (typeof value !== 'string' || !MEETING_ID.test(value)) {
    fail(`"${name}" must be a meeting id (1 to 128 letters, digits, "-", "_", ".", ":")`);
  }
  return value;
}

function readMaxSeconds(value: unknown, name: string): number {
  if (value === undefined) return DEFAULT_MAX_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 60 || value > DEFAULT_MAX_SECONDS) {
    fail(`"${name}" must be an integer from 60 to ${DEFAULT_MAX_SECONDS}`);
  }
  return value;
}

function readAudioCodec(audio: Fields, name: string, video: Codec): AudioCodec {
  const codec = oneOf(audio.codec, `${name}.codec`, ['MP3', 'AAC'] as const, 'AAC');
  oneOf(audio.channel, `${name}.channel`, ['mono', 'stereo'] as const, 'stereo');
  // Dyte: with VP8/VP9 video the audio codec cannot be chosen; it is set to vorbis.
  return video === 'H264' ? codec : 'VORBIS';
}

const CLOUD_TYPES = ['aws', 'azure', 'digitalocean'] as const;

function readV2Storage(value: unknown): PublicStorageConfig | null {
  if (value === undefined || value === null) return null;
  const raw = object(value, 'storage_config');
  const type = oneOf(raw.type, 'storage_config.type', [...CLOUD_TYPES, 'gcs', 'sftp'] as const, undefined);
  const path = optionalString(raw.path, 'storage_config.path');
  if (type === 'sftp') {
    const authMethod = oneOf(
      raw.auth_method,
      'storage_config.auth_method',
      ['KEY', 'PASSWORD'] as const,
      'PASSWORD',
    );
    requiredString(raw.host, 'storage_config.host');
    requiredString(raw.username, 'storage_config.username');
    requiredString(
      authMethod === 'KEY' ? raw.private_key : raw.password,
      authMethod === 'KEY' ? 'storage_config.private_key' : 'storage_config.password',
    );
    const port = raw.port === undefined ? 22 : integer(String(raw.port), 'storage_config.port', 22, 1, 65535);
    return {
      type,
      bucket: null,
      region: null,
      path,
      host: raw.host as string,
      port,
      username: raw.username as string,
    };
  }
  // gcs takes a service-account secret and no access key.
  if (type !== 'gcs') requiredString(raw.access_key, 'storage_config.access_key');
  requiredString(raw.secret, 'storage_config.secret');
  requiredString(raw.bucket, 'storage_config.bucket');
  if (type !== 'gcs') requiredString(raw.region, 'storage_config.region');
  return {
    type,
    bucket: raw.bucket as string,
    region: optionalString(raw.region, 'storage_config.region'),
    path,
    host: null,
    port: null,
    username: null,
  };
}

function readV1Storage(value: unknown): PublicStorageConfig | null {
  if (value === undefined || value === null) return null;
  const raw = object(value, 'storageConfig');
  const type = oneOf(raw.type, 'storageConfig.type', CLOUD_TYPES, undefined);
  for (const key of ['accessKey', 'secret', 'bucket', 'region'] as const) {
    requiredString(raw[key], `storageConfig.${key}`);
  }
  return {
    type,
    bucket: raw.bucket as string,
    region: raw.region as string,
    path: optionalString(raw.path, 'storageConfig.path'),
    host: null,
    port: null,
    username: null,
  };
}

function fail(message: string): never {
  throw new ValidationError(message);
}

function object(value: unknown, name: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`"${name}" must be an object`);
  return value as Fields;
}

function optionalObject(value: unknown, name: string): Fields | null {
  return value === undefined || value === null ? null : object(value, name);
}

function optionalString(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(`"${name}" must be a string`);
  return value;
}

function requiredString(value: unknown, name: string): void {
  if (typeof value !== 'string' || value === '') fail(`"${name}" is required`);
}

function boolean(value: unknown, name: string, fallback: boolean | undefined): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') fail(`"${name}" must be a boolean`);
  return value;
}

function oneOf<T extends string>(
  value: unknown,
  name: string,
  allowed: readonly T[],
  fallback: T | undefined,
): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(`"${name}" must be one of [${allowed.join(', ')}]`);
  }
  return value as T;
}

function dimension(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1920) {
    fail(`"${name}" must be an integer from 1 to 1920`);
  }
  return value;
}

function integer(value: string | null, name: string, fallback: number, min: number, max: number): number {
  if (value === null || value === '') return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max)
    fail(`"${name}" must be an integer from ${min} to ${max}`);
  return parsed;
}

function time(value: string | null, name: string): number | null {
  if (value === null) return null;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) fail(`"${name}" must be an ISO 8601 date-time`);
  return parsed;
}

function httpUrl(value: unknown, name: string): string {
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
    } catch {
      // falls through to the error below
    }
  }
  fail(`"${name}" must be an http(s) URL`);
}
