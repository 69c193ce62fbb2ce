/**
 * The shapes the simulator sends: a recording as v2 (snake_case, bytes), as v1 (camelCase, MB), and
 * the bodies of its webhooks (camelCase even under v2), with Dyte's documented webhook quirks.
 */
import type { Reason, SimRecording } from './lifecycle.ts';
import { fileSizeBytes, recordedSeconds } from './lifecycle.ts';
import type { PublicStorageConfig } from './validate.ts';

/** The download links of a recording, null where there is no file to hand out. */
export interface Links {
  video: string | null;
  audio: string | null;
  expiresAt: number | null;
}

/** A meeting as the webhooks describe it. */
export interface MeetingInfo {
  id: string;
  sessionId: string | null;
  title: string;
  live: boolean;
  createdAt: number;
  startedAt: number | null;
}

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function toV2Recording(recording: SimRecording, now: number, links: Links): Record<string, unknown> {
  return {
    id: recording.id,
    meeting_id: recording.meetingId,
    session_id: recording.sessionId,
    status: recording.status,
    output_file_name: recording.outputFileName,
    invoked_time: iso(recording.invokedAt),
    started_time: iso(recording.startedAt),
    stopped_time: iso(recording.stoppedAt),
    recording_duration: recordedSeconds(recording, now),
    file_size: fileSizeBytes(recording, now),
    download_url: links.video,
    download_url_expiry: iso(links.expiresAt),
    audio_download_url: links.audio,
    start_reason: recording.startReason,
    // Dyte's schema does not let stop_reason be null: before the stop it is left out.
    ...(recording.stopReason ? { stop_reason: recording.stopReason } : {}),
    storage_config: recording.config.storage ? publicStorage(recording.config.storage) : null,
    err_message: recording.errMessage,
  };
}

/**
 * v1 knows no PAUSED (a paused recording still reads RECORDING there), reports sizes in MB, and its
 * schema makes `startedTime`/`stoppedTime` non-nullable: like Dyte's own INVOKED example, they are
 * filled before the recording started or stopped.
 */
export function toV1Recording(recording: SimRecording, now: number, links: Links): Record<string, unknown> {
  const bytes = fileSizeBytes(recording, now);
  const startedAt = recording.startedAt ?? recording.invokedAt;
  return {
    id: recording.id,
    status: recording.status === 'PAUSED' ? 'RECORDING' : recording.status,
    roomUUID: recording.meetingId,
    outputFileName: recording.outputFileName,
    invokedTime: iso(recording.invokedAt),
    startedTime: iso(startedAt),
    stoppedTime: iso(recording.stoppedAt ?? startedAt),
    recordingDuration: recordedSeconds(recording, now),
    // fileSize, stopReason and storageConfig are not nullable in v1's schema: absent until known.
    ...(bytes === null ? {} : { fileSize: Math.round((bytes / (1024 * 1024)) * 100) / 100 }),
    downloadUrl: links.video,
    downloadUrlExpiry: iso(links.expiresAt),
    audioDownloadUrl: links.audio,
    errMessage: recording.errMessage,
    startReason: v1Reason(recording.startReason),
    ...(recording.stopReason ? { stopReason: v1Reason(recording.stopReason) } : {}),
    ...(recording.config.storage ? { storageConfig: recording.config.storage.type } : {}),
  };
}

/**
 * A `recording.statusUpdate` body. With `quirks`, it carries what Dyte's own webhooks were seen to
 * send: times as `2023-04-14 04:46:08.306221Z`, and on every other update of a recording (odd
 * `sequence`: so a plain UPLOADED after INVOKED, RECORDING, UPLOADING) `stopReason` as the text of a
 * Python dict and `fileSize` as a numeric string.
 */
