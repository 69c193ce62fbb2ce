/**
 * Fan-out latency and memory per idle stream, on one proxy with 1,000 open event streams; and the
 * same latency with the 1,000 streams spread over several instances on one Redis (the webhooks still
 * reach the first instance only, so the others learn every change through Redis).
 *
 * Memory: the proxy process's heap and RSS after a full GC, before and after the 1,000 streams opened
 * (and sit idle), divided by 1,000.
 *
 * Latency: the simulator's own webhooks (genuinely signed with its key) go to a relay in the bench
 * that notes the time and POSTs them, byte for byte, to the proxy's `/webhooks`; every stream notes
 * when the resulting `recording` event arrives. Recordings are driven at the simulator directly (not
 * through the proxy), so the proxy learns each change from the webhook alone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RedisOptions } from '../src/server.ts';
import { spawnBareSse } from './lib/child.ts';
import { spawnInstances } from './lib/instances.ts';
import type { Instances } from './lib/instances.ts';
import {
  occupiedMeeting,
  percentile,
  round,
  sleep,
  stackSecrets,
  viewerTokens,
  waitFor,
} from './lib/measure.ts';
import { SimulatorClient } from './lib/upstream.ts';
import { closeAll, openViewer, openViewers } from './lib/viewer.ts';
import type { Viewer } from './lib/viewer.ts';

const STREAMS = 1000;
/** The many-streams row: 10,000 streams on one instance, heartbeating every second, two lives measured. */
const MANY_STREAMS = 10_000;
const MANY_HEARTBEAT_MS = 1000;
const MANY_RECORDINGS = 2;
/** Heartbeat intervals watched while the many streams sit idle. */
const HEARTBEAT_WINDOW_INTERVALS = 4;
/**
 * Measured recording lives, each INVOKED → RECORDING → PAUSED → RECORDING → UPLOADING → UPLOADED: 96
 * webhooks, so that the p99 is not simply the one slowest webhook (each weighs 1,000 samples).
 */
const RECORDINGS = 16;
const SPEED = 10;
/** Real ms each recording runs after its resume: 10 s of simulated time. */
const RECORD_MS = 1000;
const FORWARDED_HEADERS = ['content-type', 'dyte-signature', 'dyte-uuid', 'dyte-webhook-id'];

export interface MemoryResults {
  streams: number;
  heapBytesPerStream: number;
  rssBytesPerStream: number;
  /** The same of a bare node:http SSE server holding as many streams, in the same run. */
  bareSse: { heapBytesPerStream: number; rssBytesPerStream: number };
}

