/** Webhooks: registration, the simulator's real signed deliveries, and forged, duplicated and stale ones. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { MeetingState } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import { meetingId, messageOf, openEvents, sleep, startRig } from './helpers.ts';
import type { EventStreamReader, Rig } from './helpers.ts';

for (const kind of ['v2', 'v1'] as const) {
  describe(`webhooks from the simulator (${kind})`, () => {
    let rig: Rig;
    before(async () => {
      rig = await startRig({
        kind,
        webhooks: true,
        proxy: { pollIntervals: { activeMs: 60_000, idleMs: 60_000 } },
      });
    });
    after(() => rig.close());

    const registrations = async () => {
      const response = await fetch(`${rig.sim.url}/v2/webhooks`, {
        headers: { authorization: `Basic ${btoa(`${rig.sim.orgId}:${rig.sim.apiKey}`)}` },
      });
      return ((await response.json()) as { data: { id: string; url: string; events: string[] }[] }).data;
    };

    it('registers its URL once, however often it starts', async () => {
      await rig.proxy.start();
      await rig.proxy.start();
      const ours = (await registrations()).filter((webhook) => webhook.url.startsWith(rig.url));
      assert.equal(ours.length, 1);
      assert.ok(ours[0]!.events.includes('recording.statusUpdate'));
      assert.ok(ours[0]!.events.includes('meeting.participantJoined'));
    });

    it('completes an existing registration of its URL that misses events', async () => {
      const [ours] = (await registrations()).filter((webhook) => webhook.url.startsWith(rig.url));
      const narrowed = await fetch(`${rig.sim.url}/v2/webhooks/${ours!.id}`, {
        method: 'PATCH',
        headers: {
          authorization: `Basic ${btoa(`${rig.sim.orgId}:${rig.sim.apiKey}`)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ events: ['meeting.started'] }),
      });
      assert.equal(narrowed.status, 200);
      await rig.proxy.start();
      const after = (await registrations()).filter((webhook) => webhook.url.startsWith(rig.url));
      assert.equal(after.length, 1);
      assert.equal(after[0]!.id, ours!.id);
      assert.ok(after[0]!.events.includes('recording.statusUpdate'));
      assert.ok(rig.logs.some((line) => messageOf(line).startsWith('webhook registration updated')));
    });

    it('pushes recording updates to watchers from verified webhooks, without polling', async () => {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const stream = await openEvents(rig, meeting, host);
      try {
        await stream.next((m) => m.event === 'snapshot');
        await rig.resetUpstreamCalls();
        const started = await rig.call(`/meetings/${meeting}/recordings`, {
          method: 'POST',
          token: host,
          json: {},
        });
        const { id } = (await started.json()) as Recording;
        // Polls are an hour apart here: RECORDING can only have come by webhook.
        const recording = await stream.next(
          (m) => m.event === 'recording' && (m.data as Recording).status === 'RECORDING',
        );
        assert.equal((recording.data as Recording).id, id);
        assert.deepEqual((recording.data as Recording).startedBy, { id: 'host-1', name: 'Ana' });
        const calls = await rig.upstreamCalls();
        assert.equal(calls.total, 1, JSON.stringify(calls.requests)); // the start itself
        const health = (await (await rig.call('/health')).json()) as { upstream: { webhooks: boolean } };
        assert.equal(health.upstream.webhooks, true);
      } finally {
        await stream.close();
      }
    });

    it('verifies with the key fetched from the upstream, refusing what it did not sign', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const body = JSON.stringify({ event: 'meeting.started', meeting: { id: 'm-1' } });
      const response = await rig.call('/webhooks', {
        method: 'POST',
        body,
        headers: { 'dyte-signature': sign('sha256', Buffer.from(body), privateKey).toString('base64') },
      });
      assert.equal(response.status, 401);
    });

    it('turns participant webhooks into meeting events', async () => {
      const meeting = meetingId();
      const stream = await openEvents(rig, meeting);
      try {
        await stream.next((m) => m.event === 'snapshot');
        const joined = await rig.control(`/_sim/meetings/${meeting}/participants`, {
          method: 'POST',
          json: { name: 'Eve' },
        });
        const { participantId } = (await joined.json()) as { participantId: string };
        const present = await stream.next(
          (m) => m.event === 'meeting' && (m.data as MeetingState).participants === 1,
        );
        assert.equal((present.data as MeetingState).emptySince, null);
        assert.equal((present.data as MeetingState).emptyTimeoutSeconds, 60, 'the default, as Dyte');
        await rig.control(`/_sim/meetings/${meeting}/participants/${participantId}`, { method: 'DELETE' });
        const empty = await stream.next(
          (m) => m.event === 'meeting' && (m.data as MeetingState).participants === 0,
        );
        assert.ok(Date.parse((empty.data as MeetingState).emptySince ?? ''));
      } finally {
        await stream.close();
      }
    });
  });
}

describe('polling and webhooks', () => {
  it('polls a watched meeting only while webhooks are not flowing', async () => {
    const rig = await startRig({ webhooks: true, proxy: { pollIntervals: { activeMs: 50, idleMs: 50 } } });
    try {
      const meeting = meetingId();
      const stream = await openEvents(rig, meeting);
      try {
        await stream.next((m) => m.event === 'snapshot');
        await sleep(300);
        assert.ok((await rig.upstreamCalls()).requests['GET /v2/recordings']! >= 3, 'no webhook yet: polls');
        await rig.control(`/_sim/meetings/${meeting}/participants`, { method: 'POST', json: {} });
        await stream.next((m) => m.event === 'meeting');
        await sleep(100);
        await rig.resetUpstreamCalls();
        await sleep(400);
        assert.equal((await rig.upstreamCalls()).total, 0, 'webhooks flow: no polls');
      } finally {
        await stream.close();
      }
    } finally {
      await rig.close();
    }
  });
});

describe('webhook verification', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      proxy: {
        webhookPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        pollIntervals: { activeMs: 60_000, idleMs: 60_000 },
        emptyRoomTimeoutSeconds: 45,
      },
    });
  });
  after(() => rig.close());

  const statusUpdate = (meeting: string, id: string, status: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      event: 'recording.statusUpdate',
      recording: {
        id,
        recordingId: id,
        meetingId: meeting,
        status,
        invokedTime: '2026-01-01 10:00:00.123456Z',
        startedTime: status === 'INVOKED' ? null : '2026-01-01 10:00:03.000000Z',
        stoppedTime: ['UPLOADING', 'UPLOADED'].includes(status) ? '2026-01-01 10:05:00.000000Z' : null,
        outputFileName: `${meeting}_1.mp4`,
        fileSize: status === 'UPLOADED' ? '1048576' : null,
        downloadUrl: status === 'UPLOADED' ? 'https://files.example/secret-link' : null,
        stopReason: status === 'UPLOADED' ? "{'reason': 'ALL_PEERS_LEFT', 'caller': None}" : null,
        ...extra,
      },
      meeting: { id: meeting },
    });

  const deliver = (
    body: string,
    options: { key?: typeof privateKey; uuid?: string; prefix?: string; signature?: string } = {},
  ) => {
    const prefix = options.prefix ?? 'dyte';
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [`${prefix}-uuid`]: options.uuid ?? randomUUID(),
    };
    const signature =
      options.signature ?? sign('sha256', Buffer.from(body), options.key ?? privateKey).toString('base64');
    if (signature !== '') headers[`${prefix}-signature`] = signature;
    return rig.call('/webhooks', { method: 'POST', body, headers });
  };

  /** Runs `test` with a stream of the meeting (past its snapshot), closed afterwards. */
  const watching = async <T>(
    meeting: string,
    test: (stream: EventStreamReader) => Promise<T>,
  ): Promise<T> => {
    const stream = await openEvents(rig, meeting);
    try {
      await stream.next((m) => m.event === 'snapshot');
      return await test(stream);
    } finally {
      await stream.close();
    }
  };
  const recordingEvents = (stream: EventStreamReader) =>
    stream.messages.filter((m) => m.event === 'recording').map((m) => m.data as Recording);

  it('applies a correctly signed delivery (dyte-* or rtk-* headers) and answers 204', async () => {
    const meeting = meetingId();
    await watching(meeting, async (stream) => {
      const response = await deliver(statusUpdate(meeting, 'rec-a', 'RECORDING'));
      assert.equal(response.status, 204);
      const event = await stream.next((m) => m.event === 'recording');
      assert.equal((event.data as Recording).status, 'RECORDING');
      assert.equal((event.data as Recording).startedAt, '2026-01-01T10:00:03.000Z');
      const rtk = await deliver(statusUpdate(meeting, 'rec-b', 'INVOKED'), { prefix: 'rtk' });
      assert.equal(rtk.status, 204);
      await stream.next((m) => m.event === 'recording' && (m.data as Recording).id === 'rec-b');
    });
  });

  it('answers 401 and applies nothing when the signature is missing, wrong or over another body', async () => {
    const meeting = meetingId();
    await watching(meeting, async (stream) => {
      const body = statusUpdate(meeting, 'rec-forged', 'RECORDING');
      const cases = {
        missing: await deliver(body, { signature: '' }),
        'another key': await deliver(body, { key: otherKey }),
        'not base64': await deliver(body, { signature: '%%%' }),
        'another body': await deliver(body, {
          signature: sign('sha256', Buffer.from(`${body} `), privateKey).toString('base64'),
        }),
      };
      for (const [name, response] of Object.entries(cases)) {
        assert.equal(response.status, 401, name);
        assert.equal(
          ((await response.json()) as { error: { code: string } }).error.code,
          'invalid_signature',
        );
      }
      // A good delivery after the forged ones: once it arrives, nothing forged came before it.
      await deliver(statusUpdate(meeting, 'rec-real', 'RECORDING'));
      await stream.next((m) => m.event === 'recording');
      assert.deepEqual(
        recordingEvents(stream).map((r) => r.id),
        ['rec-real'],
      );
    });
  });

  it('ignores a second delivery with the same id', async () => {
    const meeting = meetingId();
    await watching(meeting, async (stream) => {
      const uuid = randomUUID();
      assert.equal((await deliver(statusUpdate(meeting, 'rec-d', 'RECORDING'), { uuid })).status, 204);
      assert.equal((await deliver(statusUpdate(meeting, 'rec-d', 'UPLOADING'), { uuid })).status, 204);
      await deliver(statusUpdate(meeting, 'rec-barrier-1', 'INVOKED'));
      await stream.next((m) => m.event === 'recording' && (m.data as Recording).id === 'rec-barrier-1');
      assert.deepEqual(
        recordingEvents(stream).map((r) => `${r.id}:${r.status}`),
        ['rec-d:RECORDING', 'rec-barrier-1:INVOKED'],
      );
    });
  });

  it('never moves a recording backwards on a late or replayed delivery', async () => {
    const meeting = meetingId();
    await watching(meeting, async (stream) => {
      await deliver(statusUpdate(meeting, 'rec-s', 'UPLOADED'));
      const uploaded = await stream.next((m) => m.event === 'recording');
      assert.equal((uploaded.data as Recording).stopReason, 'ALL_PEERS_LEFT');
      assert.equal((uploaded.data as Recording).fileSizeBytes, 1048576);
      await deliver(statusUpdate(meeting, 'rec-s', 'RECORDING'));
      await deliver(statusUpdate(meeting, 'rec-s', 'INVOKED'));
      await deliver(statusUpdate(meeting, 'rec-barrier-2', 'INVOKED'));
      await stream.next((m) => m.event === 'recording' && (m.data as Recording).id === 'rec-barrier-2');
      const statuses = recordingEvents(stream)
        .filter((r) => r.id === 'rec-s')
        .map((r) => r.status);
      assert.deepEqual(statuses, ['UPLOADED']);
      const downloadLeak = JSON.stringify(stream.messages).includes('secret-link');
      assert.equal(downloadLeak, false, 'download URLs never travel in events');
    });
  });

  describe('participants, whatever order their webhooks arrive in', () => {
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, second)).toISOString();
    /** The meeting object of a session that started at `session` seconds. */
    const session = (meeting: string, started: number) => ({
      id: meeting,
      sessionId: `session-${started}`,
      title: meeting,
      createdAt: at(0),
      startedAt: at(started),
    });
    const started = (meeting: string, sessionAt: number) =>
      JSON.stringify({
        event: 'meeting.started',
        meeting: { ...session(meeting, sessionAt), status: 'LIVE' },
      });
    const ended = (meeting: string, sessionAt: number) =>
      JSON.stringify({
        event: 'meeting.ended',
        meeting: { ...session(meeting, sessionAt), status: 'ENDED' },
        reason: 'ALL_PARTICIPANTS_LEFT',
      });
    const joined = (meeting: string, sessionAt: number, peer: string, joinedAt: number) =>
      JSON.stringify({
        event: 'meeting.participantJoined',
        meeting: session(meeting, sessionAt),
        participant: { peerId: peer, userDisplayName: peer, joinedAt: at(joinedAt) },
      });
    const left = (meeting: string, sessionAt: number, peer: string, joinedAt: number, leftAt: number) =>
      JSON.stringify({
        event: 'meeting.participantLeft',
        meeting: session(meeting, sessionAt),
        participant: { peerId: peer, userDisplayName: peer, joinedAt: at(joinedAt), leftAt: at(leftAt) },
      });

    /** Delivers `bodies` one after the other and returns the meeting state the stream ends with. */
    const roomAfter = async (meeting: string, bodies: string[]): Promise<MeetingState> => {
      return watching(meeting, async (stream) => {
        for (const body of bodies) assert.equal((await deliver(body)).status, 204);
        const barrier = `rec-barrier-${randomUUID().slice(0, 8)}`;
        await deliver(statusUpdate(meeting, barrier, 'INVOKED'));
        await stream.next((m) => m.event === 'recording' && (m.data as Recording).id === barrier);
        const states = stream.messages
          .filter((m) => m.event === 'meeting')
          .map((m) => m.data as MeetingState);
        assert.ok(states.length > 0, 'a meeting event was sent');
        return states.at(-1)!;
      });
    };

    it('counts a participant whose meeting.started arrives after their join, or before', async () => {
      const meeting = meetingId();
      const late = await roomAfter(meeting, [joined(meeting, 10, 'p-1', 10), started(meeting, 10)]);
      assert.deepEqual(late, { participants: 1, emptySince: null, emptyTimeoutSeconds: 45 });
      const other = meetingId();
      const early = await roomAfter(other, [started(other, 10), joined(other, 10, 'p-1', 10)]);
      assert.deepEqual(early, { participants: 1, emptySince: null, emptyTimeoutSeconds: 45 });
    });

    it('forgets participants of an earlier session when a new one starts', async () => {
      const meeting = meetingId();
      // p-1's departure is lost; the next session starts without them.
      const room = await roomAfter(meeting, [
        joined(meeting, 10, 'p-1', 10),
        started(meeting, 40),
        joined(meeting, 40, 'p-2', 40),
      ]);
      assert.equal(room.participants, 1);
      // A join from the earlier session that arrives late does not bring anybody back.
      const other = meetingId();
      const late = await roomAfter(other, [started(other, 40), joined(other, 10, 'p-1', 10)]);
      assert.equal(late.participants, 0);
    });

    it('keeps a participant who rejoined when the earlier meeting.ended arrives late', async () => {
      const meeting = meetingId();
      const newSession = await roomAfter(meeting, [
        joined(meeting, 10, 'p-1', 10),
        left(meeting, 10, 'p-1', 10, 20),
        joined(meeting, 30, 'p-2', 30),
        started(meeting, 30),
        ended(meeting, 10),
      ]);
      assert.deepEqual(newSession, { participants: 1, emptySince: null, emptyTimeoutSeconds: 45 });
      // A running recording keeps the session open through the empty spell: same session, later join.
      const other = meetingId();
      const sameSession = await roomAfter(other, [
        joined(other, 10, 'p-1', 10),
        left(other, 10, 'p-1', 10, 20),
        joined(other, 10, 'p-2', 30),
        ended(other, 10),
      ]);
      assert.equal(sameSession.participants, 1);
    });

    it('empties the room on a meeting.ended that overtakes the last departure, from that departure', async () => {
      const meeting = meetingId();
      const room = await roomAfter(meeting, [
        joined(meeting, 10, 'p-1', 10),
        joined(meeting, 10, 'p-2', 12),
        left(meeting, 10, 'p-1', 10, 20),
        ended(meeting, 10),
      ]);
      assert.deepEqual(room, { participants: 0, emptySince: at(20), emptyTimeoutSeconds: 45 });
    });
  });

  it('answers 400 to a signed body that is not JSON, and 204 to events it does not use', async () => {
    const broken = await deliver('{not json');
    assert.equal(broken.status, 400);
    const unknownRecording = await deliver(
      JSON.stringify({ event: 'recording.statusUpdate', recording: { id: 'x', status: 'DANCING' } }),
    );
    assert.equal(unknownRecording.status, 400);
    const other = await deliver(JSON.stringify({ event: 'meeting.chatSynced', meeting: { id: 'm-1' } }));
    assert.equal(other.status, 204);
  });

  it('answers within the 3 s webhook budget under a burst', async () => {
    const meeting = meetingId();
    const began = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => deliver(statusUpdate(meeting, `rec-burst-${i}`, 'RECORDING'))),
    );
    assert.ok(responses.every((r) => r.status === 204));
    assert.ok(Date.now() - began < 3000);
  });
});
