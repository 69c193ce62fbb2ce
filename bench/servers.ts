/**
 * The servers under measurement, run in a child process so that the load generators and stream
 * readers of the bench (in the parent) do not share an event loop with them. `stack`: the simulator
 * and the proxy (under `/api`), optionally with the bench's page files on the same origin; `proxy`:
 * one more proxy instance on a stack's simulator and Redis; `bare`: a
 * plain node:http server answering every request with the same fixed JSON; `ladder`: the layers under
 * the proxy one at a time; `bare-sse`: a plain node:http SSE server. Started by `spawnStack` /
 * `spawnBare` (lib/child.ts); answers `memory` requests (after a full GC) over IPC, and ends, servers
 * and all, when the IPC channel closes (the bench is done with it, or the bench itself is gone).
 */
import { serve } from '@hono/node-server';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { startSimulator } from '../src/simulator/index.ts';
import { tokenAuthorizer } from '../src/proxy/auth.ts';
import { MemoryRevocations } from '../src/proxy/coordination.ts';
import { DEFAULT_TOKEN_POLICY } from '../src/proxy/token-policy.ts';
import { responder } from '../src/proxy/respond.ts';
import type { RateLimitSettings } from '../src/proxy/limits.ts';
import { andThen } from '../src/proxy/maybe.ts';
import { createProxy } from '../src/server.ts';
import type { ChildReply, ChildRequest, ServerSpec, StackInfo } from './lib/child.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** More than the bench ever sends: every request is still counted, none is refused. */
const NEVER_REACHED = 1_000_000_000;

/**
 * The bench measures the proxy's work, not its limits (its clients share one address and a few
 * tokens), so the budgets and caps are set past reach: every request and stream is still counted, as
 * in production, and none is refused. Its log lines go where they go by default, to stderr, which
 * lib/child.ts points at a file.
 */
const BENCH_OPTIONS = {
  rateLimits: {
    subjectPerMinute: NEVER_REACHED,
    subjectWritesPerMinute: NEVER_REACHED,
    addressPerMinute: NEVER_REACHED,
    addressWritesPerMinute: NEVER_REACHED,
    webhooksPerMinute: NEVER_REACHED,
    upstreamPerMinute: NEVER_REACHED,
  } satisfies RateLimitSettings,
  streamCaps: { perToken: NEVER_REACHED, perMeeting: NEVER_REACHED, perInstance: NEVER_REACHED },
};

async function startStack(spec: Extract<ServerSpec, { role: 'stack' }>): Promise<StackInfo> {
  const simulator = await startSimulator({ speed: spec.speed, orgId: spec.orgId, apiKey: spec.apiKey });
  const proxy = createProxy({
    upstream: { kind: 'v2', apiBase: simulator.url, orgId: spec.orgId, apiKey: spec.apiKey },
    tokenSecret: spec.tokenSecret,
    basePath: '/api',
    redis: spec.redis,
    heartbeatMs: spec.heartbeatMs,
    ...BENCH_OPTIONS,
  });
  await proxy.start();
  const { staticDir } = spec;
  const site = staticDir
    ? (request: Request) =>
        new URL(request.url).pathname.startsWith('/api/')
          ? proxy.fetch(request)
          : serveFile(staticDir, request)
    : proxy.fetch;
  const port = await listen(site);
  return {
    origin: `http://127.0.0.1:${port}`,
    proxyUrl: `http://127.0.0.1:${port}/api`,
    simulatorUrl: simulator.url,
  };
}

async function startProxyInstance(
  spec: Extract<ServerSpec, { role: 'proxy' }>,
): Promise<{ proxyUrl: string }> {
  const proxy = createProxy({
    upstream: { kind: 'v2', apiBase: spec.simulatorUrl, orgId: spec.orgId, apiKey: spec.apiKey },
    tokenSecret: spec.tokenSecret,
    basePath: '/api',
    redis: spec.redis,
    ...BENCH_OPTIONS,
  });
  await proxy.start();
  return { proxyUrl: `http://127.0.0.1:${await listen(proxy.fetch)}/api` };
}

async function listen(fetch: (request: Request) => Response | Promise<Response>): Promise<number> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const created = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(created));
    created.once('error', reject);
  });
  return (server.address() as AddressInfo).port;
}

async function serveFile(dir: string, request: Request): Promise<Response> {
  // URL parsing has already resolved every dot segment, so the path cannot leave `dir`.
  const path = new URL(request.url).pathname;
  try {
    const body = await readFile(join(dir, path));
    return new Response(body, {
      headers: { 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' },
    });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

async function startBare(spec: Extract<ServerSpec, { role: 'bare' }>): Promise<{ origin: string }> {
  const body = Buffer.from(spec.body);
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** One rung of the ladder: Hono answering fixed bytes, then the same JSON with the proxy's layers added one by one. */
async function startLadder(spec: Extract<ServerSpec, { role: 'ladder' }>): Promise<{ origin: string }> {
  const app = new Hono();
  const { jsonText } = responder(['https://app.example']);
  const authorize =
    spec.layer === 'token'
      ? tokenAuthorizer([spec.tokenSecret], DEFAULT_TOKEN_POLICY, new MemoryRevocations())
      : null;
  const type = { 'content-type': 'application/json' };
  // The bytes already serialized, as the list route answers from its cached body.
  const handler: (c: Context) => Response | Promise<Response> = authorize
    ? (c) => andThen(authorize(c.req.raw, { meetingId: null }), () => jsonText(c, spec.body))
    : spec.layer === 'headers'
      ? (c) => jsonText(c, spec.body)
      : (c) => c.body(spec.body, 200, type);
  app.get('*', handler);
  return { origin: `http://127.0.0.1:${await listen(app.fetch)}` };
}

/** The least an SSE server can do: hold the sockets, heartbeat them, write each event in a loop. */
async function startBareSse(): Promise<{ origin: string }> {
  const open = new Set<ServerResponse>();
  const heartbeat = Buffer.from(': heartbeat\n\n');
  setInterval(() => {
    for (const response of open) response.write(heartbeat);
  }, 15_000);
  const server = createServer((request, response) => {
    if (request.method === 'POST') {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const event = Buffer.from(`id: 1\nevent: recording\ndata: ${Buffer.concat(chunks)}\n\n`);
        for (const stream of open) stream.write(event);
        response.writeHead(204).end();
      });
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    response.write('retry: 2000\n\nid: 0\nevent: snapshot\ndata: {}\n\n');
    open.add(response);
    response.once('close', () => open.delete(response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function reply(message: ChildReply): void {
  process.send!(message);
}

process.once('disconnect', () => process.exit(0));
process.once('message', async (spec: ServerSpec) => {
  const info =
    spec.role === 'stack'
      ? await startStack(spec)
      : spec.role === 'proxy'
        ? await startProxyInstance(spec)
        : spec.role === 'ladder'
          ? await startLadder(spec)
          : spec.role === 'bare-sse'
            ? await startBareSse()
            : await startBare(spec);
  process.on('message', (request: ChildRequest) => {
    if (request.type === 'close') return process.disconnect();
    // Two passes: the first may only queue finalizers that free more on the second.
    globalThis.gc?.();
    globalThis.gc?.();
    reply({ type: 'memory', usage: process.memoryUsage() });
  });
  reply({ type: 'ready', info });
});
