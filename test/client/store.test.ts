import { expect } from '@open-wc/testing';
import { liveRecording } from '../../src/client/store.ts';
import type { LiveRecording, TokenHolder } from '../../src/client/store.ts';
import { STREAM_OPTIONS } from '../../src/client/stream.ts';
import type { Connection } from '../../src/core/view.ts';
import {
  clearFaults,
  dropStreams,
  ENDPOINT,
  fault,
  HOST,
  KEEPABLE_MS,
  mintToken,
  newMeetingId,
  recording,
  scriptStream,
  sleep,
  streams,
  until,
} from './backend.ts';

Object.assign(STREAM_OPTIONS, { baseDelayMs: 50, maxDelayMs: 400, pollMs: 150 });

interface Watch {
  store: LiveRecording;
  release: () => void;
  changes: number;
  /** Every connection state the store passed through, in order (repeats collapsed). */
  connections: Connection[];
}

const watching: Watch[] = [];

function watch(meetingId: string, source: Partial<TokenHolder>): Watch {
  const store = liveRecording(ENDPOINT, meetingId);
  const watcher: Watch = { store, release: () => {}, changes: 0, connections: [] };
  watcher.release = store.subscribe({
    host: { token: '', ...source },
    changed: () => {
      watcher.changes += 1;
      const { connection } = store.state;
      if (watcher.connections.at(-1) !== connection) watcher.connections.push(connection);
    },
  });
  watching.push(watcher);
  return watcher;
}

async function hostWatch(meetingId = newMeetingId()) {
  const watcher = watch(meetingId, { token: await mintToken(meetingId) });
  await until(() => watcher.store.state.loaded, 'the snapshot');
  return { meetingId, ...watcher };
}

/**
 * Holds the answer of the next request whose URL contains `match` after it arrived (network latency on
 * demand): `arrived` resolves when it is here, `release` lets it through.
 */
function holdAnswers(match: string) {
  const realFetch = window.fetch;
  let release = () => {};
  let arrive = () => {};
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let armed = true;
  window.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    if (armed && String(input).includes(match)) {
      armed = false;
      arrive();
      await released;
    }
    return response;
  };
  return { arrived, release, restore: () => (window.fetch = realFetch) };
}

/** Answers the meeting's event stream with plain JSON, which cannot be streamed: the store must poll. */
const refuseToStream = (meetingId: string) =>
  fault({ match: `/meetings/${meetingId}/events`, status: 200, body: { not: 'a stream' }, count: 100 });

const statusOf = (store: LiveRecording, id: string) =>
  store.state.recordings.find((r) => r.id === id)?.status;

