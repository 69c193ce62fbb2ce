/**
 * Several proxy instances on one Redis (a redis-server the bench starts, as the tests do): fan-out
 * latency with 1,000 streams spread over three instances (webhooks reaching the first only),
 * upstream requests with 1,000 viewers spread over three instances, and what Redis then holds per
 * meeting, per recording and per webhook delivery (MEMORY USAGE of every key under the prefix).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedis } from '../test/proxy/redis.ts';
import { measureAmplificationAcross } from './amplification.ts';
import type { AmplificationRun } from './amplification.ts';
import { measureFanoutAcross } from './fanout.ts';
import type { FanoutResults } from './fanout.ts';
import { round } from './lib/measure.ts';

const INSTANCES = 3;

interface KeyGroup {
  keys: number;
  bytes: number;
}

export interface Footprint {
  /** The meeting's own keys (event id, event log, room, meeting state, poll lease). */
  perMeeting: KeyGroup & { logEvents: number; logBytesPerEvent: number };
  /** Average per recording: its knowledge hash and its meeting index. */
  perRecording: KeyGroup & { recordings: number };
  /** Average per webhook delivery remembered for deduplication (kept 7 days). */
  perDelivery: KeyGroup & { deliveries: number };
}

export interface InstancesResults {
  instances: number;
  fanout: FanoutResults;
  amplification: AmplificationRun[];
  footprint: Footprint;
}

export async function measureInstances(): Promise<InstancesResults> {
  const redis = await startRedis();
  try {
    const prefix = `bench-${randomUUID()}:`;
    const fanout = await measureFanoutAcross(INSTANCES, { url: redis.url, prefix });
    const footprint = await measureFootprint(redis.url, prefix);
    const amplification = await measureAmplificationAcross(INSTANCES, redis.url);
    return { instances: INSTANCES, fanout, amplification, footprint };
  } finally {
    await redis.close();
  }
}

async function measureFootprint(url: string, prefix: string): Promise<Footprint> {
  const client = new Redis(url);
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const sizes = new Map<string, number>();
    for (const key of keys) sizes.set(key, Number(await client.memory('USAGE', key, 'SAMPLES', '0')));
    const group = (match: (key: string) => boolean): KeyGroup => {
      const chosen = keys.filter(match);
      return { keys: chosen.length, bytes: chosen.reduce((sum, key) => sum + sizes.get(key)!, 0) };
    };
    const recordingKeys = group((key) => /\}:recording:|^[^{]*recording-meeting:/.test(key));
    const recordings = keys.filter((key) => key.includes('}:recording:')).length;
    const deliveryKeys = group((key) => key.startsWith(`${prefix}webhook:`));
    const meetingKeys = group((key) => key.includes('{') && !key.includes('}:recording:'));
    const log = keys.find((key) => key.endsWith('}:log'));
    const logEvents = log ? await client.xlen(log) : 0;
    const per = (value: number, count: number) => (count === 0 ? 0 : round(value / count));
    return {
      perMeeting: {
        ...meetingKeys,
        logEvents,
        logBytesPerEvent: per(log ? sizes.get(log)! : 0, logEvents),
      },
      perRecording: {
        keys: per(recordingKeys.keys, recordings),
        bytes: per(recordingKeys.bytes, recordings),
        recordings,
      },
      perDelivery: {
        keys: 1,
        bytes: per(deliveryKeys.bytes, deliveryKeys.keys),
        deliveries: deliveryKeys.keys,
      },
    };
  } finally {
    client.disconnect();
  }
}
