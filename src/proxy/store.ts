/**
 * What the proxy itself knows about recordings, beyond what the upstream reports: which meeting each
 * belongs to, who started and stopped it (from their tokens) and why it stopped, plus the latest
 * merged view so that no report can move a status backwards. In memory by default; the interface is
 * asynchronous so a shared store (e.g. Redis) can stand in when the proxy runs as several instances.
 */
import type { Acknowledgement, MeetingState } from '../core/contract.ts';
import type { Actor, Recording, StopReason } from '../core/recording.ts';
import { accountPause } from '../core/pause.ts';
import { isActive, mergeRecording, recordingChanged } from '../core/status.ts';

export interface Applied {
  recording: Recording;
  /** Whether a watcher would see a difference. */
  changed: boolean;
  /** Whether this was the first report of the recording. */
  first: boolean;
}

export type { Acknowledgement };

/** Which files of a meeting session (its transcript, its summary) are ready. */
export interface SessionFiles {
  transcript: boolean;
  summary: boolean;
}

export interface RecordingStore {
  /**
   * Folds an upstream report into what is known (never backwards) and returns the result.
   * `readSentAt` (epoch ms) is when the read that fetched the report was sent; it is absent for news
   * (a webhook, the answer to a write). A read sent before the store last saw the status change may
   * predate that change: it cannot move the status sideways (RECORDING ⇄ PAUSED), which would undo it.
   */
  apply(report: Recording, readSentAt?: number): Promise<Applied>;
  get(recordingId: string): Promise<Recording | undefined>;
  /** Remembers who started a recording through this proxy. */
  noteStarted(recordingId: string, meetingId: string, by: Actor): Promise<void>;
  /** Remembers who stopped a recording through this proxy (the stop reason is then an API call). */
  noteStopped(recordingId: string, meetingId: string, by: Actor): Promise<void>;
  /** Remembers that `by.id` was told of the recording; false when they already were (idempotent per subject). */
  acknowledge(
    recordingId: string,
    meetingId: string,
    by: Actor & { id: string },
    at: string,
  ): Promise<boolean>;
  /** Who acknowledged the recording, oldest first. */
  acknowledgements(recordingId: string): Promise<Acknowledgement[]>;
  meeting(meetingId: string): Promise<MeetingState | undefined>;
  setMeeting(meetingId: string, state: MeetingState): Promise<void>;
  /** What is known to be ready of a session's files. */
  sessionFiles(sessionId: string): Promise<SessionFiles | undefined>;
  /**
   * Notes files of a session as ready (never un-ready; every recording of the session then carries
   * `transcript` / `summary`); returns its known recordings that changed by it.
   */
  markSessionFiles(sessionId: string, ready: Partial<SessionFiles>): Promise<Recording[]>;
}

/** What the proxy knows of one recording: plain data, so a shared store can keep it as JSON. */
export interface Knowledge {
  meetingId: string;
  startedBy: Actor | null;
  stoppedBy: Actor | null;
  stopReason: StopReason | null;
  recording: Recording | null;
  /** Epoch ms when this store last saw the status change. */
  statusChangedAt: number;
  /** One per subject, in the order they arrived. */
  acknowledgements: Acknowledgement[];
}

export function newKnowledge(meetingId: string): Knowledge {
  return {
    meetingId,
    startedBy: null,
    stoppedBy: null,
    stopReason: null,
    recording: null,
    statusChangedAt: 0,
    acknowledgements: [],
  };
}

/**
 * The changes a store makes to a recording's knowledge, in place: the one definition of the
 * never-backwards fold, whichever store keeps the knowledge.
 */
export const learn = {
  /** `files`: what is ready of the recording's session, carried on the recording. */
  report(known: Knowledge, report: Recording, readSentAt?: number, files?: SessionFiles): Applied {
    const overlaid = overlay(report, known);
    // Same millisecond counts as older: the read may have left just before the change was seen.
    const age = readSentAt !== undefined && readSentAt <= known.statusChangedAt ? 'may-be-older' : 'newer';
    const before = known.recording;
    // The pauses it sees, on this proxy's clock: the upstream reports none.
    const merged = accountPause(
      before,
      withFiles(before ? mergeRecording(before, overlaid, age) : overlaid, files),
      Date.now(),
    );
    if (merged.status !== before?.status) known.statusChangedAt = Date.now();
    known.recording = merged;
    return { recording: merged, changed: !before || recordingChanged(before, merged), first: !before };
  },
  started(known: Knowledge, by: Actor): void {
    known.startedBy = by;
  },
  stopped(known: Knowledge, by: Actor): void {
    known.stoppedBy = by;
    known.stopReason = 'API_CALL';
  },
  /** Marks the session's ready files on the recording; the recording when that changed it. */
  files(known: Knowledge, files: SessionFiles): Recording | undefined {
    const before = known.recording;
    if (!before) return undefined;
    known.recording = withFiles(before, files);
    return recordingChanged(before, known.recording) ? known.recording : undefined;
  },
  acknowledged(known: Knowledge, by: Actor & { id: string }, at: string): boolean {
    if (known.acknowledgements.some((ack) => ack.id === by.id)) return false;
    known.acknowledgements.push({ id: by.id, name: by.name, at });
    return true;
  },
};

