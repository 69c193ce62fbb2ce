import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { normalizeV1Recording } from '../../src/core/normalize.ts';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { basicAuth, eventually, request, simulator, simulatorPerSuite, v1, v2 } from './helpers.ts';

/** Every field Dyte's v1 Recording schema marks required. */
const REQUIRED = [
  'status',
  'outputFileName',
  'downloadUrlExpiry',
  'roomUUID',
  'downloadUrl',
  'audioDownloadUrl',
  'errMessage',
  'startedTime',
  'stoppedTime',
  'id',
];

describe('Dyte v1 recordings', () => {
  const suite = simulatorPerSuite(v1);
  const { call } = suite;

  const get = async (meeting: string, id: string) =>
    (await call('GET', `/meetings/${meeting}/recordings/${id}`)).body.data.recording;

  it('starts, lists, gets and stops a recording in the v1 shapes', async () => {
    const started = await call('POST', '/meetings/v1-life/recording', { videoConfig: { codec: 'VP9' } });
    assert.equal(started.status, 200);
    assert.equal(started.body.success, true);
    const recording = started.body.data.recording;
    for (const field of REQUIRED) assert.ok(field in recording, `missing ${field}`);
    assert.equal(recording.status, 'INVOKED');
    assert.equal(recording.roomUUID, 'v1-life');
    assert.match(recording.outputFileName, /\.webm$/);
    // v1 fills startedTime and stoppedTime even while INVOKED, as its own schema example does.
    assert.equal(recording.startedTime, recording.invokedTime);
    assert.equal(recording.stoppedTime, recording.invokedTime);
    assert.equal(normalizeV1Recording(recording, { meetingId: 'v1-life' }).startedAt, null);

    const listed = await call('GET', '/meetings/v1-life/recordings');
    assert.deepEqual(
      listed.body.data.recordings.map((r: { id: string }) => r.id),
      [recording.id],
    );
    await eventually(async () => (await get('v1-life', recording.id)).recordingDuration >= 6);
    const stopped = await call('PUT', `/meetings/v1-life/recordings/${recording.id}`, {
      recordingAction: 'stop',
    });
    assert.equal(stopped.status, 200);
    assert.equal(stopped.body.data.recording.status, 'UPLOADING');
    const uploaded = await eventually(async () => {
      const current = await get('v1-life', recording.id);
      return current.status === 'UPLOADED' ? current : null;
    });
    assert.equal(typeof uploaded.fileSize, 'number');
    assert.ok(uploaded.fileSize > 0 && uploaded.fileSize < 100, 'in MB');
    assert.match(uploaded.downloadUrl, /\/_downloads\//);
    assert.deepEqual(uploaded.stopReason, { reason: 'API_CALL', caller: { type: 'ORGANIZATION' } });
    const normalized = normalizeV1Recording(uploaded, { meetingId: 'v1-life' });
    assert.equal(normalized.status, 'UPLOADED');
    assert.equal(normalized.downloadable, true);
  });

  it('shows a recording paused through v2 as RECORDING (v1 knows no PAUSED)', async () => {
    const { recording } = (await call('POST', '/meetings/v1-paused/recording', {})).body.data;
    const two = v2(suite.sim);
    await eventually(async () => (await get('v1-paused', recording.id)).status === 'RECORDING');
    assert.equal(
      (await two('PUT', `/recordings/${recording.id}`, { action: 'pause' })).body.data.status,
      'PAUSED',
    );
    assert.equal((await get('v1-paused', recording.id)).status, 'RECORDING');
  });

  it('pages the list with offset and limit, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { recording } = (await call('POST', '/meetings/v1-pages/recording')).body.data;
      ids.push(recording.id);
      await call('PUT', `/meetings/v1-pages/recordings/${recording.id}`, { recordingAction: 'stop' });
    }
    const page = await call('GET', '/meetings/v1-pages/recordings?offset=1&limit=1');
    assert.deepEqual(
      page.body.data.recordings.map((r: { id: string }) => r.id),
      [ids[1]],
    );
    assert.equal((await call('GET', '/meetings/v1-pages/recordings?limit=0')).status, 400);
  });

  it('starts by room name and lists the active recordings of a room', async () => {
    const started = await call('POST', '/rooms/v1-room/recording', {});
    assert.equal(started.status, 200);
    const active = await call('GET', '/rooms/v1-room/active-recording');
    assert.deepEqual(
      active.body.data.recordings.map((r: { id: string }) => r.id),
      [started.body.data.recording.id],
    );
  });

  it('answers errors in the v1 envelope {success:false, message}', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/meetings/v1-bad/recording', { videoConfig: { codec: 'AV1' } }, 400, /videoConfig\.codec/],
      ['POST', '/meetings/v1-bad/recording', { maxSeconds: 10 }, 400, /maxSeconds/],
      ['POST', '/meetings/v1-bad/recording', { storageConfig: { type: 'gcs' } }, 400, /storageConfig\.type/],
      [
        'POST',
        '/meetings/v1-bad/recording',
        { storageConfig: { type: 'aws', accessKey: 'k' } },
        400,
        /secret/,
      ],
      ['PUT', '/meetings/v1-bad/recordings/unknown', { recordingAction: 'stop' }, 404, /No recording/],
      ['GET', '/meetings/v1-bad/recordings/unknown', undefined, 404, /No recording/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const answer = await call(method, path, body);
      assert.equal(answer.status, status, `${method} ${path}`);
      assert.deepEqual(Object.keys(answer.body).sort(), ['message', 'success']);
      assert.equal(answer.body.success, false);
      assert.match(answer.body.message, message);
    }
    const { recording } = (await call('POST', '/meetings/v1-bad/recording', {})).body.data;
    const pause = await call('PUT', `/meetings/v1-bad/recordings/${recording.id}`, {
      recordingAction: 'pause',
    });
    assert.equal(pause.status, 400, 'v1 can only stop');
    const elsewhere = await call('GET', `/meetings/another/recordings/${recording.id}`);
    assert.equal(elsewhere.status, 404, 'a recording is found only under its own meeting');
    const again = await call('POST', '/meetings/v1-bad/recording', {});
    assert.equal(again.status, 409);
    assert.equal(again.body.success, false);
  });

  it('never echoes storage secrets', async () => {
    const answer = await call('POST', '/meetings/v1-storage/recording', {
      storageConfig: {
        type: 'azure',
        accessKey: 'ACCOUNT-SECRET',
        secret: 'KEY-SECRET',
        bucket: 'c',
        region: 'azure',
      },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.data.recording.storageConfig, 'azure');
    assert.doesNotMatch(JSON.stringify(answer.body), /SECRET/);
  });

  it('creates, lists, gets, updates and deletes webhooks', async () => {
    const created = await call('POST', '/webhook', {
      name: 'v1',
      url: 'http://127.0.0.1:9/h',
      events: ['recording.statusUpdate'],
    });
    assert.equal(created.status, 200);
    const webhook = created.body.data.webhook;
    assert.equal(webhook.organizationId, suite.sim.orgId);
    for (const field of ['organizationId', 'enabled', 'id', 'createdAt', 'updatedAt'])
      assert.ok(field in webhook);
    assert.equal((await call('GET', '/webhooks')).body.data.webhooks.length, 1);
    assert.equal((await call('GET', `/webhooks/${webhook.id}`)).body.data.webhook.name, 'v1');
    const updated = await call('PUT', `/webhooks/${webhook.id}`, {
      name: 'v1b',
      url: 'http://127.0.0.1:9/h',
      events: ['meeting.ended'],
    });
    assert.equal(updated.body.data.webhook.name, 'v1b');
    assert.equal((await call('DELETE', `/webhooks/${webhook.id}`)).status, 200);
    assert.equal((await call('GET', `/webhooks/${webhook.id}`)).status, 404);
    const v2Only = await call('POST', '/webhook', {
      name: 'x',
      url: 'http://x.test/',
      events: ['meeting.summary'],
    });
    assert.equal(v2Only.status, 400, 'v1 knows only its five events');
  });
});

describe('Dyte v1 auth', () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await simulator();
  });
  after(() => sim.close());

  it('answers 401 in the v1 envelope without APIKEY, with a wrong key, another org, or Basic auth', async () => {
    const path = (org: string) => `${sim.url}/v1/organizations/${org}/meetings/m/recordings`;
    for (const [org, headers] of [
      [sim.orgId, {}],
      [sim.orgId, { authorization: 'APIKEY wrong' }],
      [sim.orgId, { authorization: sim.apiKey }],
      ['another-org', { authorization: `APIKEY ${sim.apiKey}` }],
      [sim.orgId, { authorization: basicAuth(sim.orgId, sim.apiKey) }],
    ] as const) {
      const answer = await request(path(org), 'GET', undefined, headers);
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(answer.body.success, false);
      assert.match(answer.body.message, /Unauthorized/);
    }
    const ok = await request(path(sim.orgId), 'GET', undefined, { authorization: `APIKEY ${sim.apiKey}` });
    assert.equal(ok.status, 200);
  });
});
