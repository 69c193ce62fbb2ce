/**
 * The recording store shared by every instance. A recording's knowledge is one hash beside its
 * meeting's keys (`{meetingId}` hash tag), changed only through the connection's compare-and-set
 * (`RedisConnection.update`) with the same fold as the memory store (`learn`): concurrent reports
 * can neither move a status backwards nor drop a field. Everything expires after the retention,
 * renewed on each write.
 */
import type { MeetingState } from '../../core/contract.ts';
import type { Actor, Recording } from '../../core/recording.ts';
import { learn, newKnowledge } from '../store.ts';
import type { Acknowledgement, Applied, Knowledge, RecordingStore } from '../store.ts';
import type { RedisConnection } from './connection.ts';

/** Recordings whose meeting this instance remembers (a recording never changes meetings). */
const REMEMBERED_MEETINGS = 10_000;

export class RedisRecordingStore implements RecordingStore {
  private readonly meetings = new Map<string, string>();

  constructor(private readonly redis: RedisConnection) {}

  apply(report: Recording, readSentAt?: number): Promise<Applied> {
    return this.update(report.id, report.meetingId, (known) => learn.report(known, report, readSentAt));
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
    if (this.meetings.size > REMEMBERED_MEETINGS) this.meetings.delete(this.meetings.keys().next().value!);
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

  private indexKey(recordingId: string): string {
    return this.redis.key(`recording-meeting:${recordingId}`);
  }

  private recordingKey(meetingId: string, recordingId: string): string {
    return this.redis.meetingKey(meetingId, `recording:${recordingId}`);
  }
}
