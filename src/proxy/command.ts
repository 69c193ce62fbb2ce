/** `dyte-recording-kit proxy` (serves the proxy, configured from the environment) and `token` (mints one). */
import type { Command } from '../cli-kit.ts';
import { numberOption, parseOptions, stringOption, UsageError } from '../cli-kit.ts';
import { ConfigError, proxyOptionsFromEnv, startProxy } from './index.ts';
import { createRecordingToken, isRole } from './token.ts';

const ENVIRONMENT = `Environment:
  DYTE_API_VERSION           v2 (default), v1 or rtk
  DYTE_API_BASE              upstream origin (default https://api.dyte.io; rtk: https://api.cloudflare.com)
  DYTE_ORG_ID, DYTE_API_KEY  Dyte credentials (v2, v1)
  RTK_ACCOUNT_ID, RTK_APP_ID, RTK_API_TOKEN   RealtimeKit credentials (rtk)
  RECORDING_TOKEN_SECRET     secret of the recording tokens (at least 32 characters); several comma-separated, newest first
  ALLOWED_ORIGINS            comma-separated origins allowed to call from a browser
  DYTE_WEBHOOK_PUBLIC_KEY    PEM key of webhook signatures (default: fetched from the upstream)
  PUBLIC_WEBHOOK_URL         this proxy's public /webhooks URL, registered at start-up
  RECORDING_CODECS           codecs a browser may choose, first = default (e.g. H264,VP8)
  RECORDING_MAX_SECONDS      maximum recording length, 60..86400
  RECORDING_FILE_NAME_PREFIX prefix of recording file names
  STORAGE_TYPE, STORAGE_BUCKET, STORAGE_REGION, STORAGE_PATH, STORAGE_ACCESS_KEY, STORAGE_SECRET
                             your own bucket instead of the upstream's
  EMPTY_ROOM_TIMEOUT_SECONDS seconds the upstream keeps recording an empty room (default 60), for the countdown
  VIEWER_CAN_DOWNLOAD        true (default) or false
  UPSTREAM_TIMEOUT_MS        timeout of each upstream call (default 8000)
  REDIS_URL                  redis:// or rediss:// URL: share state with every instance on it (default: memory)
  REDIS_PREFIX               prefix of the proxy's Redis keys (default drk:)
  REDIS_RETENTION_DAYS       days what is known of a meeting is kept after its last change (default 30)
  RATE_LIMIT_SUBJECT_PER_MINUTE, RATE_LIMIT_SUBJECT_WRITES_PER_MINUTE   per token subject (600, 30)
  RATE_LIMIT_ADDRESS_PER_MINUTE, RATE_LIMIT_ADDRESS_WRITES_PER_MINUTE   per client address (1200, 120)
  RATE_LIMIT_WEBHOOKS_PER_MINUTE   webhook deliveries per sender address (6000)
  UPSTREAM_REQUESTS_PER_MINUTE     the proxy's own upstream calls, all instances (1500)
  TRUST_FORWARDED_FOR        true: the client address is the last X-Forwarded-For entry
  STREAMS_PER_TOKEN, STREAMS_PER_MEETING, STREAMS_PER_INSTANCE   open event streams (10, 2000, 10000)
  REQUEST_DEADLINE_MS        every request is answered within this long (default 10000)
  READ_CACHE_MS              a meeting's page is served again this long (default 1000)
  HEADERS_TIMEOUT_SECONDS, REQUEST_TIMEOUT_SECONDS, IDLE_TIMEOUT_SECONDS, MAX_CONNECTIONS   (10, 15, 5, 10000)
  TOKEN_MAX_TTL_SECONDS, TOKEN_MAX_CLAIM_LENGTH   longest token lifetime and name/sub (604800, 200)
  LOG_LEVEL                  debug, info (default), warn or error
  METRICS_TOKEN              bearer token of GET /metrics (default: the route is off)`;

export const proxyCommand: Command = {
  summary: 'Serve the recording proxy (keeps the Dyte API key off the browser).',
  help: `Usage: dyte-recording-kit proxy [--port P] [--host H] [--base-path /api]

Serves the browsers' recording API, webhooks and live events, configured from the environment.

Options:
  -p, --port N          port to listen on (default 8787; 0 = a free port)
      --host H          interface to listen on (default 127.0.0.1)
      --base-path PATH  mount the API under PATH (default: the root)
  -h, --help            show this help

${ENVIRONMENT}`,

  async run(argv) {
    const values = parseOptions(argv, {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'base-path': { type: 'string' },
    });
    let options;
    try {
      options = proxyOptionsFromEnv(process.env);
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(`${error.message}\nRun \`dyte-recording-kit proxy --help\` for the variables.`);
        return 2;
      }
      throw error;
    }
    const basePath = stringOption(values['base-path'], 'base-path');
    if (basePath !== undefined && !/^\/[\w\-./]*$/.test(basePath)) {
      throw new UsageError('--base-path must be a path starting with "/"');
    }
    const running = await startProxy({
      ...options,
      port: numberOption(values.port, 'port', 8787),
      host: stringOption(values.host, 'host') ?? '127.0.0.1',
      basePath,
      log: (line) => console.error(line),
    }).catch((error: unknown) => {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    });
    console.log(
      `Recording proxy listening on ${running.url} (upstream: ${options.upstream.kind}, state: ${running.proxy.state})`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    await running.close();
    return 0;
  },
};

export const tokenCommand: Command = {
  summary: 'Mint a recording token for a meeting (secret from RECORDING_TOKEN_SECRET).',
  help: `Usage: dyte-recording-kit token --meeting-id M --role host|viewer [--sub S] [--name N] [--ttl SECONDS]

Prints a recording token (HS256, signed with RECORDING_TOKEN_SECRET) as the last line.

Options:
      --meeting-id M   the meeting the token is for (required)
      --role R         host (may start and stop) or viewer (required)
      --sub S          who the token speaks for (shown as who started/stopped)
      --name N         their display name
      --ttl SECONDS    lifetime (default 900)
  -h, --help           show this help`,

  async run(argv) {
    const values = parseOptions(argv, {
      'meeting-id': { type: 'string' },
      role: { type: 'string' },
      sub: { type: 'string' },
      name: { type: 'string' },
      ttl: { type: 'string' },
    });
    const meetingId = stringOption(values['meeting-id'], 'meeting-id');
    if (!meetingId) throw new UsageError('--meeting-id is required');
    const role = stringOption(values.role, 'role');
    if (!isRole(role)) throw new UsageError('--role must be "host" or "viewer"');
    const secret = process.env.RECORDING_TOKEN_SECRET;
    if (!secret) {
      console.error("RECORDING_TOKEN_SECRET is not set: the token must be signed with the proxy's secret.");
      return 2;
    }
    let token: string;
    try {
      token = await createRecordingToken(
        {
          meetingId,
          role,
          sub: stringOption(values.sub, 'sub'),
          name: stringOption(values.name, 'name'),
          ttlSeconds: numberOption(values.ttl, 'ttl', 900, 1),
        },
        secret,
      );
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    console.log(token);
    return 0;
  },
};
