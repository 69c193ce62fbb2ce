/**
 * Rig of the multi-instance tests: a real `redis-server` (Debian's package; `.ci/run` installs it) on a
 * free port in a temp dir, with its append-only file, and N proxy instances on it against one simulator.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ProxyOptions } from '../../src/server.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import type { RunningSimulator, SimulatorOptions } from '../../src/simulator/index.ts';
import { freePort, SPEED, startRig, TOKEN_SECRET } from './helpers.ts';
import type { Rig } from './helpers.ts';

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

export interface RunningRedis {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL: no shutdown save beyond what the append-only file already holds. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (it reloads the append-only file). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a redis-server; fails (never skips) when the binary is missing. */
export async function startRedis(): Promise<RunningRedis> {
  const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `The multi-instance tests need Redis 7: "${BINARY}" cannot run (${probe.error?.message ?? probe.stderr}). ` +
        'Install the Debian package redis-server (.ci/run does) or set REDIS_SERVER to its path.',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'drk-redis-'));
  let child: ChildProcess | null = null;
  const launch = async () => {
    const started = spawn(
      BINARY,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
      started.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
    });
    started.removeAllListeners('exit');
  };
  const stop = async (signal: NodeJS.Signals) => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill(signal);
    });
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill: () => stop('SIGKILL'),
    restart: launch,
    async close() {
      await stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Instances {
  sim: RunningSimulator;
  /** The proxy instances, each a rig on the shared simulator and Redis. */
  rigs: Rig[];
  /** The Redis options every instance uses (a prefix of its own per call). */
  redis: NonNullable<ProxyOptions['redis']>;
  close(): Promise<void>;
}

/**
 * Starts `count` proxy instances on one Redis (a fresh key prefix, or `prefix`: e.g. the instances
 * that restart those of an earlier call) and one simulator (`simulator`, left running by `close`, or
 * a new one); `webhooks` names the instances registered for the simulator's webhooks.
 */
export async function startInstances(
  redis: RunningRedis,
  count: number,
  options: {
    webhooks?: number[];
    proxy?: Partial<ProxyOptions>;
    sim?: SimulatorOptions;
    simulator?: RunningSimulator;
    prefix?: string;
  } = {},
): Promise<Instances> {
  const sim = options.simulator ?? (await startSimulator({ speed: SPEED, uploadMs: 0, ...options.sim }));
  const closeSim = () => (options.simulator ? Promise.resolve() : sim.close());
  const prefix = options.prefix ?? `t${randomUUID().slice(0, 8)}:`;
  const shared = { url: redis.url, prefix, pollLeaseMs: 900 };
  const rigs: Rig[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      rigs.push(
        await startRig({
          simulator: sim,
          webhooks: options.webhooks?.includes(index) ?? false,
          proxy: { redis: shared, ...options.proxy },
        }),
      );
    }
  } catch (error) {
    await Promise.all(rigs.map((rig) => rig.close()));
    await closeSim();
    throw error;
  }
  return {
    sim,
    rigs,
    redis: shared,
    async close() {
      await Promise.all(rigs.map((rig) => rig.close()));
      await closeSim();
    },
  };
}

const BIN = new URL('../../bin/dyte-recording-kit.js', import.meta.url).pathname;

export interface SpawnedInstance {
  url: string;
  child: ChildProcess;
  /** Everything it wrote to stdout so far. */
  stdout(): string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** SIGKILL: no shutdown of any kind. */
  kill(): Promise<void>;
}

/** Runs `dyte-recording-kit proxy` as a real process on the simulator and Redis; resolves once it listens. */
export async function spawnInstance(
  sim: RunningSimulator,
  redis: { url: string; prefix?: string },
  env: Record<string, string> = {},
): Promise<SpawnedInstance> {
  const child = spawn(process.execPath, [BIN, 'proxy', '--port', '0'], {
    env: {
      PATH: process.env.PATH,
      DYTE_API_BASE: sim.url,
      DYTE_ORG_ID: sim.orgId,
      DYTE_API_KEY: sim.apiKey,
      RECORDING_TOKEN_SECRET: TOKEN_SECRET,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix ?? 'drk:',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}
