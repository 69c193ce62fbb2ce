import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { eventually, recordFor, request, simulator, untilStatus, v2 } from './helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

describe('limits', () => {
  let sim: RunningSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('allows one active recording per meeting unless allow_multiple_recordings', async () => {
    sim = await simulator({ speed: 1000 });
    const call = v2(sim);
    const first = await call('POST', '/recordings', { meeting_id: 'one-at-a-time' });
    const second = await call('POST', '/recordings', { meeting_id: 'one-at-a-time' });
    assert.equal(second.status, 409);
    assert.equal(second.body.success, false);
    assert.match(second.body.error.message, new RegExp(first.body.data.id));
    const other = await call('POST', '/recordings', { meeting_id: 'another-meeting' });
    assert.equal(other.status, 200);
    const multiple = await call('POST', '/recordings', {
      meeting_id: 'one-at-a-time',
      allow_multiple_recordings: true,
    });
    assert.equal(multiple.status, 200);
    await call('PUT', `/recordings/${first.body.data.id}`, { action: 'stop' });
    await call('PUT', `/recordings/${multiple.body.data.id}`, { action: 'stop' });
    assert.equal((await call('POST', '/recordings', { meeting_id: 'one-at-a-time' })).status, 200);
  });

  it('stops a recording at its max_seconds, as an API_CALL by the organization', async () => {
    sim = await simulator({ speed: 1000 });
    const call = v2(sim);
    await request(`${sim.url}/_sim/meetings/max-60/participants`, 'POST', {});
    const { id } = (await call('POST', '/recordings', { meeting_id: 'max-60', max_seconds: 60 })).body.data;
    const stopped = await untilStatus(call, id, 'UPLOADED');
    assert.equal(seconds(stopped.started_time, stopped.stopped_time), 60);
    assert.equal(stopped.recording_duration, 60);
    assert.deepEqual(stopped.stop_reason, { reason: 'API_CALL', caller: { type: 'ORGANIZATION' } });
  });

  it('stops any recording after 24 hours by default (pauses included)', async () => {
    sim = await simulator({ speed: 200_000 });
    const call = v2(sim);
    await request(`${sim.url}/_sim/meetings/max-24h/participants`, 'POST', {});
    const { id } = (await call('POST', '/recordings', { meeting_id: 'max-24h' })).body.data;
    await recordFor(call, id, 10);
    await call('PUT', `/recordings/${id}`, { action: 'pause' });
    const stopped = await untilStatus(call, id, 'UPLOADED');
    assert.equal(seconds(stopped.started_time, stopped.stopped_time), 86_400);
    assert.ok(stopped.recording_duration < 86_400, 'the paused time is not recorded');
    assert.equal(stopped.stop_reason.reason, 'API_CALL');
  });

  it('stops a recording started in an empty room once the room has been empty for 120 s', async () => {
    sim = await simulator({ speed: 1000, emptyRoomTimeoutMs: 120_000 });
    const call = v2(sim);
    const { id } = (await call('POST', '/recordings', { meeting_id: 'empty-room' })).body.data;
    const stopped = await untilStatus(call, id, 'UPLOADED');
    assert.equal(seconds(stopped.invoked_time, stopped.stopped_time), 120);
    assert.deepEqual(stopped.stop_reason, { reason: 'ALL_PEERS_LEFT', caller: { type: 'ORGANIZATION' } });
  });

  it('keeps recording while somebody is in the room and counts 120 s from when the last one left', async () => {
    sim = await simulator({ speed: 1000, emptyRoomTimeoutMs: 120_000 });
    const call = v2(sim);
    const base = `${sim.url}/_sim/meetings/occupied/participants`;
    const ana = (await request(base, 'POST', { name: 'Ana' })).body.participantId;
    const ben = (await request(base, 'POST', { name: 'Ben' })).body.participantId;
    const { id } = (await call('POST', '/recordings', { meeting_id: 'occupied' })).body.data;
    await sleep(250); // 250 simulated seconds
    assert.equal((await request(`${base}/${ana}`, 'DELETE')).status, 204);
    await sleep(150);
    assert.equal(
      (await call('GET', `/recordings/${id}`)).body.data.status,
      'RECORDING',
      'Ben is still there',
    );
    const leftAt = Date.now();
    await request(`${base}/${ben}`, 'DELETE');
    const stopped = await untilStatus(call, id, 'UPLOADED');
    assert.ok(Date.now() - leftAt >= 100, 'stopped 120 simulated seconds after the last one left');
    assert.ok(seconds(stopped.invoked_time, stopped.stopped_time) >= 400);
    assert.equal(stopped.stop_reason.reason, 'ALL_PEERS_LEFT');
  });

  it('lets a participant who joins in time reset the empty-room countdown', async () => {
    sim = await simulator({ speed: 1000, emptyRoomTimeoutMs: 1_000_000 });
    const call = v2(sim);
    const { id } = (await call('POST', '/recordings', { meeting_id: 'rescued' })).body.data;
    await request(`${sim.url}/_sim/meetings/rescued/participants`, 'POST', {});
    await sleep(1300); // past the 1000 simulated seconds the empty room would have been allowed
    assert.equal((await call('GET', `/recordings/${id}`)).body.data.status, 'RECORDING');
  });

  it('ends a recording shorter than 5 s ERRORED, with a message', async () => {
    sim = await simulator({ speed: 1, startLagMs: 0, uploadMs: 0 });
    const call = v2(sim);
    const { id } = (await call('POST', '/recordings', { meeting_id: 'too-short' })).body.data;
    await untilStatus(call, id, 'RECORDING');
    await call('PUT', `/recordings/${id}`, { action: 'stop' });
    const errored = await untilStatus(call, id, 'ERRORED');
    assert.match(errored.err_message, /shorter than 5 seconds/);
    assert.equal(errored.download_url, null);
    assert.equal(errored.stop_reason.reason, 'API_CALL');
  });

  it('ends a recording stopped before it started ERRORED at once', async () => {
    sim = await simulator({ speed: 1 });
    const call = v2(sim);
    const { id } = (await call('POST', '/recordings', { meeting_id: 'never-started' })).body.data;
    const stopped = await call('PUT', `/recordings/${id}`, { action: 'stop' });
    assert.equal(stopped.body.data.status, 'ERRORED');
    assert.equal(stopped.body.data.started_time, null);
  });

  it('shortens the start lag, upload time and empty-room timeout without speeding the clock', async () => {
    sim = await simulator({ speed: 1, startLagMs: 50, uploadMs: 10, emptyRoomTimeoutMs: 1_300 });
    const call = v2(sim);
    const { id } = (await call('POST', '/recordings', { meeting_id: 'real-time' })).body.data;
    const recording = await untilStatus(call, id, 'RECORDING', 2000);
    assert.equal(seconds(recording.invoked_time, recording.started_time), 0.05);
    // Stopped by the empty room after 1.3 s; too short to keep, so it ends ERRORED after its upload.
    const ended = await untilStatus(call, id, 'ERRORED', 4000);
    assert.equal(ended.stop_reason.reason, 'ALL_PEERS_LEFT');
    assert.equal(seconds(ended.invoked_time, ended.stopped_time), 1.3);
  });

  it('answers 429 with Retry-After past the rate limit, and recovers once the minute has passed', async () => {
    // At 20× a minute is 3 real seconds: room for the test's requests, and a short wait for recovery.
    sim = await simulator({ speed: 20, rateLimitPerMinute: 3 });
    const call = v2(sim);
    for (let i = 0; i < 3; i += 1) assert.equal((await call('GET', '/recordings')).status, 200);
    const limited = await call('GET', '/recordings');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.success, false);
    assert.equal(limited.body.error.code, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    // The control plane, the public key and downloads are not Dyte API calls: never limited.
    assert.equal((await request(`${sim.url}/_sim/stats`, 'GET')).status, 200);
    assert.equal((await request(`${sim.url}/.well-known/webhooks.json`, 'GET')).status, 200);
    await eventually(
      async () => (await call('GET', '/recordings')).status === 200,
      6000,
      'the window to pass',
    );
  });

  it('refuses a start lag over 30 s', async () => {
    await assert.rejects(simulator({ startLagMs: 30_001 }), /startLagMs/);
  });
});
