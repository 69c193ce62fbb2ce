/** Who is in the room, read from the upstream's active session and reconciled with webhooks. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import type { MeetingState } from '../../src/core/contract.ts';
import { createRecordingToken, startProxy } from '../../src/server.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { conformance } from '../simulator/conformance.ts';
import type { Kind, Rig, StreamMessage } from './helpers.ts';
import {
  EventStreamReader,
  freePort,
  meetingId,
  openEvents,
  SPEED,
  startRig,
  TOKEN_SECRET,
  upstreamConfig,
} from './helpers.ts';

const isMeeting = (m: StreamMessage) => m.event === 'meeting';

/** Waits until the stream's newest meeting state has `participants` people in the room. */
async function until(stream: EventStreamReader, participants: number): Promise<MeetingState> {
  const found = await stream.next(
    (m) =>
      isMeeting(m) &&
      m === stream.messages.filter(isMeeting).at(-1) &&
      (m.data as MeetingState).participants === participants,
  );
  return found.data as MeetingState;
}

/** A simulator with one meeting whose room the test fills, and proxies started against it at will. */
async function scene(kind: Kind) {
  const sim = await startSimulator({ speed: SPEED, uploadMs: 0, observe: conformance().check });
  const meeting = meetingId();
  const token = await createRecordingToken({ meetingId: meeting, role: 'viewer', sub: 'v-1' }, TOKEN_SECRET);
  const participants = `${sim.url}/_sim/meetings/${meeting}/participants`;
  const stats = `${sim.url}/_sim/stats`;
  return {
    sim,
    async join(): Promise<string> {
      const response = await fetch(participants, { method: 'POST' });
      return ((await response.json()) as { participantId: string }).participantId;
    },
    async leave(participant: string): Promise<void> {
      await fetch(`${participants}/${participant}`, { method: 'DELETE' });
    },
    /** A proxy with webhooks on a fresh port and a fresh memory, as a (re)started proxy would be. */
    async proxy() {
      const port = await freePort();
      return startProxy({
        upstream: upstreamConfig(kind, sim),
        tokenSecret: TOKEN_SECRET,
        port,
        pollIntervals: { activeMs: 60_000, idleMs: 60_000 },
        publicWebhookUrl: `http://127.0.0.1:${port}/webhooks`,
        log: () => undefined,
        // Every viewer here shares one token.
        streamCaps: { perToken: 0 },
      });
    },
    open: (proxyUrl: string) => EventStreamReader.open(`${proxyUrl}/meetings/${meeting}/events`, token),
    async calls(): Promise<Record<string, number>> {
      return ((await (await fetch(stats)).json()) as { requests: Record<string, number> }).requests;
    },
    resetCalls: () => fetch(stats, { method: 'DELETE' }),
  };
}

const ACTIVE_SESSION = {
  v2: 'GET /v2/meetings/:meeting_id/active-session',
  rtk: 'GET /client/v4/accounts/:account_id/realtime/kit/:app_id/meetings/:meeting_id/active-session',
};

for (const kind of ['v2', 'rtk'] as const) {
  describe(`the room from the upstream (${kind})`, () => {
    it('counts a participant who joined before the proxy started, and counts down only once the room is empty', async () => {
      const world = await scene(kind);
      try {
        // Ana joined before the proxy started: no webhook told it.
        const ana = await world.join();
        const proxy = await world.proxy();
        const stream = await world.open(proxy.url);
        try {
          assert.equal((await until(stream, 1)).emptySince, null);
          // Ben comes and goes: Ana is still there, no countdown.
          const ben = await world.join();
          await until(stream, 2);
          await world.leave(ben);
          assert.equal((await until(stream, 1)).emptySince, null);
          // Ana leaves: now the room is empty and the countdown runs.
          await world.leave(ana);
          const empty = await until(stream, 0);
          assert.ok(empty.emptySince !== null && !Number.isNaN(Date.parse(empty.emptySince)));
        } finally {
          await stream.close();
          await proxy.close();
        }
      } finally {
        await world.sim.close();
      }
    });

    it('knows the room again after a proxy restart', async () => {
      const world = await scene(kind);
      try {
        const first = await world.proxy();
        const ana = await world.join();
        try {
          const stream = await world.open(first.url);
          await until(stream, 1);
          await stream.close();
        } finally {
          await first.close();
        }
        // Ben joins while no proxy runs: his webhook reaches nobody.
        const ben = await world.join();
        const second = await world.proxy();
        const stream = await world.open(second.url);
        try {
          assert.equal((await until(stream, 2)).emptySince, null);
          await world.leave(ben);
          assert.equal((await until(stream, 1)).emptySince, null);
          await world.leave(ana);
          assert.notEqual((await until(stream, 0)).emptySince, null);
        } finally {
          await stream.close();
          await second.close();
        }
      } finally {
        await world.sim.close();
      }
    });

    it('reads the room once per watch start, however many viewers open the stream', async () => {
      const world = await scene(kind);
      try {
        await world.join();
        const proxy = await world.proxy();
        await world.resetCalls();
        const streams = await Promise.all(Array.from({ length: 25 }, () => world.open(proxy.url)));
        try {
          await Promise.all(streams.map((stream) => until(stream, 1)));
          const calls = await world.calls();
          assert.equal(calls[ACTIVE_SESSION[kind]], 1, JSON.stringify(calls));
        } finally {
          await Promise.all(streams.map((stream) => stream.close()));
          await proxy.close();
        }
      } finally {
        await world.sim.close();
      }
    });
  });
}