export function recordingWebhook(
  recording: SimRecording,
  now: number,
  links: Links,
  meeting: MeetingInfo,
  organizationId: string,
  quirks: { on: boolean; sequence: number },
): Record<string, unknown> {
  const time = quirks.on ? quirkyTime : iso;
  const size = fileSizeBytes(recording, now);
  const odd = quirks.sequence % 2 === 1;
  return {
    event: 'recording.statusUpdate',
    recording: {
      id: recording.id,
      recordingId: recording.id,
      meetingId: recording.meetingId,
      organizationId,
      status: recording.status,
      invokedTime: time(recording.invokedAt),
      startedTime: recording.startedAt === null ? null : time(recording.startedAt),
      stoppedTime: recording.stoppedAt === null ? null : time(recording.stoppedAt),
      fileSize: quirks.on && odd && size !== null ? String(size) : size,
      roomUUID: recording.meetingId,
      outputFileName: recording.outputFileName,
      downloadUrl: links.video,
      audioDownloadUrl: links.audio,
      downloadUrlExpiry: links.expiresAt === null ? null : time(links.expiresAt),
      stopReason: quirks.on && odd ? pythonDict(recording.stopReason) : recording.stopReason,
      recordingDuration: recordedSeconds(recording, now),
      errMessage: recording.errMessage,
    },
    meeting: webhookMeeting(meeting),
  };
}

export interface ParticipantInfo {
  id: string;
  name: string;
  joinedAt: number;
  leftAt: number | null;
}

export function participantWebhook(
  event: 'meeting.participantJoined' | 'meeting.participantLeft',
  meeting: MeetingInfo,
  participant: ParticipantInfo,
): Record<string, unknown> {
  return {
    event,
    meeting: webhookMeeting(meeting),
    participant: {
      peerId: participant.id,
      userDisplayName: participant.name,
      customParticipantId: participant.id,
      joinedAt: iso(participant.joinedAt),
      ...(participant.leftAt === null ? {} : { leftAt: iso(participant.leftAt) }),
    },
  };
}

export function meetingWebhook(
  event: 'meeting.started' | 'meeting.ended',
  meeting: MeetingInfo,
): Record<string, unknown> {
  return {
    event,
    meeting: webhookMeeting(meeting),
    ...(event === 'meeting.ended' ? { reason: 'ALL_PARTICIPANTS_LEFT' } : {}),
  };
}

export function webhookMeeting(meeting: MeetingInfo): Record<string, unknown> {
  return {
    id: meeting.id,
    sessionId: meeting.sessionId,
    title: meeting.title,
    status: meeting.live ? 'LIVE' : 'ENDED',
    createdAt: iso(meeting.createdAt),
    startedAt: iso(meeting.startedAt),
  };
}

function publicStorage(storage: PublicStorageConfig): Record<string, unknown> {
  const shown: Record<string, unknown> = { type: storage.type };
  for (const key of ['bucket', 'region', 'path', 'host', 'port', 'username'] as const) {
    if (storage[key] !== null) shown[key] = storage[key];
  }
  return shown;
}

function v1Reason(reason: Reason<string>): Record<string, unknown> {
  const { user_Id: userId, ...caller } = reason.caller;
  return { reason: reason.reason, caller: userId === undefined ? caller : { ...caller, userId } };
}

/** `2023-04-14 04:46:08.306221Z`: a space, and microseconds (the last three digits made up). */
function quirkyTime(ms: number): string {
  const text = new Date(ms).toISOString().replace('T', ' ');
  return text.replace(
    /\.(\d{3})Z$/,
    (_, millis: string) => `.${millis}${String(ms % 997).padStart(3, '0')}Z`,
  );
}

/** `{'reason': 'API_CALL', 'caller': {'type': 'ORGANIZATION'}}`, as Python would print it. */
function pythonDict(value: Reason<string> | null): string | null {
  if (value === null) return null;
  const literal = (item: unknown): string => {
    if (item === null || item === undefined) return 'None';
    if (typeof item === 'boolean') return item ? 'True' : 'False';
    if (typeof item === 'number') return String(item);
    if (typeof item === 'string') return `'${item.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    const entries = Object.entries(item as Record<string, unknown>).map(([k, v]) => `'${k}': ${literal(v)}`);
    return `{${entries.join(', ')}}`;
  };
  return literal(value);
}
