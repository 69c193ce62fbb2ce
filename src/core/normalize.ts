/**
 * Normalizers from each upstream's recording payload to the one Recording model. They accept every
 * quirk UPSTREAM.md lists and never throw on odd fields: a field that cannot be read becomes null.
 */
import { isCodec, isRecordingStatus, STOP_REASONS } from './recording.ts';
import type { Actor, Codec, Recording, RecordingStatus, StopReason } from './recording.ts';
import { asObject, isTimeInRange, parseLooseObject, parseNumber, parseString, parseTime } from './parse.ts';

export class NormalizeError extends Error {
  override name = 'NormalizeError';
}

/** What the caller knows that the payload may not carry (v2 recordings have no meeting id). */
export interface NormalizeContext {
  meetingId?: string;
}

const BYTES_PER_MB = 1024 * 1024;

/** A Dyte v2 (or RealtimeKit) recording, snake_case, sizes in bytes. */
export function normalizeV2Recording(payload: unknown, context: NormalizeContext = {}): Recording {
  const raw = requireObject(payload, 'v2 recording');
  const status = requireStatus(raw.status);
  const videoConfig = asObject(raw.video_config);
  return finish({
    id: requireId(raw.id),
    meetingId: parseString(raw.meeting_id) ?? context.meetingId ?? null,
    status,
    codec: readCodec(videoConfig?.codec, raw.output_file_name),
    outputFileName: parseString(raw.output_file_name),
    invokedAt: parseTime(raw.invoked_time),
    startedAt: parseTime(raw.started_time),
    stoppedAt: parseTime(raw.stopped_time),
    durationSeconds: parseNumber(raw.recording_duration),
    fileSizeBytes: parseNumber(raw.file_size),
    downloadUrl: parseString(raw.download_url),
    audioDownloadUrl: parseString(raw.audio_download_url),
    downloadExpiresAt: parseTime(raw.download_url_expiry),
    stopReason: raw.stop_reason,
    startReason: raw.start_reason,
    error: parseString(raw.err_message) ?? parseString(raw.errMessage),
    sessionId: parseString(raw.session_id),
  });
}

/**
 * A Dyte v1 recording, camelCase, sizes in MB. v1 fills `startedTime` and `stoppedTime` even while
 * INVOKED, so they are only believed once the status says the recording started / stopped.
 */
export function normalizeV1Recording(payload: unknown, context: NormalizeContext = {}): Recording {
  const raw = requireObject(payload, 'v1 recording');
  const status = requireStatus(raw.status);
  const sizeMb = parseNumber(raw.fileSize);
  return finish({
    id: requireId(raw.id),
    meetingId: parseString(raw.meetingId) ?? context.meetingId ?? null,
    status,
    codec: readCodec(asObject(raw.videoConfig)?.codec, raw.outputFileName),
    outputFileName: parseString(raw.outputFileName),
    invokedAt: parseTime(raw.invokedTime),
    startedAt: status === 'INVOKED' ? null : parseTime(raw.startedTime),
    stoppedAt: hasStopped(status) ? parseTime(raw.stoppedTime) : null,
    durationSeconds: parseNumber(raw.recordingDuration),
    fileSizeBytes: sizeMb === null ? null : Math.round(sizeMb * BYTES_PER_MB),
    downloadUrl: parseString(raw.downloadUrl),
    audioDownloadUrl: parseString(raw.audioDownloadUrl),
    downloadExpiresAt: parseTime(raw.downloadUrlExpiry),
    stopReason: raw.stopReason,
    startReason: raw.startReason,
    error: parseString(raw.errMessage),
  });
}

/**
 * The `recording` of a `recording.statusUpdate` webhook (camelCase even under v2; `fileSize` in bytes,
 * as a number or a numeric string; `stopReason` possibly a Python-dict string).
 */
export function normalizeWebhookRecording(payload: unknown, context: NormalizeContext = {}): Recording {
  const body = requireObject(payload, 'webhook body');
  const raw = asObject(body.recording) ?? body;
  const meeting = asObject(body.meeting);
  const status = requireStatus(raw.status);
  return finish({
    id: requireId(raw.recordingId ?? raw.id),
    meetingId: parseString(raw.meetingId) ?? parseString(meeting?.id) ?? context.meetingId ?? null,
    status,
    codec: readCodec(undefined, raw.outputFileName),
    outputFileName: parseString(raw.outputFileName),
    invokedAt: webhookTime(raw.invokedTime),
    startedAt: status === 'INVOKED' ? null : webhookTime(raw.startedTime),
    stoppedAt: hasStopped(status) ? webhookTime(raw.stoppedTime) : null,
    durationSeconds: parseNumber(raw.recordingDuration),
    fileSizeBytes: parseNumber(raw.fileSize),
    downloadUrl: parseString(raw.downloadUrl),
    audioDownloadUrl: parseString(raw.audioDownloadUrl),
    downloadExpiresAt: webhookTime(raw.downloadUrlExpiry),
    stopReason: raw.stopReason,
    startReason: raw.startReason,
    error: parseString(raw.errMessage),
    sessionId: parseString(meeting?.sessionId),
  });
}