describe('live store', () => {
  afterEach(async () => {
    for (const watcher of watching.splice(0)) watcher.release();
    await clearFaults();
  });

  it('loads the snapshot with the permissions and the server clock', async () => {
    const { store } = await hostWatch();
    expect(store.state.loaded).to.equal(true);
    expect(store.state.connection).to.equal('live');
    expect(store.state.permissions).to.deep.equal(HOST);
    expect(Math.abs(store.state.skewMs)).to.be.below(5000);
  });

  it('follows a recording from start to saved through the event stream', async () => {
    const { store } = await hostWatch();
    const starting = store.start();
    expect(store.state.pending).to.equal('start');
    const started = await starting;
    expect(started.status).to.equal('INVOKED');
    expect(store.state.pending).to.equal(null);
    await until(() => store.state.active?.status === 'RECORDING', 'RECORDING');
    await sleep(KEEPABLE_MS);
    const stopping = store.control('stop');
    expect(store.state.pending).to.equal('stop');
    await stopping;
    expect(store.state.active).to.equal(null);
    await until(() => statusOf(store, started.id) === 'UPLOADED', 'UPLOADED');
    expect(store.state.recordings[0]!.stoppedBy?.name).to.equal('Ana');
  });

  it('adopts the running recording when a second start meets recording_active', async () => {
    const { store } = await hostWatch();
    const first = await store.start();
    // Once the first start has answered (a start still in flight is joined by the proxy instead).
    const second = await store.start().then(
      () => null,
      (error: unknown) => error as { code: string },
    );
    expect(second?.code).to.equal('recording_active');
    expect(store.state.active?.id).to.equal(first.id);
    await store.control('stop').catch(() => {});
  });

  it('never moves a status backwards on a late event', async () => {
    const meetingId = newMeetingId();
    const saved = recording({ id: 'r1', meetingId, status: 'UPLOADED', durationSeconds: 60 });
    await scriptStream(meetingId, { recordings: [saved] }, [
      { event: 'recording', data: { ...saved, status: 'RECORDING', durationSeconds: null } },
      { event: 'recording', data: recording({ id: 'r2', meetingId, status: 'INVOKED' }) },
    ]);
    const { store } = watch(meetingId, { token: await mintToken(meetingId) });
    await until(() => store.state.recordings.length === 2, 'both recordings');
    expect(statusOf(store, 'r1')).to.equal('UPLOADED');
    expect(store.state.recordings.map((r) => r.id)).to.deep.equal(['r2', 'r1']);
    expect(store.state.active?.id).to.equal('r2');
  });

  it('shares one event stream between subscribers and closes it after the last leaves', async () => {
    const meetingId = newMeetingId();
    const token = await mintToken(meetingId);
    const [a, b, c] = [watch(meetingId, { token }), watch(meetingId, { token }), watch(meetingId, { token })];
    expect(a.store).to.equal(b.store);
    expect(b.store).to.equal(c.store);
    await until(() => a.store.state.loaded, 'the snapshot');
    expect(await streams(meetingId)).to.include({ opened: 1, open: 1 });
    a.release();
    b.release();
    await Promise.resolve();
    expect((await streams(meetingId)).open).to.equal(1);
    c.release();
    await until(async () => (await streams(meetingId)).open === 0, 'the stream to close');
    expect(liveRecording(ENDPOINT, meetingId)).not.to.equal(a.store);
  });

  it('reconnects after the stream drops, resuming from the last event id', async () => {
    const { store, meetingId, connections } = await hostWatch();
    const started = await store.start();
    await until(() => store.state.active?.status === 'RECORDING', 'RECORDING');
    const before = connections.length;
    expect(connections.at(-1)).to.equal('live');
    expect(await dropStreams(meetingId)).to.equal(1);
    // Every state the store passes through is recorded, so the short reconnecting window cannot be missed.
    await until(() => connections.length > before + 1, 'reconnecting, then live again');
    expect(connections.slice(before)).to.deep.equal(['reconnecting', 'live']);
    const { opened, resumedFrom } = await streams(meetingId);
    expect(opened).to.equal(2);
    expect(resumedFrom[0]).to.equal(null);
    expect(Number(resumedFrom[1])).to.be.greaterThan(0);
    await sleep(KEEPABLE_MS);
    await store.control('stop');
    await until(() => statusOf(store, started.id) === 'UPLOADED', 'UPLOADED after the reconnection');
  });

  it('asks the token provider again when the token is refused', async () => {
    const meetingId = newMeetingId();
    const given: string[] = [];
    const { store } = watch(meetingId, {
      tokenProvider: async () => {
        given.push(given.length === 0 ? 'not-a-token' : await mintToken(meetingId));
        return given.at(-1)!;
      },
    });
    await until(() => store.state.loaded, 'the snapshot');
    expect(given).to.have.length(2);
    expect(store.state.error).to.equal(null);
  });

  it('reconnects with a fresh token when the server closes the stream of an expired one', async () => {
    const meetingId = newMeetingId();
    let calls = 0;
    const { store } = watch(meetingId, {
      tokenProvider: () => {
        calls += 1;
        return mintToken(meetingId, 'host', { ttlSeconds: 1 });
      },
    });
    await until(() => store.state.loaded, 'the snapshot');
    await until(async () => (await streams(meetingId)).opened >= 2, 'a second stream', 6000);
    await until(() => store.state.connection === 'live', 'live');
    expect(calls).to.be.greaterThan(1);
  });

  it('falls back to polling only when the response cannot be streamed', async () => {
    const meetingId = newMeetingId();
    await refuseToStream(meetingId);
    const { store } = watch(meetingId, { token: await mintToken(meetingId) });
    await until(() => store.state.loaded, 'the snapshot');
    expect(store.state.connection).to.equal('polling');
    const started = await store.start();
    await until(() => store.state.active?.status === 'RECORDING', 'RECORDING seen by polling');
    await sleep(KEEPABLE_MS);
    await store.control('stop');
    await until(() => statusOf(store, started.id) === 'UPLOADED', 'UPLOADED seen by polling');
  });

  it('lets go of the stream while the tab is hidden and comes back when it is shown', async () => {
    const { store, meetingId } = await hostWatch();
    const visibility = Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState')!;
    let hidden = true;
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (hidden ? 'hidden' : 'visible'),
    });
    try {
      document.dispatchEvent(new Event('visibilitychange'));
      await until(() => store.state.connection === 'paused', 'paused');
      await until(async () => (await streams(meetingId)).open === 0, 'no open stream');
      hidden = false;
      document.dispatchEvent(new Event('visibilitychange'));
      await until(() => store.state.connection === 'live', 'live');
      expect(await streams(meetingId)).to.include({ opened: 2, open: 1 });
    } finally {
      delete (document as { visibilityState?: unknown }).visibilityState;
      Object.defineProperty(Document.prototype, 'visibilityState', visibility);
    }
  });

  it('stops trying and reports the error when the token is for another meeting', async () => {
    const meetingId = newMeetingId();
    const { store } = watch(meetingId, { token: await mintToken(newMeetingId()) });
    const failure = await until(() => store.state.error, 'the error');
    expect(failure.code).to.equal('forbidden');
    expect(store.state.loaded).to.equal(false);
    await until(() => store.state.connection === 'closed', 'closed');
    expect((await streams(meetingId)).opened).to.equal(0);
  });

  it('loads the next page by cursor and appends it', async () => {
    const meetingId = newMeetingId();
    await scriptStream(meetingId, {
      recordings: [recording({ id: 'new', meetingId, status: 'UPLOADED' })],
      nextCursor: 'page-2',
    });
    await fault({
      match: `/meetings/${meetingId}/recordings?cursor=page-2`,
      status: 200,
      body: { recordings: [recording({ id: 'old', meetingId, status: 'ERRORED' })], nextCursor: null },
    });
    const { store } = watch(meetingId, { token: await mintToken(meetingId) });
    await until(() => store.state.loaded, 'the snapshot');
    await store.loadMore();
    expect(store.state.recordings.map((r) => r.id)).to.deep.equal(['new', 'old']);
    expect(store.state.nextCursor).to.equal(null);
  });

  it('keeps a pause the stream reported over a page that was read before it', async () => {
    const meetingId = newMeetingId();
    const running = recording({ id: 'r1', meetingId, status: 'RECORDING' });
    await scriptStream(meetingId, { recordings: [running], active: running, nextCursor: 'c2' });
    // The page still shows r1 recording: it was read before the pause.
    await fault({
      match: `/meetings/${meetingId}/recordings?cursor=c2`,
      status: 200,
      body: { recordings: [running], nextCursor: null },
    });
    const { store } = watch(meetingId, { token: await mintToken(meetingId) });
    await until(() => store.state.loaded, 'the snapshot');
    const held = holdAnswers('cursor=c2');
    try {
      const loading = store.loadMore();
      await held.arrived;
      // The stream (reconnected) learns of the pause while the page's answer is still on its way.
      await clearFaults();
      const paused = { ...running, status: 'PAUSED' as const };
      await scriptStream(meetingId, { recordings: [paused], active: paused });
      await dropStreams(meetingId);
      await until(() => statusOf(store, 'r1') === 'PAUSED', 'the pause');
      held.release();
      await loading;
      expect(store.state.nextCursor).to.equal(null);
      expect(statusOf(store, 'r1')).to.equal('PAUSED');
    } finally {
      held.restore();
    }
  });

  it('keeps a pause over a poll that was sent before the pause was answered', async () => {
    const meetingId = newMeetingId();
    await refuseToStream(meetingId);
    const watcher = watch(meetingId, { token: await mintToken(meetingId) });
    const { store } = watcher;
    await until(() => store.state.connection === 'polling', 'polling');
    const started = await store.start();
    await until(() => store.state.active?.status === 'RECORDING', 'RECORDING seen by polling');
    const held = holdAnswers(`/meetings/${meetingId}/recordings`);
    try {
      await held.arrived; // a poll answered "RECORDING" and waits
      await store.control('pause');
      expect(statusOf(store, started.id)).to.equal('PAUSED');
      const changes = watcher.changes;
      held.release();
      await until(() => watcher.changes > changes, 'the held poll folded in');
      expect(statusOf(store, started.id)).to.equal('PAUSED');
    } finally {
      held.restore();
    }
    await sleep(KEEPABLE_MS);
    await store.control('stop');
  });

  it('hands out a fresh download link per request', async () => {
    const { store } = await hostWatch();
    const started = await store.start();
    await until(() => store.state.active?.status === 'RECORDING', 'RECORDING');
    await sleep(KEEPABLE_MS);
    await store.control('stop');
    await until(() => store.state.recordings[0]?.downloadable, 'a downloadable recording');
    const first = await store.download(started.id, 'video');
    const second = await store.download(started.id, 'video');
    expect(first.url).to.match(/^http/);
    expect(Date.parse(first.expiresAt!)).to.be.greaterThan(Date.now());
    expect(second.url).to.match(/^http/);
  });

  it('acknowledges the running recording once, and learns the count from the stream', async () => {
    const { store } = await hostWatch();
    const started = await store.start();
    await until(() => store.state.active?.status === 'RECORDING', 'RECORDING');
    expect(store.state.active!.acknowledgedBy).to.deep.equal({ count: 0, names: [] });
    const first = await store.acknowledge(started.id);
    const again = await store.acknowledge(started.id);
    expect(first.name).to.equal('Ana');
    expect(again).to.deep.equal(first);
    await until(() => store.state.active?.acknowledgedBy?.count === 1, 'the count');
    expect(store.state.active!.acknowledgedBy!.names).to.deep.equal(['Ana']);
  });
});
