/** The live event stream: snapshot, ordered events, heartbeats, resume, expiry, and its upstream cost. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RecordingList } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import type { SequencedEvent } from '../../src/proxy/bus.ts';
import { createProxy, MemoryEventBus } from '../../src/server.ts';
import {
  EventStreamReader,
  meetingId,
  openEvents,
  sleep,
  startRig,
  startWatched,
  TOKEN_SECRET,
  upstreamConfig,
} from './helpers.ts';
import type { Rig } from './helpers.ts';

/** The in-memory bus, counting each meeting's listeners. */
class CountingBus extends MemoryEventBus {
  readonly listeners = new Map<string, number>();

  override subscribe(meetingId: string, listener: (event: SequencedEvent) => void): () => void {
    const unsubscribe = super.subscribe(meetingId, listener);
    this.listeners.set(meetingId, (this.listeners.get(meetingId) ?? 0) + 1);
    return () => {
      this.listeners.set(meetingId, this.listeners.get(meetingId)! - 1);
      unsubscribe();
    };
  }
}

/** 'ended' if the server ends the stream within `ms`, else 'open'. */
const endsWithin = (stream: EventStreamReader, ms: number) =>
  Promise.race([stream.ended.then(() => 'ended'), sleep(ms).then(() => 'open')]);

