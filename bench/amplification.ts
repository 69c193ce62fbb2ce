/**
 * Upstream amplification: 1, 100 and 1,000 concurrent viewers (event streams) of one meeting through
 * the proxy, against the simulator, over the same window holding one recording's whole life; with the
 * simulator's webhooks registered to the proxy and without (the proxy then polls). Counted: the Dyte
 * API requests the simulator received (`/_sim/stats`), including the host's start and stop. Each of
 * the six configurations has its own proxy and simulator (a child process each), all run at once.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Host } from './lib/host.ts';
import { spawnInstances } from './lib/instances.ts';
import type { Instances } from './lib/instances.ts';
import { occupiedMeeting, round, stackSecrets, untilAfter, viewerTokens } from './lib/measure.ts';
import { SimulatorClient } from './lib/upstream.ts';
import { closeAll, openViewer, openViewers } from './lib/viewer.ts';
import type { Viewer } from './lib/viewer.ts';

const VIEWER_COUNTS = [1, 100, 1000];
const WINDOW_MS = 30_000;
/**
 * The same schedule from the window's start whatever the audience, so that every configuration's
 * polls fall at the same moments of the recording's life: started at 6 s (every viewer must be
 * connected by then), stopped at 16 s (100 s on the simulated clock).
 */
const START_AT_MS = 6_000;
const STOP_AT_MS = 16_000;
const SPEED = 10;

export interface AmplificationRun {
  /** Proxy instances (on one Redis when more than one), the viewers spread evenly over them. */
  instances: number;
  viewers: number;
  webhooks: boolean;
  /** Dyte API requests during the window. */
  upstreamRequests: number;
  upstreamRequestsPerMinute: number;
  byRoute: Record<string, number>;
  /** Viewers whose stream delivered the finished upload before the window closed (should be all). */
  viewersThatSawUploaded: number;
}

export interface AmplificationResults {
  windowSeconds: number;
  runs: AmplificationRun[];
  /** Upstream requests per minute at 1,000 viewers ÷ at 1 viewer. */
  thousandOverOne: { withWebhooks: number; withoutWebhooks: number };
}

async function run(
  viewerCount: number,
  webhooks: boolean,
  shared?: { count: number; redisUrl: string },
): Promise<AmplificationRun> {
  const secrets = stackSecrets();
  let stack: Instances | undefined;
  let viewers: Viewer[] = [];
  try {
    stack = await spawnInstances(
      secrets,
      SPEED,
      shared && { count: shared.count, redis: { url: shared.redisUrl, prefix: `bench-${randomUUID()}:` } },
    );
    const { proxyUrls, simulatorUrl } = stack;
    // The webhooks, the host's start and stop go to the first instance; viewers to every one.
    const proxyUrl = proxyUrls[0]!;
    const simulator = new SimulatorClient(simulatorUrl, secrets.orgId, secrets.apiKey);
    if (webhooks) await simulator.registerWebhook(`${proxyUrl}/webhooks`);
    const meeting = await occupiedMeeting(simulator);
    const [tokens, host] = await Promise.all([
      viewerTokens(meeting, viewerCount, secrets.tokenSecret),
      Host.of(proxyUrl, meeting, secrets.tokenSecret),
    ]);
    let recordingId: string | null = null;
    const sawUploaded = new Set<number>();

    await simulator.resetCounts();
    const windowStart = performance.now();
    viewers = await openViewers(viewerCount, (i) =>
      openViewer(proxyUrls[i % proxyUrls.length]!, meeting, tokens[i]!, ({ type, data }) => {
        const recording = data as { id?: string; status?: string };
        if (type === 'recording' && recording.id === recordingId && recording.status === 'UPLOADED') {
          sawUploaded.add(i);
        }
      }),
    );
    if (performance.now() > windowStart + START_AT_MS) {
      throw new Error(`${viewerCount} viewers took longer than ${START_AT_MS} ms to connect`);
    }
    await untilAfter(windowStart, START_AT_MS);
    recordingId = await host.start();
    await untilAfter(windowStart, STOP_AT_MS);
    await host.stop(recordingId);
    await untilAfter(windowStart, WINDOW_MS);
    const counts = await simulator.counts();
    return {
      instances: proxyUrls.length,
      viewers: viewerCount,
      webhooks,
      upstreamRequests: counts.total,
      upstreamRequestsPerMinute: round((counts.total * 60_000) / WINDOW_MS),
      byRoute: counts.requests,
      viewersThatSawUploaded: sawUploaded.size,
    };
  } finally {
    closeAll(viewers);
    await stack?.close();
  }
}

/** 1,000 viewers spread over `count` instances on one Redis, with webhooks and without, at once. */
export async function measureAmplificationAcross(
  count: number,
  redisUrl: string,
): Promise<AmplificationRun[]> {
  return Promise.all([true, false].map((webhooks) => run(1000, webhooks, { count, redisUrl })));
}

export async function measureAmplification(): Promise<AmplificationResults> {
  const configs = [true, false].flatMap((webhooks) =>
    VIEWER_COUNTS.map((viewers) => ({ viewers, webhooks })),
  );
  const runs = await Promise.all(configs.map(({ viewers, webhooks }) => run(viewers, webhooks)));
  const perMinute = (viewers: number, webhooks: boolean) =>
    runs.find((r) => r.viewers === viewers && r.webhooks === webhooks)!.upstreamRequestsPerMinute;
  const ratio = (webhooks: boolean) => round(perMinute(1000, webhooks) / perMinute(1, webhooks), 2);
  return {
    windowSeconds: WINDOW_MS / 1000,
    runs,
    thousandOverOne: { withWebhooks: ratio(true), withoutWebhooks: ratio(false) },
  };
}
