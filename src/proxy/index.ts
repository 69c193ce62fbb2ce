/**
 * The recording proxy: holds the upstream credentials, authorizes browsers, talks to the upstream,
 * ingests signed webhooks and fans events out to every watching browser. `createProxy` gives a
 * fetch handler (Node, Deno, Bun, edge runtimes); `startProxy` serves it on Node.
 */
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { tokenAuthorizer } from './auth.ts';
import { MemoryEventBus } from './bus.ts';
import { ConfigError, DEFAULT_SERVER_LIMITS, secretsOf, tokenSecrets } from './config.ts';
import {
  memoryBackend,
  MemoryDeliveries,
  MemoryRooms,
  processPageShare,
  MemoryRevocations,
  processPollLease,
  processRoomReadShare,
  ProcessStartLock,
} from './coordination.ts';
import type { ProxyOptions } from './config.ts';
import { EventStreams } from './events.ts';
import { DEFAULT_STREAM_CAPS, Guards } from './guard.ts';
import { DEFAULT_RATE_LIMITS, MemoryCounters, RateLimits } from './limits.ts';
import { createLog, stderrLines } from './logger.ts';
import { ProxyMetrics } from './metrics.ts';
import { ReadCache } from './read-cache.ts';
import { DEFAULT_TOKEN_POLICY } from './token-policy.ts';
import { RecordingService } from './recordings.ts';
import { redisState } from './redis/index.ts';
import { RoomReads } from './room.ts';
import { SessionFileService } from './sessions.ts';
import { MemoryRecordingStore } from './store.ts';
import { createUpstream } from './upstream/index.ts';
import { MeetingWatches } from './watch.ts';
import { WebhookReceiver } from './webhooks.ts';

export { ConfigError, proxyOptionsFromEnv } from './config.ts';
export type { ProxyOptions, UpstreamConfig } from './config.ts';
export type { Authorize, Caller } from './auth.ts';
export type { EventBus, SequencedEvent, StreamEvent } from './bus.ts';
export { MemoryEventBus } from './bus.ts';
export type { Applied, RecordingStore } from './store.ts';
export { MemoryRecordingStore } from './store.ts';
export type { RecordingSettings } from './recordings.ts';
export type { RedisOptions } from './redis/index.ts';
export type { StorageConfig } from './upstream/types.ts';

export interface Proxy {
  /**
   * `env`: what the runtime passes beside the request; on Node, `@hono/node-server`'s
   * `{ incoming, outgoing }`, which lets event streams be written to the response directly (and
   * gives the client address of the rate limits).
   */
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
  /** Start-up work: checks the webhook key and registers the webhook URL when one is configured. */
  start(): Promise<void>;
  /**
   * Refuses the token with this `jti` from now on (on every instance, with Redis), until `untilMs`
   * (epoch ms; by default the longest a token may live).
   */
  revokeToken(jti: string, untilMs?: number): Promise<void>;
  /** Stops polls and heartbeats and closes every event stream. */
  close(): Promise<void>;
  /** Where the proxy keeps its state: `memory`, or e.g. `redis redis://db:6379 (prefix drk:)`. */
  readonly state: string;
}

