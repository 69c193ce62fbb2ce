/**
 * The demo in one process and one port: the simulator (real time, shortened limits), the proxy wired
 * to it with its webhooks registered (mounted at `/api`), the dev-only `/_demo` routes, and the demo
 * pages served by Vite in middleware mode.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createServer as createViteServer } from 'vite';
import { createProxy } from '../proxy/index.ts';
import { startSimulator } from '../simulator/index.ts';
import { DEMO_LIMITS, DEMO_MEETING_ID, DEMO_ROOT, demoRoutes } from './demo-routes.ts';

const API_BASE_PATH = '/api';

export interface DevServerOptions {
  /** 0 = a free port. */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Where the proxy's log lines go (default: stderr). */
  log?: (line: string) => void;
  /** Reload the pages when a source file changes (default true). */
  watch?: boolean;
  /** Where the simulator's lines (each request, webhook problems) go (default: nowhere). */
  simulatorLog?: (line: string) => void;
}

export interface DevServer {
  /** The demo's address, e.g. http://127.0.0.1:5173/ */
  url: string;
  close(): Promise<void>;
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer();
  await listen(server, options.port, host);
  const { port } = server.address() as AddressInfo;
  // Listening on every interface, this machine still reaches itself (and prints a usable URL) on loopback.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const origin = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;

  const closers: (() => Promise<void>)[] = [() => closeServer(server)];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const simulator = await startSimulator({ ...DEMO_LIMITS, transcribe: true, log: options.simulatorLog });
    closers.push(() => simulator.close());
    // Made up for this process: the demo's tokens are minted by /_demo/token, on this server.
    const tokenSecret = randomBytes(32).toString('base64url');
    const proxy = createProxy({
      upstream: { kind: 'v2', apiBase: simulator.url, orgId: simulator.orgId, apiKey: simulator.apiKey },
      tokenSecret,
      basePath: API_BASE_PATH,
      publicWebhookUrl: `${origin}${API_BASE_PATH}/webhooks`,
      emptyRoomTimeoutSeconds: DEMO_LIMITS.emptyRoomTimeoutMs / 1000,
      log: options.log,
    });
    closers.push(() => proxy.close());
    const vite = await createViteServer({
      root: DEMO_ROOT,
      configFile: `${DEMO_ROOT}vite.config.ts`,
      appType: 'mpa',
      logLevel: 'warn',
      server: { middlewareMode: true, hmr: { server }, watch: options.watch === false ? null : undefined },
    });
    closers.push(() => vite.close());
    const demo = demoRoutes({
      simulatorUrl: simulator.url,
      tokenSecret,
      limits: DEMO_LIMITS,
      defaultMeetingId: DEMO_MEETING_ID,
    });

    const toProxy = getRequestListener(proxy.fetch);
    const toDemo = getRequestListener(demo.fetch);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const path = request.url ?? '/';
      if (path === API_BASE_PATH || path.startsWith(`${API_BASE_PATH}/`)) void toProxy(request, response);
      else if (path.startsWith('/_demo/')) void toDemo(request, response);
      else vite.middlewares(request, response, () => notFound(response));
    });
    // Registers the webhook URL, which now answers: this server is listening and routing.
    await proxy.start();
  } catch (error) {
    await close();
    throw error;
  }
  return { url: `${origin}/`, close };
}

function notFound(response: ServerResponse) {
  response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