/** Starts a recording straight at the simulator, behind the proxy's back (only a poll can see it). */
async function startUpstream(rig: Rig, meeting: string): Promise<string> {
  const response = await fetch(`${rig.sim.url}/v2/recordings`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${rig.sim.orgId}:${rig.sim.apiKey}`)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ meeting_id: meeting }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { data: { id: string } }).data.id;
}

describe('the event stream', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ proxy: { heartbeatMs: 100 } });
  });
  after(() => rig.close());

  const open = async (
    meeting: string,
    role: 'host' | 'viewer' = 'viewer',
    headers: Record<string, string> = {},
  ) =>
    EventStreamReader.open(`${rig.url}/meetings/${meeting}/events`, await rig.token(role, meeting), headers);

  it('sends the snapshot first, then recording events with increasing ids, and heartbeats', async () => {
    const meeting = meetingId();
    const host = await rig.token('host', meeting);
    const stream = await open(meeting);
    try {
      assert.equal(stream.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      assert.equal(stream.response.headers.get('cache-control'), 'no-cache, no-store, no-transform');
      assert.equal(stream.response.headers.get('x-content-type-options'), 'nosniff');
      const snapshot = await stream.next(() => true);
      assert.equal(snapshot.event, 'snapshot');
      const list = snapshot.data as RecordingList;
      assert.deepEqual(list.recordings, []);
      assert.deepEqual(list.permissions, { start: false, stop: false, pause: false, download: true });
      assert.match(snapshot.id ?? '', /^\d+$/);

      const id = await startWatched(rig, meeting, host, stream);
      const events = stream.messages.filter((m) => m.event === 'recording');
      assert.deepEqual(
        events.map((m) => (m.data as Recording).status),
        ['INVOKED', 'RECORDING'],
      );
      assert.ok(events.every((m) => (m.data as Recording).id === id));
      const ids = [snapshot, ...events].map((m) => Number(m.id));
      assert.deepEqual(
        [...ids].sort((a, b) => a - b),
        ids,
      );
      assert.equal(new Set(ids).size, ids.length);
      // The watched page's list answers (cached per role and version of the page) follow the events.
      const listAs = async (token: string) =>
        (await (await rig.call(`/meetings/${meeting}/recordings`, { token })).json()) as RecordingList;
      const [asHost, asViewer] = [await listAs(host), await listAs(await rig.token('viewer', meeting))];
      assert.deepEqual(
        asHost.recordings.map((r) => [r.id, r.status]),
        [[id, 'RECORDING']],
      );
      assert.deepEqual(asHost.recordings[0]!.acknowledgedBy?.names, []);
      assert.equal(asViewer.recordings[0]!.acknowledgedBy?.names, null, 'a viewer sees no names');
      assert.equal(asHost.permissions.start, true);
      assert.equal(asViewer.permissions.start, false);
      assert.ok(Date.parse(asHost.serverTime) <= Date.parse(asViewer.serverTime));
      await sleep(250);
      assert.ok(stream.comments.some((comment) => comment.includes('heartbeat')));
    } finally {
      await stream.close();
    }
  });

  it('sees changes made behind its back through the shared poll', async () => {
    const meeting = meetingId();
    const stream = await open(meeting);
    try {
      await stream.next((m) => m.event === 'snapshot');
      const id = await startUpstream(rig, meeting);
      const seen = await stream.next((m) => m.event === 'recording');
      assert.equal((seen.data as Recording).id, id);
    } finally {
      await stream.close();
    }
  });

  it('resumes from Last-Event-ID with exactly the missed events, and snapshots when it cannot', async () => {
    const meeting = meetingId();
    const host = await rig.token('host', meeting);
    const first = await open(meeting);
    await first.next((m) => m.event === 'snapshot');
    // The room read at watch start follows the snapshot as an event of its own.
    const lastSeen = await first.next((m) => m.event === 'meeting' && m.id !== undefined);
    await first.close();

    // Another watcher keeps the meeting watched while the first one is away.
    const keeper = await open(meeting);
    try {
      await startWatched(rig, meeting, host, keeper);
      const missed = keeper.messages.filter((m) => m.event === 'recording');

      const resumed = await open(meeting, 'viewer', { 'last-event-id': lastSeen.id! });
      try {
        await resumed.next((m) => m.id === missed.at(-1)!.id);
        assert.deepEqual(
          resumed.messages.map((m) => [m.event, m.id]),
          missed.map((m) => [m.event, m.id]),
        );
      } finally {
        await resumed.close();
      }

      for (const stale of ['1', '99999999999999999', 'abc']) {
        const fresh = await open(meeting, 'viewer', { 'last-event-id': stale });
        try {
          const opening = await fresh.next(() => true);
          assert.equal(opening.event, 'snapshot', stale);
          assert.equal((opening.data as RecordingList).recordings.length, 1);
        } finally {
          await fresh.close();
        }
      }
    } finally {
      await keeper.close();
    }
  });

  // `exp` is in whole seconds, so a token of `ttlSeconds: n` lives more than n - 1 s and at most n s:
  // one of 1 s could be over before its stream opens.
  it('closes the stream when its token expires', async () => {
    const meeting = meetingId();
    const token = await rig.token('viewer', meeting, { ttlSeconds: 2 });
    const stream = await openEvents(rig, meeting, token);
    const began = Date.now();
    await stream.next((m) => m.event === 'snapshot');
    await stream.ended;
    const lasted = Date.now() - began;
    assert.ok(lasted < 3000, `closed after ${lasted} ms`);
  });

  it('closes each stream when its own token expires, streams ending together on one timer', async () => {
    const meeting = meetingId();
    const soon = await rig.token('viewer', meeting, { ttlSeconds: 2 });
    const later = await rig.token('viewer', meeting, { ttlSeconds: 4, sub: 'viewer-2' });
    const began = Date.now();
    const [first, second, third] = await Promise.all([
      openEvents(rig, meeting, soon),
      openEvents(rig, meeting, soon),
      openEvents(rig, meeting, later),
    ]);
    try {
      await Promise.all([first, second, third].map((s) => s!.next((m) => m.event === 'snapshot')));
      // One of the two ending together leaves early: the other still ends on time.
      await second!.close();
      assert.equal(await endsWithin(first!, 3000 - (Date.now() - began)), 'ended');
      assert.equal(await endsWithin(third!, 50), 'open');
      assert.equal(await endsWithin(third!, 5500 - (Date.now() - began)), 'ended');
      const lasted = Date.now() - began;
      assert.ok(lasted >= 2500 && lasted < 5500, `the later one closed after ${lasted} ms`);
    } finally {
      await Promise.all([first, second, third].map((s) => s?.close()));
    }
  });

  it('closes every stream when the proxy closes', async () => {
    const own = await startRig();
    const meeting = meetingId();
    const stream = await openEvents(own, meeting);
    await stream.next((m) => m.event === 'snapshot');
    await own.close();
    await stream.ended;
  });
});

describe('the streams of one meeting', () => {
  it('share one bus subscription, each getting every event, and let go of it after the last', async () => {
    const bus = new CountingBus();
    const rig = await startRig({ proxy: { bus } });
    try {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const streams = await Promise.all([1, 2, 3].map(() => openEvents(rig, meeting)));
      await Promise.all(streams.map((stream) => stream.next((m) => m.event === 'snapshot')));
      // The meeting's shared view listens, and its streams, three of them, through one listener.
      assert.equal(bus.listeners.get(meeting), 2);
      await streams[0]!.close();
      await sleep(100);
      const id = await startWatched(rig, meeting, host, streams[1]!);
      const seen = await streams[2]!.next((m) => m.event === 'recording');
      assert.equal((seen.data as Recording).id, id);
      assert.equal(bus.listeners.get(meeting), 2);
      await Promise.all(streams.map((stream) => stream.close()));
      for (let i = 0; i < 40 && bus.listeners.get(meeting) !== 0; i += 1) await sleep(50);
      assert.equal(bus.listeners.get(meeting), 0);
    } finally {
      await rig.close();
    }
  });
});

describe('the event stream from a fetch handler (web streams, any runtime)', () => {
  it('sends the snapshot, the events and heartbeats, with the headers it has on Node', async () => {
    const rig = await startRig();
    const proxy = createProxy({
      upstream: upstreamConfig('v2', rig.sim),
      tokenSecret: TOKEN_SECRET,
      allowedOrigins: ['https://app.example'],
      heartbeatMs: 100,
      log: () => {},
    });
    const meeting = meetingId();
    const call = async (method: string, path: string, role: 'host' | 'viewer', body?: unknown) =>
      proxy.fetch(
        new Request(`http://proxy.test${path}`, {
          method,
          headers: {
            authorization: `Bearer ${await rig.token(role, meeting)}`,
            origin: 'https://app.example',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    const response = await call('GET', `/meetings/${meeting}/events`, 'viewer');
    const stream = EventStreamReader.read(response);
    try {
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      assert.equal(response.headers.get('cache-control'), 'no-cache, no-store, no-transform');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.example');
      await stream.next((m) => m.event === 'snapshot');
      const started = await call('POST', `/meetings/${meeting}/recordings`, 'host', {});
      assert.equal(started.status, 201);
      const { id } = (await started.json()) as Recording;
      const event = await stream.next((m) => m.event === 'recording');
      assert.equal((event.data as Recording).id, id);
      await sleep(250);
      assert.ok(stream.comments.some((comment) => comment.includes('heartbeat')));
    } finally {
      await stream.close();
      await proxy.close();
      await rig.close();
    }
  });
});

