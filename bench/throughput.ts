/**
 * Proxy throughput: `GET /meetings/:id/recordings` of a watched meeting (one event stream open, so the
 * proxy answers from its shared view), under autocannon's load, beside a bare node:http server that
 * answers every request with the same JSON bytes, measured alternately in the same run; between the
 * two, the ladder of layers the proxy adds (Hono, its header middleware, its token check, a real route
 * with nothing to look up), so that a regression points at its layer; last, the list route of a
 * proxy on Node's default collector heuristics, which every other server runs without (lib/child.ts).
 * Each server runs in its own child process; autocannon runs here.
 */
import autocannon from 'autocannon';
import { spawnBare, spawnLadder, spawnStack } from './lib/child.ts';
import type { ChildServers, StackInfo } from './lib/child.ts';
import { occupiedMeeting, round, sleep, stackSecrets, viewerTokens, waitFor } from './lib/measure.ts';
import { SimulatorClient } from './lib/upstream.ts';
import { openViewer } from './lib/viewer.ts';
import type { Viewer } from './lib/viewer.ts';

const CONNECTIONS = 32;
const WARMUP_SECONDS = 1;
const ROUND_SECONDS = 2;
/**
 * Rounds of every target in turn, each target measured right after its own round of the bare
 * server; a ratio is the median of those pairs' ratios. This machine's speed drifts over tens of
 * seconds (another tenant of the host, it seems), and it slows the proxy more than the bare server:
 * a pair measured seconds apart compares the two in the same state of the machine.
 */
const ROUNDS = 6;
/** Finished recordings in the meeting's list, so the body is a realistic one. */
const RECORDINGS = 3;
const SPEED = 10;

export interface LoadFigures {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

export interface ThroughputResults {
  connections: number;
  seconds: number;
  bodyBytes: number;
  proxy: LoadFigures;
  bare: LoadFigures;
  /**
   * The proxy's `/health` (no token to check, a small body, nothing to look up): what the HTTP layer
   * alone costs, to tell it apart from the list route's own work.
   */
  proxyHealth: LoadFigures;
  /** Proxy requests per second ÷ bare node:http requests per second. */
  proxyOverBare: number;
  /** `/health` requests per second ÷ bare node:http requests per second. */
  healthOverBare: number;
  /**
   * The list route of a proxy run on Node's default collector heuristics (the memory reducer on;
   * every other server runs with `--no-memory-reducer`, as the README advises), ÷ bare node:http.
   */
  defaultGcOverBare: number;
  /** Every rung, bare node:http first and the real list route last, each ÷ bare node:http. */
  ladder: (LoadFigures & { rung: string; overBare: number })[];
  /** Dyte API requests while the proxy was under load (its shared view should make them none). */
  upstreamRequestsDuringLoad: number;
}

async function load(url: string, seconds: number, headers: Record<string, string>) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  }
  return result;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const perSecond = (result: autocannon.Result) => result['2xx'] / result.duration;

/** Medians over the rounds, which a burst of the machine's other work moves less than a mean. */
function figures(results: autocannon.Result[]): LoadFigures {
  return {
    requestsPerSecond: Math.round(median(results.map(perSecond))),
    latencyP50Ms: round(median(results.map((r) => r.latency.p50)), 2),
    latencyP99Ms: round(median(results.map((r) => r.latency.p99)), 2),
  };
}

/** A meeting of the stack with finished recordings, watched by one open stream, kept current by webhooks. */
async function watchedMeeting(stack: StackInfo, secrets: ReturnType<typeof stackSecrets>) {
  const simulator = new SimulatorClient(stack.simulatorUrl, secrets.orgId, secrets.apiKey);
  await simulator.registerWebhook(`${stack.proxyUrl}/webhooks`);
  const meeting = await occupiedMeeting(simulator);
  const [token] = await viewerTokens(meeting, 1, secrets.tokenSecret);
  const viewer = openViewer(stack.proxyUrl, meeting, token!);
  await viewer.ready;
  for (let i = 0; i < RECORDINGS; i += 1) {
    const id = await simulator.startRecording(meeting);
    await sleep(1000); // 10 s simulated: long enough not to end ERRORED
    await simulator.control(id, 'stop');
    await waitFor('the recording to finish uploading', async () => {
      const body = await (await fetch(listUrl(stack, meeting), { headers: bearer(token!) })).json();
      const { recordings } = body as { recordings: { status: string }[] };
      return recordings.filter((r) => r.status === 'UPLOADED').length === i + 1;
    });
  }
  return { meeting, token: token!, viewer, simulator };
}

