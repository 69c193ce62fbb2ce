import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basicAuth, recordFor, request, rtk, RTK_BASE, simulatorPerSuite, untilStatus } from './helpers.ts';

describe('Cloudflare RealtimeKit prefix', () => {
  const suite = simulatorPerSuite(rtk);
  const { call } = suite;

  it('serves the v2 recording routes and shapes under /client/v4/accounts/…/realtime/kit/…', async () => {
    const started = await call('POST', '/recordings', {
      meeting_id: 'rtk-life',
      realtimekit_bucket_config: { enabled: true },
    });
    assert.equal(started.status, 200);
    assert.equal(started.body.success, true);
    const { id } = started.body.data;
    assert.equal((await call('GET', '/recordings/active-recording/rtk-life')).body.data.id, id);
    assert.equal((await call('GET', '/recordings?meeting_id=rtk-life')).body.paging.total_count, 1);
    await recordFor(call, id, 6);
    assert.equal((await call('PUT', `/recordings/${id}`, { action: 'stop' })).body.data.status, 'UPLOADING');
    const uploaded = await untilStatus(call, id, 'UPLOADED');
    assert.match(uploaded.download_url, /\/_downloads\//);
  });

  it('reads realtimekit_bucket_config (enabled=false → no download URL) and validates it', async () => {
    const started = await call('POST', '/recordings', {
      meeting_id: 'rtk-no-bucket',
      realtimekit_bucket_config: { enabled: false },
      storage_config: { type: 'gcs', secret: '{"private_key":"GCS-SECRET"}', bucket: 'b' },
    });
    assert.equal(started.status, 200);
    assert.deepEqual(started.body.data.storage_config, { type: 'gcs', bucket: 'b' });
    assert.doesNotMatch(JSON.stringify(started.body), /GCS-SECRET/);
    const { id } = started.body.data;
    await recordFor(call, id, 6);
    await call('PUT', `/recordings/${id}`, { action: 'stop' });
    assert.equal((await untilStatus(call, id, 'UPLOADED')).download_url, null);
    const bad = await call('POST', '/recordings', {
      meeting_id: 'x',
      realtimekit_bucket_config: { enabled: 1 },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 400);
  });

  it('registers, lists, gets, replaces, patches and deletes webhooks', async () => {
    const created = await call('POST', '/webhooks', {
      name: 'rtk',
      url: 'http://127.0.0.1:9/h',
      events: ['recording.statusUpdate'],
    });
    assert.equal(created.status, 201);
    const id = created.body.data.id;
    assert.equal((await call('GET', '/webhooks')).body.data.length, 1);
    assert.equal((await call('GET', `/webhooks/${id}`)).body.data.name, 'rtk');
    const replaced = await call('PUT', `/webhooks/${id}`, {
      name: 'rtk2',
      url: 'http://127.0.0.1:9/h2',
      events: ['meeting.ended'],
    });
    assert.equal(replaced.body.data.url, 'http://127.0.0.1:9/h2');
    assert.equal((await call('PATCH', `/webhooks/${id}`, { name: 'rtk3' })).body.data.name, 'rtk3');
    assert.equal((await call('DELETE', `/webhooks/${id}`)).status, 200);
    assert.equal((await call('GET', '/webhooks')).body.data.length, 0);
  });

  it('answers 401 without the Bearer token, or with Basic auth', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong' },
      { authorization: basicAuth(suite.sim.orgId, suite.sim.apiKey) },
    ]) {
      const answer = await request(`${suite.sim.url}${RTK_BASE}/recordings`, 'GET', undefined, headers);
      assert.equal(answer.status, 401);
      assert.equal(answer.body.success, false);
      assert.equal(answer.body.error.code, 401);
    }
  });
});