/** Latency percentiles over every (event, stream) sample. */
export interface LatencyFigures {
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The same fan-out from a bare node:http server writing each event to its sockets in a plain loop. */
export interface RawFanoutResults extends LatencyFigures {
  streams: number;
  events: number;
  eventBytes: number;
}

/** Many streams on one instance: held, heartbeats on time, memory, fan-out. */
export interface ManyStreamsResults {
  streams: number;
  heartbeatMs: number;
  /** The idle window the heartbeats were watched over. */
  heartbeatWindowMs: number;
  /** Over that window: the longest gap between two heartbeats of any stream, and the 99th percentile. */
  heartbeatGapMaxMs: number;
  heartbeatGapP99Ms: number;
  /** Streams that had every heartbeat of the window, each within 1.5 intervals of the one before. */
  streamsOnTime: number;
  memory: { heapBytesPerStream: number; rssBytesPerStream: number };
  fanout: FanoutResults;
}

export interface FanoutResults {
  /** Proxy instances the streams are spread over (on one Redis when more than one). */
  instances: number;
  streams: number;
  /** Webhooks that changed a recording, each delivered to every stream. */
  webhooks: number;
  samples: number;
  /** Over the webhooks, the median time the proxy took to answer the POST (it publishes before answering)… */
  proxyAnsweredMedianMs: number;
  /** …the median latency of the first stream to show the change… */
  firstStreamMedianMs: number;
  /** …and of the last one (the rest is the time to write to, and read from, 1,000 sockets). */
  lastStreamMedianMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The webhook whose last stream was slowest: where its time went. */
  slowestWebhook: { proxyAnsweredMs: number; firstStreamMs: number; lastStreamMs: number };
  /** Recording events that no relayed webhook explains (would mean the proxy learned some other way). */
  unattributedEvents: number;
}

/** One relayed delivery: when it went to the proxy, how the proxy answered, and the stream latencies. */
interface Delivery {
  sentAt: number;
  /** The proxy's HTTP status (0: unreachable), and how long after `sentAt` it came. */
  answer?: { status: number; afterMs: number };
  latencies: number[];
}

/** Receives the simulator's deliveries and POSTs them on to the proxy, noting when. */
async function startRelay(target: string, deliveries: Map<string, Delivery>) {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_HEADERS) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const { recording } = JSON.parse(body.toString('utf8')) as {
        recording?: { id: string; status: string };
      };
      const delivery: Delivery = { sentAt: performance.now(), latencies: [] };
      if (recording) deliveries.set(`${recording.id} ${recording.status}`, delivery);
      const forwarded = await fetch(target, { method: 'POST', headers, body }).catch(() => null);
      delivery.answer = { status: forwarded?.status ?? 0, afterMs: performance.now() - delivery.sentAt };
      await forwarded?.body?.cancel();
      response.writeHead(forwarded?.status ?? 502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function measureFanout(): Promise<{
  memory: MemoryResults;
  fanout: FanoutResults;
  rawFanout: RawFanoutResults;
  manyStreams: ManyStreamsResults;
}> {
  const { memory, fanout } = await fanoutRun({ recordings: RECORDINGS, streams: STREAMS });
  const { bareSse, rawFanout } = await bareSseRun(fanout.webhooks);
  const many = await fanoutRun({
    recordings: MANY_RECORDINGS,
    streams: MANY_STREAMS,
    heartbeatMs: MANY_HEARTBEAT_MS,
  });
  return {
    memory: { ...memory, bareSse },
    fanout,
    rawFanout,
    manyStreams: {
      streams: MANY_STREAMS,
      heartbeatMs: MANY_HEARTBEAT_MS,
      heartbeatWindowMs: HEARTBEAT_WINDOW_INTERVALS * MANY_HEARTBEAT_MS,
      ...many.heartbeats!,
      memory: {
        heapBytesPerStream: many.memory.heapBytesPerStream,
        rssBytesPerStream: many.memory.rssBytesPerStream,
      },
      fanout: many.fanout,
    },
  };
}

/** The same measurement with the streams spread over `count` instances on one Redis (fewer lives). */
export async function measureFanoutAcross(count: number, redis: RedisOptions): Promise<FanoutResults> {
  return (await fanoutRun({ recordings: RECORDINGS / 2, streams: STREAMS, shared: { count, redis } })).fanout;
}

/** Latency figures of sorted samples. */
function latencies(sorted: number[]): LatencyFigures {
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50), 2),
    p95Ms: round(percentile(sorted, 95), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    maxMs: round(sorted.at(-1)!, 2),
  };
}

/** A recording event's bytes, as large as the proxy's (a realistic recording). */
const RAW_EVENT = JSON.stringify({
  id: '0f6c3a4e-8b1d-4c5e-9a7f-2d3e4f5a6b7c',
  meetingId: 'bench-00000000-0000-0000-0000-000000000000',
  status: 'RECORDING',
  startedAt: '2026-12-01T08:00:00.000Z',
  stoppedAt: null,
  durationSeconds: null,
  codec: 'H264',
  startedBy: { id: 'host-1', name: 'Ana' },
  stoppedBy: null,
  stopReason: null,
  downloadUrl: null,
  downloadUrlExpiresAt: null,
  audioDownloadUrl: null,
  fileSizeBytes: null,
  acknowledgedBy: { count: 0, names: null },
  padding: 'x'.repeat(160),
});

/** Streams opened at once before a baseline, then closed. */
const WARM_UP_STREAMS = 1000;

/**
 * Opens and closes WARM_UP_STREAMS streams before a baseline, on the proxy and the bare server alike:
 * the server has then compiled its stream code and grown its young generation to what a thousand
 * openings need, so the difference measured is what the open streams hold, not the runtime warming up
 * (which showed as 5 to 15 kB of RSS per stream, varying from run to run).
 */
async function warmUp(open: (index: number) => Viewer): Promise<void> {
  closeAll(await openViewers(WARM_UP_STREAMS, open));
  await sleep(500);
}

/**
 * A bare node:http SSE server in its own process: its memory per idle stream, then the fan-out of
 * `events` events POSTed to it and written to the 1,000 sockets in a plain loop, read here.
 */
