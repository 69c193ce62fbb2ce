/**
 * The event bus between whatever learns of a change (a webhook, a poll, a browser's own request) and
 * every stream watching that meeting. Each meeting's events carry increasing ids so a reconnecting
 * stream can ask for what it missed. The in-memory bus serves one process; the interface is shaped
 * so a Redis implementation (INCR for ids, PUBLISH for fan-out, a capped stream for replay) fits it.
 */
import type { MeetingState } from '../core/contract.ts';
import type { Recording } from '../core/recording.ts';

export type StreamEvent = { type: 'recording'; data: Recording } | { type: 'meeting'; data: MeetingState };

export type SequencedEvent = StreamEvent & { id: number; meetingId: string };

export interface EventBus {
  publish(meetingId: string, event: StreamEvent): Promise<SequencedEvent>;
  /** Calls `listener` for every event of the meeting published from now on; returns the unsubscribe. */
  subscribe(meetingId: string, listener: (event: SequencedEvent) => void): () => void;
  /** The id of the meeting's latest event (a resume point even before any event exists). */
  lastId(meetingId: string): Promise<number>;
  /** The events after `afterId`, oldest first, or null when they cannot all be replayed. */
  since(meetingId: string, afterId: number): Promise<SequencedEvent[] | null>;
}

interface Channel {
  lastId: number;
  recent: SequencedEvent[];
  listeners: Set<(event: SequencedEvent) => void>;
}

export class MemoryEventBus implements EventBus {
  private readonly channels = new Map<string, Channel>();
  constructor(
    /** Events kept per meeting for resuming streams. */
    private readonly replayLength = 256,
    /** Idle meetings (no listener, nothing replayable worth keeping) are forgotten past this many. */
    private readonly maxChannels = 10_000,
  ) {}

  async publish(meetingId: string, event: StreamEvent): Promise<SequencedEvent> {
    const channel = this.channel(meetingId);
    channel.lastId += 1;
    const sequenced: SequencedEvent = { ...event, id: channel.lastId, meetingId };
    channel.recent.push(sequenced);
    if (channel.recent.length > this.replayLength) channel.recent.shift();
    for (const listener of [...channel.listeners]) listener(sequenced);
    return sequenced;
  }

  subscribe(meetingId: string, listener: (event: SequencedEvent) => void): () => void {
    const channel = this.channel(meetingId);
    channel.listeners.add(listener);
    return () => channel.listeners.delete(listener);
  }

  async lastId(meetingId: string): Promise<number> {
    return this.channel(meetingId).lastId;
  }

  async since(meetingId: string, afterId: number): Promise<SequencedEvent[] | null> {
    const channel = this.channels.get(meetingId);
    if (!channel || afterId > channel.lastId) return null;
    if (afterId === channel.lastId) return [];
    const oldest = channel.recent[0];
    if (!oldest || oldest.id > afterId + 1) return null;
    return channel.recent.filter((event) => event.id > afterId);
  }

  private channel(meetingId: string): Channel {
    let channel = this.channels.get(meetingId);
    if (!channel) {
      // Ids start from the clock (in microseconds) so that ids handed out before a restart (or before
      // an idle channel was forgotten) are older than any after it: a stale Last-Event-ID then falls
      // outside the replay window and earns a fresh snapshot.
      channel = { lastId: Date.now() * 1000, recent: [], listeners: new Set() };
      this.channels.set(meetingId, channel);
      this.forgetIdle();
    }
    return channel;
  }

  private forgetIdle(): void {
    if (this.channels.size <= this.maxChannels) return;
    for (const [meetingId, channel] of this.channels) {
      if (channel.listeners.size === 0) this.channels.delete(meetingId);
      if (this.channels.size <= this.maxChannels) return;
    }
  }
}
