/**
 * Starting the servers of servers.ts in a child process, and talking to them over IPC. The servers
 * run from a build, as an installed package runs (esbuild with the options `scripts/build.mjs` builds
 * `dist/server.js` with): not through tsx, whose helpers would add their own cost to every object
 * measured.
 */
import { fork } from 'node:child_process';
import { closeSync, cpSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { NODE_BUILD } from '../../scripts/node-build.mjs';
import type { RedisOptions } from '../../src/server.ts';

export type ServerSpec =
  | {
      role: 'stack';
      orgId: string;
      apiKey: string;
      tokenSecret: string;
      /** Simulated clock speed. */
      speed: number;
      /** Files served beside the proxy on the same origin (the browser bench's pages). */
      staticDir?: string;
      /** The proxy's state in Redis, shared with the `proxy` servers started on it. */
      redis?: RedisOptions;
      /** The proxy's heartbeat interval (its default otherwise). */
      heartbeatMs?: number;
    }
  | {
      /** One more proxy instance, on a stack's simulator and Redis. */
      role: 'proxy';
      simulatorUrl: string;
      orgId: string;
      apiKey: string;
      tokenSecret: string;
      redis: RedisOptions;
    }
  | { role: 'bare'; body: string }
  | {
      /** The layers under the proxy's answers, one at a time, each answering the same JSON bytes. */
      role: 'ladder';
      layer: LadderLayer;
      body: string;
      tokenSecret: string;
    }
  | {
      /**
       * A bare node:http SSE server: a snapshot to each reader, heartbeats, and `POST /publish` writing
       * the posted bytes as an event to every open socket in a plain loop.
       */
      role: 'bare-sse';
    };

/** Hono alone; + the proxy's answers (serialized, with its headers); + its token check. */
export type LadderLayer = 'hono' | 'headers' | 'token';

export interface StackInfo {
  origin: string;
  /** The proxy's base URL (`${origin}/api`). */
  proxyUrl: string;
  simulatorUrl: string;
}

export type ChildRequest = { type: 'memory' } | { type: 'close' };
export type ChildReply =
  | { type: 'ready'; info: StackInfo | { origin: string } | { proxyUrl: string } }
  | { type: 'memory'; usage: NodeJS.MemoryUsage };

export interface ChildServers<Info> {
  info: Info;
  /** The child's memory after a full garbage collection. */
  memory(): Promise<NodeJS.MemoryUsage>;
  close(): Promise<void>;
}

const SOURCE = fileURLToPath(new URL('../servers.ts', import.meta.url));
const BUILT_DIR = fileURLToPath(
  new URL('../../node_modules/.cache/dyte-recording-kit-bench/', import.meta.url),
);
let built: Promise<string> | undefined;

/** servers.ts and everything it imports in one module (dependencies external), built once per run. */
function buildServers(): Promise<string> {
  built ??= (async () => {
    await build({ ...NODE_BUILD, entryPoints: [SOURCE], outfile: `${BUILT_DIR}servers.js` });
    // The simulator reads its media files beside its module, as in dist/cli/.
    cpSync(fileURLToPath(new URL('../../src/simulator/media/', import.meta.url)), `${BUILT_DIR}media`, {
      recursive: true,
    });
    return `${BUILT_DIR}servers.js`;
  })();
  return built;
}
const START_TIMEOUT_MS = 20_000;
/** More Node options for the servers, e.g. `BENCH_SERVER_NODE_OPTIONS=--cpu-prof` to profile them. */
const SERVER_NODE_OPTIONS = (process.env.BENCH_SERVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
/**
 * Every server runs as the README advises running the proxy: without V8's memory reducer. Its
 * idle-time collections let go of the object shapes (maps) of finished requests; once a process has
 * served more than one kind of request, the shapes made again afterwards leave Node's own HTTP and
 * stream code on V8's slow paths for good (perf: 11 to 13 % of a loaded proxy's CPU in
 * `MigrateToMap` and kin). The bare servers never get there and are unmoved by the flag.
 */
const SERVER_NODE_FLAGS = ['--no-memory-reducer'];

export interface SpawnOptions {
  /** Node's default collector heuristics (the memory reducer on), to measure what the flag buys. */
  nodeDefaults?: boolean;
}

export function spawnStack(
  spec: Extract<ServerSpec, { role: 'stack' }>,
  options: SpawnOptions = {},
): Promise<ChildServers<StackInfo>> {
  return spawnServers<StackInfo>(spec, options);
}

export function spawnProxy(
  spec: Extract<ServerSpec, { role: 'proxy' }>,
): Promise<ChildServers<{ proxyUrl: string }>> {
  return spawnServers<{ proxyUrl: string }>(spec);
}

export function spawnBare(body: string): Promise<ChildServers<{ origin: string }>> {
  return spawnServers<{ origin: string }>({ role: 'bare', body });
}

export function spawnLadder(
  layer: LadderLayer,
  body: string,
  tokenSecret: string,
): Promise<ChildServers<{ origin: string }>> {
  return spawnServers<{ origin: string }>({ role: 'ladder', layer, body, tokenSecret });
}

export function spawnBareSse(): Promise<ChildServers<{ origin: string }>> {
  return spawnServers<{ origin: string }>({ role: 'bare-sse' });
}

/**
 * Where the servers' stderr goes, a file per server: the proxy logs a line per request there as it
 * does in production (stderr, written on its own thread, no worker thread or pipe reader in the way),
 * and a server that fails says why in it. Removed when the bench ends.
 */
let logDir: string | undefined;
let spawned = 0;

function logFile(role: ServerSpec['role']): string {
  if (!logDir) {
    const dir = mkdtempSync(join(tmpdir(), 'drk-bench-'));
    logDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  spawned += 1;
  return join(logDir, `${role}-${spawned}.log`);
}

/** The end of a server's stderr, for an error that says why it stopped. */
function tail(path: string): string {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n').slice(-20);
  return lines.join('\n') || '(nothing)';
}

async function spawnServers<Info>(spec: ServerSpec, options: SpawnOptions = {}): Promise<ChildServers<Info>> {
  const log = logFile(spec.role);
  const stderr = openSync(log, 'w');
  const child = fork(await buildServers(), [], {
    execArgv: ['--expose-gc', ...(options.nodeDefaults ? [] : SERVER_NODE_FLAGS), ...SERVER_NODE_OPTIONS],
    stdio: ['ignore', 'inherit', stderr, 'ipc'],
  });
  closeSync(stderr); // the child has its own copy
  const next = (type: ChildReply['type']) =>
    new Promise<ChildReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`the ${spec.role} server did not answer "${type}" in time:\n${tail(log)}`));
      }, START_TIMEOUT_MS);
      const onMessage = (message: ChildReply) => {
        if (message.type !== type) return;
        cleanup();
        resolve(message);
      };
      const onExit = (code: number | null) => {
        cleanup();
        const why = tail(log);
        reject(
          new Error(`the ${spec.role} server exited (code ${code}) before answering "${type}":\n${why}`),
        );
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = next('ready');
  child.send(spec);
  let started: ChildReply;
  try {
    started = await ready;
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    info: (started as Extract<ChildReply, { type: 'ready' }>).info as Info,
    async memory() {
      const answer = next('memory');
      child.send({ type: 'memory' } satisfies ChildRequest);
      return ((await answer) as Extract<ChildReply, { type: 'memory' }>).usage;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' } satisfies ChildRequest);
      const stuck = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
      await exited;
      clearTimeout(stuck);
      rmSync(log, { force: true });
    },
  };
}
