/**
 * The simulated Dyte organization: meetings, participants, recordings, webhook registrations, and the
 * timers that move recordings along their life cycle. API-agnostic: the HTTP layer renders what it
 * returns in each version's shape.
 */
import { randomUUID } from 'node:crypto';
import type { SimClock } from './clock.ts';
import type { SimRecording } from './lifecycle.ts';
import {
  applyAction,
  createRecording,
  isRunning,
  ORGANIZATION,
  recordedSeconds,
  recorderJoined,
  stop,
  uploadFinished,
  uploadTimeMs,
} from './lifecycle.ts';
import type { Links, MeetingInfo, ParticipantInfo } from './render.ts';
import { meetingWebhook, participantWebhook, recordingWebhook } from './render.ts';
import type { RecordingAction, StartConfig, WebhookEvent, WebhookFields } from './validate.ts';
import type { HeaderPrefix, WebhookSender } from './webhooks.ts';
import type { FileLink, SessionFileName } from './transcripts.ts';
import { Transcripts } from './transcripts.ts';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class ConflictError extends Error {
  override name = 'ConflictError';
}

export interface WorldOptions {
  orgId: string;
  startLagMs: number;
  uploadMs: number;
  emptyRoomTimeoutMs: number;
  downloadTtlMs: number;
  webhookQuirks: boolean;
  /** Whether meetings transcribe unless switched per meeting. */
  transcribe: boolean;
}

interface Meeting {
  id: string;
  createdAt: number;
  sessionId: string | null;
  sessionStartedAt: number | null;
  participants: Map<string, ParticipantInfo>;
  /** Everyone who joined the current session (for its transcript). */
  attendees: ParticipantInfo[];
  /** The most participants at once in the current session, and when the count last changed. */
  maxParticipants: number;
  participantsChangedAt: number;
  /** When the room last became empty (its creation, if nobody ever came); null while occupied. */
  emptySince: number | null;
  emptyRoomTimer: number | undefined;
}

export interface ActiveSessionInfo extends MeetingInfo {
  sessionId: string;
  startedAt: number;
  participants: number;
  maxParticipants: number;
  /** When the participant count last changed. */
  updatedAt: number;
}

export interface Webhook extends WebhookFields {
  id: string;
  createdAt: number;
  updatedAt: number;
  headerPrefix: HeaderPrefix;
}

export interface ListFilter {
  meetingId?: string | null;
  statuses?: readonly string[] | null;
  expired?: boolean | null;
  from?: number | null;
  to?: number | null;
  order?: 'ASC' | 'DESC';
}

export class World {
  private readonly meetings = new Map<string, Meeting>();
  private readonly recordings = new Map<string, SimRecording>();
  /** The one pending life-cycle timer of each recording (start lag, max duration, or upload). */
  private readonly timers = new Map<string, number>();
  private readonly webhooks = new Map<string, Webhook>();
  /** statusUpdate webhooks sent per recording so far (the quirks alternate on it). */
  private readonly statusUpdates = new Map<string, number>();
  private participantCount = 0;
  /** Transcripts and summaries of ended sessions. */
  readonly transcripts: Transcripts;
  constructor(
    private readonly clock: SimClock,
    private readonly options: WorldOptions,
    private readonly sender: WebhookSender,
    private readonly links: (recording: SimRecording) => Links,
    sessionLink: (sessionId: string, file: SessionFileName) => FileLink,
    /** Whether the recording being started fails to (the `error_next_start` fault). */
    private readonly failsToStart: () => boolean = () => false,
  ) {
    this.transcripts = new Transcripts(
      clock,
      options.transcribe,
      (event, payload) => this.emit(event, payload),
      sessionLink,
    );
  }

  get orgId(): string {
    return this.options.orgId;
  }

  now(): number {
    return this.clock.now();
  }

  /** A meeting as webhooks and lists describe it (created on first use, like every meeting here). */
  meetingInfo(id: string): MeetingInfo {
    return this.info(this.meeting(id, this.now()));
  }

  // ── recordings ──

  start(config: StartConfig): SimRecording {
    const at = this.now();
    const meeting = this.meeting(config.meetingId, at);
    const running = this.active(config.meetingId);
    if (running && !config.allowMultiple) {
      throw new ConflictError(`Meeting ${config.meetingId} already has an active recording (${running.id}).`);
    }
    meeting.sessionId ??= randomUUID();
    meeting.sessionStartedAt ??= at;
    const recording = createRecording({
      id: randomUUID(),
      sessionId: meeting.sessionId,
      config,
      at,
      failsToStart: this.failsToStart(),
    });
    this.save(recording, at);
    this.schedule(recording.id, at + this.options.startLagMs, (dueAt) =>
      this.update(recording.id, (current) => recorderJoined(current, dueAt), dueAt),
    );
    this.armEmptyRoom(meeting);
    return recording;
  }

  control(id: string, action: RecordingAction): SimRecording {
    const at = this.now();
    const recording = this.get(id);
    return this.update(recording.id, () => applyAction(recording, action, at), at);
  }

