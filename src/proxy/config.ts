/** The proxy's configuration: the options object, its defaults, and reading it from the environment. */
import { CODECS, isCodec } from '../core/recording.ts';
import type { Codec } from '../core/recording.ts';
import type { Authorize } from './auth.ts';
import type { EventBus } from './bus.ts';
import type { RecordingSettings } from './recordings.ts';
import type { StreamCaps } from './guard.ts';
import type { RateLimitSettings } from './limits.ts';
import { parseSecrets } from './token-policy.ts';
import type { TokenPolicy } from './token-policy.ts';
import type { RedisOptions } from './redis/index.ts';
import type { RecordingStore } from './store.ts';
import { STORAGE_TYPES } from './upstream/types.ts';
import type { StorageConfig } from './upstream/types.ts';
import type { PollIntervals } from './watch.ts';

export type UpstreamConfig =
  | {
      kind: 'v2' | 'v1';
      /** Origin, default `https://api.dyte.io`; the adapter adds `/v2` or `/v1`. */
      apiBase?: string;
      orgId: string;
      apiKey: string;
    }
  | {
      kind: 'rtk';
      /** Origin, default `https://api.cloudflare.com`. */
      apiBase?: string;
      accountId: string;
      appId: string;
      apiToken: string;
    };

export interface ProxyOptions {
  upstream: UpstreamConfig;
  /**
   * Secret(s) of the HS256 recording tokens, each at least 32 bytes: a list, or one string with the
   * secrets comma-separated, newest first (a token's `kid` names its secret; without one, each is tried).
   */
  tokenSecret: string | string[];
  /** Lifetime and claim limits every token must meet (see `TokenPolicy`). */
  tokenPolicy?: Partial<TokenPolicy>;
  /** Replaces the bearer-token check, e.g. with the host app's own session check. */
  authorize?: Authorize;
  /** Origins allowed to call from a browser (CORS); none by default. */
  allowedOrigins?: string[];
  /** Where the contract is mounted, e.g. `/api`; the root by default. */
  basePath?: string;
  /** Recording options only the server chooses (codec allow-list, max length, file prefix, storage). */
  recording?: Partial<RecordingSettings>;
  /**
   * How long the upstream lets a recording run once the room is empty, sent to browsers for their
   * countdown (the proxy cannot ask the upstream). Default 60 s, as Dyte does today.
   */
  emptyRoomTimeoutSeconds?: number;
  /** Whether viewers may download finished recordings (hosts always may). Default true. */
  viewerCanDownload?: boolean;
  /** PEM public key(s) of webhook signatures (several during a rotation); fetched from the upstream when absent. */
  webhookPublicKey?: string | string[];
  /** When set, this URL is registered (idempotently) for webhooks at start-up. */
  publicWebhookUrl?: string;
  /** Poll periods while webhooks are not arriving. Default 2 s while starting/uploading, 10 s otherwise. */
  pollIntervals?: Partial<PollIntervals>;
  /** Webhooks count as flowing (polls pause) while one arrived within this long. Default 60 s. */
  webhookQuietMs?: number;
  /** Heartbeat comment period of event streams. Default 15 s. */
  heartbeatMs?: number;
  /** Timeout of each upstream call. Default 8 s. */
  upstreamTimeoutMs?: number;
  /** Extra attempts of idempotent upstream reads. Default 2. */
  upstreamRetries?: number;
  /** First retry delay (then ×3). Default 200 ms. */
  upstreamRetryBaseMs?: number;
  /** Recordings per page when the browser names no limit (also the event stream's snapshot). Default 20. */
  pageSize?: number;
  /** Where log lines (JSON, one per line) go, secrets scrubbed first. Default: stderr. */
  log?: (line: string) => void;
  /** Least level logged: `debug`, `info` (default), `warn`, `error`. */
  logLevel?: string;
  /** Requests per minute per token subject, per client address, for webhooks and upstream (see `RateLimitSettings`). */
  rateLimits?: Partial<RateLimitSettings>;
  /** Open event streams per token subject, per meeting and per instance (see `StreamCaps`). */
  streamCaps?: Partial<StreamCaps>;
  /** Every request is answered within this long: `504` when the work is not done. Default 10 s. */
  requestDeadlineMs?: number;
  /** How long a meeting's page, as last read for a browser, is served again. Default 1 s. */
  readCacheMs?: number;
  /** Client address from the last `X-Forwarded-For` entry (only behind your own reverse proxy). Default false. */
  trustForwardedFor?: boolean;
  /** Bearer token of `GET /metrics` (Prometheus); unset: the route answers 404. */
  metricsToken?: string;
  /** The Node server's timeouts and connection cap (`startProxy` only). */
  server?: Partial<ServerLimits>;
  /**
   * Shares events, recordings, webhook deliveries, starts and polls with every other instance on this
   * Redis (see "Running several instances" in the README). Unset: everything stays in this process.
   */
  redis?: RedisOptions;
  bus?: EventBus;
  store?: RecordingStore;
}

