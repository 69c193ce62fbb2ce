/**
 * Server-sent event streams of one meeting: a `snapshot` first (or, on resume, exactly the events
 * missed since `Last-Event-ID`), then `recording` and `meeting` events as the bus delivers them, with
 * heartbeat comments in between. A stream closes when its token expires, when its reader falls too
 * far behind, or when the proxy closes; the browser reconnects with a fresh token and resumes.
 */
import { shapeForRole } from '../core/contract.ts';
import type { RecordingList, Role } from '../core/contract.ts';
import type { EventBus, SequencedEvent } from './bus.ts';
import type { MeetingView } from './watch.ts';

const encoder = new TextEncoder();
/** Past this many queued bytes a reader is too slow: it is dropped and will resume when it reconnects. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How soon a browser should reconnect after a closed stream. */
const RETRY_MS = 2000;

interface StreamRequest {
  meetingId: string;
  /** From `Last-Event-ID`, when it is a number. */
  lastEventId: number | null;
  /** Epoch ms when the caller's authorization ends, or null. */
  expiresAt: number | null;
  /** What the reader may see of each recording (see `shapeForRole`). */
  role: Role;
  /** Builds the snapshot body (the list body) from the meeting's current view. */
  snapshot: () => Promise<{ list: RecordingList; view: MeetingView }>;
  /** Called once when the stream ends, however it ends. */
  onClose: () => void;
}

interface OpenStream {
  send(chunk: Uint8Array): void;
  close(): void;
}

export class EventStreams {
  private readonly open = new Set<OpenStream>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly heartbeatMs: number,
  ) {}

  /**
   * Prepares everything that can fail (the snapshot may need the upstream) before answering, so a
   * failure is an ordinary JSON error rather than a broken stream.
   */
  async start(request: StreamRequest): Promise<Response> {
    const pending: SequencedEvent[] = [];
    let deliver: ((event: SequencedEvent) => void) | null = null;
    const unsubscribe = this.bus.subscribe(request.meetingId, (event) =>
      deliver ? deliver(event) : pending.push(event),
    );
    let opening: Uint8Array[];
    let lastSent: number;
    try {
      ({ opening, lastSent } = await this.opening(request));
    } catch (error) {
      unsubscribe();
      request.onClose();
      throw error;
    }

    let timer: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const stream: OpenStream = {
      send: (chunk) => {
        if (closed) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) < -MAX_BUFFERED_BYTES) stream.close();
      },
      close: () => {
        if (closed) return;
        closed = true;
        cleanup();
        try {
          controller.close();
        } catch {
          // Already errored or cancelled by the reader.
        }
      },
    };
    const cleanup = () => {
      closed = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      this.open.delete(stream);
      if (this.open.size === 0) this.stopHeartbeat();
      request.onClose();
    };
    const body = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          controller = c;
        },
        cancel: () => {
          if (!closed) cleanup();
        },
      },
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );

    for (const chunk of opening) stream.send(chunk);
    deliver = (event) => {
      if (event.id <= lastSent) return;
      lastSent = event.id;
      stream.send(encodeEvent(event, request.role));
    };
    for (const event of pending) deliver(event);
    this.open.add(stream);
    this.startHeartbeat();
    if (request.expiresAt !== null) {
      // Timers cannot wait longer than ~24.8 days; a token living longer is closed then and resumed.
      const delay = Math.min(Math.max(0, request.expiresAt - Date.now()), 2 ** 31 - 1);
      timer = setTimeout(() => stream.close(), delay);
    }
    return new Response(body, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store, no-transform',
        'x-accel-buffering': 'no',
      },
    });
  }

  /** Closes every stream (the proxy is shutting down). */
  closeAll(): void {
    for (const stream of [...this.open]) stream.close();
    this.stopHeartbeat();
  }

  private async opening(request: StreamRequest): Promise<{ opening: Uint8Array[]; lastSent: number }> {
    const retry = encoder.encode(`retry: ${RETRY_MS}\n\n`);
    if (request.lastEventId !== null) {
      const missed = await this.bus.since(request.meetingId, request.lastEventId);
      if (missed) {
        return {
          opening: [retry, ...missed.map((event) => encodeEvent(event, request.role))],
          lastSent: missed.at(-1)?.id ?? request.lastEventId,
        };
      }
    }
    // Read the resume point first: anything published while the snapshot is built follows it.
    const snapshotId = await this.bus.lastId(request.meetingId);
    const { list, view } = await request.snapshot();
    const opening = [retry, encoder.encode(frame('snapshot', list, snapshotId))];
    if (view.meeting) opening.push(encoder.encode(frame('meeting', view.meeting)));
    return { opening, lastSent: snapshotId };
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    const comment = encoder.encode(': heartbeat\n\n');
    this.heartbeat = setInterval(() => {
      for (const stream of [...this.open]) stream.send(comment);
    }, this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}

/** Encoded once per event and role however many streams it goes to. */
const encodedEvents: Record<Role, WeakMap<SequencedEvent, Uint8Array>> = {
  host: new WeakMap(),
  viewer: new WeakMap(),
};

function encodeEvent(event: SequencedEvent, role: Role): Uint8Array {
  let encoded = encodedEvents[role].get(event);
  if (!encoded) {
    const data = event.type === 'recording' ? shapeForRole(event.data, role) : event.data;
    encoded = encoder.encode(frame(event.type, data, event.id));
    encodedEvents[role].set(event, encoded);
  }
  return encoded;
}

function frame(type: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}