const listUrl = (stack: StackInfo, meeting: string) => `${stack.proxyUrl}/meetings/${meeting}/recordings`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function measureThroughput(): Promise<ThroughputResults> {
  const secrets = stackSecrets();
  let stack: ChildServers<StackInfo> | undefined;
  let defaultGcStack: ChildServers<StackInfo> | undefined;
  let bare: ChildServers<{ origin: string }> | undefined;
  const rungs: ChildServers<{ origin: string }>[] = [];
  const viewers: Viewer[] = [];
  try {
    stack = await spawnStack({ role: 'stack', ...secrets, speed: SPEED });
    const watched = await watchedMeeting(stack.info, secrets);
    viewers.push(watched.viewer);
    const proxyUrl = listUrl(stack.info, watched.meeting);
    // The same stack and history on Node's defaults, to show what the flag buys.
    defaultGcStack = await spawnStack({ role: 'stack', ...secrets, speed: SPEED }, { nodeDefaults: true });
    const defaultGcWatched = await watchedMeeting(defaultGcStack.info, secrets);
    viewers.push(defaultGcWatched.viewer);
    const headers = bearer(watched.token);
    const body = await (await fetch(proxyUrl, { headers })).text();
    bare = await spawnBare(body);
    const bareUrl = `${bare.info.origin}/meetings/${watched.meeting}/recordings`;

    for (const layer of ['hono', 'headers', 'token'] as const) {
      rungs.push(await spawnLadder(layer, body, secrets.tokenSecret));
    }
    const [hono, withHeaders, token] = rungs.map(
      (rung) => `${rung.info.origin}/meetings/${watched.meeting}/recordings`,
    );

    const targets = {
      bare: { rung: 'bare node:http, same JSON', url: bareUrl, headers: {} },
      hono: { rung: 'bare Hono (@hono/node-server), same JSON', url: hono!, headers: {} },
      headers: {
        rung: "+ the proxy's answers (its headers: CORS, nosniff, no-store)",
        url: withHeaders!,
        headers: {},
      },
      token: { rung: '+ its token check (HS256)', url: token!, headers },
      proxyHealth: {
        rung: 'proxy: `/health` (no token, small body)',
        url: `${stack.info.proxyUrl}/health`,
        headers: {},
      },
      proxy: { rung: 'proxy: list route, watched meeting', url: proxyUrl, headers },
      defaultGc: {
        rung: "the same, Node's default collector (memory reducer on)",
        url: listUrl(defaultGcStack.info, defaultGcWatched.meeting),
        headers: bearer(defaultGcWatched.token),
      },
    };
    type Target = keyof typeof targets;
    const names = Object.keys(targets) as Target[];
    const runs = Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<
      Target,
      autocannon.Result[]
    >;
    /** Each target's ratios to the bare server's round just before it. */
    const pairs = Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<Target, number[]>;
    for (const { url, headers: sent } of Object.values(targets)) await load(url, WARMUP_SECONDS, sent);
    const upstreamBefore = (await watched.simulator.counts()).total;
    const measure = async (name: Target) => {
      const result = await load(targets[name].url, ROUND_SECONDS, targets[name].headers);
      runs[name].push(result);
      return perSecond(result);
    };
    for (let i = 0; i < ROUNDS; i += 1) {
      for (const name of names) {
        if (name === 'bare') continue;
        const bareRate = await measure('bare');
        pairs[name].push((await measure(name)) / bareRate);
      }
    }
    const upstreamDuring = (await watched.simulator.counts()).total - upstreamBefore;
    const overBare = (name: Target) => (name === 'bare' ? 1 : round(median(pairs[name]), 2));
    return {
      connections: CONNECTIONS,
      seconds: ROUND_SECONDS * ROUNDS,
      bodyBytes: Buffer.byteLength(body),
      proxy: figures(runs.proxy),
      bare: figures(runs.bare),
      proxyHealth: figures(runs.proxyHealth),
      proxyOverBare: overBare('proxy'),
      healthOverBare: overBare('proxyHealth'),
      defaultGcOverBare: overBare('defaultGc'),
      ladder: names.map((name) => ({
        rung: targets[name].rung,
        ...figures(runs[name]),
        overBare: overBare(name),
      })),
      upstreamRequestsDuringLoad: upstreamDuring,
    };
  } finally {
    for (const viewer of viewers) viewer.close();
    await bare?.close();
    for (const rung of rungs) await rung.close();
    await stack?.close();
    await defaultGcStack?.close();
  }
}