/** What keeps slow or too many connections from holding the Node server. */
export interface ServerLimits {
  /** Until a request's headers are all in. Default 10. */
  headersTimeoutSeconds: number;
  /** Until a request (its body too) is all in. Default 15. */
  requestTimeoutSeconds: number;
  /** A connection with nothing in flight (keep-alive) is closed after this long. Default 5. */
  idleTimeoutSeconds: number;
  /** Open connections at once; past it new ones are refused. Default 10000. */
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutSeconds: 10,
  requestTimeoutSeconds: 15,
  idleTimeoutSeconds: 5,
  maxConnections: 10_000,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the proxy's options from environment variables; throws a ConfigError naming every missing or
 * malformed variable.
 */
export function proxyOptionsFromEnv(env: Record<string, string | undefined>): ProxyOptions {
  const problems: string[] = [];
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text === '' ? undefined : text;
  };
  const required = (name: string) => {
    const text = value(name);
    if (text === undefined) problems.push(`${name} is not set`);
    return text ?? '';
  };
  const integer = (name: string, min: number, max: number) => {
    const text = value(name);
    if (text === undefined) return undefined;
    const parsed = Number(text);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return undefined;
    }
    return parsed;
  };

  const version = value('DYTE_API_VERSION') ?? 'v2';
  const apiBase = value('DYTE_API_BASE');
  let upstream: UpstreamConfig;
  if (version === 'rtk') {
    upstream = {
      kind: 'rtk',
      apiBase,
      accountId: required('RTK_ACCOUNT_ID'),
      appId: required('RTK_APP_ID'),
      apiToken: required('RTK_API_TOKEN'),
    };
  } else {
    if (version !== 'v2' && version !== 'v1') problems.push('DYTE_API_VERSION must be v2, v1 or rtk');
    upstream = {
      kind: version === 'v1' ? 'v1' : 'v2',
      apiBase,
      orgId: required('DYTE_ORG_ID'),
      apiKey: required('DYTE_API_KEY'),
    };
  }
  const tokenSecret = required('RECORDING_TOKEN_SECRET');

  const codecs = value('RECORDING_CODECS')
    ?.split(',')
    .map((codec) => codec.trim().toUpperCase());
  if (codecs && !codecs.every(isCodec))
    problems.push(`RECORDING_CODECS must list codecs among ${CODECS.join(', ')}`);

  const storageType = value('STORAGE_TYPE');
  let storage: StorageConfig | undefined;
  if (storageType !== undefined) {
    if (!(STORAGE_TYPES as readonly string[]).includes(storageType)) {
      problems.push(`STORAGE_TYPE must be one of ${STORAGE_TYPES.join(', ')}`);
    }
    storage = {
      type: storageType as StorageConfig['type'],
      bucket: required('STORAGE_BUCKET'),
      accessKey: value('STORAGE_ACCESS_KEY'),
      secret: value('STORAGE_SECRET'),
      region: value('STORAGE_REGION'),
      path: value('STORAGE_PATH'),
    };
  }

  const booleanValue = (name: string) => {
    const text = value(name);
    if (text !== undefined && !/^(true|false)$/.test(text)) problems.push(`${name} must be true or false`);
    return text === undefined ? undefined : text === 'true';
  };
  const viewerDownload = value('VIEWER_CAN_DOWNLOAD');
  if (viewerDownload !== undefined && !/^(true|false)$/.test(viewerDownload)) {
    problems.push('VIEWER_CAN_DOWNLOAD must be true or false');
  }

  const options: ProxyOptions = {
    upstream,
    tokenSecret,
    allowedOrigins: value('ALLOWED_ORIGINS')
      ?.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    recording: {
      codecs: codecs as Codec[] | undefined,
      maxSeconds: integer('RECORDING_MAX_SECONDS', 60, 86_400),
      fileNamePrefix: value('RECORDING_FILE_NAME_PREFIX'),
      storage,
    },
    emptyRoomTimeoutSeconds: integer('EMPTY_ROOM_TIMEOUT_SECONDS', 1, 86_400),
    viewerCanDownload: viewerDownload === undefined ? undefined : viewerDownload === 'true',
    webhookPublicKey: value('DYTE_WEBHOOK_PUBLIC_KEY'),
    publicWebhookUrl: value('PUBLIC_WEBHOOK_URL'),
    upstreamTimeoutMs: integer('UPSTREAM_TIMEOUT_MS', 100, 120_000),
    redis: redisFromEnv(value, integer, problems),
    logLevel: value('LOG_LEVEL'),
    rateLimits: {
      subjectPerMinute: integer('RATE_LIMIT_SUBJECT_PER_MINUTE', 0, 1_000_000),
      subjectWritesPerMinute: integer('RATE_LIMIT_SUBJECT_WRITES_PER_MINUTE', 0, 1_000_000),
      addressPerMinute: integer('RATE_LIMIT_ADDRESS_PER_MINUTE', 0, 1_000_000),
      addressWritesPerMinute: integer('RATE_LIMIT_ADDRESS_WRITES_PER_MINUTE', 0, 1_000_000),
      webhooksPerMinute: integer('RATE_LIMIT_WEBHOOKS_PER_MINUTE', 0, 1_000_000),
      upstreamPerMinute: integer('UPSTREAM_REQUESTS_PER_MINUTE', 0, 1_000_000),
    },
    streamCaps: {
      perToken: integer('STREAMS_PER_TOKEN', 0, 1_000_000),
      perMeeting: integer('STREAMS_PER_MEETING', 0, 1_000_000),
      perInstance: integer('STREAMS_PER_INSTANCE', 0, 1_000_000),
    },
    requestDeadlineMs: integer('REQUEST_DEADLINE_MS', 0, 600_000),
    readCacheMs: integer('READ_CACHE_MS', 0, 60_000),
    tokenPolicy: {
      maxTtlSeconds: integer('TOKEN_MAX_TTL_SECONDS', 60, 365 * 86_400),
      maxClaimLength: integer('TOKEN_MAX_CLAIM_LENGTH', 1, 10_000),
    },
    trustForwardedFor: booleanValue('TRUST_FORWARDED_FOR'),
    metricsToken: value('METRICS_TOKEN'),
    server: {
      headersTimeoutSeconds: integer('HEADERS_TIMEOUT_SECONDS', 1, 600),
      requestTimeoutSeconds: integer('REQUEST_TIMEOUT_SECONDS', 1, 600),
      idleTimeoutSeconds: integer('IDLE_TIMEOUT_SECONDS', 1, 600),
      maxConnections: integer('MAX_CONNECTIONS', 1, 1_000_000),
    },
  };
  if (options.metricsToken !== undefined && options.metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must be at least 16 characters');
  }
  if (problems.length > 0) throw new ConfigError(`The proxy is not configured: ${problems.join('; ')}.`);
  return options;
}

