/** What the proxy needs from an upstream recording API, whatever its version or vendor. */
import type { RecordingAction } from '../../core/contract.ts';
import type { Codec, Recording } from '../../core/recording.ts';
import type { UpstreamHealth } from './http.ts';

export type UpstreamKind = 'v2' | 'v1' | 'rtk';

export const STORAGE_TYPES = ['aws', 'azure', 'digitalocean', 'gcs'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

/** Where the upstream uploads files instead of its own bucket. Its secrets never leave the server. */
export interface StorageConfig {
  type: StorageType;
  accessKey?: string;
  secret?: string;
  bucket: string;
  region?: string;
  path?: string;
}

/** Everything a start sends upstream. Only the codec comes from the browser, checked against an allow-list. */
export interface StartOptions {
  codec: Codec;
  maxSeconds?: number;
  fileNamePrefix?: string;
  storage?: StorageConfig;
}

/** Every read says when its request was sent (epoch ms): it shows the upstream at some moment after. */
interface Read {
  sentAt: number;
}

interface RecordingPage extends Read {
  /** Newest first. */
  recordings: Recording[];
  hasMore: boolean;
}

export interface ActiveRecording extends Read {
  recording: Recording | null;
}

/** A single recording read fresh, with what only `/download` may hand out. */
export interface RecordingDetail extends Read {
  recording: Recording;
  /** Whether the payload itself said which meeting the recording belongs to. */
  meetingStated: boolean;
  downloadUrl: string | null;
  audioDownloadUrl: string | null;
}

/** Who is in the meeting's room, as the upstream knows it (v2 / RealtimeKit `active-session`). */
export interface ActiveSession extends Read {
  /** null: no live session (nobody in the room). */
  session: {
    participants: number;
    /** When the upstream last updated the session (epoch ms of its clock), if it said. */
    updatedAt: number | null;
  } | null;
}

/** A session file's fresh link. */
export interface SessionFileLink {
  url: string;
  /** ISO 8601, when the upstream said. */
  expiresAt: string | null;
}

export type SessionFileKind = 'transcript' | 'summary';

export interface WebhookRegistration {
  id: string;
  url: string;
  events: string[];
}

export interface Upstream {
  readonly kind: UpstreamKind;
  /** Pause / resume exist (v1 only knows stop). */
  readonly supportsPause: boolean;
  /** Codecs the upstream accepts. */
  readonly codecs: readonly Codec[];
  /** Storage services the upstream can upload to. */
  readonly storageTypes: readonly StorageType[];
  /** Where the webhook signing key is published. */
  readonly webhookKeyUrl: string;
  readonly health: UpstreamHealth;
  list(meetingId: string, offset: number, limit: number): Promise<RecordingPage>;
  /** The meeting's active recording, if any. */
  active(meetingId: string): Promise<ActiveRecording>;
  /** `meetingId` is the meeting the caller expects it in (v1 addresses recordings through it). */
  get(meetingId: string, recordingId: string): Promise<RecordingDetail>;
  /** Never retried. Throws UpstreamRejection when the upstream refuses it (e.g. one is already active). */
  start(meetingId: string, options: StartOptions): Promise<Recording>;
  /** Throws UpstreamRejection when the upstream refuses the action in the recording's state. */
  control(meetingId: string, recordingId: string, action: RecordingAction): Promise<Recording>;
  /** The room's live session; absent where the upstream has no such route (v1: webhooks only). */
  activeSession?(meetingId: string): Promise<ActiveSession>;
  /** A fresh link to a session's transcript or summary, null while there is none (absent on v1). */
  sessionFile?(sessionId: string, kind: SessionFileKind): Promise<SessionFileLink | null>;
  /** Asks the upstream to summarize a session's transcript (absent on v1). */
  requestSummary?(sessionId: string): Promise<void>;
  webhooks(): Promise<WebhookRegistration[]>;
  registerWebhook(registration: Omit<WebhookRegistration, 'id'> & { name: string }): Promise<void>;
  replaceWebhook(id: string, registration: Omit<WebhookRegistration, 'id'> & { name: string }): Promise<void>;
}
