/**
 * The recording store shared by every instance. A recording's knowledge is one hash beside its
 * meeting's keys (`{meetingId}` hash tag), changed only through the connection's compare-and-set
 * (`RedisConnection.update`) with the same fold as the memory store (`learn`): concurrent reports
 * can neither move a status backwards nor drop a field. Everything expires after the retention,
 * renewed on each write.
 */
import type { MeetingState } from '../../core/contract.ts';
import type { Actor, Recording } from '../../core/recording.ts';
import { learn, newKnowledge, readyFiles } from '../store.ts';
import type { Acknowledgement, Applied, Knowledge, RecordingStore, SessionFiles } from '../store.ts';
import type { RedisConnection } from './connection.ts';

/** Recordings whose meeting (and session index) this instance remembers (neither ever changes). */
const REMEMBERED = 10_000;

/** A session's ready files and its recordings (id → meeting), one JSON value. */
interface StoredSession {
  files: SessionFiles;
  recordings: Record<string, string>;
}

export class RedisRecordingStore implements RecordingStore {
  private readonly meetings = new Map<string, string>();
  /** `sessionId/recordingId` pairs this instance already indexed. */
  private readonly indexed = new Set<string>();

  constructor(private readonly redis: RedisConnection) {}

  async apply(report: Recording, readSentAt?: number): Promise<Applied> {
    const files = report.sessionId
      ? await this.indexInSession(report.sessionId, report.id, report.meetingId)
      : undefined;
    return this.update(report.id, report.meetingId, (known) =>
      learn.report(known, report, readSentAt, files),
    );
  }

  async get(recordingId: string): Promise<Recording | undefined> {
    return (await this.read(recordingId))?.recording ?? undefined;
  }

  noteStarted(recordingId: string, meetingId: string, by: Actor): Promise<void> {
    return this.update(recordingId, meetingId, (known) => learn.started(known, by));
  }

  noteStopped(recordingId: string, meetingId: string, by: Actor): Promise<void> {
    return this.update(recordingId, meetingId, (known) => learn.stopped(known, by));
  }

  acknowledge(
    recordingId: string,
    meetingId: string,
    by: Actor & { id: string },
    at: string,
  ): Promise<boolean> {
    return this.update(recordingId, meetingId, (known) => learn.acknowledged(known, by, at));
  }

  async acknowledgements(recordingId: string): Promise<Acknowledgement[]> {
    return (await this.read(recordingId))?.acknowledgements ?? [];
  }

  async meeting(meetingId: string): Promise<MeetingState | undefined> {
    const text = await this.redis.run((client) => client.get(this.redis.meetingKey(meetingId, 'meeting')));
    return text === null ? undefined : (JSON.parse(text) as MeetingState);
  }

  async setMeeting(meetingId: string, state: MeetingState): Promise<void> {
    await this.redis.run((client) =>
      client.set(
        this.redis.meetingKey(meetingId, 'meeting'),
        JSON.stringify(state),
        'EX',
        this.redis.retentionSeconds,
      ),
    );
  }

  async sessionFiles(sessionId: string): Promise<SessionFiles | undefined> {
    const data = await this.redis.run((client) => client.hget(this.sessionKey(sessionId), 'data'));
    return data === null ? undefined : (JSON.parse(data) as StoredSession).files;
  }

  // Files are marked before the session's recordings are read, and a recording is indexed before its
  // session's files are read: either way a recording reported meanwhile ends up carrying them.
  async markSessionFiles(sessionId: string, ready: Partial<SessionFiles>): Promise<Recording[]> {
    const session = await this.updateSession(sessionId, (stored) => {
      stored.files = readyFiles(stored.files, ready);
    });
    const changed: Recording[] = [];
    for (const [recordingId, meetingId] of Object.entries(session.recordings)) {
      const updated = await this.update(recordingId, meetingId, (known) => learn.files(known, session.files));
      if (updated) changed.push(updated);
    }
    return changed;
  }

  /** Indexes the recording under its session (once per instance) and returns the session's files. */
  private async indexInSession(sessionId: string, recordingId: string, meetingId: string) {
    const pair = `${sessionId}/${recordingId}`;
    if (this.indexed.has(pair)) return (await this.sessionFiles(sessionId)) ?? NO_FILES;
    const session = await this.updateSession(sessionId, (stored) => {
      stored.recordings[recordingId] ??= meetingId;
    });
    this.indexed.add(pair);
    trim(this.indexed);
    return session.files;
  }

  private async updateSession(sessionId: string, change: (stored: StoredSession) => void) {
    return this.redis.update(this.sessionKey(sessionId), {
      decode: (data) =>
        data === null ? { files: { ...NO_FILES }, recordings: {} } : (JSON.parse(data) as StoredSession),
      change: (stored) => {
        change(stored);
        return stored;
      },
      encode: (stored) => JSON.stringify(stored),
    });
  }

  /** Which meeting a recording belongs to: the first one it was heard of in. */
  private async meetingOf(recordingId: string, heardIn: string): Promise<string> {
    const remembered = this.meetings.get(recordingId);
    if (remembered !== undefined) return remembered;
    const index = this.indexKey(recordingId);
    const ttl = this.redis.retentionSeconds;
    const earlier = await this.redis.run((client) =>
      client.call('SET', index, heardIn, 'EX', ttl, 'NX', 'GET'),
    );
    if (earlier !== null) await this.redis.run((client) => client.expire(index, ttl));
    const meetingId = typeof earlier === 'string' ? earlier : heardIn;
    this.meetings.set(recordingId, meetingId);
    trim(this.meetings);
    return meetingId;
  }

  private async read(recordingId: string): Promise<Knowledge | undefined> {
    const meetingId = await this.redis.run((client) => client.get(this.indexKey(recordingId)));
    if (meetingId === null) return undefined;
    const data = await this.redis.run((client) =>
      client.hget(this.recordingKey(meetingId, recordingId), 'data'),
    );
    return data === null ? undefined : (JSON.parse(data) as Knowledge);
  }

  private async update<T>(recordingId: string, heardIn: string, change: (known: Knowledge) => T): Promise<T> {
    const meetingId = await this.meetingOf(recordingId, heardIn);
    return this.redis.update(this.recordingKey(meetingId, recordingId), {
      decode: (data) => (data === null ? newKnowledge(meetingId) : (JSON.parse(data) as Knowledge)),
      change,
      encode: (known) => JSON.stringify(known),
    });
  }

  private sessionKey(sessionId: string): string {
    return this.redis.key(`session:${sessionId}`);
  }

  private indexKey(recordingId: string): string {
    return this.redis.key(`recording-meeting:${recordingId}`);
  }

  private recordingKey(meetingId: string, recordingId: string): string {
    return this.redis.meetingKey(meetingId, `recording:${recordingId}`);
  }
}

const NO_FILES: SessionFiles = { transcript: false, summary: false };

/** Keeps a per-instance memo bounded: past the limit, its oldest entry goes. */
function trim(memo: Set<string> | Map<string, unknown>): void {
  if (memo.size > REMEMBERED) memo.delete(memo.keys().next().value!);
}
