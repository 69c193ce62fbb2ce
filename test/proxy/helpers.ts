/** Shared rig of the proxy tests: the real simulator and the real proxy on free ports, over HTTP. */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createParser } from 'eventsource-parser';
import type { EventSourceMessage } from 'eventsource-parser';
import type { Recording } from '../../src/core/recording.ts';
import { createRecordingToken, startProxy } from '../../src/server.ts';
import type { Proxy, ProxyOptions, UpstreamConfig } from '../../src/server.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import type { RunningSimulator, SimulatorOptions } from '../../src/simulator/index.ts';
import { conformance } from '../simulator/conformance.ts';

export const TOKEN_SECRET = `token-secret-${randomBytes(16).toString('hex')}`;

/** Simulated time runs this much faster: a 3 s start lag takes 60 ms. */
export const SPEED = 50;

export type Kind = UpstreamConfig['kind'];

import { NO_RATE_LIMITS } from '../../src/proxy/limits.ts';

export { NO_RATE_LIMITS };

/** The message of a JSON log line. */
export function messageOf(line: string): string {
  return (JSON.parse(line) as { msg: string }).msg;
}

export interface Rig {
  sim: RunningSimulator;
  proxy: Proxy;
  url: string;
  logs: string[];
  kind: Kind;
  token(
    role: 'host' | 'viewer',
    meetingId: string,
    extra?: { sub?: string; name?: string; ttlSeconds?: number },
  ): Promise<string>;
  /** `fetch` of a proxy path with the given token (or none). */
  call(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  /** The simulator's control plane. */
  control(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** Upstream request counts by route, since the last reset. */
  upstreamCalls(): Promise<{ total: number; requests: Record<string, number> }>;
  resetUpstreamCalls(): Promise<void>;
  /** The relay between proxy and simulator, when the rig was started with one. */
  relay: Relay | undefined;
  close(): Promise<void>;
}

export function upstreamConfig(kind: Kind, sim: RunningSimulator): UpstreamConfig {
  return kind === 'rtk'
    ? { kind, apiBase: sim.url, accountId: 'acct-1', appId: 'app-1', apiToken: sim.apiKey }
    : { kind, apiBase: sim.url, orgId: sim.orgId, apiKey: sim.apiKey };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startRig(
  options: {
    kind?: Kind;
    sim?: SimulatorOptions;
    /** A running simulator to use instead of starting one (then left running by `close`). */
    simulator?: RunningSimulator;
    proxy?: Partial<ProxyOptions>;
    webhooks?: boolean;
    /** Put a relay between the proxy and the simulator (see `Relay`). */
    relay?: boolean;
  } = {},
): Promise<Rig> {
  const kind = options.kind ?? 'v2';
  const sim =
    options.simulator ??
    (await startSimulator({ speed: SPEED, uploadMs: 0, observe: conformance().check, ...options.sim }));
  const closeSim = () => (options.simulator ? Promise.resolve() : sim.close());
  const relay = options.relay ? await startRelay(sim.url) : undefined;
  const logs: string[] = [];
  const port = await freePort();
  let proxy;
  try {
    proxy = await startProxy({
      upstream: upstreamConfig(kind, relay ? { ...sim, url: relay.url } : sim),
      tokenSecret: TOKEN_SECRET,
      port,
      upstreamTimeoutMs: 2000,
      upstreamRetryBaseMs: 20,
      pollIntervals: { activeMs: 100, idleMs: 400 },
      heartbeatMs: 1000,
      // Tests poll and repeat freely: the limits and the read cache have tests of their own.
      rateLimits: NO_RATE_LIMITS,
      readCacheMs: 0,
      publicWebhookUrl: options.webhooks ? `http://127.0.0.1:${port}/webhooks` : undefined,
      log: (line) => logs.push(line),
      ...options.proxy,
    });
  } catch (error) {
    await relay?.close();
    await closeSim();
    throw error;
  }
  const running = proxy;
  const call: Rig['call'] = (path, init = {}) => {
    const { token, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${running.url}${path}`, {
      redirect: 'manual',
      ...rest,
      headers,
      body: json === undefined ? rest.body : JSON.stringify(json),
    });
  };
  return {
    sim,
    proxy: running.proxy,
    url: running.url,
    logs,
    kind,
    token: (role, meetingId, extra = {}) =>
      createRecordingToken(
        { meetingId, role, sub: `${role}-1`, name: role === 'host' ? 'Ana' : 'Ben', ...extra },
        TOKEN_SECRET,
      ),
    call,
    control: (path, init = {}) => {
      const { json, ...rest } = init;
      return fetch(`${sim.url}${path}`, {
        ...rest,
        headers: json === undefined ? rest.headers : { 'content-type': 'application/json' },
        body: json === undefined ? rest.body : JSON.stringify(json),
      });
    },
    async upstreamCalls() {
      return (await fetch(`${sim.url}/_sim/stats`)).json() as Promise<{
        total: number;
        requests: Record<string, number>;
      }>;
    },
    async resetUpstreamCalls() {
      await fetch(`${sim.url}/_sim/stats`, { method: 'DELETE' });
    },
    relay,
    async close() {
      await running.close();
      await relay?.close();
      await closeSim();
    },
  };
}

/**
 * A pass-through HTTP relay in front of the simulator that can hold an answer the simulator already
 * gave (the upstream read its state, the network is slow to deliver it) until the test releases it.
 */
export interface Relay {
  url: string;
  /** Holds the next answer to a request matching `match` (method, path without query). */
  holdNext(match: (method: string, path: string) => boolean): HeldAnswer;
  /** Answers passed on so far to requests matching `match`. */
  answered(match: (method: string, path: string) => boolean): number;
  close(): Promise<void>;
}

export interface HeldAnswer {
  /** Resolves once the simulator has answered a matching request and the relay holds the answer. */
  held: Promise<void>;
  /** Passes the held answer on; resolves once it is sent. */
  release(): Promise<void>;
}

export async function startRelay(target: string): Promise<Relay> {
  interface Hold {
    match: (method: string, path: string) => boolean;
    onHeld: () => void;
    released: Promise<void>;
    onSent: () => void;
  }
  const holds: Hold[] = [];
  const passed: { method: string; path: string }[] = [];
  const server = createHttpServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', target).pathname;
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) {
        headers.set(name, value);
      }
    }
    const answer = await fetch(`${target}${request.url}`, {
      method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await answer.arrayBuffer());
    const index = holds.findIndex((entry) => entry.match(method, path));
    const hold = index >= 0 ? holds.splice(index, 1)[0] : undefined;
    if (hold) {
      hold.onHeld();
      await hold.released;
    }
    const outgoing: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name)) {
        outgoing[name] = value;
      }
    });
    response.writeHead(answer.status, outgoing);
    response.end(body, () => hold?.onSent());
    passed.push({ method, path });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    holdNext(match) {
      const hold = { match } as Hold;
      const held = new Promise<void>((resolve) => (hold.onHeld = resolve));
      let release!: () => void;
      hold.released = new Promise<void>((resolve) => (release = resolve));
      const sent = new Promise<void>((resolve) => (hold.onSent = resolve));
      holds.push(hold);
      return {
        held,
        release: () => {
          release();
          return sent;
        },
      };
    },
    answered: (match) => passed.filter((entry) => match(entry.method, entry.path)).length,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
export function meetingId(): string {
  return `m-${randomUUID().slice(0, 8)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `read` until `accept` holds (short real waits: the simulated clock is fast). */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

export async function readRecording(rig: Rig, token: string, id: string): Promise<Recording> {
  const response = await rig.call(`/recordings/${id}`, { token });
  if (response.status !== 200)
    throw new Error(`GET /recordings/${id}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Recording;
}

/** Opens the meeting's event stream on `rig`, as a viewer unless `token` says otherwise. */
export async function openEvents(rig: Rig, meeting: string, token?: string): Promise<EventStreamReader> {
  return EventStreamReader.open(
    `${rig.url}/meetings/${meeting}/events`,
    token ?? (await rig.token('viewer', meeting)),
  );
}

/** Starts a recording through the proxy and waits until `stream` reports it RECORDING; resolves to its id. */
export async function startWatched(
  rig: Rig,
  meeting: string,
  hostToken: string,
  stream: EventStreamReader,
): Promise<string> {
  const started = await rig.call(`/meetings/${meeting}/recordings`, {
    method: 'POST',
    token: hostToken,
    json: {},
  });
  const { id } = (await started.json()) as Recording;
  await stream.next((m) => m.event === 'recording' && (m.data as Recording).status === 'RECORDING');
  return id;
}

/** Starts a recording as the host, lets it record a few simulated seconds, stops it and waits for UPLOADED. */
export async function uploadedRecording(rig: Rig, meeting: string, hostToken: string): Promise<Recording> {
  const started = await rig.call(`/meetings/${meeting}/recordings`, {
    method: 'POST',
    token: hostToken,
    json: {},
  });
  if (started.status !== 201) throw new Error(`start: ${started.status} ${await started.text()}`);
  const { id } = (await started.json()) as Recording;
  await eventually(
    () => readRecording(rig, hostToken, id),
    (r) => r.status === 'RECORDING',
  );
  await sleep((8000 / SPEED) * 1.5); // > 5 simulated seconds, or the upstream marks it ERRORED
  const stopped = await rig.call(`/recordings/${id}`, {
    method: 'PUT',
    token: hostToken,
    json: { action: 'stop' },
  });
  if (stopped.status !== 200) throw new Error(`stop: ${stopped.status} ${await stopped.text()}`);
  return eventually(
    () => readRecording(rig, hostToken, id),
    (r) => r.status === 'UPLOADED',
  );
}

/**
 * A meeting with Ana in the room, recorded for a few seconds and stopped; then `meanwhile` runs while
 * the session goes on, and Ana leaves (the session ends).
 */
export async function recordedSession(
  rig: Rig,
  meeting: string,
  stream: EventStreamReader,
  meanwhile: (recording: Recording) => Promise<void> = async () => {},
): Promise<Recording> {
  const host = await rig.token('host', meeting);
  const joined = await rig.control(`/_sim/meetings/${meeting}/participants`, {
    method: 'POST',
    json: { name: 'Ana' },
  });
  const { participantId } = (await joined.json()) as { participantId: string };
  const started = await rig.call(`/meetings/${meeting}/recordings`, {
    method: 'POST',
    token: host,
    json: {},
  });
  const { id } = (await started.json()) as Recording;
  await stream.next((m) => m.event === 'recording' && (m.data as Recording).status === 'RECORDING');
  await sleep((8000 / SPEED) * 1.5); // > 5 simulated seconds, or the upstream marks it ERRORED
  await rig.call(`/recordings/${id}`, { method: 'PUT', token: host, json: { action: 'stop' } });
  const uploaded = await stream.next(
    (m) =>
      m.event === 'recording' &&
      (m.data as Recording).id === id &&
      (m.data as Recording).status === 'UPLOADED',
  );
  await meanwhile(uploaded.data as Recording);
  await rig.control(`/_sim/meetings/${meeting}/participants/${participantId}`, { method: 'DELETE' });
  return uploaded.data as Recording;
}

/** Matches a `recording` event of recording `id` that offers the `kind` file. */
export const withFile =
  (id: string, kind: 'transcript' | 'summary') => (m: { event: string; data: unknown }) =>
    m.event === 'recording' && (m.data as Recording).id === id && (m.data as Recording)[kind] === true;

export interface StreamMessage {
  event: string;
  id: string | undefined;
  data: unknown;
}

/** A reader of the proxy's event stream, collecting every message and comment. */
export class EventStreamReader {
  readonly messages: StreamMessage[] = [];
  readonly comments: string[] = [];
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  private readonly abort = new AbortController();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly response: Response) {
    const parser = createParser({
      onEvent: (message: EventSourceMessage) => {
        this.messages.push({
          event: message.event ?? 'message',
          id: message.id,
          data: JSON.parse(message.data),
        });
        this.wake();
      },
      onComment: (comment) => {
        this.comments.push(comment);
        this.wake();
      },
    });
    this.ended = (async () => {
      const decoder = new TextDecoder();
      const body = response.body!.getReader();
      this.abort.signal.addEventListener('abort', () => void body.cancel().catch(() => {}));
      try {
        for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) {
          parser.feed(decoder.decode(chunk.value, { stream: true }));
        }
      } catch {
        // Aborted by close().
      }
      this.wake();
    })();
  }

  static async open(
    url: string,
    token: string,
    headers: Record<string, string> = {},
  ): Promise<EventStreamReader> {
    const abort = new AbortController();
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      signal: abort.signal,
    });
    if (response.status !== 200) throw new Error(`stream: ${response.status} ${await response.text()}`);
    const reader = EventStreamReader.read(response);
    reader.abort.signal.addEventListener('abort', () => abort.abort());
    return reader;
  }

  /** Reads a stream answered without HTTP (a fetch handler called directly); `close` cancels it. */
  static read(response: Response): EventStreamReader {
    return new EventStreamReader(response);
  }

  /** Waits for the first message (from the start) that matches. */
  async next(match: (message: StreamMessage) => boolean, timeoutMs = 5000): Promise<StreamMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no matching event in ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.event))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.ended;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
    this.waiters.clear();
  }
}
