/** `dyte-recording-kit simulator`: runs the local Dyte until SIGINT/SIGTERM. */
import type { Command } from '../cli-kit.ts';
import { numberOption, parseOptions, stringOption, UsageError } from '../cli-kit.ts';
import {
  DEFAULT_EMPTY_ROOM_TIMEOUT_MS,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEFAULT_START_LAG_MS,
  DEFAULT_UPLOAD_MS,
  MAX_START_LAG_MS,
  startSimulator,
} from './index.ts';

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'org-id': { type: 'string' },
  'api-key': { type: 'string' },
  speed: { type: 'string' },
  'start-lag-ms': { type: 'string' },
  'upload-ms': { type: 'string' },
  'empty-room-timeout-ms': { type: 'string' },
  'rate-limit': { type: 'string' },
  'no-webhook-quirks': { type: 'boolean' },
  transcribe: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

export const simulatorCommand: Command = {
  summary: "Run a local simulator of Dyte's recording API (v2, v1, RealtimeKit) and its webhooks.",
  help: `Usage: dyte-recording-kit simulator [options]

Runs a local Dyte: v2 at <url>/v2, v1 at <url>/v1, RealtimeKit at
<url>/client/v4/accounts/<account>/realtime/kit/<app>, webhook public key at
<url>/.well-known/webhooks.json, control plane at <url>/_sim/. Prints its URL, org id and API key,
then runs until interrupted (Ctrl-C).

Options:
  -p, --port N                   port to listen on (default 0: a free port)
      --host H                   interface to listen on (default 127.0.0.1)
      --org-id ID                organization id (default: a random UUID)
      --api-key KEY              API key (default: a random secret)
      --speed N                  run the simulated clock N times faster than real time (default 1)
      --start-lag-ms MS          simulated ms from INVOKED to RECORDING (default ${DEFAULT_START_LAG_MS}, max ${MAX_START_LAG_MS})
      --upload-ms MS             simulated upload time of an empty recording; each recorded minute
                                 adds as much again (default ${DEFAULT_UPLOAD_MS}; 0 = instant)
      --empty-room-timeout-ms MS stop recordings after the room is empty this long (default ${DEFAULT_EMPTY_ROOM_TIMEOUT_MS})
      --rate-limit N             API requests per minute per client IP (default ${DEFAULT_RATE_LIMIT_PER_MINUTE})
      --no-webhook-quirks        send plain ISO times and typed fields in webhooks
      --transcribe               transcribe every meeting: a transcript when its session ends, a
                                 summary on request (v2 and RealtimeKit)
  -v, --verbose                  log every request
  -h, --help                     show this help`,

  async run(argv) {
    const values = parseOptions(argv, OPTIONS);
    const simulator = await startSimulator({
      port: numberOption(values.port, 'port', 0),
      host: stringOption(values.host, 'host'),
      orgId: stringOption(values['org-id'], 'org-id'),
      apiKey: stringOption(values['api-key'], 'api-key'),
      speed: numberOption(values.speed, 'speed', 1, 0.001),
      startLagMs: numberOption(values['start-lag-ms'], 'start-lag-ms', DEFAULT_START_LAG_MS),
      uploadMs: numberOption(values['upload-ms'], 'upload-ms', DEFAULT_UPLOAD_MS),
      emptyRoomTimeoutMs: numberOption(
        values['empty-room-timeout-ms'],
        'empty-room-timeout-ms',
        DEFAULT_EMPTY_ROOM_TIMEOUT_MS,
      ),
      rateLimitPerMinute: numberOption(values['rate-limit'], 'rate-limit', DEFAULT_RATE_LIMIT_PER_MINUTE, 1),
      webhookQuirks: values['no-webhook-quirks'] !== true,
      transcribe: values.transcribe === true,
      log: values.verbose ? (line) => console.log(line) : undefined,
    }).catch((error: unknown) => {
      throw error instanceof RangeError ? new UsageError(error.message) : error;
    });
    // The key is this local simulator's own, made up at start: printing it is the point.
    console.log(`Dyte simulator listening on ${simulator.url}
  v2:      ${simulator.url}/v2   (Authorization: Basic base64(org id:api key))
  v1:      ${simulator.url}/v1   (Authorization: APIKEY <api key>)
  rtk:     ${simulator.url}/client/v4/accounts/<any>/realtime/kit/<any>   (Authorization: Bearer <api key>)
  org id:  ${simulator.orgId}
  api key: ${simulator.apiKey}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await simulator.close();
    return 0;
  },
};