/** Evicts the least recently touched entries past `maxEntries`, so memory stays bounded. */
export class MemoryRecordingStore implements RecordingStore {
  private readonly recordings = new Map<string, Knowledge>();
  private readonly meetings = new Map<string, MeetingState>();
  private readonly sessions = new Map<string, { files: SessionFiles; recordings: Set<string> }>();

  constructor(private readonly maxEntries = 10_000) {}

  async apply(report: Recording, readSentAt?: number): Promise<Applied> {
    const files = report.sessionId ? this.session(report.sessionId, report.id).files : undefined;
    return learn.report(this.touch(report.id, report.meetingId), report, readSentAt, files);
  }

  async get(recordingId: string): Promise<Recording | undefined> {
    return this.recordings.get(recordingId)?.recording ?? undefined;
  }

  async noteStarted(recordingId: string, meetingId: string, by: Actor): Promise<void> {
    learn.started(this.touch(recordingId, meetingId), by);
  }

  async noteStopped(recordingId: string, meetingId: string, by: Actor): Promise<void> {
    learn.stopped(this.touch(recordingId, meetingId), by);
  }

  async acknowledge(
    recordingId: string,
    meetingId: string,
    by: Actor & { id: string },
    at: string,
  ): Promise<boolean> {
    return learn.acknowledged(this.touch(recordingId, meetingId), by, at);
  }

  async acknowledgements(recordingId: string): Promise<Acknowledgement[]> {
    return [...(this.recordings.get(recordingId)?.acknowledgements ?? [])];
  }

  async meeting(meetingId: string): Promise<MeetingState | undefined> {
    return this.meetings.get(meetingId);
  }

  async setMeeting(meetingId: string, state: MeetingState): Promise<void> {
    this.meetings.delete(meetingId);
    this.meetings.set(meetingId, state);
    evictOldest(this.meetings, this.maxEntries);
  }

  async sessionFiles(sessionId: string): Promise<SessionFiles | undefined> {
    const files = this.sessions.get(sessionId)?.files;
    return files && { ...files };
  }

  async markSessionFiles(sessionId: string, ready: Partial<SessionFiles>): Promise<Recording[]> {
    const session = this.session(sessionId);
    session.files = readyFiles(session.files, ready);
    const changed: Recording[] = [];
    for (const recordingId of session.recordings) {
      const known = this.recordings.get(recordingId);
      const updated = known && learn.files(known, session.files);
      if (updated) changed.push(updated);
    }
    return changed;
  }

  /** A session's ready files and recordings, `recordingId` indexed under it. */
  private session(sessionId: string, recordingId?: string) {
    let session = this.sessions.get(sessionId);
    if (!session) {
      session = { files: { transcript: false, summary: false }, recordings: new Set<string>() };
      this.sessions.set(sessionId, session);
      evictOldest(this.sessions, this.maxEntries);
    }
    if (recordingId) session.recordings.add(recordingId);
    return session;
  }

  private touch(recordingId: string, meetingId: string): Knowledge {
    const known = this.recordings.get(recordingId) ?? newKnowledge(meetingId);
    this.recordings.delete(recordingId);
    this.recordings.set(recordingId, known);
    evictOldest(this.recordings, this.maxEntries);
    return known;
  }
}

/** The proxy's own knowledge wins over the upstream's about who acted (upstream only sees the org key). */
function overlay(report: Recording, known: Knowledge): Recording {
  const stopped = !isActive(report.status);
  return {
    ...report,
    meetingId: known.meetingId,
    startedBy: known.startedBy ?? report.startedBy,
    stoppedBy: stopped ? (known.stoppedBy ?? report.stoppedBy) : report.stoppedBy,
    stopReason: report.stopReason ?? (stopped ? known.stopReason : null),
  };
}

/** Files never become un-ready. */
export function readyFiles(files: SessionFiles, ready: Partial<SessionFiles>): SessionFiles {
  return {
    transcript: files.transcript || ready.transcript === true,
    summary: files.summary || ready.summary === true,
  };
}

function withFiles(recording: Recording, files: SessionFiles | undefined): Recording {
  if (!files) return recording;
  return {
    ...recording,
    ...(files.transcript ? { transcript: true } : {}),
    ...(files.summary ? { summary: true } : {}),
  };
}

function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}
