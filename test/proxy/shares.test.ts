/**
 * The reads instances share through Redis at watch start (a meeting's first page, its room): one
 * instance reads, the others wait for it while it lives, however slow the upstream, and read
 * themselves once it is gone. Two connections on a real redis-server stand for two instances.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RedisConnection } from '../../src/proxy/redis/connection.ts';
import { RedisPageShare, RedisRoomReadShare } from '../../src/proxy/redis/coordination.ts';
import { sleep } from './helpers.ts';
import { startRedis } from './redis.ts';
import type { RunningRedis } from './redis.ts';

/** Longer than a claim lasts without its holder renewing it (3 s). */
const SLOW_READ_MS = 4500;

describe('reads shared between instances at watch start', () => {
  let redis: RunningRedis;
  let first: RedisConnection;
  let second: RedisConnection;

  before(async () => {
    redis = await startRedis();
    const prefix = `s${randomUUID().slice(0, 8)}:`;
    first = new RedisConnection({ url: redis.url, prefix }, () => undefined);
    second = new RedisConnection({ url: redis.url, prefix }, () => undefined);
    await Promise.all([first.connect(), second.connect()]);
  });

  after(async () => {
    await Promise.all([first.close(), second.close()]);
    await redis.close();
  });

  it('waits for a live reader slower than a claim lasts, and reads nothing itself', async () => {
    const meeting = `m-${randomUUID()}`;
    const reads: string[] = [];
    const slowly = async <T>(who: string, value: T) => {
      reads.push(who);
      await sleep(SLOW_READ_MS);
      return value;
    };
    const page = { recordings: ['r-1'] };
    const holderPage = new RedisPageShare(first).first(
      meeting,
      () => slowly('first page', page),
      async () => 41,
    );
    const holderRoom = new RedisRoomReadShare(first).once(meeting, () => slowly('first room', true));
    await sleep(100);
    const started = Date.now();
    const [taken] = await Promise.all([
      new RedisPageShare(second).first(
        meeting,
        async () => {
          reads.push('second page');
          return { recordings: [] };
        },
        async () => 99,
      ),
      new RedisRoomReadShare(second).once(meeting, async () => {
        reads.push('second room');
        return true;
      }),
    ]);
    const waitedMs = Date.now() - started;
    await Promise.all([holderPage, holderRoom]);

    assert.deepEqual(reads.sort(), ['first page', 'first room']);
    assert.deepEqual(taken, { page, since: 41 });
    assert.ok(waitedMs >= SLOW_READ_MS - 500, `the second instance waited ${waitedMs} ms`);
  });

  it('reads itself once the claim of a reader that died has lapsed', async () => {
    const meeting = `m-${randomUUID()}`;
    // What an instance killed mid-read leaves: its claims, never renewed or released.
    const client = new RedisConnection({ url: redis.url, prefix: first.prefix }, () => undefined);
    await client.connect();
    await client.run((c) => c.set(first.meetingKey(meeting, 'page-lock'), 'gone', 'PX', 3000));
    await client.run((c) => c.set(first.meetingKey(meeting, 'room-read'), 'gone', 'PX', 3000));
    await client.close();

    const started = Date.now();
    const reads: string[] = [];
    const page = { recordings: ['r-2'] };
    const [own] = await Promise.all([
      new RedisPageShare(second).first(
        meeting,
        async () => {
          reads.push('page');
          return page;
        },
        async () => 7,
      ),
      new RedisRoomReadShare(second).once(meeting, async () => {
        reads.push('room');
        return true;
      }),
    ]);
    const waitedMs = Date.now() - started;

    assert.deepEqual(reads.sort(), ['page', 'room']);
    assert.deepEqual(own, { page, since: null });
    assert.ok(waitedMs >= 2500 && waitedMs < 5000, `the read came ${waitedMs} ms after the holder died`);
  });
});
