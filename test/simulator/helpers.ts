/** Shared helpers of the simulator's tests: API clients per auth scheme, a webhook receiver, polling. */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { startSimulator } from '../../src/simulator/index.ts';
import type { RunningSimulator, SimulatorOptions } from '../../src/simulator/index.ts';
import { conformance } from './conformance.ts';

export interface Answer {
  status: number;
  // Tests read whatever the simulator sent; the assertions check its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

export type Call = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Answer>;

/**
 * A simulator at 1000× speed. Its empty room allows 10 simulated hours (36 real seconds) unless a
 * test says otherwise: at this speed Dyte's 120 s are 120 real ms, which a loaded machine can spend
 * between two requests of a test that is not about the empty room. Every response it sends is checked
 * against Dyte's schemas (see conformance.ts).
 */
export async function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({
    speed: 1000,
    emptyRoomTimeoutMs: 36_000_000,
    observe: conformance().check,
    ...options,
  });
}

/**
 * A simulator (see `simulator`) for the enclosing `describe` block: started before its tests, closed
 * after them. `call` speaks the API that `client` makes for it.
 */
export function simulatorPerSuite(client: (sim: RunningSimulator) => Call) {
  let running: RunningSimulator | undefined;
  let api: Call | undefined;
  before(async () => {
    running = await simulator();
    api = client(running);
  });
  after(() => running?.close());
  return {
    get sim(): RunningSimulator {
      if (!running) throw new Error('the simulator starts before the tests');
      return running;
    },
    call: ((...args) => api!(...args)) as Call,
  };
}

export async function request(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: the test sees the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export function basicAuth(orgId: string, apiKey: string): string {
  return `Basic ${Buffer.from(`${orgId}:${apiKey}`).toString('base64')}`;
}

/** Calls `${sim.url}/v2…` with Basic auth. */
export function v2(sim: RunningSimulator): Call {
  const authorization = basicAuth(sim.orgId, sim.apiKey);
  return (method, path, body, headers) =>
    request(`${sim.url}/v2${path}`, method, body, { authorization, ...headers });
}

/** Calls `${sim.url}/v1/organizations/<org>…` with APIKEY auth. */
export function v1(sim: RunningSimulator): Call {
  return (method, path, body, headers) =>
    request(`${sim.url}/v1/organizations/${sim.orgId}${path}`, method, body, {
      authorization: `APIKEY ${sim.apiKey}`,
      ...headers,
    });
}

export const RTK_BASE = '/client/v4/accounts/acc-1/realtime/kit/app-1';

/** Calls RealtimeKit's `…/realtime/kit/<app>…` with Bearer auth. */
export function rtk(sim: RunningSimulator): Call {
  return (method, path, body, headers) =>
    request(`${sim.url}${RTK_BASE}${path}`, method, body, {
      authorization: `Bearer ${sim.apiKey}`,
      ...headers,
    });
}

type Maybe<T> = T | null | undefined | false;

/** Polls `check` until it returns something truthy (or throws after `timeoutMs` real ms). */
export async function eventually<T>(
  check: () => Promise<Maybe<T>> | Maybe<T>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until the recording reaches `status` (v2 GET), returning its last body. */
export async function untilStatus(call: Call, id: string, status: string, timeoutMs = 5000) {
  return eventually(
    async () => {
      const answer = await call('GET', `/recordings/${id}`);
      return answer.body.data.status === status ? answer.body.data : null;
    },
    timeoutMs,
    `recording ${id} to be ${status}`,
  );
}

/** Waits until recording `id` (v2 shapes) is RECORDING and has recorded at least `seconds` simulated seconds. */
export async function recordFor(call: Call, id: string, seconds: number): Promise<void> {
  await untilStatus(call, id, 'RECORDING');
  await eventually(
    async () => (await call('GET', `/recordings/${id}`)).body.data.recording_duration >= seconds,
  );
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  /** The exact body bytes, as text. */
  raw: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** Statuses to answer the next deliveries with (then 200); 'hang' never answers. */
  script: (number | 'hang')[];
  close(): Promise<void>;
}

/** A webhook receiver on a free port that records every delivery. */
export async function receiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const script: (number | 'hang')[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      deliveries.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      const next = script.shift() ?? 200;
      if (next === 'hang') return;
      res.writeHead(next).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
