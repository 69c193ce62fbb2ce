/**
 * The paused time the proxy learns (the upstream reports none): noted on the stream's recordings,
 * kept against the upstream's pause-less reports, and in Redis through a kill -9 of every instance.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRecordingToken } from '../../src/server.ts';
import type { Recording } from '../../src/core/recording.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import {
  eventually,
  meetingId,
  openEvents,
  readRecording,
  sleep,
  SPEED,
  startRig,
  startWatched,
  TOKEN_SECRET,
} from './helpers.ts';
import { spawnInstance, startRedis } from './redis.ts';
import type { RunningRedis } from './redis.ts';

/** Real milliseconds of the pause: 20 simulated seconds. */
const PAUSE_MS = 20_000 / SPEED;
/** What the proxy may add on top of the pause: the resume's round trip, on a busy machine. */
const SLACK_MS = 1500;

const isRecording = (status: Recording['status']) => (m: { event: string; data: unknown }) =>
  m.event === 'recording' && (m.data as Recording).status === status;

describe('paused time', () => {
  it('is noted when a pause begins, totalled when it ends, and outlives the upstream reports', async () => {
    const rig = await startRig();
    try {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const stream = await openEvents(rig, meeting, host);
      try {
        await stream.next((m) => m.event === 'snapshot');
        const id = await startWatched(rig, meeting, host, stream);
        const control = (action: string) =>
          rig.call(`/recordings/${id}`, { method: 'PUT', token: host, json: { action } });

        const beforePause = Date.now();
        const paused = (await (await control('pause')).json()) as Recording;
        assert.equal(paused.status, 'PAUSED');
        assert.equal(paused.pausedSeconds, 0);
        assert.ok(Date.parse(paused.pausedAt!) >= beforePause, `pausedAt ${paused.pausedAt}`);
        const event = (await stream.next(isRecording('PAUSED'))).data as Recording;
        assert.equal(event.pausedAt, paused.pausedAt);

        await sleep(PAUSE_MS);
        const resumed = (await (await control('resume')).json()) as Recording;
        assert.equal(resumed.status, 'RECORDING');
        assert.equal(resumed.pausedAt, null);
        const total = resumed.pausedSeconds;
        assert.ok(total * 1000 >= PAUSE_MS && total * 1000 < PAUSE_MS + SLACK_MS, `pausedSeconds ${total}`);
        const resumedEvent = await stream.next(
          (m) => isRecording('RECORDING')(m) && (m.data as Recording).pausedSeconds > 0,
        );
        assert.equal((resumedEvent.data as Recording).pausedSeconds, total);

        // Polls keep reading the recording upstream, which reports no pauses: the total stays.
        await sleep(500);
        assert.equal((await readRecording(rig, host, id)).pausedSeconds, total);
        const list = (await (await rig.call(`/meetings/${meeting}/recordings`, { token: host })).json()) as {
          active: Recording;
        };
        assert.deepEqual(
          [list.active.id, list.active.pausedSeconds, list.active.pausedAt],
          [id, total, null],
        );
        const since = stream.messages.slice(stream.messages.indexOf(resumedEvent));
        assert.deepEqual(
          since.filter((m) => m.event === 'recording').map((m) => (m.data as Recording).pausedSeconds),
          since.filter((m) => m.event === 'recording').map(() => total),
          'no event after the resume lost the total',
        );
      } finally {
        await stream.close();
      }
    } finally {
      await rig.close();
    }
  });
});

describe('paused time kept in Redis', () => {
  let redis: RunningRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  it('is learned across instances (paused on one, resumed on another) and survives a kill -9 of all', async () => {
    const sim = await startSimulator({ speed: SPEED, uploadMs: 0 });
    const shared = { url: redis.url, prefix: `p${randomUUID().slice(0, 8)}:` };
    const meeting = meetingId();
    const host = await createRecordingToken(
      { meetingId: meeting, role: 'host', sub: 'u-ana', name: 'Ana' },
      TOKEN_SECRET,
    );
    const call = (url: string, path: string, action?: string) =>
      fetch(`${url}${path}`, {
        method: action ? 'PUT' : 'GET',
        headers: { authorization: `Bearer ${host}`, 'content-type': 'application/json' },
        body: action ? JSON.stringify({ action }) : undefined,
      }).then((response) => response.json() as Promise<Recording>);
    const first = await spawnInstance(sim, shared);
    const second = await spawnInstance(sim, shared);
    let third;
    try {
      const started = await fetch(`${first.url}/meetings/${meeting}/recordings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${host}`, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(started.status, 201);
      const { id } = (await started.json()) as Recording;
      await eventually(
        () => call(second.url, `/recordings/${id}`),
        (r) => r.status === 'RECORDING',
      );
      const paused = await call(first.url, `/recordings/${id}`, 'pause');
      assert.equal(paused.status, 'PAUSED');
      // The other instance knows when the pause began: it is one fold, in Redis.
      assert.equal((await call(second.url, `/recordings/${id}`)).pausedAt, paused.pausedAt);
      await sleep(PAUSE_MS);
      const resumed = await call(second.url, `/recordings/${id}`, 'resume');
      const total = resumed.pausedSeconds;
      assert.ok(total * 1000 >= PAUSE_MS && total * 1000 < PAUSE_MS + SLACK_MS, `pausedSeconds ${total}`);
      assert.equal((await call(first.url, `/recordings/${id}`)).pausedSeconds, total);

      await Promise.all([first.kill(), second.kill()]);
      third = await spawnInstance(sim, shared);
      const after = await call(third.url, `/recordings/${id}`);
      assert.deepEqual([after.status, after.pausedSeconds, after.pausedAt], ['RECORDING', total, null]);
    } finally {
      await Promise.all([first.kill(), second.kill(), third?.kill()]);
      await sim.close();
    }
  });
});
