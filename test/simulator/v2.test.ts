import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { normalizeV2Recording } from '../../src/core/normalize.ts';
import {
  basicAuth,
  eventually,
  recordFor,
  request,
  simulator,
  simulatorPerSuite,
  untilStatus,
  v2,
} from './helpers.ts';
import type { Call } from './helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Every field Dyte's v2 Recording schema marks required. */
const REQUIRED = [
  'id',
  'download_url',
  'download_url_expiry',
  'audio_download_url',
  'file_size',
  'session_id',
  'output_file_name',
  'status',
  'invoked_time',
  'started_time',
  'stopped_time',
];

describe('Dyte v2 recordings', () => {
  const suite = simulatorPerSuite(v2);
  const { call } = suite;

  it('starts a recording INVOKED with every required field, null where not known yet', async () => {
    const answer = await call('POST', '/recordings', { meeting_id: 'v2-start' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.success, true);
    const recording = answer.body.data;
    for (const field of REQUIRED) assert.ok(field in recording, `missing ${field}`);
    assert.match(recording.id, UUID);
    assert.match(recording.session_id, UUID);
    assert.equal(recording.status, 'INVOKED');
    assert.equal(recording.started_time, null);
    assert.equal(recording.download_url, null);
    assert.match(recording.output_file_name, /^v2-start_\d{13}\.mp4$/);
    assert.ok(!Number.isNaN(Date.parse(recording.invoked_time)));
    assert.deepEqual(recording.start_reason, { reason: 'API_CALL', caller: { type: 'ORGANIZATION' } });
  });

  it('goes INVOKED → RECORDING → PAUSED → RECORDING → UPLOADING → UPLOADED with consistent times', async () => {
    const started = await call('POST', '/recordings', { meeting_id: 'v2-life', file_name_prefix: 'talk' });
    const id = started.body.data.id;
    assert.match(started.body.data.output_file_name, /^talk_v2-life_\d+\.mp4$/);
    const recording = await untilStatus(call, id, 'RECORDING');
    // Start lag (3 s by default) in simulated time, whatever the clock speed.
    assert.equal(Date.parse(recording.started_time) - Date.parse(recording.invoked_time), 3000);
    assert.equal((await call('PUT', `/recordings/${id}`, { action: 'pause' })).body.data.status, 'PAUSED');
    assert.equal(
      (await call('PUT', `/recordings/${id}`, { action: 'resume' })).body.data.status,
      'RECORDING',
    );
    await eventually(async () => (await call('GET', `/recordings/${id}`)).body.data.recording_duration >= 10);
    const stopped = await call('PUT', `/recordings/${id}`, { action: 'stop' });
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.data.status, 'UPLOADING');
    assert.deepEqual(stopped.body.data.stop_reason, { reason: 'API_CALL', caller: { type: 'ORGANIZATION' } });
    const uploaded = await untilStatus(call, id, 'UPLOADED');
    assert.ok(uploaded.file_size > 0);
    assert.ok(uploaded.recording_duration >= 10);
    assert.ok(Date.parse(uploaded.stopped_time) > Date.parse(uploaded.started_time));
    assert.match(uploaded.download_url, /^http:\/\/127\.0\.0\.1:\d+\/_downloads\//);
    // Seven days of the simulated clock after the upload (which takes a few simulated seconds).
    const ttl = Date.parse(uploaded.download_url_expiry) - Date.parse(uploaded.stopped_time);
    assert.ok(ttl > 7 * 86_400_000 && ttl < 7 * 86_400_000 + 3_600_000, `ttl ${ttl}`);
    assert.equal(uploaded.audio_download_url, null);
    // The core normalizer reads it as a downloadable recording of its meeting.
    const normalized = normalizeV2Recording(uploaded);
    assert.equal(normalized.meetingId, 'v2-life');
    assert.equal(normalized.downloadable, true);
    assert.equal(normalized.codec, 'H264');
  });

  it('refuses pause, resume and stop when the status does not allow them (409)', async () => {
    const { id } = (await call('POST', '/recordings', { meeting_id: 'v2-states' })).body.data;
    const resume = await call('PUT', `/recordings/${id}`, { action: 'resume' });
    assert.equal(resume.status, 409);
    assert.equal(resume.body.success, false);
    assert.equal(resume.body.error.code, 409);
    await untilStatus(call, id, 'RECORDING');
    await call('PUT', `/recordings/${id}`, { action: 'stop' });
    const again = await call('PUT', `/recordings/${id}`, { action: 'stop' });
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /cannot be stopped/);
  });

  it('finds the active recording of a meeting, and answers 404 when there is none', async () => {
    const none = await call('GET', '/recordings/active-recording/v2-active');
    assert.equal(none.status, 404);
    assert.deepEqual(Object.keys(none.body).sort(), ['error', 'success']);
    const { id } = (await call('POST', '/recordings', { meeting_id: 'v2-active' })).body.data;
    const active = await call('GET', '/recordings/active-recording/v2-active');
    assert.equal(active.status, 200);
    assert.equal(active.body.data.id, id);
  });

  it('lists recordings with filters, paging and sort order', async () => {
    const meeting = 'v2-list';
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const body = { meeting_id: meeting, allow_multiple_recordings: true };
      ids.push((await call('POST', '/recordings', body)).body.data.id);
    }
    const page1 = await call('GET', `/recordings?meeting_id=${meeting}&per_page=2&page_no=1`);
    assert.equal(page1.status, 200);
    assert.deepEqual(page1.body.paging, { total_count: 3, start_offset: 1, end_offset: 2 });
    assert.deepEqual(
      page1.body.data.map((r: { id: string }) => r.id),
      [ids[2], ids[1]],
    );
    assert.equal(page1.body.data[0].meeting.id, meeting);
    const page2 = await call('GET', `/recordings?meeting_id=${meeting}&per_page=2&page_no=2`);
    assert.deepEqual(page2.body.paging, { total_count: 3, start_offset: 3, end_offset: 3 });
    const ascending = await call('GET', `/recordings?meeting_id=${meeting}&sort_order=ASC`);
    assert.equal(ascending.body.data[0].id, ids[0]);
    await call('PUT', `/recordings/${ids[0]}`, { action: 'stop' });
    const invoked = await call('GET', `/recordings?meeting_id=${meeting}&status=INVOKED,RECORDING`);
    assert.ok(invoked.body.data.every((r: { id: string }) => r.id !== ids[0]));
    const all = await call('GET', '/recordings');
    assert.ok(all.body.paging.total_count >= 3);
  });

  it('answers 404 in the v2 envelope for an unknown recording', async () => {
    const answer = await call('GET', '/recordings/9d7a8a0e-0000-4000-8000-000000000000');
    assert.equal(answer.status, 404);
    assert.equal(answer.body.success, false);
    assert.equal(answer.body.error.code, 404);
    assert.equal((await call('PUT', '/recordings/nope', { action: 'stop' })).status, 404);
  });

  for (const [name, body, message] of [
    ['no meeting id', {}, /"meeting_id" is required/],
    ['a bad codec', { meeting_id: 'm', video_config: { codec: 'VP9' } }, /video_config\.codec/],
    ['max_seconds under 60', { meeting_id: 'm', max_seconds: 30 }, /max_seconds/],
    ['max_seconds over 24 h', { meeting_id: 'm', max_seconds: 86_401 }, /max_seconds/],
    ['a bad storage type', { meeting_id: 'm', storage_config: { type: 'dropbox' } }, /storage_config\.type/],
    [
      'an aws storage config without secret',
      { meeting_id: 'm', storage_config: { type: 'aws', access_key: 'a', bucket: 'b', region: 'r' } },
      /storage_config\.secret/,
    ],
    [
      'an sftp config without password',
      { meeting_id: 'm', storage_config: { type: 'sftp', host: 'h', username: 'u' } },
      /storage_config\.password/,
    ],
    ['a non-boolean bucket flag', { meeting_id: 'm', dyte_bucket_config: { enabled: 'no' } }, /enabled/],
    ['a bad audio codec', { meeting_id: 'm', audio_config: { codec: 'FLAC' } }, /audio_config\.codec/],
    ['a body that is not an object', [1, 2], /"body" must be an object/],
  ] as const) {
    it(`rejects a start with ${name} (400 in the v2 envelope)`, async () => {
      const answer = await call('POST', '/recordings', body);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.success, false);
      assert.equal(answer.body.error.code, 400);
      assert.match(answer.body.error.message, message);
    });
  }

  it('rejects invalid JSON, a bad action and bad list queries with 400', async () => {
    const broken = await request(`${suite.sim.url}/v2/recordings`, 'POST', '{"meeting_id":', {
      authorization: basicAuth(suite.sim.orgId, suite.sim.apiKey),
      'content-type': 'application/json',
    });
    assert.equal(broken.status, 400);
    assert.match(broken.body.error.message, /not valid JSON/);
    const { id } = (await call('POST', '/recordings', { meeting_id: 'v2-bad-action' })).body.data;
    assert.equal((await call('PUT', `/recordings/${id}`, { action: 'rewind' })).status, 400);
    assert.equal((await call('PUT', `/recordings/${id}`, {})).status, 400);
    for (const query of ['per_page=0', 'per_page=101', 'page_no=x', 'status=DONE', 'sort_order=UP']) {
      const answer = await call('GET', `/recordings?${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.success, false);
    }
  });

  it('rejects a body over 1 MB with 413', async () => {
    const answer = await call('POST', '/recordings', {
      meeting_id: 'm',
      file_name_prefix: 'x'.repeat(1_100_000),
    });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.success, false);
  });

  it('keeps storage secrets to itself and drops download URLs when its own bucket is disabled', async () => {
    const storage = {
      type: 'aws',
      access_key: 'AKIA-SECRET',
      secret: 'TOP-SECRET',
      bucket: 'b1',
      region: 'eu',
    };
    const started = await call('POST', '/recordings', {
      meeting_id: 'v2-storage',
      storage_config: storage,
      dyte_bucket_config: { enabled: false },
    });
    assert.equal(started.status, 200);
    assert.deepEqual(started.body.data.storage_config, { type: 'aws', bucket: 'b1', region: 'eu' });
    assert.doesNotMatch(JSON.stringify(started.body), /SECRET/);
    await recordFor(call, started.body.data.id, 6);
    await call('PUT', `/recordings/${started.body.data.id}`, { action: 'stop' });
    const uploaded = await untilStatus(call, started.body.data.id, 'UPLOADED');
    assert.equal(uploaded.download_url, null);
    assert.equal(uploaded.download_url_expiry, null);
    assert.doesNotMatch(JSON.stringify(uploaded), /SECRET/);
  });

  it('records VP8 as WebM and exports an audio file when audio_config is given', async () => {
    const started = await call('POST', '/recordings', {
      meeting_id: 'v2-vp8',
      video_config: { codec: 'VP8', width: 640, height: 360 },
      audio_config: { codec: 'AAC', channel: 'mono' },
    });
    assert.match(started.body.data.output_file_name, /\.webm$/);
    await recordFor(call, started.body.data.id, 6);
    await call('PUT', `/recordings/${started.body.data.id}`, { action: 'stop' });
    const uploaded = await untilStatus(call, started.body.data.id, 'UPLOADED');
    assert.match(uploaded.audio_download_url, /\/audio\.ogg\?/);
  });
});

describe('Dyte v2 auth', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await simulator();
  });
  after(() => sim.close());

  for (const [name, header] of [
    ['no Authorization header', undefined],
    ['a wrong key', 'wrong'],
    ['a wrong org id', 'org'],
    ['the APIKEY scheme', 'apikey'],
    ['a Bearer token', 'bearer'],
    ['garbage', 'Basic !!!'],
  ] as const) {
    it(`answers 401 in the v2 envelope for ${name}, on every route`, async () => {
      const authorization =
        header === 'wrong'
          ? basicAuth(sim.orgId, 'nope')
          : header === 'org'
            ? basicAuth('other-org', sim.apiKey)
            : header === 'apikey'
              ? `APIKEY ${sim.apiKey}`
              : header === 'bearer'
                ? `Bearer ${sim.apiKey}`
                : header;
      const headers: Record<string, string> = authorization ? { authorization } : {};
      for (const [method, path] of [
        ['POST', '/v2/recordings'],
        ['GET', '/v2/recordings'],
        ['GET', '/v2/recordings/active-recording/m'],
        ['GET', '/v2/recordings/x'],
        ['PUT', '/v2/recordings/x'],
        ['GET', '/v2/webhooks'],
        ['POST', '/v2/webhooks'],
        ['DELETE', '/v2/webhooks/x'],
      ] as const) {
        const answer = await request(`${sim.url}${path}`, method, method === 'GET' ? undefined : {}, headers);
        assert.equal(answer.status, 401, `${method} ${path}`);
        assert.equal(answer.body.success, false);
        assert.equal(answer.body.error.code, 401);
        assert.doesNotMatch(JSON.stringify(answer.body), new RegExp(sim.apiKey));
      }
    });
  }

  it('answers 405 for a method a route does not take and 404 for an unknown path', async () => {
    const call = v2(sim);
    const wrongMethod = await call('DELETE', '/recordings');
    assert.equal(wrongMethod.status, 405);
    assert.match(wrongMethod.headers.get('allow') ?? '', /GET/);
    const unknown = await call('GET', '/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.success, false);
  });
});

describe('Dyte v2 webhook registrations', () => {
  let sim: RunningSimulator;
  let call: Call;
  before(async () => {
    sim = await simulator();
    call = v2(sim);
  });
  after(() => sim.close());

  it('creates (201), lists, gets, replaces, patches and deletes a webhook', async () => {
    const created = await call('POST', '/webhooks', {
      name: 'all',
      url: 'http://127.0.0.1:9/hook',
      events: ['recording.statusUpdate', 'meeting.participantJoined'],
    });
    assert.equal(created.status, 201);
    const webhook = created.body.data;
    assert.match(webhook.id, UUID);
    assert.equal(webhook.enabled, true);
    for (const field of ['id', 'name', 'url', 'events', 'created_at', 'updated_at', 'enabled']) {
      assert.ok(field in webhook, field);
    }
    const listed = await call('GET', '/webhooks');
    assert.deepEqual(
      listed.body.data.map((w: { id: string }) => w.id),
      [webhook.id],
    );
    assert.equal((await call('GET', `/webhooks/${webhook.id}`)).body.data.name, 'all');
    const replaced = await call('PUT', `/webhooks/${webhook.id}`, {
      name: 'renamed',
      url: 'http://127.0.0.1:9/other',
      events: ['meeting.started'],
    });
    assert.equal(replaced.status, 200);
    assert.deepEqual(replaced.body.data.events, ['meeting.started']);
    const patched = await call('PATCH', `/webhooks/${webhook.id}`, { enabled: false });
    assert.equal(patched.body.data.enabled, false);
    assert.equal(patched.body.data.name, 'renamed');
    assert.equal((await call('DELETE', `/webhooks/${webhook.id}`)).status, 200);
    assert.equal((await call('GET', `/webhooks/${webhook.id}`)).status, 404);
    assert.deepEqual((await call('GET', '/webhooks')).body.data, []);
  });

  for (const [name, body] of [
    ['no name', { url: 'http://x.test/h', events: ['meeting.started'] }],
    ['a non-http url', { name: 'n', url: 'ftp://x.test/h', events: ['meeting.started'] }],
    ['an unknown event', { name: 'n', url: 'http://x.test/h', events: ['recording.exploded'] }],
    ['no events', { name: 'n', url: 'http://x.test/h', events: [] }],
  ] as const) {
    it(`rejects a webhook with ${name} (400)`, async () => {
      const answer = await call('POST', '/webhooks', body);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.code, 400);
    });
  }
});
