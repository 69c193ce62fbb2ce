/** What the instances keep in Redis survives them all crashing, and Redis itself going away. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRecordingToken } from '../../src/server.ts';
import type { Recording } from '../../src/core/recording.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import {
  eventually,
  meetingId,
  messageOf,
  openEvents,
  readRecording,
  sleep,
  SPEED,
  startWatched,
  TOKEN_SECRET,
} from './helpers.ts';
import type { Rig } from './helpers.ts';
import { spawnInstance, startInstances, startRedis } from './redis.ts';
import type { RunningRedis } from './redis.ts';

describe('state kept in Redis', () => {
  let redis: RunningRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  it('keeps who started and stopped each recording, and why, through a kill -9 of every instance', async () => {
    const sim = await startSimulator({ speed: SPEED, uploadMs: 0 });
    const shared = { url: redis.url, prefix: `k${randomUUID().slice(0, 8)}:` };
    const meeting = meetingId();
    const ana = await createRecordingToken(
      { meetingId: meeting, role: 'host', sub: 'u-ana', name: 'Ana' },
      TOKEN_SECRET,
    );
    const ben = await createRecordingToken(
      { meetingId: meeting, role: 'host', sub: 'u-ben', name: 'Ben' },
      TOKEN_SECRET,
    );
    const first = await spawnInstance(sim, shared);
    const second = await spawnInstance(sim, shared);
    let third;
    try {
      const read = async (url: string, id: string) =>
        (await (
          await fetch(`${url}/recordings/${id}`, { headers: { authorization: `Bearer ${ben}` } })
        ).json()) as Recording;
      const started = await fetch(`${first.url}/meetings/${meeting}/recordings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ana}`, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(started.status, 201);
      const { id } = (await started.json()) as Recording;
      await eventually(
        () => read(second.url, id),
        (r) => r.status === 'RECORDING',
      );
      await sleep(300); // > 5 simulated seconds of recording
      const stopped = await fetch(`${second.url}/recordings/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ben}`, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'stop' }),
      });
      assert.equal(stopped.status, 200);
      await eventually(
        () => read(first.url, id),
        (r) => r.status === 'UPLOADED',
      );

      await Promise.all([first.kill(), second.kill()]);
      third = await spawnInstance(sim, shared);
      const recording = await read(third.url, id);
      assert.equal(recording.status, 'UPLOADED');
      assert.deepEqual(recording.startedBy, { id: 'u-ana', name: 'Ana' });
      assert.deepEqual(recording.stoppedBy, { id: 'u-ben', name: 'Ben' });
      assert.equal(recording.stopReason, 'API_CALL');
      const list = (await (
        await fetch(`${third.url}/meetings/${meeting}/recordings`, {
          headers: { authorization: `Bearer ${ben}` },
        })
      ).json()) as { recordings: Recording[] };
      assert.deepEqual(
        list.recordings.map((r) => [r.id, r.startedBy?.name, r.stoppedBy?.name]),
        [[id, 'Ana', 'Ben']],
      );
    } finally {
      await Promise.all([first.kill(), second.kill(), third?.kill()]);
      await sim.close();
    }
  });

  it('answers 503 while Redis is down, without crashing, and heals with nothing lost when it is back', async () => {
    const instances = await startInstances(redis, 2, { webhooks: [0] });
    const [a, b] = instances.rigs as [Rig, Rig];
    try {
      const meeting = meetingId();
      const ana = await a.token('host', meeting, { sub: 'u-ana', name: 'Ana' });
      const ben = await b.token('host', meeting, { sub: 'u-ben', name: 'Ben' });
      const stream = await openEvents(b, meeting);
      try {
        await stream.next((m) => m.event === 'snapshot');
        const id = await startWatched(a, meeting, ana, stream);

        await redis.kill();
        await eventually(
          async () => (await a.call('/health')).status,
          (status) => status === 503,
        );
        const health = (await (await b.call('/health')).json()) as {
          ok: boolean;
          state: { backend: string; reachable: boolean };
        };
        assert.deepEqual(health.state, { backend: 'redis', reachable: false });
        assert.equal(health.ok, false);
        for (const [rig, path, init] of [
          [a, `/meetings/${meeting}/recordings`, { method: 'POST', token: ana, json: {} }],
          [b, `/recordings/${id}`, { token: ben }],
          [b, `/recordings/${id}`, { method: 'PUT', token: ben, json: { action: 'stop' } }],
        ] as const) {
          const sent = Date.now();
          const response = await rig.call(path, init);
          const ms = Date.now() - sent;
          assert.equal(response.status, 503, `${init.method ?? 'GET'} ${path}`);
          const { error } = (await response.json()) as { error: { code: string; message: string } };
          assert.equal(error.code, 'store_unavailable');
          assert.match(error.message, /Redis/);
          assert.ok(ms < 3000, `answered in ${ms} ms`);
        }
        const heartbeats = stream.comments.length;
        await eventually(
          async () => stream.comments.length,
          (count) => count > heartbeats,
        );

        await redis.restart();
        for (const rig of [a, b]) {
          await eventually(
            async () => (await rig.call('/health')).status,
            (status) => status === 200,
            10_000,
          );
        }
        await sleep(300); // > 5 simulated seconds of recording
        const stopped = await b.call(`/recordings/${id}`, {
          method: 'PUT',
          token: ben,
          json: { action: 'stop' },
        });
        assert.equal(stopped.status, 200, await stopped.clone().text());
        // The stream opened before the outage still follows the recording.
        await stream.next(
          (m) => m.event === 'recording' && (m.data as Recording).status === 'UPLOADED',
          10_000,
        );
        const recording = await readRecording(a, ana, id);
        assert.deepEqual(recording.startedBy, { id: 'u-ana', name: 'Ana' });
        assert.deepEqual(recording.stoppedBy, { id: 'u-ben', name: 'Ben' });
        assert.ok(a.logs.some((line) => messageOf(line).startsWith('redis unreachable')));
        assert.ok(a.logs.some((line) => messageOf(line) === 'redis reachable again'));
      } finally {
        await stream.close();
      }
    } finally {
      await instances.close();
    }
  });

  it('says it cannot reach Redis at start-up and keeps trying instead of exiting', async () => {
    const sim = await startSimulator({ speed: SPEED });
    const down = await startRedis();
    const port = down.port;
    await down.kill();
    const starting = spawnInstance(sim, { url: `redis://:hunter2-secret@127.0.0.1:${port}` });
    starting.catch(() => undefined); // awaited below
    let instance;
    try {
      await sleep(1500);
      await down.restart();
      instance = await starting;
      assert.match(instance.stderr(), /cannot reach redis at redis:\/\/127\.0\.0\.1:\d+ \(.+\); retrying/);
      assert.doesNotMatch(
        instance.stderr() + instance.stdout(),
        /hunter2|\n\s+at /,
        'no password, no stack trace',
      );
      assert.match(instance.stdout(), /state: redis redis:\/\/127\.0\.0\.1:\d+ \(prefix drk:\)/);
      assert.equal((await fetch(`${instance.url}/health`)).status, 200);
    } finally {
      await instance?.kill();
      await down.close();
      await sim.close();
    }
  });
});
