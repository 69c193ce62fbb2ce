/** One or more proxy instances on one simulator, each in its own process; several share a Redis. */
import type { RedisOptions } from '../../src/server.ts';
import { spawnProxy, spawnStack } from './child.ts';
import type { ChildServers, StackInfo } from './child.ts';
import type { stackSecrets } from './measure.ts';

export interface Instances {
  /** The first instance's stack (it also runs the simulator). */
  stack: ChildServers<StackInfo>;
  /** Every instance's proxy URL, the stack's first. */
  proxyUrls: string[];
  simulatorUrl: string;
  close(): Promise<void>;
}

export async function spawnInstances(
  secrets: ReturnType<typeof stackSecrets>,
  speed: number,
  /** Omitted: one instance with its state in memory. */
  shared?: { count: number; redis: RedisOptions },
  heartbeatMs?: number,
): Promise<Instances> {
  const stack = await spawnStack({ role: 'stack', ...secrets, speed, redis: shared?.redis, heartbeatMs });
  const others: ChildServers<{ proxyUrl: string }>[] = [];
  const close = async () => {
    await Promise.all(others.map((other) => other.close()));
    await stack.close();
  };
  try {
    for (let i = 1; i < (shared?.count ?? 1); i += 1) {
      others.push(
        await spawnProxy({
          role: 'proxy',
          ...secrets,
          simulatorUrl: stack.info.simulatorUrl,
          redis: shared!.redis,
        }),
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    stack,
    proxyUrls: [stack.info.proxyUrl, ...others.map((other) => other.info.proxyUrl)],
    simulatorUrl: stack.info.simulatorUrl,
    close,
  };
}