async function bareSseRun(events: number) {
  let server: Awaited<ReturnType<typeof spawnBareSse>> | undefined;
  let viewers: Viewer[] = [];
  try {
    server = await spawnBareSse();
    const { origin } = server.info;
    await warmUp((i) => openViewer(origin, `m-${i}`, 'none'));
    const warm = openViewer(origin, 'm', 'none');
    await warm.ready;
    await sleep(200);
    const before = await server.memory();
    let current: { sentAt: number; latencies: number[] } | null = null;
    viewers = await openViewers(STREAMS, () =>
      openViewer(origin, 'm', 'none', ({ type, receivedAt }) => {
        if (type === 'recording' && current) current.latencies.push(receivedAt - current.sentAt);
      }),
    );
    await sleep(200);
    const after = await server.memory();
    warm.close();
    const samples: number[] = [];
    for (let i = 0; i < events + 1; i += 1) {
      const delivery = { sentAt: performance.now(), latencies: [] as number[] };
      current = delivery;
      const answer = await fetch(`${origin}/publish`, { method: 'POST', body: RAW_EVENT });
      if (answer.status !== 204) throw new Error(`the bare SSE server answered ${answer.status}`);
      await waitFor('every stream to get the event', () => delivery.latencies.length >= STREAMS);
      // The first unmeasured, as the proxy's first recording life.
      if (i > 0) samples.push(...delivery.latencies);
      await sleep(50);
    }
    return {
      bareSse: perStream(before, after, STREAMS),
      rawFanout: {
        streams: STREAMS,
        events,
        eventBytes: Buffer.byteLength(RAW_EVENT),
        ...latencies(samples.sort((a, b) => a - b)),
      },
    };
  } finally {
    closeAll(viewers);
    await server?.close();
  }
}

function perStream(before: NodeJS.MemoryUsage, after: NodeJS.MemoryUsage, streams: number) {
  return {
    heapBytesPerStream: Math.round(
      (after.heapUsed + after.external - before.heapUsed - before.external) / streams,
    ),
    rssBytesPerStream: Math.round((after.rss - before.rss) / streams),
  };
}

