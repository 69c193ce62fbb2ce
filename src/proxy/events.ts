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
/** How soon a browser should reconnect after a closed stream: every stream's first bytes. */
const RETRY = encoder.encode('retry: 2000\n\n');
/** Between events, every heartbeat interval. */
const HEARTBEAT = encoder.encode(': heartbeat\n\n');
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

/** The open streams of one meeting: one bus subscription delivers to all of them. */
interface MeetingStreams {
  meetingId: string;
  streams: Set<OpenStream>;
  unsubscribe: () => void;
}

/** The streams whose authorization ends at the same time (tokens end on whole seconds): one timer. */
interface Expiry {
  at: number;
  streams: Set<OpenStream>;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One stream, whatever carries its bytes. Per-stream state is these few fields and an entry in its
 * meeting's set (and in its expiry's): with thousands of idle streams open, that is what the proxy
 * holds for each beside the connection itself. No closure, timer or bus listener of its own.
 */
abstract class OpenStream {
  closed = false;
  lastSent = 0;
  /** Events delivered while the opening is prepared, sent right after it; null once it is sent. */
  pending: SequencedEvent[] | null = [];
  expiry: Expiry | null = null;

  constructor(
    private readonly hub: EventStreams,
    readonly meeting: MeetingStreams,
    private readonly role: Role,
    private readonly onClose: () => void,
  ) {}

  deliver(event: SequencedEvent): void {
    if (this.pending) {
      this.pending.push(event);
      return;
    }
    if (event.id <= this.lastSent) return;
    this.lastSent = event.id;
    this.send(encodeEvent(event, this.role));
  }

  /** Sends the opening, then whatever was delivered while it was prepared. */
  begin(opening: readonly Uint8Array[], lastSent: number): void {
    const pending = this.pending ?? [];
    this.pending = null;
    this.lastSent = lastSent;
    for (const chunk of opening) this.send(chunk);
    for (const event of pending) this.deliver(event);
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

  /** Lets go of everything the stream holds; once, whichever side ended it (or its opening failed). */
  forget(): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.leave(this);
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
  }

  /** Sends the status line and headers, once the opening is ready; from then on a leaving reader ends it. */
  head(headers: Record<string, string>): void {
    this.response.writeHead(200, headers);
    // Node keeps the header block for the life of the response, as the rope of some forty pieces
    // its concatenation built (about 1 kB); reading a character has V8 flatten it into one string.
    const header = (this.response as { _header?: unknown })._header;
    if (typeof header === 'string') header.charCodeAt(0);
    // `on`, not `once`: `forget` runs once anyway, and `once` would add a wrapper and its state.
    this.response.on('close', () => this.forget());
  }

  /** The reader left (or its socket is gone) before the stream was set up. */
  get gone(): boolean {
    const { response } = this;
    return response.destroyed || !response.socket || response.socket.destroyed;
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
  private readonly meetings = new Map<string, MeetingStreams>();
  private readonly expiries = new Map<number, Expiry>();
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
    const node = nodeResponse(c);
    // Joined (and so subscribed) before the opening is read: what is published meanwhile is kept.
    const meeting = this.join(request.meetingId);
    const parts = [this, meeting, request.role, request.onClose] as const;
    const stream = node ? new NodeStream(node, ...parts) : new WebStream(...parts);
    meeting.streams.add(stream);
    let opening: Awaited<ReturnType<EventStreams['opening']>>;
    try {
      opening = await this.opening(request);
    } catch (error) {
      stream.forget();
      throw error;
    }

    // The stream's headers merged with those every answer carries (CORS, nosniff).
    if (stream instanceof NodeStream) stream.head({ ...respond.headersOf(c), ...STREAM_HEADERS });
    stream.begin(opening.opening, opening.lastSent);
    // A reader that left while the snapshot was prepared: its `close` has come and gone.
    if (stream instanceof NodeStream && stream.gone) stream.close();
    if (!stream.closed) {
      this.startHeartbeat();
      if (request.expiresAt !== null) this.expireAt(stream, request.expiresAt);
    }
    return stream instanceof WebStream
      ? respond.answer(c, stream.body, 200, STREAM_HEADERS)
      : RESPONSE_ALREADY_SENT;
  }

  /** Closes every stream (the proxy is shutting down). */
  closeAll(): void {
    for (const stream of this.live()) stream.close();
    this.stopHeartbeat();
  }

  /** Takes a stream out of its meeting and its expiry; the last one out ends their subscription and timer. */
  leave(stream: OpenStream): void {
    const { meeting, expiry } = stream;
    meeting.streams.delete(stream);
    if (meeting.streams.size === 0 && this.meetings.get(meeting.meetingId) === meeting) {
      this.meetings.delete(meeting.meetingId);
      meeting.unsubscribe();
    }
    if (expiry) {
      expiry.streams.delete(stream);
      if (expiry.streams.size === 0 && this.expiries.get(expiry.at) === expiry) {
        this.expiries.delete(expiry.at);
        clearTimeout(expiry.timer);
      }
    }
  }

  private join(meetingId: string): MeetingStreams {
    let meeting = this.meetings.get(meetingId);
    if (!meeting) {
      const streams = new Set<OpenStream>();
      const unsubscribe = this.bus.subscribe(meetingId, (event) => {
        for (const stream of streams) stream.deliver(event);
      });
      meeting = { meetingId, streams, unsubscribe };
      this.meetings.set(meetingId, meeting);
    }
    return meeting;
  }

  /** Closes the stream when its authorization ends, on the timer of every stream ending then. */
  private expireAt(stream: OpenStream, at: number): void {
    let expiry = this.expiries.get(at);
    if (!expiry) {
      const streams = new Set<OpenStream>();
      // Timers cannot wait longer than ~24.8 days; a token living longer is closed then and resumed.
      const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
      const timer = setTimeout(() => {
        for (const expired of [...streams]) expired.close();
      }, delay);
      expiry = { at, streams, timer };
      this.expiries.set(at, expiry);
    }
    expiry.streams.add(stream);
    stream.expiry = expiry;
  }

  /** The streams past their opening (those still preparing it get no heartbeat and are not closed). */
  private live(): OpenStream[] {
    const live: OpenStream[] = [];
    for (const meeting of this.meetings.values()) {
      for (const stream of meeting.streams) if (!stream.pending) live.push(stream);
    }
    return live;
  }

  private async opening(request: StreamRequest): Promise<{ opening: Uint8Array[]; lastSent: number }> {
    if (request.lastEventId !== null) {
      const missed = await this.bus.since(request.meetingId, request.lastEventId);
      if (missed) {
        return {
          opening: [RETRY, ...missed.map((event) => encodeEvent(event, request.role))],
          lastSent: missed.at(-1)?.id ?? request.lastEventId,
        };
      }
    }
    // Read the resume point first: anything published while the snapshot is built follows it.
    const snapshotId = await this.bus.lastId(request.meetingId);
    const { list, view } = await request.snapshot();
    const opening = [RETRY, encoder.encode(frame('snapshot', list, snapshotId))];
    if (view.meeting) opening.push(encoder.encode(frame('meeting', view.meeting)));
    return { opening, lastSent: snapshotId };
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const stream of this.live()) stream.send(HEARTBEAT);
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