  get(id: string): SimRecording {
    const recording = this.recordings.get(id);
    if (!recording) throw new NotFoundError(`No recording with id ${id}.`);
    return recording;
  }

  /** The meeting's newest running recording. */
  active(meetingId: string): SimRecording | undefined {
    return this.list({ meetingId, order: 'DESC' }).find(isRunning);
  }

  list(filter: ListFilter = {}): SimRecording[] {
    const now = this.now();
    const found = [...this.recordings.values()].filter(
      (recording) =>
        (!filter.meetingId || recording.meetingId === filter.meetingId) &&
        (!filter.statuses || filter.statuses.includes(recording.status)) &&
        (filter.expired == null ||
          filter.expired === (recording.downloadExpiresAt !== null && recording.downloadExpiresAt <= now)) &&
        (filter.from == null || recording.invokedAt >= filter.from) &&
        (filter.to == null || recording.invokedAt <= filter.to),
    );
    return filter.order === 'DESC' ? found.reverse() : found;
  }

  // ── participants (the control plane) ──

  join(meetingId: string, name: string | null): string {
    const at = this.now();
    const meeting = this.meeting(meetingId, at);
    const participant: ParticipantInfo = {
      id: randomUUID(),
      name: name ?? `Participant ${++this.participantCount}`,
      joinedAt: at,
      leftAt: null,
    };
    const wasEmpty = meeting.participants.size === 0;
    if (wasEmpty && !this.active(meetingId)) {
      meeting.sessionId = randomUUID();
      meeting.sessionStartedAt = at;
    }
    if (wasEmpty) {
      meeting.maxParticipants = 0;
      meeting.attendees = [];
    }
    meeting.participants.set(participant.id, participant);
    meeting.attendees.push(participant);
    meeting.maxParticipants = Math.max(meeting.maxParticipants, meeting.participants.size);
    meeting.participantsChangedAt = at;
    meeting.emptySince = null;
    this.armEmptyRoom(meeting);
    if (wasEmpty) this.emit('meeting.started', meetingWebhook('meeting.started', this.info(meeting)));
    this.emit(
      'meeting.participantJoined',
      participantWebhook('meeting.participantJoined', this.info(meeting), participant),
    );
    return participant.id;
  }

  leave(meetingId: string, participantId: string): void {
    const at = this.now();
    const meeting = this.meetings.get(meetingId);
    const participant = meeting?.participants.get(participantId);
    if (!meeting || !participant) {
      throw new NotFoundError(`No participant ${participantId} in meeting ${meetingId}.`);
    }
    meeting.participants.delete(participantId);
    meeting.participantsChangedAt = at;
    const info = this.info(meeting);
    this.emit(
      'meeting.participantLeft',
      participantWebhook('meeting.participantLeft', info, { ...participant, leftAt: at }),
    );
    if (meeting.participants.size === 0) {
      meeting.emptySince = at;
      this.emit('meeting.ended', meetingWebhook('meeting.ended', { ...info, live: false }));
      if (info.sessionId !== null) {
        this.transcripts.sessionEnded(
          { ...info, sessionId: info.sessionId, live: false },
          meeting.attendees,
          at,
        );
      }
    }
    this.armEmptyRoom(meeting);
  }

  /** The meeting's live session (someone is in the room), as `GET /meetings/{id}/active-session` shows it. */
  activeSession(meetingId: string): ActiveSessionInfo {
    const meeting = this.meetings.get(meetingId);
    if (!meeting || meeting.participants.size === 0 || meeting.sessionId === null) {
      throw new NotFoundError(`No active session found for meeting_id ${meetingId}`);
    }
    return {
      ...this.info(meeting),
      sessionId: meeting.sessionId,
      startedAt: meeting.sessionStartedAt ?? meeting.createdAt,
      participants: meeting.participants.size,
      maxParticipants: meeting.maxParticipants,
      updatedAt: meeting.participantsChangedAt,
    };
  }

  // ── webhook registrations ──

  addWebhook(fields: WebhookFields, headerPrefix: HeaderPrefix): Webhook {
    const at = this.now();
    const webhook = { ...fields, id: randomUUID(), createdAt: at, updatedAt: at, headerPrefix };
    this.webhooks.set(webhook.id, webhook);
    return webhook;
  }

  listWebhooks(): Webhook[] {
    return [...this.webhooks.values()];
  }

  getWebhook(id: string): Webhook {
    const webhook = this.webhooks.get(id);
    if (!webhook) throw new NotFoundError(`No webhook with id ${id}.`);
    return webhook;
  }

  updateWebhook(id: string, fields: Partial<WebhookFields>): Webhook {
    const webhook = { ...this.getWebhook(id), ...fields, updatedAt: this.now() };
    this.webhooks.set(id, webhook);
    return webhook;
  }

  deleteWebhook(id: string): Webhook {
    const webhook = this.getWebhook(id);
    this.webhooks.delete(id);
    return webhook;
  }