describe('the room on v1', () => {
  it('is known from webhooks only: no active-session read', async () => {
    const world = await scene('v1');
    try {
      // Ana joined before the proxy started: v1 cannot tell the proxy about her.
      await world.join();
      const proxy = await world.proxy();
      const stream = await world.open(proxy.url);
      try {
        await stream.next((m) => m.event === 'snapshot');
        await world.join();
        // Only Ben's webhook is heard.
        await until(stream, 1);
        const calls = await world.calls();
        assert.ok(
          Object.keys(calls).every((route) => !route.includes('active-session')),
          JSON.stringify(calls),
        );
      } finally {
        await stream.close();
        await proxy.close();
      }
    } finally {
      await world.sim.close();
    }
  });
});

describe('the room: upstream count and webhooks, newest fact wins', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  /** Signed by the key this proxy trusts (the simulator's own webhooks do not verify here). */
  const deliver = (rig: Rig, body: object) => {
    const raw = JSON.stringify(body);
    return rig.call('/webhooks', {
      method: 'POST',
      body: raw,
      headers: {
        'content-type': 'application/json',
        'dyte-uuid': randomUUID(),
        'dyte-signature': sign('sha256', Buffer.from(raw), privateKey).toString('base64'),
      },
    });
  };
  const participantEvent = (meeting: string, event: string, peer: string, at: string) => ({
    event,
    meeting: { id: meeting, sessionId: 's-1', title: meeting },
    participant: { peerId: peer, userDisplayName: peer, joinedAt: at, leftAt: at },
  });

  it('ignores webhooks older than the count, and counts newer ones on top of it', async () => {
    const rig = await startRig({
      proxy: {
        webhookPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        pollIntervals: { activeMs: 60_000, idleMs: 60_000 },
      },
    });
    const meeting = meetingId();
    try {
      for (const name of ['Ana', 'Ben']) {
        await rig.control(`/_sim/meetings/${meeting}/participants`, { method: 'POST', json: { name } });
      }
      const stream = await openEvents(rig, meeting);
      try {
        await until(stream, 2);
        // Older than the upstream's count (which already took it in): changes nothing.
        const stale = participantEvent(meeting, 'meeting.participantLeft', 'ana', '2020-01-01T00:00:00.000Z');
        assert.equal((await deliver(rig, stale)).status, 204);
        // Newer: Cid joins on top of the two, then one of the two counted leaves.
        const later = (years: number) => new Date(Date.now() + years * 365 * 86_400_000).toISOString();
        await deliver(rig, participantEvent(meeting, 'meeting.participantJoined', 'cid', later(1)));
        await until(stream, 3);
        await deliver(rig, participantEvent(meeting, 'meeting.participantLeft', 'ben-peer', later(2)));
        assert.equal((await until(stream, 2)).emptySince, null);
        // (The first stream of a meeting may see its first state twice: in the snapshot, and as the event.)
        const counts = stream.messages
          .filter(isMeeting)
          .map((m) => (m.data as MeetingState).participants)
          .filter((count, i, all) => count !== all[i - 1]);
        assert.deepEqual(counts, [2, 3, 2], 'the stale departure never showed');
      } finally {
        await stream.close();
      }
    } finally {
      await rig.close();
    }
  });
});
