/** Bodies of the proxy's browser-facing contract (DESIGN.md), shared by proxy and client. */
import type { Recording } from './recording.ts';

export type Role = 'host' | 'viewer';

export interface Permissions {
  start: boolean;
  stop: boolean;
  download: boolean;
}

/** `GET /meetings/:meetingId/recordings`, and the `snapshot` event of the stream. */
export interface RecordingList {
  /** Newest first. */
  recordings: Recording[];
  active: Recording | null;
  nextCursor: string | null;
  permissions: Permissions;
  /** The proxy's clock (ISO 8601), for correcting the browser's clock skew. */
  serverTime: string;
}

/** The `meeting` event of the stream. */
export interface MeetingState {
  participants: number;
  /** When the room became empty (ISO 8601), null while somebody is in it. */
  emptySince: string | null;
}

export type RecordingAction = 'stop' | 'pause' | 'resume';

export interface StartRequest {
  codec?: string;
}

export interface ControlRequest {
  action: RecordingAction;
}

export interface DownloadLink {
  url: string;
  expiresAt: string | null;
}
