/** `dyte-recording-kit dev` (= `npm start`): the demo meeting page with the proxy and the simulator. */
import { existsSync } from 'node:fs';
import type { Command } from '../cli-kit.ts';
import { numberOption, parseOptions, stringOption } from '../cli-kit.ts';
import { DEMO_LIMITS, DEMO_ROOT } from './demo-routes.ts';

const DEFAULT_PORT = 5173;

const OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'no-watch': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

/** The proxy's line for each successful upstream call: shown only with --verbose. */
const ROUTINE_LINE = /^upstream \S+ \S+ [23]\d\d \d+ ms$/;

/** An answered request or a successful upstream call: shown with --verbose only. */
function isRoutine(line: string): boolean {
  try {
    const { msg, status } = JSON.parse(line) as { msg?: string; status?: number };
    return ROUTINE_LINE.test(msg ?? '') || (msg === 'request' && (status ?? 500) < 400);
  } catch {
    return false;
  }
}

const seconds = (ms: number) => `${ms / 1000} s`;

export const devCommand: Command = {
  summary: 'Run the demo meeting page with the proxy and a local Dyte simulator, on one port.',
  help: `Usage: dyte-recording-kit dev [options]

Serves the demo meeting pages (plain HTML at /, React at /react/, Vue at /vue/), the recording proxy
at /api (webhooks registered with the simulator) and the dev-only /_demo routes, all from one port,
backed by a local simulator of Dyte running in real time with shortened limits: start lag ${seconds(DEMO_LIMITS.startLagMs)},
upload ${seconds(DEMO_LIMITS.uploadMs)} (plus as much per recorded minute), empty-room auto-stop ${seconds(DEMO_LIMITS.emptyRoomTimeoutMs)}.
Prints the URL, then runs until interrupted (Ctrl-C).

Options:
  -p, --port N   port to listen on (default: $PORT, else ${DEFAULT_PORT}; 0 = a free port)
      --host H   interface to listen on (default 127.0.0.1)
      --no-watch do not reload the pages when a source file changes
  -v, --verbose  log every upstream call and simulator request (default: problems and actions)
  -h, --help     show this help`,

  async run(argv) {
    const values = parseOptions(argv, OPTIONS);
    const port = numberOption(values.port ?? process.env.PORT, 'port', DEFAULT_PORT);
    if (!existsSync(DEMO_ROOT)) {
      console.error(`\`dev\` serves the demo pages of a clone of the dyte-recording-kit repository, through Vite
(a development dependency): clone it, then \`npm install && npm start\` there. The installed package runs
\`proxy\`, \`simulator\` and \`token\`; see the README's "Your app with the proxy and the simulator".`);
      return 1;
    }
    // Loaded here so that `--help` does not load Vite.
    const { startDevServer } = await import('./server.ts');
    const verbose = values.verbose === true;
    const server = await startDevServer({
      port,
      host: stringOption(values.host, 'host'),
      watch: values['no-watch'] !== true,
      log: (line) => {
        if (verbose || !isRoutine(line)) console.error(`[proxy] ${line}`);
      },
      simulatorLog: verbose ? (line) => console.error(`[simulator] ${line}`) : undefined,
    }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      console.error(`Port ${port} is already in use: set PORT to another port (or 0 for any free one).`);
      return null;
    });
    if (!server) return 1;
    console.log(
      `Demo meeting: ${server.url}  (also ${server.url}react/ and ${server.url}vue/; Ctrl-C stops)`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  },
};