/**
 * A time of a webhook body. A number no `Date` can hold (e.g. `1e20`) is refused rather than read as
 * unknown: the body is malformed, and the sender should hear so (400), not retry it.
 */
export function webhookTime(value: unknown): string | null {
  if (typeof value === 'number' && !isTimeInRange(value)) {
    throw new NormalizeError(`the time ${value} is out of range`);
  }
  return parseTime(value);
}

/** A stop or start reason as any upstream sends it: `{reason, caller}`, a bare reason, or dict text. */
export function parseReason(value: unknown): { reason: string | null; by: Actor | null } {
  const object = parseLooseObject(value);
  if (!object) return { reason: parseString(value), by: null };
  const caller = asObject(object.caller);
  const id = parseString(caller?.user_Id) ?? parseString(caller?.userId) ?? parseString(caller?.user_id);
  const name = parseString(caller?.name);
  return { reason: parseString(object.reason), by: id || name ? { id, name } : null };
}

/** The Recording fields a reader takes as they are, and the raw facts `finish` checks and derives from. */
interface Draft extends Pick<
  Recording,
  | 'id'
  | 'status'
  | 'codec'
  | 'outputFileName'
  | 'invokedAt'
  | 'startedAt'
  | 'stoppedAt'
  | 'durationSeconds'
  | 'fileSizeBytes'
  | 'downloadExpiresAt'
  | 'error'
> {
  meetingId: string | null;
  downloadUrl: string | null;
  audioDownloadUrl: string | null;
  stopReason: unknown;
  startReason: unknown;
  /** v2 and webhooks only: v1 knows no sessions. */
  sessionId?: string | null;
}

function finish(draft: Draft): Recording {
  if (draft.meetingId === null) throw new NormalizeError(`recording ${draft.id} carries no meeting id`);
  const stop = parseReason(draft.stopReason);
  const start = parseReason(draft.startReason);
  const stopped = hasStopped(draft.status);
  return {
    id: draft.id,
    meetingId: draft.meetingId,
    status: draft.status,
    codec: draft.codec,
    outputFileName: draft.outputFileName,
    invokedAt: draft.invokedAt,
    startedAt: draft.startedAt,
    stoppedAt: draft.stoppedAt,
    durationSeconds: draft.durationSeconds === null ? null : Math.max(0, Math.round(draft.durationSeconds)),
    // The upstream reports no pauses: the proxy's store learns them (`core/pause.ts`).
    pausedSeconds: 0,
    pausedAt: null,
    fileSizeBytes: draft.fileSizeBytes === null ? null : Math.max(0, Math.round(draft.fileSizeBytes)),
    downloadable: draft.status === 'UPLOADED' && draft.downloadUrl !== null,
    audioDownloadable: draft.status === 'UPLOADED' && draft.audioDownloadUrl !== null,
    downloadExpiresAt: draft.status === 'UPLOADED' ? draft.downloadExpiresAt : null,
    stopReason: stopped ? readStopReason(stop.reason) : null,
    startedBy: start.by,
    stoppedBy: stopped ? stop.by : null,
    error: draft.status === 'ERRORED' ? (draft.error ?? 'The recording failed.') : null,
    ...(draft.sessionId === undefined ? {} : { sessionId: draft.sessionId }),
  };
}

function hasStopped(status: RecordingStatus): boolean {
  return status === 'UPLOADING' || status === 'UPLOADED' || status === 'ERRORED';
}

function readStopReason(value: string | null): StopReason | null {
  const upper = value?.toUpperCase() ?? null;
  return (STOP_REASONS as readonly (string | null)[]).includes(upper) ? (upper as StopReason) : null;
}

/** The codec from a `video_config`, else guessed from the file's extension (webm is VP8 or VP9). */
function readCodec(configured: unknown, fileName: unknown): Codec | null {
  const upper = typeof configured === 'string' ? configured.toUpperCase() : configured;
  if (isCodec(upper)) return upper;
  const name = parseString(fileName)?.toLowerCase() ?? '';
  if (name.endsWith('.mp4')) return 'H264';
  if (name.endsWith('.webm')) return 'VP8';
  return null;
}

function requireObject(value: unknown, what: string): Record<string, unknown> {
  const object = asObject(value);
  if (!object) throw new NormalizeError(`${what} is not an object`);
  return object;
}

function requireId(value: unknown): string {
  const id = parseString(value);
  if (!id) throw new NormalizeError('recording has no id');
  return id;
}

function requireStatus(value: unknown): RecordingStatus {
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : value;
  if (!isRecordingStatus(upper))
    throw new NormalizeError(`unknown recording status ${JSON.stringify(value)}`);
  return upper;
}
