/**
 * The proxy's connections to Redis (ioredis): one for commands, one for subscriptions. Commands fail
 * fast while Redis is unreachable (no offline queue, a short command timeout) and surface as
 * `503 store_unavailable`; the connections reconnect by themselves, and the log says once when Redis
 * is lost and once when it is back. ioredis is loaded on first use, so importing the proxy on a
 * runtime without TCP sockets costs nothing until Redis is configured.
 */
import type { Redis, RedisOptions as ClientOptions } from 'ioredis';
import { ApiError } from '../../core/errors.ts';
import type { StateBackend } from '../coordination.ts';

export interface RedisOptions {
  /** `redis://` or `rediss://` URL, password included when there is one. */
  url: string;
  /** Prefix of every key and channel. Default `drk:`. */
  prefix?: string;
  /** How long what the proxy knows of a meeting and its recordings is kept after its last change. Default 30 days. */
  retentionDays?: number;
  /** How long a meeting's poll lease lasts unless renewed: another instance takes over within it. Default 6 s. */
  pollLeaseMs?: number;
  /** Timeout of each Redis command. Default 2 s. */
  commandTimeoutMs?: number;
}

const RECONNECT_MAX_MS = 2000;

/** KEYS: a hash {v, data}. ARGV: expected version, data, TTL seconds. 1 when written, 0 when stale. */
const SWAP = `
local version = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if version ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', version + 1, 'data', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;
/** Past this many lost races in a row something is wrong (each attempt takes two round trips). */
const MAX_SWAP_ATTEMPTS = 100;

export class RedisConnection implements StateBackend {
  readonly kind = 'redis';
  readonly description: string;
  readonly prefix: string;
  readonly retentionSeconds: number;
  readonly pollLeaseMs: number;
  /** Where Redis is, without credentials. */
  private readonly address: string;
  private clients: Promise<{ command: Redis; subscriber: Redis }> | null = null;
  private command: Redis | null = null;
  private subscriber: Redis | null = null;
  private lost: string | null = null;
  private everReady = false;
  private closed = false;
  private readonly readyListeners = new Set<() => void>();

  constructor(
    private readonly options: RedisOptions,
    private readonly log: (line: string) => void,
  ) {
    const url = new URL(options.url);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new Error('The Redis URL must start with redis:// or rediss://.');
    }
    this.prefix = options.prefix ?? 'drk:';
    this.retentionSeconds = Math.round((options.retentionDays ?? 30) * 86_400);
    this.pollLeaseMs = options.pollLeaseMs ?? 6000;
    this.address = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
    this.description = `redis ${this.address} (prefix ${this.prefix})`;
  }

  /** Connects (once); resolves when both connections are ready, however long Redis takes to appear. */
  async connect(): Promise<void> {
    this.clients ??= this.open();
    const { command, subscriber } = await this.clients;
    const ready = (client: Redis) =>
      client.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => client.once('ready', () => resolve()));
    await Promise.all([ready(command), ready(subscriber)]);
  }

  reachable(): boolean {
    return this.command?.status === 'ready' && this.subscriber?.status === 'ready';
  }

  /** Runs commands; any failure to reach Redis becomes `503 store_unavailable`. */
  async run<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    if (!this.command) throw unavailable();
    try {
      return await work(this.command);
    } catch (error) {
      if (error instanceof ApiError || isAnswer(error)) throw error;
      throw unavailable();
    }
  }

  /**
   * Changes the value kept at `key` atomically across instances: reads it and its version, applies
   * `change`, and writes it back only if nobody wrote in between (a Lua compare-and-set), else again.
   * The key then expires after the retention.
   */
  async update<V, T>(
    key: string,
    codec: { decode: (data: string | null) => V; change: (value: V) => T; encode: (value: V) => string },
  ): Promise<T> {
    for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt += 1) {
      const [version, data] = await this.run((client) => client.hmget(key, 'v', 'data'));
      const value = codec.decode(data ?? null);
      const result = codec.change(value);
      const written = await this.run((client) =>
        client.eval(SWAP, 1, key, version ?? '0', codec.encode(value), this.retentionSeconds),
      );
      if (written === 1) return result;
    }
    throw new Error(`${key}: too many concurrent writes`);
  }

  /** The subscription connection, once open. */
  subscriptions(): Redis | null {
    return this.subscriber;
  }

  /** Called whenever the subscription connection is (again) ready. */
  onSubscriberReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  /** A key of one meeting: every key of a meeting shares its hash tag, so its scripts run on Cluster. */
  meetingKey(meetingId: string, part: string): string {
    return `${this.prefix}{${meetingId}}:${part}`;
  }

  key(part: string): string {
    return `${this.prefix}${part}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (!this.clients) return;
    const { command, subscriber } = await this.clients;
    command.disconnect();
    subscriber.disconnect();
  }

  private async open(): Promise<{ command: Redis; subscriber: Redis }> {
    const { Redis } = await import('ioredis');
    const options: ClientOptions = {
      enableOfflineQueue: false,
      // Commands issued in the same tick share one write: many streams, one round trip.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 0,
      commandTimeout: this.options.commandTimeoutMs ?? 2000,
      connectTimeout: 2000,
      retryStrategy: (times) => (this.closed ? null : Math.min(100 * times, RECONNECT_MAX_MS)),
    };
    this.command = new Redis(this.options.url, options);
    this.subscriber = new Redis(this.options.url, { ...options, autoResubscribe: false });
    for (const client of [this.command, this.subscriber]) {
      client.on('error', (error: Error) => this.noteLost(error));
      client.on('ready', () => this.noteReady());
    }
    this.subscriber.on('ready', () => {
      for (const listener of [...this.readyListeners]) listener();
    });
    return { command: this.command, subscriber: this.subscriber };
  }

  private noteLost(error: Error): void {
    if (this.closed || this.lost !== null) return;
    this.lost = error.message || error.name;
    this.log(
      this.everReady
        ? `redis unreachable (${this.lost}); answering 503 store_unavailable and reconnecting`
        : `cannot reach redis at ${this.address} (${this.lost}); retrying every ${RECONNECT_MAX_MS / 1000} s`,
    );
  }

  private noteReady(): void {
    if (!this.reachable()) return;
    if (this.lost !== null && this.everReady) this.log('redis reachable again');
    this.lost = null;
    this.everReady = true;
  }
}

/** A reply of a working Redis (e.g. a script error), as opposed to one that cannot serve now. */
function isAnswer(error: unknown): boolean {
  const { name, message } = error as Error;
  return name === 'ReplyError' && !/^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)\b/.test(message);
}

function unavailable(): ApiError {
  return new ApiError(
    503,
    'store_unavailable',
    "The proxy's shared state (Redis) cannot be reached right now; try again in a moment.",
    {},
    { 'Retry-After': '2' },
  );
}
