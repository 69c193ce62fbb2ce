/** The normalized recording model: one shape whatever the upstream (Dyte v1, v2, RealtimeKit, webhooks). */
import type { AcknowledgedBy } from './contract.ts';

export const RECORDING_STATUSES = [
  'INVOKED',
  'RECORDING',
  'PAUSED',
  'UPLOADING',
  'UPLOADED',
  'ERRORED',
] as const;
export type RecordingStatus = (typeof RECORDING_STATUSES)[number];

export const CODECS = ['H264', 'VP8', 'VP9'] as const;
export type Codec = (typeof CODECS)[number];

export const STOP_REASONS = ['API_CALL', 'ALL_PEERS_LEFT', 'INTERNAL_ERROR'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

/** Who started or stopped a recording, as far as anybody knows. */
export interface Actor {
  id: string | null;
  name: string | null;
}

export interface Recording {
  id: string;
  meetingId: string;
  status: RecordingStatus;
  codec: Codec | null;
  outputFileName: string | null;
  /** ISO 8601 (UTC, millisecond precision) or null. */
  invokedAt: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  durationSeconds: number | null;
  /**
   * Seconds spent PAUSED before the current pause (millisecond precision), as the proxy saw the status
   * change (the upstream reports no pauses): 0 from the normalizers and when nobody saw a pause.
   */
  pausedSeconds: number;
  /** While PAUSED: when the pause began (ISO 8601, the proxy's clock) where the proxy saw it; else null. */
  pausedAt: string | null;
  fileSizeBytes: number | null;
  /** A video file can be handed out through the proxy's `/download` route. */
  downloadable: boolean;
  audioDownloadable: boolean;
  downloadExpiresAt: string | null;
  stopReason: StopReason | null;
  startedBy: Actor | null;
  stoppedBy: Actor | null;
  /** Why the recording failed (ERRORED only). */
  error: string | null;
  /** Who acknowledged the recording notice: the proxy adds it to what it hands to browsers. */
  acknowledgedBy?: AcknowledgedBy;
  /** The meeting session it recorded, where the upstream says (v2, RealtimeKit; never v1). */
  sessionId?: string | null;
  /** A transcript of its session can be handed out through `/download?kind=transcript` (absent: none). */
  transcript?: boolean;
  /** A summary of its session can be handed out through `/download?kind=summary` and read at `/summary`. */
  summary?: boolean;
}

export function isRecordingStatus(value: unknown): value is RecordingStatus {
  return typeof value === 'string' && (RECORDING_STATUSES as readonly string[]).includes(value);
}

export function isCodec(value: unknown): value is Codec {
  return typeof value === 'string' && (CODECS as readonly string[]).includes(value);
}
