/**
 * The event bus shared by every instance: one Lua script per event takes the meeting's next id
 * (INCR), appends the event to the meeting's capped log (a stream, for `Last-Event-ID` replay) and
 * PUBLISHes it, so every instance sees every event of a meeting in id order. Each instance holds one
 * subscription per meeting it watches; a gap in the ids (a reconnection, a lost message) is filled
 * from the log before anything later is delivered.
 */
import type { EventBus, SequencedEvent, StreamEvent } from '../bus.ts';
import type { RedisConnection } from './connection.ts';

type Listener = (event: SequencedEvent) => void;

/** KEYS: seq, log. ARGV: event JSON, first id, log length, TTL seconds, channel. Returns the id. */
const PUBLISH = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[2]) end
redis.call('INCR', KEYS[1])
-- Read back as a string: Lua would print a number this large in exponent notation.
local id = redis.call('GET', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], id .. '-0', 'e', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[5], id .. ':' .. ARGV[1])
return id
`;

/** How long `publish` waits for its own event to come back to this instance's listeners. */
const ECHO_WAIT_MS = 1000;

interface Channel {
  meetingId: string;
  listeners: Set<Listener>;
  /** The id of the last event handed to the listeners; 0 before the subscription is ready. */
  lastDelivered: number;
  /** Settles once the subscription is active (again). */
  ready: Promise<void>;
  /** Deliveries in order: each message waits for the one before. */
  chain: Promise<void>;
  /** `publish` calls waiting for their event to be delivered here. */
  echoes: { id: number; resolve: () => void }[];
}

export class RedisEventBus implements EventBus {
  private readonly channels = new Map<string, Channel>();
  private wired = false;

  constructor(
    private readonly redis: RedisConnection,
    /** Events kept per meeting for resuming streams. */
    private readonly replayLength = 256,
  ) {
    redis.onSubscriberReady(() => {
      // After a reconnection: subscribe again, then deliver what was published meanwhile.
      this.wire();
      for (const channel of this.channels.values()) this.join(channel);
    });
  }

  async publish(meetingId: string, event: StreamEvent): Promise<SequencedEvent> {
    const id = await this.redis.run((client) =>
      client.eval(
        PUBLISH,
        2,
        this.redis.meetingKey(meetingId, 'seq'),
        this.redis.meetingKey(meetingId, 'log'),
        JSON.stringify(event),
        Date.now() * 1000,
        this.replayLength,
        this.redis.retentionSeconds,
        this.channelName(meetingId),
      ),
    );
    const sequenced: SequencedEvent = { ...event, id: Number(id), meetingId };
    const channel = this.channels.get(meetingId);
    // Read-your-writes: the caller's next read of a watched view shows what it published.
    if (channel && channel.lastDelivered < sequenced.id) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ECHO_WAIT_MS);
        channel.echoes.push({
          id: sequenced.id,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return sequenced;
  }

  subscribe(meetingId: string, listener: Listener): () => void {
    this.wire();
    let channel = this.channels.get(meetingId);
    if (!channel) {
      channel = {
        meetingId,
        listeners: new Set(),
        lastDelivered: 0,
        ready: Promise.resolve(),
        chain: Promise.resolve(),
        echoes: [],
      };
      this.channels.set(meetingId, channel);
      this.join(channel);
    }
    channel.listeners.add(listener);
    const joined = channel;
    return () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size > 0 || this.channels.get(meetingId) !== joined) return;
      this.channels.delete(meetingId);
      for (const echo of joined.echoes) echo.resolve();
      this.redis
        .subscriptions()
        ?.unsubscribe(this.channelName(meetingId))
        .catch(() => undefined);
    };
  }

  async lastId(meetingId: string): Promise<number> {
    await this.readyFor(meetingId);
    const seq = this.redis.meetingKey(meetingId, 'seq');
    return this.redis.run(async (client) => {
      // Starts from the clock, as the memory bus does, so that ids of an expired log are never reused.
      await client.set(seq, Date.now() * 1000, 'EX', this.redis.retentionSeconds, 'NX');
      return Number(await client.get(seq));
    });
  }

  async since(meetingId: string, afterId: number): Promise<SequencedEvent[] | null> {
    await this.readyFor(meetingId);
    return this.read(meetingId, afterId);
  }

  /** The log after `afterId`, or null when it no longer holds all of it. */
  private async read(meetingId: string, afterId: number): Promise<SequencedEvent[] | null> {
    const replies = await this.redis.run((client) =>
      client
        .multi()
        .get(this.redis.meetingKey(meetingId, 'seq'))
        .xrange(this.redis.meetingKey(meetingId, 'log'), `${afterId + 1}-0`, '+')
        .exec(),
    );
    const [seqReply, logReply] = replies ?? [];
    if (!seqReply || !logReply || seqReply[0] || logReply[0]) return null;
    const lastId = Number(seqReply[1] ?? 0);
    if (afterId > lastId || lastId === 0) return null;
    if (afterId === lastId) return [];
    const entries = logReply[1] as [string, string[]][];
    const events = entries.map(([entryId, fields]) => ({
      ...(JSON.parse(fields[1] ?? 'null') as StreamEvent),
      id: Number(entryId.split('-')[0]),
      meetingId,
    }));
    return events[0]?.id === afterId + 1 ? events : null;
  }

  private async readyFor(meetingId: string): Promise<void> {
    await this.channels.get(meetingId)?.ready;
  }

  private channelName(meetingId: string): string {
    return this.redis.meetingKey(meetingId, 'events');
  }

  /** One message handler for every channel of this instance. */
  private wire(): void {
    const subscriber = this.redis.subscriptions();
    if (this.wired || !subscriber) return;
    this.wired = true;
    subscriber.on('message', (name: string, message: string) => {
      const meetingId = /\{([^}]*)\}:events$/.exec(name)?.[1];
      const channel = meetingId === undefined ? undefined : this.channels.get(meetingId);
      if (!channel) return;
      const colon = message.indexOf(':');
      const event: SequencedEvent = {
        ...(JSON.parse(message.slice(colon + 1)) as StreamEvent),
        id: Number(message.slice(0, colon)),
        meetingId: channel.meetingId,
      };
      this.enqueue(channel, () => this.accept(channel, event));
    });
  }

  /** Subscribes (again): starts where this instance left off, or at the meeting's current id. */
  private join(channel: Channel): void {
    const ready = (async () => {
      const subscriber = this.redis.subscriptions();
      if (!subscriber) throw new Error('redis is not connected');
      await subscriber.subscribe(this.channelName(channel.meetingId));
      if (channel.lastDelivered === 0) {
        const seq = await this.redis.run((client) =>
          client.get(this.redis.meetingKey(channel.meetingId, 'seq')),
        );
        channel.lastDelivered = Number(seq ?? 0);
      } else {
        await this.catchUp(channel);
      }
    })();
    ready.catch(() => undefined);
    channel.ready = ready;
    this.enqueue(channel, () => ready.catch(() => undefined));
  }

  private enqueue(channel: Channel, step: () => Promise<void> | void): void {
    channel.chain = channel.chain.then(step).catch(() => undefined);
  }

  private async accept(channel: Channel, event: SequencedEvent): Promise<void> {
    if (event.id <= channel.lastDelivered) return;
    if (channel.lastDelivered > 0 && event.id > channel.lastDelivered + 1) await this.catchUp(channel);
    this.deliver(channel, event);
  }

  /** Delivers what the log holds after the last delivered event (all of it, or none it cannot). */
  private async catchUp(channel: Channel): Promise<void> {
    const missed = await this.read(channel.meetingId, channel.lastDelivered).catch(() => null);
    for (const event of missed ?? []) this.deliver(channel, event);
  }

  private deliver(channel: Channel, event: SequencedEvent): void {
    if (event.id <= channel.lastDelivered) return;
    channel.lastDelivered = event.id;
    for (const listener of [...channel.listeners]) listener(event);
    const due = channel.echoes.filter((echo) => echo.id <= event.id);
    if (due.length === 0) return;
    channel.echoes = channel.echoes.filter((echo) => echo.id > event.id);
    for (const echo of due) echo.resolve();
  }
}
