/**
 * Rate limits: budgets per token subject and per client address (a tighter one for writes: start,
 * stop, pause, resume, download links, acknowledgements), one for webhook senders, and a global guard
 * that keeps the proxy's own upstream calls under the upstream's quota. Fixed one-minute windows,
 * counted in memory, or in Redis when the proxy runs as several instances (all share the counts).
 * A refusal is `429 rate_limited` with `Retry-After`.
 */
import { ApiError } from '../core/errors.ts';
import { andThen } from './maybe.ts';
import type { MaybePromise } from './maybe.ts';

/** Requests per minute; 0 turns a budget off. */
export interface RateLimitSettings {
  /** Requests of one token subject (any route). Default 600. */
  subjectPerMinute: number;
  /** Writes of one token subject. Default 30. */
  subjectWritesPerMinute: number;
  /** Requests from one client address (any route but the webhooks). Default 1200. */
  addressPerMinute: number;
  /** Writes from one client address. Default 120. */
  addressWritesPerMinute: number;
  /** Webhook deliveries from one address (the upstream's senders). Default 6000. */
  webhooksPerMinute: number;
  /** Upstream calls of the whole proxy (every instance together). Default 1500 (Dyte allows 2000). */
  upstreamPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  subjectPerMinute: 600,
  subjectWritesPerMinute: 30,
  addressPerMinute: 1200,
  addressWritesPerMinute: 120,
  webhooksPerMinute: 6000,
  upstreamPerMinute: 1500,
};

/** Every limit off (0), for test rigs and benchmarks whose clients share one address and few tokens. */
export const NO_RATE_LIMITS: RateLimitSettings = {
  subjectPerMinute: 0,
  subjectWritesPerMinute: 0,
  addressPerMinute: 0,
  addressWritesPerMinute: 0,
  webhooksPerMinute: 0,
  upstreamPerMinute: 0,
};

const WINDOW_MS = 60_000;

export interface Hit {
  count: number;
  resetInMs: number;
}

/** Counts hits per key in fixed windows. */
export interface Counters {
  /**
   * Counts one hit of `key` and answers the window's count so far and when it ends (ms from now); at
   * once where the counts are in this process.
   */
  hit(key: string, windowMs: number): Hit | Promise<Hit>;
}

/** One process's counters; past `max` keys the expired windows are swept, then the oldest. */
export class MemoryCounters implements Counters {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly max = 100_000) {}

  hit(key: string, windowMs: number): Hit {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.delete(key);
      this.windows.set(key, window);
      if (this.windows.size > this.max) this.sweep(now);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    while (this.windows.size > this.max) this.windows.delete(this.windows.keys().next().value!);
  }
}

export type Scope = 'subject' | 'address' | 'webhooks' | 'upstream';

export class RateLimits {
  constructor(
    private readonly counters: Counters,
    private readonly settings: RateLimitSettings,
    /** Told of every refusal (metrics, a log line per burst). */
    private readonly onRefused: (scope: Scope) => void,
  ) {}

  /** A browser request from `address` (null when the runtime does not say); throws 429 past a budget. */
  address(address: string | null, write: boolean): MaybePromise<void> {
    if (address === null) return;
    return this.both(
      'address',
      'a:',
      'aw:',
      address,
      write,
      this.settings.addressPerMinute,
      this.settings.addressWritesPerMinute,
    );
  }

  /** A request of an authorized caller, known by `subject`; throws 429 past a budget. */
  subject(subject: string, write: boolean): MaybePromise<void> {
    return this.both(
      'subject',
      's:',
      'sw:',
      subject,
      write,
      this.settings.subjectPerMinute,
      this.settings.subjectWritesPerMinute,
    );
  }

  /** A webhook delivery from `address`, counted before its body is read. */
  webhook(address: string | null): MaybePromise<void> {
    if (address !== null) return this.take('webhooks', `w:${address}`, this.settings.webhooksPerMinute);
  }

  /** One upstream call of this proxy; throws 429 (the browser waits) rather than exceed the quota. */
  upstream(): MaybePromise<void> {
    return this.take('upstream', 'u', this.settings.upstreamPerMinute);
  }

  /** The budget of every request of `who`, then, for a write, the tighter one. */
  private both(
    scope: Scope,
    prefix: string,
    writePrefix: string,
    who: string,
    write: boolean,
    perMinute: number,
    writesPerMinute: number,
  ): MaybePromise<void> {
    const taken = this.take(scope, `${prefix}${who}`, perMinute);
    if (!write) return taken;
    return andThen(taken, () => this.take(scope, `${writePrefix}${who}`, writesPerMinute));
  }

  private take(scope: Scope, key: string, perMinute: number): MaybePromise<void> {
    if (perMinute <= 0) return;
    let hit: MaybePromise<Hit>;
    try {
      hit = this.counters.hit(key, WINDOW_MS);
    } catch {
      return; // Shared counters out of reach: serving beats refusing everyone.
    }
    if (!(hit instanceof Promise)) return this.judge(scope, hit, perMinute);
    return hit.then(
      (counted) => this.judge(scope, counted, perMinute),
      () => undefined,
    );
  }

  private judge(scope: Scope, hit: Hit, perMinute: number): void {
    if (hit.count <= perMinute) return;
    this.onRefused(scope);
    const retryAfter = Math.max(1, Math.ceil(hit.resetInMs / 1000));
    throw new ApiError(
      429,
      'rate_limited',
      scope === 'upstream'
        ? `The recording service's request budget is used up; try again in ${retryAfter} s.`
        : `Too many requests; try again in ${retryAfter} s.`,
      { retryAfter },
      { 'Retry-After': String(retryAfter) },
    );
  }
}
