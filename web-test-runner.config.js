// Browser tests (test/client, test/components) in headless Chromium, against the real proxy and the
// real simulator started here on the Node side. The proxy is mounted same-origin at /api; server
// commands let a test mint tokens (the secret never reaches the browser), drive the simulator's control
// plane, count and drop event streams, and inject faults in front of the proxy.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { register } from 'tsx/esm/api';
import { CHROMIUM_ARGS, findChromium } from './scripts/find-chromium.mjs';
import { compileLitDecorators } from './scripts/lit-build.mjs';

register();
const { startSimulator } = await import('./src/simulator/index.ts');
const { startProxy } = await import('./src/proxy/index.ts');
const { createRecordingToken } = await import('./src/proxy/token.ts');
const { NO_RATE_LIMITS } = await import('./src/proxy/limits.ts');

const TOKEN_SECRET = randomBytes(32).toString('base64url');
const EVENTS = /^\/api\/meetings\/([^/]+)\/events$/;

/** The Node side of the tests: simulator, proxy, event-stream bookkeeping, faults. */
function recordingBackend() {
  let simulator;
  let proxy;
  /** Per meeting: event streams opened, the `Last-Event-ID` each asked for, and the ones open now. */
  const streams = new Map();
  /** Injected answers in front of the proxy: {match, status, body, contentType, count}. */
  let faults = [];
  const meetingStreams = (meetingId) => {
    if (!streams.has(meetingId)) streams.set(meetingId, { opened: 0, resumedFrom: [], open: new Set() });
    return streams.get(meetingId);
  };

  const commands = {
    /** Mints a recording token server-side. */
    'dyte-token': ({ meetingId, role = 'host', name, ttlSeconds }) =>
      createRecordingToken({ meetingId, role, sub: name, name, ttlSeconds }, TOKEN_SECRET),
    /** Calls the simulator's control plane (`/_sim/...`). */
    'dyte-sim': async ({ method = 'POST', path, body }) => {
      const response = await fetch(simulator.url + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    /** Event streams of a meeting: opened so far, and open now. */
    'dyte-streams': ({ meetingId }) => {
      const { opened, resumedFrom, open } = meetingStreams(meetingId);
      return { opened, resumedFrom, open: open.size };
    },
    /** Cuts every open event stream of a meeting, as a network drop would. */
    'dyte-drop-streams': ({ meetingId }) => {
      const { open } = meetingStreams(meetingId);
      for (const res of open) res.destroy();
      return open.size;
    },
    /** Answers the next `count` requests whose path contains `match` with `status` and `body`. */
    'dyte-fault': (fault) => {
      faults.push({ count: 1, contentType: 'application/json', ...fault });
      return true;
    },
    'dyte-clear-faults': () => {
      faults = [];
      return true;
    },
  };

  const track = (meetingId, req, res) => {
    const counts = meetingStreams(decodeURIComponent(meetingId));
    counts.opened += 1;
    counts.resumedFrom.push(req.headers['last-event-id'] ?? null);
    counts.open.add(res);
    res.on('close', () => counts.open.delete(res));
  };

  /** Forwards /api/* to the proxy's fetch handler, streaming the answer (event streams included). */
  const forward = async (context, next) => {
    if (!context.path.startsWith('/api/')) return next();
    const path = context.path.slice(4);
    const events = EVENTS.exec(context.path);
    const fault = faults.find((f) => context.url.includes(f.match) && f.count > 0);
    context.respond = false;
    const res = context.res;
    if (fault) {
      fault.count -= 1;
      res.writeHead(fault.status, { 'content-type': fault.contentType });
      res.write(typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body));
      // `hold`: a scripted event stream that stays open, counted like a real one.
      if (fault.hold && events) track(events[1], context.req, res);
      else res.end();
      return;
    }
    const method = context.method;
    const request = new Request(proxy.url + path + (context.querystring ? `?${context.querystring}` : ''), {
      method,
      headers: context.req.headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : Readable.toWeb(context.req),
      duplex: 'half',
    });
    const response = await proxy.proxy.fetch(request);
    const headers = Object.fromEntries(response.headers);
    res.writeHead(response.status, headers);
    if (events && response.ok) track(events[1], context.req, res);
    if (!response.body) return res.end();
    const body = Readable.fromWeb(response.body);
    res.on('close', () => body.destroy());
    body.on('error', () => res.destroy());
    body.pipe(res);
  };

  const plugin = {
    name: 'dyte-recording-backend',
    async serverStart() {
      // Ten times faster than life: the 3 s start lag takes 0.3 s, the 5 s a recording needs to be kept 0.5 s.
      simulator = await startSimulator({ speed: 10, startLagMs: 3000, uploadMs: 1000 });
      proxy = await startProxy({
        upstream: { kind: 'v2', apiBase: simulator.url, orgId: simulator.orgId, apiKey: simulator.apiKey },
        tokenSecret: TOKEN_SECRET,
        pollIntervals: { activeMs: 250, idleMs: 1000 },
        heartbeatMs: 1000,
        // One browser from one address starts hundreds of recordings: the limits have node tests of their own.
        rateLimits: NO_RATE_LIMITS,
        readCacheMs: 0,
        log: () => {},
      });
      // Webhooks from the simulator to the proxy, as a real deployment registers them.
      const registered = await fetch(`${simulator.url}/v2/webhooks`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${btoa(`${simulator.orgId}:${simulator.apiKey}`)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          name: 'browser tests',
          url: `${proxy.url}/webhooks`,
          events: ['recording.statusUpdate', 'meeting.participantJoined', 'meeting.participantLeft'],
        }),
      });
      if (!registered.ok) throw new Error(`webhook registration failed: ${await registered.text()}`);
    },
    async serverStop() {
      for (const { open } of streams.values()) for (const res of open) res.destroy();
      await proxy?.close();
      await simulator?.close();
    },
    executeCommand({ command, payload }) {
      return command in commands ? commands[command](payload ?? {}) : undefined;
    },
  };
  return { plugin, forward };
}

/** Compiles our elements' decorators exactly as the build does, so the tests run what ships. */
function litDecorators() {
  return {
    name: 'dyte-lit-decorators',
    transform(context) {
      if (!/^\/src\/components\/.*\.ts$/.test(context.path)) return undefined;
      const compiled = compileLitDecorators(context.body, context.path);
      return compiled === null ? undefined : { body: compiled };
    },
  };
}

const backend = recordingBackend();
const executablePath = process.env.CHROME_PATH ?? findChromium() ?? undefined;

export default {
  files: ['test/client/**/*.test.ts', 'test/components/**/*.test.ts'],
  nodeResolve: { exportConditions: ['development'] },
  concurrency: 1,
  testFramework: { config: { timeout: 10_000 } },
  middleware: [backend.forward],
  plugins: [litDecorators(), esbuildPlugin({ ts: true, target: 'es2022' }), backend.plugin],
  browsers: [
    playwrightLauncher({ product: 'chromium', launchOptions: { executablePath, args: CHROMIUM_ARGS } }),
  ],
};
