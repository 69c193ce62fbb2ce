/** Several proxy instances on one real Redis, against the real simulator. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import type { MeetingState } from '../../src/core/contract.ts';
import type { Recording, RecordingStatus } from '../../src/core/recording.ts';
import { statusRank } from '../../src/core/status.ts';
import { RedisEventBus } from '../../src/proxy/redis/bus.ts';
import { RedisConnection } from '../../src/proxy/redis/connection.ts';
import { RedisRecordingStore } from '../../src/proxy/redis/store.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import {
  EventStreamReader,
  eventually,
  meetingId,
  openEvents,
  readRecording,
  recordedSession,
  sleep,
  SPEED,
  startRig,
  startWatched,
  uploadedRecording,
  withFile,
} from './helpers.ts';
import type { Rig, StreamMessage } from './helpers.ts';
import { startInstances, startRedis } from './redis.ts';
import type { Instances, RunningRedis } from './redis.ts';

const NO_POLLS = { pollIntervals: { activeMs: 60_000, idleMs: 60_000 } };

const recordingEvents = (stream: EventStreamReader) =>
  stream.messages
    .filter((m) => m.event === 'recording')
    .map((m) => ({ id: Number(m.id), status: (m.data as Recording).status }));

const snapshotOf = (stream: EventStreamReader) => stream.next((m) => m.event === 'snapshot');

/** Three instances that take webhooks signed with a key of the test's, and a way to post one to any. */
async function signingInstances(redis: RunningRedis) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const instances = await startInstances(redis, 3, {
    proxy: { ...NO_POLLS, webhookPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  });
  const postWebhook = (rig: Rig, payload: unknown, deliveryId: string = randomUUID()) => {
    const body = JSON.stringify(payload);
    return rig.call('/webhooks', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'dyte-uuid': deliveryId,
        'dyte-signature': sign('sha256', Buffer.from(body), privateKey).toString('base64'),
      },
    });
  };
  return { instances, postWebhook };
}