async function fanoutRun(run: {
  recordings: number;
  streams: number;
  /** The proxy's heartbeat interval; given, the heartbeats are watched over an idle window. */
  heartbeatMs?: number;
  shared?: { count: number; redis: RedisOptions };
}): Promise<{
  memory: Omit<MemoryResults, 'bareSse'>;
  fanout: FanoutResults;
  heartbeats?: Omit<
    ManyStreamsResults,
    'streams' | 'heartbeatMs' | 'heartbeatWindowMs' | 'memory' | 'fanout'
  >;
}> {
  const { recordings, streams: STREAMS, heartbeatMs, shared } = run;
  const secrets = stackSecrets();
  const deliveries = new Map<string, Delivery>();
  /** The deliveries measured (the same recording and status can come twice: RECORDING after a resume). */
  const measured: Delivery[] = [];
  let measuring = false;
  let unattributed = 0;
  let instances: Instances | undefined;
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  let viewers: Viewer[] = [];
  try {
    instances = await spawnInstances(secrets, SPEED, shared, heartbeatMs);
    const { stack, proxyUrls, simulatorUrl } = instances;
    const proxyUrl = proxyUrls[0]!;
    const simulator = new SimulatorClient(simulatorUrl, secrets.orgId, secrets.apiKey);
    relay = await startRelay(`${proxyUrl}/webhooks`, deliveries);
    await simulator.registerWebhook(relay.url);
    const meeting = await occupiedMeeting(simulator);
    const tokens = await viewerTokens(meeting, STREAMS + 1, secrets.tokenSecret);

    // Streams opened and closed first, and one kept open until the second measurement: the baseline
    // then already holds the code of both paths and the meeting's shared view, and only the streams
    // measured differ.
    await warmUp((i) => openViewer(proxyUrls[i % proxyUrls.length]!, meeting, tokens[i]!));
    const keep = openViewer(proxyUrl, meeting, tokens[STREAMS]!);
    await keep.ready;
    await sleep(200);
    const before = await stack.memory();
    const lastHeartbeat = new Float64Array(STREAMS);
    const maxGap = new Float64Array(STREAMS);
    const gapCount = new Uint16Array(STREAMS);
    const gaps: number[] = [];
    let watchingHeartbeats = false;
    viewers = await openViewers(STREAMS, (i) =>
      openViewer(
        proxyUrls[i % proxyUrls.length]!,
        meeting,
        tokens[i]!,
        ({ type, data, receivedAt }) => {
          if (type !== 'recording') return;
          const recording = data as { id: string; status: string };
          const delivery = deliveries.get(`${recording.id} ${recording.status}`);
          if (!delivery) {
            unattributed += 1;
            return;
          }
          delivery.latencies.push(receivedAt - delivery.sentAt);
        },
        (receivedAt) => {
          if (!watchingHeartbeats) return;
          if (lastHeartbeat[i]! > 0) {
            const gap = receivedAt - lastHeartbeat[i]!;
            gaps.push(gap);
            maxGap[i] = Math.max(maxGap[i]!, gap);
            gapCount[i] = gapCount[i]! + 1;
          }
          lastHeartbeat[i] = receivedAt;
        },
      ),
    );
    await sleep(200);
    const after = await stack.memory();
    keep.close();
    let heartbeats: Awaited<ReturnType<typeof fanoutRun>>['heartbeats'];
    if (heartbeatMs !== undefined) {
      // An idle window: every stream's heartbeats, gap by gap (the first of each only starts its clock).
      lastHeartbeat.fill(0);
      watchingHeartbeats = true;
      await sleep(HEARTBEAT_WINDOW_INTERVALS * heartbeatMs + heartbeatMs / 2);
      watchingHeartbeats = false;
      gaps.sort((x, y) => x - y);
      let onTime = 0;
      for (let i = 0; i < STREAMS; i += 1) {
        if (gapCount[i]! >= HEARTBEAT_WINDOW_INTERVALS - 1 && maxGap[i]! <= 1.5 * heartbeatMs) onTime += 1;
      }
      heartbeats = {
        heartbeatGapMaxMs: round(gaps.at(-1) ?? Infinity),
        heartbeatGapP99Ms: round(gaps.length > 0 ? percentile(gaps, 99) : Infinity),
        streamsOnTime: onTime,
      };
    }

    const everyStreamSaw = async (recordingId: string, status: string) => {
      const key = `${recordingId} ${status}`;
      await waitFor(`every stream to show ${status}`, () => {
        const delivery = deliveries.get(key);
        const answer = delivery?.answer?.status;
        if (answer !== undefined && answer !== 204)
          throw new Error(`the proxy answered a webhook with ${answer}`);
        return (delivery?.latencies.length ?? 0) >= STREAMS;
      });
      if (measuring) measured.push(deliveries.get(key)!);
    };
    const recordingLife = async () => {
      const id = await simulator.startRecording(meeting);
      await everyStreamSaw(id, 'INVOKED');
      await everyStreamSaw(id, 'RECORDING');
      await simulator.control(id, 'pause');
      await everyStreamSaw(id, 'PAUSED');
      await simulator.control(id, 'resume');
      await everyStreamSaw(id, 'RECORDING');
      // The simulator, like Dyte, fails recordings shorter than about 5 s (simulated).
      await sleep(RECORD_MS);
      await simulator.control(id, 'stop');
      await everyStreamSaw(id, 'UPLOADING');
      await everyStreamSaw(id, 'UPLOADED');
    };
    // A first life unmeasured: the figures are the steady state, not the first compilation of each path.
    await recordingLife();
    measuring = true;
    for (let i = 0; i < recordings; i += 1) await recordingLife();

    const sorted = measured.flatMap((delivery) => delivery.latencies).sort((a, b) => a - b);
    const spans = measured.map((delivery) => ({
      proxyAnsweredMs: round(delivery.answer!.afterMs, 2),
      firstStreamMs: round(Math.min(...delivery.latencies), 2),
      lastStreamMs: round(Math.max(...delivery.latencies), 2),
    }));
    const median = (values: number[]) =>
      percentile(
        values.sort((a, b) => a - b),
        50,
      );
    return {
      memory: { streams: STREAMS, ...perStream(before, after, STREAMS) },
      fanout: {
        instances: proxyUrls.length,
        streams: STREAMS,
        webhooks: measured.length,
        samples: sorted.length,
        proxyAnsweredMedianMs: median(spans.map((span) => span.proxyAnsweredMs)),
        firstStreamMedianMs: median(spans.map((span) => span.firstStreamMs)),
        lastStreamMedianMs: median(spans.map((span) => span.lastStreamMs)),
        p50Ms: round(percentile(sorted, 50), 2),
        p95Ms: round(percentile(sorted, 95), 2),
        p99Ms: round(percentile(sorted, 99), 2),
        maxMs: round(sorted.at(-1)!, 2),
        slowestWebhook: spans.reduce((slowest, span) =>
          span.lastStreamMs > slowest.lastStreamMs ? span : slowest,
        ),
        unattributedEvents: unattributed,
      },
      heartbeats,
    };
  } finally {
    closeAll(viewers);
    await relay?.close();
    await instances?.close();
  }
}
