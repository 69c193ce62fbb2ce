/**
 * Server-sent event streams of one meeting: a `snapshot` first (or, on resume, exactly the events
 * missed since `Last-Event-ID`), then `recording` and `meeting` events as the bus delivers them, with
 * heartbeat comments in between. A stream closes when its token expires, when its reader falls too
 * far behind, or when the proxy closes; the browser reconnects with a fresh token and resumes.
 */
import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import { shapeForRole } from '../core/contract.ts';
import type { RecordingList, Role } from '../core/contract.ts';
import type { EventBus, SequencedEvent } from './bus.ts';
import type { Responder } from './respond.ts';
import type { MeetingView } from './watch.ts';

const encoder = new TextEncoder();
/** Past this many queued bytes a reader is too slow: it is dropped and will resume when it reconnects. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How soon a browser should reconnect after a closed stream. */
const RETRY_MS = 2000;
const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-store, no-transform',
  'x-accel-buffering': 'no',
};

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

/**
 * One open stream, whatever carries its bytes. Per-stream state is these few fields and the bus
 * listener: with thousands of idle streams open, that is what the proxy holds for each.
 */
abstract class OpenStream {
  closed = false;
  lastSent = 0;
  timer: ReturnType<typeof setTimeout> | null = null;
  unsubscribe: () => void = () => undefined;

  constructor(
    private readonly streams: Set<OpenStream>,
    private readonly role: Role,
    private readonly onClose: () => void,
  ) {}

  deliver(event: SequencedEvent): void {
    if (event.id <= this.lastSent) return;
    this.lastSent = event.id;
    this.send(encodeEvent(event, this.role));
  }

  send(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.write(chunk) <= MAX_BUFFERED_BYTES) return;
    // A reader this far behind would never take what an orderly end still has to send: the
    // connection is dropped, its buffers with it (the browser resumes from Last-Event-ID).
    this.forget();
    this.drop();
  }

  /** Ends the stream from this side (token expiry, a reader too far behind, the proxy closing). */
  close(): void {
    if (this.closed) return;
    this.forget();
    this.end();
  }

  /** Lets go of everything the stream holds; once, whichever side ended it. */
  protected forget(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe();
    this.streams.delete(this);
    this.onClose();
  }

  /** Queues the chunk; returns the bytes now queued and not yet taken by the reader. */
  protected abstract write(chunk: Uint8Array): number;
  protected abstract end(): void;
  /** Ends the connection at once, whatever is still queued. */
  protected abstract drop(): void;
}

/** Any runtime: a web `ReadableStream` handed to the fetch handler's `Response`. */
class WebStream extends OpenStream {
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly body = new ReadableStream<Uint8Array>(
    {
      start: (controller) => {
        this.controller = controller;
      },
      cancel: () => this.forget(),
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );

  protected write(chunk: Uint8Array): number {
    this.controller.enqueue(chunk);
    return -(this.controller.desiredSize ?? 0);
  }

  protected end(): void {
    try {
      this.controller.close();
    } catch {
      // Already errored or cancelled by the reader.
    }
  }

  protected drop(): void {
    try {
      this.controller.error(new Error('The reader fell too far behind.'));
    } catch {
      // Already errored or cancelled by the reader.
    }
  }
}

/** Node: straight to the `ServerResponse`, no web stream, reader or promise in between. */
class NodeStream extends OpenStream {
  constructor(
    private readonly response: ServerResponse,
    ...rest: ConstructorParameters<typeof OpenStream>
  ) {
    super(...rest);
    response.once('close', () => this.forget());
  }

  protected write(chunk: Uint8Array): number {
    this.response.write(chunk);
    return this.response.writableLength;
  }

  protected end(): void {
    this.response.end();
  }

  protected drop(): void {
    this.response.destroy();
  }
}

/** The Node response under a request, when `@hono/node-server` (or `proxyListener`) serves it. */
function nodeResponse(c: Context): ServerResponse | null {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  return typeof outgoing === 'object' && outgoing !== null && 'writeHead' in outgoing
    ? (outgoing as ServerResponse)
    : null;
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
   * failure is an ordinary JSON error rather than a broken stream. On Node the stream is written to
   * the response directly (and the fetch handler told it was sent); elsewhere it is a web stream.
   */
  async start(request: StreamRequest, c: Context, respond: Responder): Promise<Response> {
    const pending: SequencedEvent[] = [];
    let live: OpenStream | null = null;
    const unsubscribe = this.bus.subscribe(request.meetingId, (event) =>
      live ? live.deliver(event) : pending.push(event),
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

    const node = nodeResponse(c);
    const web = node ? null : new WebStream(this.open, request.role, request.onClose);
    // The stream's headers merged with those every answer carries (CORS, nosniff).
    if (node) node.writeHead(200, { ...respond.headersOf(c), ...STREAM_HEADERS });
    const stream = web ?? new NodeStream(node!, this.open, request.role, request.onClose);
    stream.unsubscribe = unsubscribe;
    stream.lastSent = lastSent;
    for (const chunk of opening) stream.send(chunk);
    for (const event of pending) stream.deliver(event);
    live = stream;
    // A reader that left while the snapshot was prepared: its `close` has come and gone.
    if (node && (node.destroyed || !node.socket || node.socket.destroyed)) stream.close();
    if (!stream.closed) {
      this.open.add(stream);
      this.startHeartbeat();
      if (request.expiresAt !== null) {
        // Timers cannot wait longer than ~24.8 days; a token living longer is closed then and resumed.
        const delay = Math.min(Math.max(0, request.expiresAt - Date.now()), 2 ** 31 - 1);
        stream.timer = setTimeout(() => stream.close(), delay);
      }
    }
    return web ? respond.answer(c, web.body, 200, STREAM_HEADERS) : RESPONSE_ALREADY_SENT;
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