function redisFromEnv(
  value: (name: string) => string | undefined,
  integer: (name: string, min: number, max: number) => number | undefined,
  problems: string[],
): RedisOptions | undefined {
  const url = value('REDIS_URL');
  if (url === undefined) return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL');
  }
  return { url, prefix: value('REDIS_PREFIX'), retentionDays: integer('REDIS_RETENTION_DAYS', 1, 3650) };
}

/** The token secrets, newest first. */
export function tokenSecrets(secret: string | string[]): string[] {
  return Array.isArray(secret) ? secret : parseSecrets(secret);
}

/** Every secret the options hold, so that no log line can carry one. */
export function secretsOf(options: ProxyOptions): string[] {
  const { upstream } = options;
  const upstreamSecrets =
    upstream.kind === 'rtk'
      ? [upstream.apiToken]
      : [upstream.apiKey, btoa(`${upstream.orgId}:${upstream.apiKey}`)];
  const storage = options.recording?.storage;
  const redisPassword =
    options.redis && URL.canParse(options.redis.url) ? new URL(options.redis.url).password : '';
  return [
    ...upstreamSecrets,
    ...tokenSecrets(options.tokenSecret),
    options.metricsToken,
    storage?.secret,
    storage?.accessKey,
    redisPassword && decodeURIComponent(redisPassword),
    redisPassword,
  ].filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4);
}