describe('the poll of a watched meeting without webhooks', () => {
  it('comes at the quick pace once a start is heard of, not after the idle wait', async () => {
    // The first load finds nothing in progress and sets the idle wait; the start must shorten it.
    const rig = await startRig({ proxy: { pollIntervals: { activeMs: 100, idleMs: 60_000 } } });
    try {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const stream = await openEvents(rig, meeting, host);
      try {
        await stream.next((m) => m.event === 'snapshot');
        const id = await startWatched(rig, meeting, host, stream);
        const recording = stream.messages.find(
          (m) => m.event === 'recording' && (m.data as Recording).status === 'RECORDING',
        );
        assert.equal((recording?.data as Recording | undefined)?.id, id);
      } finally {
        await stream.close();
      }
    } finally {
      await rig.close();
    }
  });
});

describe('the cost of watching', () => {
  it('serves 200 concurrent viewers of one meeting with O(1) upstream calls, and stops polling after them', async () => {
    const intervals = { activeMs: 100, idleMs: 300 };
    const rig = await startRig({ proxy: { pollIntervals: intervals } });
    /**
     * At most one load plus one poll per elapsed interval, whatever the number of viewers; each costs
     * two calls (the recordings page and the room's active session).
     */
    const budget = (since: number, intervalMs: number) =>
      2 * (2 + Math.floor((Date.now() - since) / intervalMs));
    try {
      const meeting = meetingId();
      // Two hundred people: a token may hold only a few streams.
      const tokens = await Promise.all(
        Array.from({ length: 200 }, (_, i) => rig.token('viewer', meeting, { sub: `viewer-${i}` })),
      );
      await rig.resetUpstreamCalls();
      const connecting = Date.now();
      const viewers = await Promise.all(tokens.map((token) => openEvents(rig, meeting, token)));
      try {
        await Promise.all(viewers.map((viewer) => viewer.next((m) => m.event === 'snapshot')));
        const afterConnect = await rig.upstreamCalls();
        const connectBudget = budget(connecting, intervals.idleMs);
        assert.ok(
          afterConnect.total <= connectBudget,
          `upstream calls for 200 connections: ${JSON.stringify(afterConnect)} > ${connectBudget}`,
        );

        // Everyone sees a change; the upstream still sees one poll per interval, not one per viewer.
        await rig.resetUpstreamCalls();
        const watching = Date.now();
        const id = await startUpstream(rig, meeting);
        await Promise.all(
          viewers.map((viewer) =>
            viewer.next((m) => m.event === 'recording' && (m.data as Recording).id === id),
          ),
        );
        await sleep(500);
        const whileWatched = await rig.upstreamCalls();
        const watchBudget = budget(watching, intervals.activeMs);
        assert.ok(
          whileWatched.total <= watchBudget,
          `upstream calls while 200 watch: ${JSON.stringify(whileWatched)} > ${watchBudget}`,
        );
      } finally {
        await Promise.all(viewers.map((viewer) => viewer.close()));
      }
      await sleep(100);
      await rig.resetUpstreamCalls();
      await sleep(3 * intervals.idleMs);
      assert.equal((await rig.upstreamCalls()).total, 0, 'nobody watches: no polls');
    } finally {
      await rig.close();
    }
  });

  it('coalesces identical concurrent reads into one upstream call', async () => {
    const rig = await startRig();
    try {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const { id } = (await (
        await rig.call(`/meetings/${meeting}/recordings`, { method: 'POST', token: host, json: {} })
      ).json()) as Recording;
      await rig.control('/_sim/faults', { method: 'POST', json: { kind: 'latency', ms: 200 } });
      await rig.resetUpstreamCalls();
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => rig.call(`/recordings/${id}`, { token: host })),
      );
      assert.ok(responses.every((response) => response.status === 200));
      const calls = await rig.upstreamCalls();
      assert.equal(calls.requests['GET /v2/recordings/:recording_id'], 1, JSON.stringify(calls.requests));
    } finally {
      await rig.close();
    }
  });
});