export function createProxy(options: ProxyOptions): Proxy {
  const { logger, log, requests, bursts } = createLog(
    options.log ?? stderrLines(),
    secretsOf(options),
    options.logLevel,
  );
  const secrets = tokenSecrets(options.tokenSecret);
  if ((secrets.length === 0 || secrets.some((secret) => secret.length < 32)) && !options.authorize) {
    throw new ConfigError('Every recording token secret must be at least 32 characters long.');
  }
  const tokenPolicy = withDefaults(DEFAULT_TOKEN_POLICY, options.tokenPolicy);
  // Several instances share their state through Redis; one process keeps it in memory.
  const shared = options.redis ? redisState(options.redis, log) : null;
  const metrics = new ProxyMetrics();
  const limits = new RateLimits(
    shared?.counters ?? new MemoryCounters(),
    withDefaults(DEFAULT_RATE_LIMITS, options.rateLimits),
    (scope) => metrics.refusals.inc({ scope }),
  );
  const upstream = createUpstream(options.upstream, {
    timeoutMs: options.upstreamTimeoutMs ?? 8000,
    readRetries: options.upstreamRetries ?? 2,
    retryBaseMs: options.upstreamRetryBaseMs ?? 200,
    log,
    guard: async () => limits.upstream(),
    observe: (method, outcome) => metrics.upstreamCalls.inc({ method, outcome }),
  });
  const codecs = options.recording?.codecs ?? [...upstream.codecs];
  const unsupported = codecs.filter((codec) => !upstream.codecs.includes(codec));
  if (codecs.length === 0 || unsupported.length > 0) {
    throw new ConfigError(
      `Recording codecs must be a non-empty choice among ${upstream.codecs.join(', ')} for this upstream.`,
    );
  }
  const storageType = options.recording?.storage?.type;
  if (storageType !== undefined && !upstream.storageTypes.includes(storageType)) {
    throw new ConfigError(
      `This upstream uploads to ${upstream.storageTypes.join(', ')}, not ${storageType}.`,
    );
  }
  const emptyTimeoutSeconds = options.emptyRoomTimeoutSeconds ?? 60;
  if (!Number.isInteger(emptyTimeoutSeconds) || emptyTimeoutSeconds < 1 || emptyTimeoutSeconds > 86_400) {
    throw new ConfigError('The emptyRoomTimeoutSeconds must be a whole number from 1 to 86400.');
  }
  const maxSeconds = options.recording?.maxSeconds;
  if (maxSeconds !== undefined && (!Number.isInteger(maxSeconds) || maxSeconds < 60 || maxSeconds > 86_400)) {
    throw new ConfigError('The recording maxSeconds must be a whole number from 60 to 86400.');
  }

  const connecting = shared?.connection.connect();
  connecting?.catch(() => undefined); // awaited by start(); a fetch-only use must not leave it unhandled
  const backend = shared?.connection ?? memoryBackend;
  const revocations = shared?.revocations ?? new MemoryRevocations();
  const bus = metrics.timed(options.bus ?? shared?.bus ?? new MemoryEventBus());
  const store = options.store ?? shared?.store ?? new MemoryRecordingStore();
  const service = new RecordingService(
    upstream,
    store,
    bus,
    { ...options.recording, codecs },
    shared?.startLock ?? new ProcessStartLock(),
    new ReadCache(options.readCacheMs ?? 1000),
  );
  const sessionFiles = new SessionFileService(upstream, service, store, bus, log);
  const webhooks = new WebhookReceiver(upstream, service, store, bus, {
    publicKey: options.webhookPublicKey,
    emptyTimeoutSeconds,
    deliveries: shared?.deliveries ?? new MemoryDeliveries(),
    rooms: shared?.rooms ?? new MemoryRooms(),
    sessionFiles: sessionFiles.supported ? sessionFiles : undefined,
    log,
  });
  const rooms = new RoomReads(
    upstream,
    (meetingId, reading) => webhooks.reconcile(meetingId, reading),
    shared?.roomReads ?? processRoomReadShare,
    log,
  );
  const webhookQuietMs = options.webhookQuietMs ?? 60_000;
  const pageSize = options.pageSize ?? 20;
  const watches = new MeetingWatches(service, bus, store, {
    pageSize,
    intervals: { activeMs: 2000, idleMs: 10_000, ...options.pollIntervals },
    webhooksFlowing: () => webhooks.flowingNow(webhookQuietMs),
    lease: shared?.lease ?? processPollLease,
    pages: shared?.pages ?? processPageShare,
    readRoom: (meetingId, watchStart) => rooms.read(meetingId, watchStart),
    checkSessions: (recordings) => sessionFiles.check(recordings),
    log,
  });
  const streams = new EventStreams(bus, options.heartbeatMs ?? 15_000);
  const app = createApp({
    basePath: normalizeBasePath(options.basePath),
    authorize: options.authorize ?? tokenAuthorizer(secrets, tokenPolicy, revocations),
    allowedOrigins: options.allowedOrigins ?? [],
    codecs,
    viewerCanDownload: options.viewerCanDownload ?? true,
    pageSize,
    webhookQuietMs,
    service,
    watches,
    streams,
    webhooks,
    backend,
    guards: new Guards(limits, metrics, logger, requests, bursts, {
      deadlineMs: options.requestDeadlineMs ?? 10_000,
      trustForwardedFor: options.trustForwardedFor ?? false,
      metricsToken: options.metricsToken ?? null,
      streams: withDefaults(DEFAULT_STREAM_CAPS, options.streamCaps),
    }),
    sessionFiles,
  });

  return {
    fetch: (request, env) => app.fetch(request, env),
    state: backend.description,
    revokeToken: (jti, untilMs) =>
      revocations.revoke(jti, untilMs ?? Date.now() + tokenPolicy.maxTtlSeconds * 1000),
    async start() {
      // Waits (the connection logs why and retries) rather than failing when Redis is not up yet.
      await connecting;
      await webhooks.checkKey();
      if (!options.publicWebhookUrl) return;
      try {
        const outcome = await webhooks.register(options.publicWebhookUrl);
        log(`webhook registration ${outcome}: ${options.publicWebhookUrl}`);
      } catch (error) {
        // The proxy still works without webhooks: watched meetings are polled instead.
        log(`webhook registration failed (${(error as Error).message}); falling back to polling`);
      }
    },
    async close() {
      streams.closeAll();
      watches.close();
      await shared?.connection.close();
    },
  };
}

/** Serves a proxy on Node (port 0 picks a free port); resolves once it listens. */
export async function startProxy(
  options: ProxyOptions & { port?: number; host?: string },
): Promise<{ url: string; proxy: Proxy; close(): Promise<void> }> {
  const proxy = createProxy(options);
  const host = options.host ?? '127.0.0.1';
  // Loaded here so that importing the proxy on an edge runtime pulls in no Node server.
  const { serve } = await import('@hono/node-server');
  const limits = withDefaults(DEFAULT_SERVER_LIMITS, options.server);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const created = serve(
      {
        fetch: proxy.fetch,
        port: options.port ?? 0,
        hostname: host,
        // Timeouts are checked this often (Node's default, 30 s, would let them run late).
        serverOptions: { connectionsCheckingInterval: 1000 },
      },
      () => resolve(created),
    );
    created.once('error', reject);
  });
  // Slow senders are dropped within seconds, and the connections held at once are capped.
  const http = server as HttpServer;
  http.headersTimeout = limits.headersTimeoutSeconds * 1000;
  http.requestTimeout = limits.requestTimeoutSeconds * 1000;
  http.keepAliveTimeout = limits.idleTimeoutSeconds * 1000;
  http.maxConnections = limits.maxConnections;
  const close = async () => {
    await proxy.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
  };
  try {
    // Listening first: an upstream may call the webhook URL as soon as it is registered.
    await proxy.start();
  } catch (error) {
    await close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}${normalizeBasePath(options.basePath)}`, proxy, close };
}

/** `defaults` with every value `given` sets (an unset or undefined one keeps its default). */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

function normalizeBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