describe('several proxy instances on one Redis', () => {
  let redis: RunningRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  it('delivers every change learned on one instance to the streams of the others, in order, with shared ids', async () => {
    const instances = await startInstances(redis, 3, { webhooks: [0], proxy: NO_POLLS });
    const [a, b, c] = instances.rigs as [Rig, Rig, Rig];
    try {
      const meeting = meetingId();
      const host = await a.token('host', meeting);
      const onB = await openEvents(b, meeting);
      const onC = await openEvents(c, meeting);
      try {
        await Promise.all([snapshotOf(onB), snapshotOf(onC)]);
        const uploaded = await uploadedRecording(a, meeting, host);
        for (const stream of [onB, onC]) {
          await stream.next((m) => m.event === 'recording' && (m.data as Recording).status === 'UPLOADED');
        }
        const seenOnB = recordingEvents(onB);
        assert.deepEqual(recordingEvents(onC), seenOnB, 'both streams saw the same events with the same ids');
        assert.deepEqual(
          [...new Set(seenOnB.map((event) => event.status))],
          ['INVOKED', 'RECORDING', 'UPLOADING', 'UPLOADED'],
        );
        for (let i = 1; i < seenOnB.length; i += 1) {
          assert.ok(seenOnB[i]!.id > seenOnB[i - 1]!.id, `ids increase: ${JSON.stringify(seenOnB)}`);
          assert.ok(statusRank(seenOnB[i]!.status) >= statusRank(seenOnB[i - 1]!.status));
        }
        const last = onB.messages.filter((m) => m.event === 'recording').at(-1)!.data as Recording;
        assert.deepEqual(last.startedBy, uploaded.startedBy);
      } finally {
        await onB.close();
        await onC.close();
      }
    } finally {
      await instances.close();
    }
  });

  it('resumes a stream on another instance with exactly the events it missed', async () => {
    const instances = await startInstances(redis, 3, { webhooks: [0], proxy: NO_POLLS });
    const [a, b, c] = instances.rigs as [Rig, Rig, Rig];
    try {
      const meeting = meetingId();
      const host = await a.token('host', meeting);
      const viewer = await b.token('viewer', meeting);
      const continuous = await openEvents(a, meeting);
      const first = await openEvents(b, meeting, viewer);
      await Promise.all([snapshotOf(continuous), snapshotOf(first)]);
      const id = await startWatched(a, meeting, host, first);
      const resumeFrom = first.messages.at(-1)!.id!;
      await first.close();

      await sleep(300); // > 5 simulated seconds of recording
      const stopped = await a.call(`/recordings/${id}`, {
        method: 'PUT',
        token: host,
        json: { action: 'stop' },
      });
      assert.equal(stopped.status, 200);
      await continuous.next((m) => m.event === 'recording' && (m.data as Recording).status === 'UPLOADED');

      const resumed = await EventStreamReader.open(`${c.url}/meetings/${meeting}/events`, viewer, {
        'last-event-id': resumeFrom,
      });
      try {
        const missed = continuous.messages.filter(
          (m) => m.id !== undefined && Number(m.id) > Number(resumeFrom),
        );
        assert.ok(missed.length >= 2, 'UPLOADING and UPLOADED were missed');
        await resumed.next((m) => m.id === missed.at(-1)!.id);
        const strip = (messages: StreamMessage[]) =>
          messages.map(({ event, id, data }) => ({ event, id, data }));
        assert.deepEqual(strip(resumed.messages), strip(missed), 'exactly the missed events, no snapshot');
      } finally {
        await resumed.close();
        await continuous.close();
      }
    } finally {
      await instances.close();
    }
  });

  it('applies a webhook delivery once, whichever instances it reaches', async () => {
    const { instances, postWebhook } = await signingInstances(redis);
    const [a, b, c] = instances.rigs as [Rig, Rig, Rig];
    const deliver = (rig: Rig, uuid: string, meeting: string, recordingId: string) =>
      postWebhook(
        rig,
        {
          event: 'recording.statusUpdate',
          recording: {
            id: recordingId,
            recordingId,
            meetingId: meeting,
            status: 'RECORDING',
            invokedTime: '2026-01-01 10:00:00.000000Z',
            startedTime: '2026-01-01 10:00:03.000000Z',
            stoppedTime: null,
            outputFileName: `${meeting}.mp4`,
          },
          meeting: { id: meeting },
        },
        uuid,
      );
    try {
      const meeting = meetingId();
      const stream = await openEvents(c, meeting);
      try {
        await snapshotOf(stream);
        const uuid = randomUUID();
        assert.equal((await deliver(a, uuid, meeting, 'rec-first')).status, 204);
        // The same delivery id again, at another instance (and with another body, to tell them apart).
        assert.equal((await deliver(b, uuid, meeting, 'rec-again')).status, 204);
        assert.equal((await deliver(b, randomUUID(), meeting, 'rec-next')).status, 204);
        await stream.next((m) => m.event === 'recording' && (m.data as Recording).id === 'rec-next');
        assert.deepEqual(
          stream.messages.filter((m) => m.event === 'recording').map((m) => (m.data as Recording).id),
          ['rec-first', 'rec-next'],
        );
      } finally {
        await stream.close();
      }
    } finally {
      await instances.close();
    }
  });

  it('counts the participants of a room whose webhooks reach different instances', async () => {
    const { instances, postWebhook } = await signingInstances(redis);
    const [a, b, c] = instances.rigs as [Rig, Rig, Rig];
    const joined = (rig: Rig, meeting: string, peerId: string, second: number) =>
      postWebhook(rig, {
        event: 'meeting.participantJoined',
        meeting: { id: meeting, startedAt: '2026-01-01T10:00:00.000Z' },
        participant: { peerId, joinedAt: `2026-01-01T10:00:0${second}.000Z` },
      });
    try {
      const meeting = meetingId();
      const stream = await openEvents(c, meeting);
      try {
        await snapshotOf(stream);
        assert.equal((await joined(a, meeting, 'peer-1', 1)).status, 204);
        await stream.next(
          (m) => m.event === 'meeting' && (m.data as { participants: number }).participants === 1,
        );
        assert.equal((await joined(b, meeting, 'peer-2', 2)).status, 204);
        await stream.next(
          (m) => m.event === 'meeting' && (m.data as { participants: number }).participants === 2,
        );
      } finally {
        await stream.close();
      }
    } finally {
      await instances.close();
    }
  });

  it('reads the room once for three instances that start watching a meeting together, and each counts who was there before', async () => {
    const instances = await startInstances(redis, 3, { proxy: NO_POLLS });
    const streams: EventStreamReader[] = [];
    try {
      const meeting = meetingId();
      const [a] = instances.rigs as [Rig];
      // Ana joined before the proxies watched: no webhook reaches them (none are registered).
      await a.control(`/_sim/meetings/${meeting}/participants`, { method: 'POST', json: { name: 'Ana' } });
      await a.resetUpstreamCalls();
      streams.push(...(await Promise.all(instances.rigs.map((rig) => openEvents(rig, meeting)))));
      for (const stream of streams) {
        const state = await stream.next((m) => m.event === 'meeting');
        assert.deepEqual(state.data, { participants: 1, emptySince: null, emptyTimeoutSeconds: 60 });
      }
      const { requests } = await a.upstreamCalls();
      assert.equal(requests['GET /v2/meetings/:meeting_id/active-session'], 1, JSON.stringify(requests));
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
      await instances.close();
    }
  });

  it('weighs webhooks at one instance against the room baseline another instance read', async () => {
    const sim = await startSimulator({ speed: SPEED, uploadMs: 0 });
    const participants = `${sim.url}/_sim/meetings`;
    const meeting = meetingId();
    const join = async (name: string) => {
      const response = await fetch(`${participants}/${meeting}/participants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      return ((await response.json()) as { participantId: string }).participantId;
    };
    const leave = (participant: string) =>
      fetch(`${participants}/${meeting}/participants/${participant}`, { method: 'DELETE' });
    // Ana joined before any instance was registered for webhooks: only the active session knows her.
    const ana = await join('Ana');
    const instances = await startInstances(redis, 3, { simulator: sim, webhooks: [0], proxy: NO_POLLS });
    const [a, b, c] = instances.rigs as [Rig, Rig, Rig];
    const streams: EventStreamReader[] = [];
    try {
      await a.resetUpstreamCalls();
      streams.push(await openEvents(b, meeting), await openEvents(c, meeting));
      const counted = (participants: number) =>
        Promise.all(
          streams.map((stream) =>
            stream.next(
              (m) =>
                m.event === 'meeting' &&
                m === stream.messages.filter((n) => n.event === 'meeting').at(-1) &&
                (m.data as MeetingState).participants === participants,
            ),
          ),
        );
      await counted(1);
      // The webhooks reach the first instance only, which never read the room itself.
      const ben = await join('Ben');
      await counted(2);
      await leave(ana); // her first word after the baseline: a departure of someone counted in it
      await counted(1);
      await leave(ben);
      const empty = await counted(0);
      for (const message of empty) assert.notEqual((message.data as MeetingState).emptySince, null);
      const { requests } = await a.upstreamCalls();
      assert.equal(requests['GET /v2/meetings/:meeting_id/active-session'], 1, JSON.stringify(requests));
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
      await instances.close();
      await sim.close();
    }
  });

  it("shows a transcript and summary heard at one instance on the others' streams, and after a restart of all", async () => {
    const sim = await startSimulator({
      speed: SPEED,
      uploadMs: 0,
      transcribe: true,
      emptyRoomTimeoutMs: 36_000_000,
    });
    const meeting = meetingId();
    const first = await startInstances(redis, 3, { simulator: sim, webhooks: [0], proxy: NO_POLLS });
    let running: Instances = first;
    try {
      const [a, b, c] = first.rigs as [Rig, Rig, Rig];
      const onB = await openEvents(b, meeting);
      const onC = await openEvents(c, meeting);
      let recording: Recording;
      try {
        await Promise.all([snapshotOf(onB), snapshotOf(onC)]);
        recording = await recordedSession(a, meeting, onB);
        for (const kind of ['transcript', 'summary'] as const) {
          await Promise.all([onB, onC].map((stream) => stream.next(withFile(recording.id, kind))));
        }
      } finally {
        await onB.close();
        await onC.close();
      }
      await first.close();

      // Every instance restarts on the same Redis: nothing of the first ones' memory remains.
      const second = await startInstances(redis, 3, {
        simulator: sim,
        prefix: first.redis.prefix,
        proxy: NO_POLLS,
      });
      running = second;
      await second.rigs[0]!.resetUpstreamCalls();
      for (const rig of second.rigs) {
        const stream = await openEvents(rig, meeting);
        try {
          const snapshot = (await snapshotOf(stream)).data as { recordings: Recording[] };
          const listed = snapshot.recordings.find((r) => r.id === recording.id);
          assert.equal(listed?.transcript, true);
          assert.equal(listed?.summary, true);
        } finally {
          await stream.close();
        }
      }
      const { requests } = await second.rigs[0]!.upstreamCalls();
      assert.ok(
        Object.keys(requests).every((route) => !route.includes('/sessions/')),
        `known from Redis, not asked again: ${JSON.stringify(requests)}`,
      );
    } finally {
      await running.close();
      await sim.close();
    }
  });

  it('makes one recording of two hosts pressing Record at once on two instances', async () => {
    const instances = await startInstances(redis, 2, { proxy: { upstreamTimeoutMs: 400 } });
    const [a, b] = instances.rigs as [Rig, Rig];
    try {
      const meeting = meetingId();
      const ana = await a.token('host', meeting, { sub: 'u-ana', name: 'Ana' });
      const ben = await b.token('host', meeting, { sub: 'u-ben', name: 'Ben' });
      // Ana's start is made upstream but its answer is lost; Ben presses Record meanwhile.
      await a.control('/_sim/faults', { method: 'POST', json: { kind: 'timeout', count: 1, ms: 5000 } });
      const start = (rig: Rig, token: string) =>
        rig.call(`/meetings/${meeting}/recordings`, { method: 'POST', token, json: {} });
      const anaStart = start(a, ana);
      await sleep(50);
      const [anaAnswer, benAnswer] = await Promise.all([anaStart, start(b, ben)]);
      assert.equal(anaAnswer.status, 201, await anaAnswer.clone().text());
      assert.equal(benAnswer.status, 409, await benAnswer.clone().text());
      const made = (await anaAnswer.json()) as Recording;
      const refused = (await benAnswer.json()) as { error: { code: string; recording: Recording } };
      assert.equal(refused.error.code, 'recording_active');
      assert.equal(refused.error.recording.id, made.id);
      assert.deepEqual(made.startedBy, { id: 'u-ana', name: 'Ana' });
      const list = await a.call(`/meetings/${meeting}/recordings`, { token: ana });
      assert.deepEqual(
        ((await list.json()) as { recordings: Recording[] }).recordings.map((r) => r.id),
        [made.id],
      );
    } finally {
      await instances.close();
    }
  });

  it('owns a start whose answer is lost while its webhook reaches another instance', async () => {
    const instances = await startInstances(redis, 2, { webhooks: [1], proxy: { upstreamTimeoutMs: 400 } });
    const [a, b] = instances.rigs as [Rig, Rig];
    try {
      const meeting = meetingId();
      const ana = await a.token('host', meeting, { sub: 'u-ana', name: 'Ana' });
      const stream = await openEvents(b, meeting);
      try {
        await snapshotOf(stream);
        await a.control('/_sim/faults', { method: 'POST', json: { kind: 'timeout', count: 1, ms: 5000 } });
        const started = await a.call(`/meetings/${meeting}/recordings`, {
          method: 'POST',
          token: ana,
          json: {},
        });
        assert.equal(started.status, 201, await started.clone().text());
        const made = (await started.json()) as Recording;
        assert.deepEqual(made.startedBy, { id: 'u-ana', name: 'Ana' });
        // The other instance heard of it first, by webhook, while the start's answer was lost.
        const heard = stream.messages.find((m) => m.event === 'recording')!.data as Recording;
        assert.equal(heard.id, made.id);
        assert.equal(heard.startedBy, null);
      } finally {
        await stream.close();
      }
    } finally {
      await instances.close();
    }
  });

  it('never moves a recording backwards nor drops a field when instances apply its reports at once', async () => {
    const { instances, postWebhook } = await signingInstances(redis);
    const reader = new RedisConnection(instances.redis, () => undefined);
    await reader.connect();
    const store = new RedisRecordingStore(reader);
    const LIFE: RecordingStatus[] = ['INVOKED', 'RECORDING', 'PAUSED', 'UPLOADING', 'UPLOADED'];
    const report = (meeting: string, recordingId: string, status: RecordingStatus) => {
      const rank = statusRank(status);
      return {
        event: 'recording.statusUpdate',
        recording: {
          id: recordingId,
          recordingId,
          meetingId: meeting,
          status,
          invokedTime: '2026-01-01 10:00:00.000000Z',
          startedTime: rank >= 1 ? '2026-01-01 10:00:03.000000Z' : null,
          stoppedTime: rank >= 2 ? '2026-01-01 10:05:00.000000Z' : null,
          fileSize: status === 'UPLOADED' ? '1048576' : null,
          downloadUrl: status === 'UPLOADED' ? 'https://files.example/link' : null,
          outputFileName: `${meeting}.mp4`,
        },
        meeting: { id: meeting },
      };
    };
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ status: fc.constantFrom(...LIFE), at: fc.nat(2) }), {
            minLength: 2,
            maxLength: 8,
          }),
          async (reports) => {
            const meeting = meetingId();
            const recordingId = `rec-${randomUUID().slice(0, 8)}`;
            const answers = await Promise.all(
              reports.map(({ status, at }) => {
                return postWebhook(instances.rigs[at]!, report(meeting, recordingId, status));
              }),
            );
            assert.deepEqual(
              answers.map((answer) => answer.status),
              reports.map(() => 204),
            );
            const known = await store.get(recordingId);
            assert.ok(known);
            const highest = Math.max(...reports.map(({ status }) => statusRank(status)));
            assert.equal(
              statusRank(known.status),
              highest,
              `${known.status} after ${JSON.stringify(reports)}`,
            );
            assert.equal(known.startedAt !== null, highest >= 1, 'startedAt kept');
            assert.equal(known.stoppedAt !== null, highest >= 2, 'stoppedAt kept');
            const uploaded = reports.some(({ status }) => status === 'UPLOADED');
            assert.equal(known.fileSizeBytes !== null, uploaded, 'fileSizeBytes kept');
          },
        ),
        { numRuns: 25 },
      );
    } finally {
      await reader.close();
      await instances.close();
    }
  });

  it('reads the upstream as often for a meeting watched on three instances as on one (webhooks off)', async () => {
    const three = await startInstances(redis, 3);
    const one = await startRig();
    const streams: EventStreamReader[] = [];
    try {
      const meeting = meetingId();
      const alone = meetingId();
      await Promise.all([three.rigs[0]!.resetUpstreamCalls(), one.resetUpstreamCalls()]);
      // Counted from before the first watcher: the first page is read once for all instances too.
      const opened = await Promise.all([
        ...three.rigs.map((rig) => openEvents(rig, meeting)),
        openEvents(one, alone),
      ]);
      streams.push(...opened);
      await Promise.all(streams.map(snapshotOf));
      await sleep(4000);
      const [calls3, calls1] = await Promise.all([three.rigs[0]!.upstreamCalls(), one.upstreamCalls()]);
      assert.ok(calls1.total >= 5, `the single instance polled: ${JSON.stringify(calls1)}`);
      // A poll reads the list and the room: per route, the two may be one poll apart, no more.
      const routes = new Set([...Object.keys(calls3.requests), ...Object.keys(calls1.requests)]);
      for (const route of routes)
        assert.ok(
          Math.abs((calls3.requests[route] ?? 0) - (calls1.requests[route] ?? 0)) <= 1,
          `${route}: three instances: ${JSON.stringify(calls3.requests)}; one: ${JSON.stringify(calls1.requests)}`,
        );
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
      await one.close();
      await three.close();
    }
  });

  it('pauses the poll on every instance while webhooks reach any one of them', async () => {
    const instances = await startInstances(redis, 3, { webhooks: [0] });
    const streams: EventStreamReader[] = [];
    try {
      const meeting = meetingId();
      // Watched on the two instances the webhooks do not reach: one of them holds the poll.
      for (const rig of instances.rigs.slice(1)) streams.push(await openEvents(rig, meeting));
      await Promise.all(streams.map(snapshotOf));
      // A participant joins: the simulator's webhook reaches the first instance only.
      await instances.rigs[0]!.control(`/_sim/meetings/${meeting}/participants`, {
        method: 'POST',
        json: {},
      });
      await streams[1]!.next((m) => m.event === 'meeting');
      await sleep(1500); // every instance has heard that webhooks flow
      await instances.rigs[0]!.resetUpstreamCalls();
      await sleep(2000);
      const calls = await instances.rigs[0]!.upstreamCalls();
      assert.equal(calls.total, 0, JSON.stringify(calls.requests));
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
      await instances.close();
    }
  });

  it('asks afresh whether webhooks flow before a poll of an instance they do not reach', async () => {
    // Polls 1.5 s apart: the poller's last word on the webhooks is older than the second it may be.
    const instances = await startInstances(redis, 2, {
      webhooks: [0],
      proxy: { pollIntervals: { activeMs: 1500, idleMs: 1500 } },
    });
    const [a, b] = instances.rigs as [Rig, Rig];
    const meeting = meetingId();
    const stream = await openEvents(b, meeting);
    try {
      await snapshotOf(stream);
      // The webhook reaches the first instance only; the second, which watches and polls, hears of it.
      await a.control(`/_sim/meetings/${meeting}/participants`, { method: 'POST', json: {} });
      await stream.next((m) => m.event === 'meeting');
      await a.resetUpstreamCalls();
      await sleep(2500); // the poller's next turn comes in this time
      const calls = await a.upstreamCalls();
      assert.equal(calls.total, 0, JSON.stringify(calls.requests));
    } finally {
      await stream.close();
      await instances.close();
    }
  });

  it("shows a change made since another instance's first page in a later watcher's snapshot", async () => {
    const instances = await startInstances(redis, 2, { proxy: NO_POLLS });
    const [a, b] = instances.rigs as [Rig, Rig];
    try {
      const meeting = meetingId();
      const host = await a.token('host', meeting);
      const onA = await openEvents(a, meeting);
      try {
        await snapshotOf(onA);
        await a.resetUpstreamCalls();
        const started = await a.call(`/meetings/${meeting}/recordings`, {
          method: 'POST',
          token: host,
          json: {},
        });
        const { id } = (await started.json()) as Recording;
        const onB = await openEvents(b, meeting);
        try {
          const snapshot = (await snapshotOf(onB)).data as {
            recordings: Recording[];
            active: Recording | null;
          };
          assert.deepEqual(
            snapshot.recordings.map((r) => r.id),
            [id],
          );
          assert.equal(snapshot.active?.id, id);
          const calls = await a.upstreamCalls();
          assert.equal(calls.total, 1, `only the start: ${JSON.stringify(calls.requests)}`);
        } finally {
          await onB.close();
        }
      } finally {
        await onA.close();
      }
    } finally {
      await instances.close();
    }
  });

  it('lets another instance take over the poll within seconds when the holder goes', async () => {
    const instances = await startInstances(redis, 2);
    const [a, b] = instances.rigs as [Rig, Rig];
    const meeting = meetingId();
    const onA = await openEvents(a, meeting);
    const onB = await openEvents(b, meeting);
    try {
      await Promise.all([snapshotOf(onA), snapshotOf(onB)]);
      await a.close(); // whichever held the lease, b must poll now
      await sleep(1500);
      await b.resetUpstreamCalls();
      await sleep(2000);
      const calls = await b.upstreamCalls();
      assert.ok(calls.total >= 3, `b polls: ${JSON.stringify(calls)}`);
      const host = await b.token('host', meeting);
      // The simulator's own webhooks are not registered: only b's polls can bring RECORDING.
      const started = await b.call(`/meetings/${meeting}/recordings`, {
        method: 'POST',
        token: host,
        json: {},
      });
      assert.equal(started.status, 201);
      const { id } = (await started.json()) as Recording;
      await onB.next((m) => m.event === 'recording' && (m.data as Recording).status === 'RECORDING');
      assert.equal((await readRecording(b, host, id)).status, 'RECORDING');
    } finally {
      await onA.close();
      await onB.close();
      await instances.close();
    }
  });

  it('hands every bus the events all of them publish at once, each once, in one order without gaps', async () => {
    const shared = { url: redis.url, prefix: `b${randomUUID().slice(0, 8)}:` };
    const connections = [0, 1, 2].map(() => new RedisConnection(shared, () => undefined));
    await Promise.all(connections.map((connection) => connection.connect()));
    const buses = connections.map((connection) => new RedisEventBus(connection));
    const meeting = meetingId();
    const seen = buses.map(() => [] as number[]);
    const unsubscribe = buses.map((bus, i) => bus.subscribe(meeting, (event) => seen[i]!.push(event.id)));
    try {
      const first = await Promise.all(buses.map((bus) => bus.lastId(meeting)));
      const published = await Promise.all(
        Array.from({ length: 90 }, (_, n) =>
          buses[n % 3]!.publish(meeting, {
            type: 'meeting',
            data: { participants: n, emptySince: null, emptyTimeoutSeconds: 60 },
          }),
        ),
      );
      const ids = published.map((event) => event.id).sort((x, y) => x - y);
      assert.equal(new Set(ids).size, 90, 'every event has its own id');
      assert.deepEqual(
        ids,
        Array.from({ length: 90 }, (_, n) => first[0]! + n + 1),
        'consecutive ids',
      );
      await eventually(
        async () => seen.map((received) => received.length),
        (counts) => counts.every((count) => count >= ids.length),
      );
      for (const received of seen) assert.deepEqual(received, ids, 'every bus delivered all, in id order');
      assert.deepEqual(
        await buses[1]!.since(meeting, ids[79]!),
        published.filter((event) => event.id > ids[79]!).sort((x, y) => x.id - y.id),
      );
    } finally {
      for (const release of unsubscribe) release();
      await Promise.all(connections.map((connection) => connection.close()));
    }
  });

  it('gives every key it writes a TTL within the retention, and every key of a meeting its hash tag', async () => {
    const shared = { url: redis.url, prefix: `r${randomUUID().slice(0, 8)}:`, retentionDays: 2 };
    const rig = await startRig({ webhooks: true, proxy: { redis: shared } });
    const client = new Redis(redis.url);
    try {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const stream = await openEvents(rig, meeting);
      try {
        await snapshotOf(stream);
        await uploadedRecording(rig, meeting, host);
      } finally {
        await stream.close();
      }
      const keys = await client.keys(`${shared.prefix}*`);
      assert.ok(keys.length >= 5, keys.join(' '));
      for (const key of keys) {
        // In ms: a short claim (a lease, a room read) can have less than a rounded second left.
        const ttl = await client.pttl(key);
        // -2: gone since it was listed (a released lease); -1 would be a key kept for ever.
        assert.ok(ttl === -2 || (ttl > 0 && ttl <= 2 * 86_400_000), `${key} expires in ${ttl} ms`);
        const own = key.slice(shared.prefix.length);
        assert.ok(
          // The indexes by recording and by session id are single keys no script spans with another.
          own.startsWith(`{${meeting}}:`) ||
            /^(recording-meeting|session|webhook|webhook-verified-at)\b/.test(own),
          `${key} belongs to a meeting but lacks its hash tag`,
        );
      }
    } finally {
      client.disconnect();
      await rig.close();
    }
  });

  it('keeps the in-memory default when no Redis is configured', async () => {
    const rig = await startRig();
    try {
      const health = (await (await rig.call('/health')).json()) as { state: { backend: string } };
      assert.equal(health.state.backend, 'memory');
      assert.equal(rig.proxy.state, 'memory');
    } finally {
      await rig.close();
    }
  });
});
