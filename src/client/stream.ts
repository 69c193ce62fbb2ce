/**
 * The meeting's event stream: SSE over fetch (so it can carry the Bearer token), parsed by
 * core/sse.ts. Reconnects with backoff and jitter, resumes with Last-Event-ID (the proxy then
 * replays just the events missed, or sends a fresh snapshot when it can no longer replay them all),
 * stops while the tab is hidden, and polls the list only when the response cannot be streamed.
 */
import { ApiError } from '../core/errors.ts';
import { backoffDelay } from '../core/backoff.ts';
import { sseParser } from '../core/sse.ts';
import type { Connection } from '../core/view.ts';
import { responseError } from './api.ts';
import type { Api } from './api.ts';

export interface StreamOptions {
  /** First reconnection delay, ms (doubled per failed attempt, up to maxDelayMs). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Polling period when streaming is impossible, ms. */
  pollMs: number;
  /** A connection silent this long (no event, no heartbeat) is presumed dead, ms. */
  idleMs: number;
}

export const STREAM_OPTIONS: StreamOptions = {
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  pollMs: 5000,
  idleMs: 45_000,
};

export interface StreamHandlers {
  /** An event; a polled snapshot also says when its request left (`performance.now()`). */
  event(type: string, data: unknown, sentAt?: number): void;
  health(connection: Connection, error?: unknown): void;
}

/** Refusals no retry will fix: a 4xx other than 401 (a new token may help), 408 and 429 (later may). */
const isFatal = (status: number) => /^4(?!01|08|29)/.test(String(status));

/** Opens the stream of the meeting at `path` (`/meetings/<id>`); returns the function that closes it. */
export function openStream(
  api: Api,
  path: string,
  handlers: StreamHandlers,
  options: StreamOptions = STREAM_OPTIONS,
): () => void {
  let closed = false;
  let lastEventId: string | undefined;
  let abort = new AbortController();
  /** Ends the current rest early (the tab became visible, or the stream closed). */
  let wake = () => {};
  const hidden = () => document.visibilityState === 'hidden';
  const rest = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const onVisibility = () => (hidden() ? abort.abort() : wake());
  document.addEventListener('visibilitychange', onVisibility);

  /** Reads one response until it ends; resolves true when anything arrived (the connection was good). */
  const read = async (response: Response) => {
    let alive = false;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const watch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(), options.idleMs);
    };
    const feed = sseParser(
      (message) => {
        if (message.id) lastEventId = message.id;
        alive = true;
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          return; // not ours to understand
        }
        handlers.event(message.event, data);
      },
      // Heartbeats prove the connection good too (a quiet meeting sends nothing else).
      () => (alive = true),
    );
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (watch(); ; watch()) {
        const { done, value } = await reader.read();
        if (done) break;
        feed(value);
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      clearTimeout(idle);
    }
    return alive;
  };

  const poll = async () => {
    while (!closed) {
      if (!hidden()) {
        try {
          const sentAt = performance.now();
          handlers.event('snapshot', await api.json(`${path}/recordings`, { signal: abort.signal }), sentAt);
          handlers.health('polling');
        } catch (error) {
          if (!closed) handlers.health('reconnecting', error);
        }
      }
      await rest(options.pollMs);
    }
  };

  const run = async () => {
    for (let attempt = 0; !closed;) {
      if (hidden()) {
        handlers.health('paused');
        await rest(2 ** 31 - 1);
        continue;
      }
      abort = new AbortController();
      try {
        const response = await api.fetch(`${path}/events`, {
          signal: abort.signal,
          headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        });
        if (!response.ok) throw await responseError(response);
        if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
          await response.body?.cancel();
          return poll();
        }
        handlers.health('live');
        if (await read(response)) attempt = 0;
        if (closed || hidden()) continue;
        handlers.health('reconnecting');
      } catch (error) {
        if (closed) return;
        if (error instanceof ApiError && isFatal(error.status)) return handlers.health('closed', error);
        if (!hidden()) handlers.health('reconnecting', error);
      }
      if (!hidden())
        await rest(backoffDelay(attempt++, options.baseDelayMs, options.maxDelayMs, Math.random()));
    }
  };
  void run();

  return () => {
    closed = true;
    document.removeEventListener('visibilitychange', onVisibility);
    abort.abort();
    wake();
  };
}