  // ── internals ──

  private meeting(id: string, at: number): Meeting {
    let meeting = this.meetings.get(id);
    if (!meeting) {
      meeting = {
        id,
        createdAt: at,
        sessionId: null,
        sessionStartedAt: null,
        participants: new Map(),
        attendees: [],
        maxParticipants: 0,
        participantsChangedAt: at,
        emptySince: at,
        emptyRoomTimer: undefined,
      };
      this.meetings.set(id, meeting);
    }
    return meeting;
  }

  private info(meeting: Meeting): MeetingInfo {
    return {
      id: meeting.id,
      sessionId: meeting.sessionId,
      title: meeting.id,
      live: meeting.participants.size > 0,
      createdAt: meeting.createdAt,
      startedAt: meeting.sessionStartedAt,
    };
  }

  private save(recording: SimRecording, at: number): void {
    const before = this.recordings.get(recording.id);
    this.recordings.set(recording.id, recording);
    if (before?.status === recording.status) return;
    const meeting = this.meetings.get(recording.meetingId)!;
    this.emit(
      'recording.statusUpdate',
      recordingWebhook(recording, at, this.links(recording), this.info(meeting), this.options.orgId, {
        on: this.options.webhookQuirks,
        sequence: this.nextStatusUpdate(recording.id),
      }),
    );
  }

  private nextStatusUpdate(id: string): number {
    const sequence = this.statusUpdates.get(id) ?? 0;
    this.statusUpdates.set(id, sequence + 1);
    return sequence;
  }

  /** Applies a change made at `at`, stores it, and schedules what follows from the new status. */
  private update(id: string, change: (current: SimRecording) => SimRecording, at: number): SimRecording {
    const before = this.get(id);
    const after = change(before);
    if (after === before) return after;
    this.save(after, at);
    if (after.status !== before.status) this.followUp(after, at);
    return after;
  }

  private followUp(recording: SimRecording, at: number): void {
    this.clock.cancel(this.timers.get(recording.id));
    this.timers.delete(recording.id);
    if (recording.status === 'RECORDING' || recording.status === 'PAUSED') {
      // The limit counts wall time since the start, pauses included. Dyte's stop_reason enum has no
      // "max duration" value, so such a stop is reported as an API_CALL by the ORGANIZATION (it is the
      // limit the organization asked for).
      this.schedule(recording.id, recording.startedAt! + recording.config.maxSeconds * 1000, (dueAt) =>
        this.update(recording.id, (current) => stop(current, dueAt, 'API_CALL', ORGANIZATION), dueAt),
      );
    } else if (recording.status === 'UPLOADING') {
      const uploadMs = uploadTimeMs(recordedSeconds(recording, at), this.options.uploadMs);
      this.schedule(recording.id, at + uploadMs, (dueAt) =>
        this.update(
          recording.id,
          (current) => uploadFinished(current, dueAt, this.options.downloadTtlMs),
          dueAt,
        ),
      );
    }
    const meeting = this.meetings.get(recording.meetingId);
    if (meeting) this.armEmptyRoom(meeting);
  }

  private schedule(id: string, dueAt: number, task: (dueAt: number) => void): void {
    this.timers.set(
      id,
      this.clock.at(dueAt, (at) => {
        this.timers.delete(id);
        task(at);
      }),
    );
  }

  /**
   * Re-arms the meeting's empty-room timer: with nobody in the room, each running recording stops
   * (ALL_PEERS_LEFT) once the room has been empty for the timeout — counted from the recording's own
   * start when it started in an already empty room.
   */
  private armEmptyRoom(meeting: Meeting): void {
    this.clock.cancel(meeting.emptyRoomTimer);
    meeting.emptyRoomTimer = undefined;
    if (meeting.emptySince === null) return;
    const emptySince = meeting.emptySince;
    const deadline = (recording: SimRecording) =>
      Math.max(emptySince, recording.invokedAt) + this.options.emptyRoomTimeoutMs;
    const running = this.list({ meetingId: meeting.id }).filter(isRunning);
    if (running.length === 0) return;
    const first = Math.min(...running.map(deadline));
    meeting.emptyRoomTimer = this.clock.at(first, (at) => {
      meeting.emptyRoomTimer = undefined;
      for (const recording of running) {
        if (deadline(recording) > at || !isRunning(this.get(recording.id))) continue;
        this.update(recording.id, (current) => stop(current, at, 'ALL_PEERS_LEFT', ORGANIZATION), at);
      }
      this.armEmptyRoom(meeting);
    });
  }

  private emit(event: WebhookEvent, payload: Record<string, unknown>): void {
    for (const webhook of this.webhooks.values()) {
      if (!webhook.enabled || !webhook.events.includes(event)) continue;
      this.sender.send(
        { webhookId: webhook.id, url: webhook.url, headerPrefix: webhook.headerPrefix },
        payload,
      );
    }
  }
}
