/** Bodies of the proxy's browser-facing contract (DESIGN.md), shared by proxy and client. */
import type { Recording } from './recording.ts';

export type Role = 'host' | 'viewer';

/**
 * Who said "Got it" to a recording's notice, as the proxy knows it: on every list item and `recording`
 * event. Everybody sees the count; only hosts see the names (viewers get `null`).
 */
export interface AcknowledgedBy {
  count: number;
  /** Each one's token name (else its subject), oldest first; null for viewers. */
  names: string[] | null;
}

/** One participant told of a recording who acknowledged it: `GET /recordings/:id/acknowledgements` (hosts). */
export interface Acknowledgement {
  /** The token subject. */
  id: string;
  name: string | null;
  /** ISO 8601. */
  at: string;
}

/** `GET /recordings/:id/acknowledgements` (hosts), oldest first; `POST` answers with the caller's one. */
export interface AcknowledgementList {
  acknowledgements: Acknowledgement[];
}

export interface Permissions {
  start: boolean;
  /** Stop a recording (hosts). */
  stop: boolean;
  /** Pause and resume a recording: a host, where the upstream supports it (Dyte v2, RealtimeKit; not v1). */
  pause: boolean;
  download: boolean;
}

/** `GET /meetings/:meetingId/recordings`, and the `snapshot` event of the stream. */
export interface RecordingList {
  /** Newest first. */
  recordings: Recording[];
  active: Recording | null;
  nextCursor: string | null;
  permissions: Permissions;
  /** The proxy's clock (ISO 8601), for correcting the browser's clock skew (recordings' `pausedAt` is on it too). */
  serverTime: string;
}

/**
 * The `meeting` event of the stream (and the first one after each snapshot, once the proxy knows the
 * room from webhooks). While the room is empty the upstream stops the active recording
 * `emptyTimeoutSeconds` after the later of `emptySince` and the recording's `invokedAt`; the
 * countdown's deadline is `emptyRoomStopAt(meeting, active)` from `core/status.ts`.
 */
export interface MeetingState {
  participants: number;
  /** When the room became empty (ISO 8601), null while somebody is in it. */
  emptySince: string | null;
  /** How long (seconds) the upstream lets a recording run in an empty room (the proxy's configuration). */
  emptyTimeoutSeconds: number;
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

/** What `role` may see of a recording: viewers never see who acknowledged it, only how many did. */
export function shapeForRole<T extends Recording | null>(recording: T, role: Role): T {
  const by = recording?.acknowledgedBy;
  if (role === 'host' || !by || by.names === null) return recording;
  return { ...recording, acknowledgedBy: { count: by.count, names: null } };
}

/** `GET /recordings/:id/summary`: the summary of the recording's session, as plain text. */
export interface SummaryText {
  text: string;
  /** The summary was longer than the proxy passes on (64 kB). */
  truncated: boolean;
}
