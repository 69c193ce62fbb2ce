import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { request, simulator, untilStatus, v1, v2 } from './helpers.ts';
import type { Call } from './helpers.ts';

describe('the /_sim/ control plane', () => {
  let sim: RunningSimulator;
  let call: Call;
  const fault = (body: unknown) => request(`${sim.url}/_sim/faults`, 'POST', body);
  beforeEach(async () => {
    sim = await simulator({ speed: 1000 });
    call = v2(sim);
  });
  afterEach(() => sim.close());

  it('adds and removes participants (201 {participantId}, 204, 404 when unknown)', async () => {
    const joined = await request(`${sim.url}/_sim/meetings/ctl/participants`, 'POST', { name: 'Ana' });
    assert.equal(joined.status, 201);
    assert.match(joined.body.participantId, /^[0-9a-f-]{36}$/);
    const empty = await request(`${sim.url}/_sim/meetings/ctl/participants`, 'POST');
    assert.equal(empty.status, 201, 'the body is optional');
    const left = await request(
      `${sim.url}/_sim/meetings/ctl/participants/${joined.body.participantId}`,
      'DELETE',
    );
    assert.equal(left.status, 204);
    const again = await request(
      `${sim.url}/_sim/meetings/ctl/participants/${joined.body.participantId}`,
      'DELETE',
    );
    assert.equal(again.status, 404);
    assert.equal(again.body.error.code, 'not_found');
    const bad = await request(`${sim.url}/_sim/meetings/ctl/participants`, 'POST', { name: 42 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'bad_request');
  });

  it('http_500: the next `count` API requests fail with 500 and do nothing', async () => {
    assert.equal((await fault({ kind: 'http_500', count: 2 })).status, 204);
    for (let i = 0; i < 2; i += 1) {
      const failed = await call('POST', '/recordings', { meeting_id: 'ctl-500' });
      assert.equal(failed.status, 500);
      assert.equal(failed.body.success, false);
      assert.equal(failed.body.error.code, 500);
    }
    const v1Call = v1(sim);
    assert.equal((await v1Call('GET', '/meetings/ctl-500/recordings')).body.data.recordings.length, 0);
  });

  it('timeout: the request is carried out but the connection closes without a response', async () => {
    await fault({ kind: 'timeout', count: 1, ms: 50 });
    const started = Date.now();
    await assert.rejects(call('POST', '/recordings', { meeting_id: 'ctl-timeout' }));
    assert.ok(Date.now() - started >= 45, 'closed after the given ms');
    const active = await call('GET', '/recordings/active-recording/ctl-timeout');
    assert.equal(active.status, 200, 'the lost start did start a recording');
    await fault({ kind: 'timeout', ms: 20 });
    await assert.rejects(
      call('PUT', '/recordings/unknown', { action: 'stop' }),
      'an error answer is lost too',
    );
    assert.equal((await call('GET', '/recordings')).status, 200, 'only `count` requests are affected');
  });

  it('latency: every API request waits until the fault is cleared', async () => {
    await fault({ kind: 'latency', ms: 300 });
    let started = Date.now();
    assert.equal((await call('GET', '/recordings')).status, 200);
    assert.ok(Date.now() - started >= 295);
    started = Date.now();
    await call('GET', '/recordings');
    assert.ok(Date.now() - started >= 295, 'still slow');
    assert.equal((await request(`${sim.url}/_sim/faults`, 'DELETE')).status, 204);
    started = Date.now();
    await call('GET', '/recordings');
    assert.ok(Date.now() - started < 295, 'fast again');
  });

  it('error_next_start: the next recording started ends ERRORED with a message', async () => {
    await fault({ kind: 'error_next_start' });
    const { id } = (await call('POST', '/recordings', { meeting_id: 'ctl-error' })).body.data;
    const errored = await untilStatus(call, id, 'ERRORED');
    assert.match(errored.err_message, /could not join/);
    assert.equal(errored.stop_reason.reason, 'INTERNAL_ERROR');
    const next = (await call('POST', '/recordings', { meeting_id: 'ctl-error' })).body.data.id;
    await untilStatus(call, next, 'RECORDING');
  });

  it('DELETE /_sim/faults clears pending faults', async () => {
    await fault({ kind: 'http_500', count: 5 });
    await fault({ kind: 'error_next_start' });
    await request(`${sim.url}/_sim/faults`, 'DELETE');
    const { id } = (await call('POST', '/recordings', { meeting_id: 'ctl-clear' })).body.data;
    await untilStatus(call, id, 'RECORDING');
  });

  it('rejects a bad fault with 400', async () => {
    for (const body of [{}, { kind: 'meteor' }, { kind: 'http_500', count: 0 }, { kind: 'latency' }, 'x']) {
      assert.equal((await fault(body)).status, 400, JSON.stringify(body));
    }
  });

  it('counts API requests by route template, nothing else, and resets', async () => {
    const { id } = (await call('POST', '/recordings', { meeting_id: 'ctl-stats' })).body.data;
    await call('GET', `/recordings/${id}`);
    await call('GET', `/recordings/${id}`);
    await v1(sim)('GET', '/meetings/ctl-stats/recordings');
    await request(`${sim.url}/v2/recordings`, 'GET'); // unauthorized, still a request to Dyte
    await request(`${sim.url}/.well-known/webhooks.json`, 'GET');
    await request(`${sim.url}/_sim/meetings/ctl-stats/participants`, 'POST', {});
    const stats = await request(`${sim.url}/_sim/stats`, 'GET');
    assert.deepEqual(stats.body, {
      total: 5,
      requests: {
        'POST /v2/recordings': 1,
        'GET /v2/recordings/:recording_id': 2,
        'GET /v1/organizations/:organization_id/meetings/:meeting_id/recordings': 1,
        'GET /v2/recordings': 1,
      },
    });
    assert.equal((await request(`${sim.url}/_sim/stats`, 'DELETE')).status, 204);
    assert.deepEqual((await request(`${sim.url}/_sim/stats`, 'GET')).body, { total: 0, requests: {} });
  });
});
