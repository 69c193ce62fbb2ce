/**
 * Every Dyte API route the simulator serves answers as Dyte documents its operation (the project's
 * schemas of it, dyte-schemas.ts: v2 for v2 and RealtimeKit, v1 for v1), successes and errors alike. The traffic of every
 * other simulator test is checked the same way (see conformance.ts); this one makes sure each route
 * is exercised at least once, and that the check refuses what Dyte's schemas do not allow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildRoutes } from '../../src/simulator/routes.ts';
import type { RouteDeps } from '../../src/simulator/routes.ts';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { Conformance, conformance } from './conformance.ts';
import type { Call } from './helpers.ts';
import { eventually, recordFor, request, rtk, simulator, untilStatus, v1, v2 } from './helpers.ts';

let sim: RunningSimulator;
before(async () => {
  sim = await simulator({ startLagMs: 1000 });
});
after(() => sim.close());

const control = (path: string, method: string, body?: unknown) =>
  request(`${sim.url}/_sim${path}`, method, body);

/** Everything a v2-shaped API (v2 or RealtimeKit) offers, successes and the usual errors. */
async function exerciseV2(call: Call, meeting: string): Promise<void> {
  const hook = await call('POST', '/webhooks', {
    name: 'schema',
    url: 'http://127.0.0.1:9/hook',
    events: ['recording.statusUpdate'],
  });
  const webhookId = hook.body.data.id as string;
  await call('GET', '/webhooks');
  await call('GET', `/webhooks/${webhookId}`);
  await call('PUT', `/webhooks/${webhookId}`, {
    name: 'schema',
    url: 'http://127.0.0.1:9/h',
    events: ['meeting.ended'],
  });
  await call('PATCH', `/webhooks/${webhookId}`, { enabled: false });
  await call('DELETE', `/webhooks/${webhookId}`);
  await call('GET', `/webhooks/${webhookId}`); // 404

  await call('GET', `/meetings/${meeting}/active-session`); // 404: nobody there
  await call('GET', `/recordings/active-recording/${meeting}`); // 404
  const { participantId } = (await control(`/meetings/${meeting}/participants`, 'POST', { name: 'Ana' }))
    .body;
  await control(`/meetings/${meeting}/transcription`, 'PUT', { enabled: true });
  await call('GET', `/meetings/${meeting}/active-session`);

  const started = await call('POST', '/recordings', { meeting_id: meeting, audio_config: { codec: 'AAC' } });
  const id = started.body.data.id as string;
  await call('POST', '/recordings', { meeting_id: meeting }); // 409: one is active
  await call('POST', '/recordings', { meeting_id: 7 }); // 400
  await call('GET', `/recordings/${id}`); // INVOKED
  await recordFor(call, id, 6); // RECORDING
  await call('GET', `/recordings/active-recording/${meeting}`);
  await call('PUT', `/recordings/${id}`, { action: 'pause' });
  await call('PUT', `/recordings/${id}`, { action: 'resume' });
  await call('PUT', `/recordings/${id}`, { action: 'dance' }); // 400
  await call('PUT', `/recordings/${id}`, { action: 'stop' });
  await untilStatus(call, id, 'UPLOADED');
  await call('PUT', `/recordings/${id}`, { action: 'stop' }); // 409
  await call('GET', `/recordings?meeting_id=${meeting}&per_page=5`);
  await call('GET', '/recordings/no-such-recording'); // 404

  const sessionId = (await call('GET', `/recordings/${id}`)).body.data.session_id as string;
  await call('GET', `/sessions/${sessionId}/transcript`); // 404: the session goes on
  await call('POST', `/sessions/${sessionId}/summary`); // 404: no transcript yet
  await control(`/meetings/${meeting}/participants/${participantId}`, 'DELETE');
  await eventually(async () => (await call('GET', `/sessions/${sessionId}/transcript`)).status === 200);
  await call('GET', `/sessions/${sessionId}/summary`); // 404: not asked for yet
  await call('POST', `/sessions/${sessionId}/summary`);
  await eventually(async () => (await call('GET', `/sessions/${sessionId}/summary`)).status === 200);

  await request(`${sim.url}/v2/recordings`, 'GET'); // 401
}

async function exerciseV1(call: Call, meeting: string): Promise<void> {
  const hook = await call('POST', '/webhook', {
    name: 'schema',
    url: 'http://127.0.0.1:9/hook',
    events: ['recording.statusUpdate'],
  });
  const webhookId = hook.body.data.webhook.id as string;
  await call('GET', '/webhooks');
  await call('GET', `/webhooks/${webhookId}`);
  await call('PUT', `/webhooks/${webhookId}`, {
    name: 'schema',
    url: 'http://127.0.0.1:9/h',
    events: ['meeting.ended'],
  });
  await call('DELETE', `/webhooks/${webhookId}`);

  await call('GET', `/rooms/${meeting}/active-recording`);
  const started = await call('POST', `/meetings/${meeting}/recording`, { storageConfig: undefined });
  const id = started.body.data.recording.id as string;
  await call('POST', `/meetings/${meeting}/recording`, {}); // 409
  await call('POST', `/meetings/${meeting}/recording`, { maxSeconds: 'long' }); // 400
  await call('GET', `/meetings/${meeting}/recordings/${id}`); // INVOKED
  await eventually(
    async () =>
      (await call('GET', `/meetings/${meeting}/recordings/${id}`)).body.data.recording.status === 'RECORDING',
  );
  await call('GET', `/rooms/${meeting}/active-recording`);
  await call('PUT', `/meetings/${meeting}/recordings/${id}`, { recordingAction: 'stop' });
  await call('GET', `/meetings/${meeting}/recordings?limit=5`);
  await call('POST', `/rooms/${meeting}-room/recording`, {});
  await call('GET', `/meetings/${meeting}/recordings/no-such-recording`); // 404
  await request(`${sim.url}/v1/organizations/${sim.orgId}/webhooks`, 'GET'); // 401
}

describe("the simulator's answers against Dyte's schemas", () => {
  it('conform for every route the simulator serves, on v2, RealtimeKit and v1', async () => {
    await exerciseV2(v2(sim), `m-v2-${Date.now()}`);
    await exerciseV2(rtk(sim), `m-rtk-${Date.now()}`);
    await exerciseV1(v1(sim), `m-v1-${Date.now()}`);

    const checker = conformance();
    assert.deepEqual(
      checker.violations.map(
        ({ exchange, problem }) => `${exchange.method} ${exchange.template} ${exchange.status}: ${problem}`,
      ),
      [],
    );
    const apiRoutes = buildRoutes({} as RouteDeps).filter((route) => route.api !== null);
    const unexercised = apiRoutes
      .map((route) => `${route.method} ${route.template}`)
      .filter((route) => ![...checker.answered].some((seen) => seen.startsWith(`${route} 2`)));
    assert.deepEqual(unexercised, [], 'every route answered with a success at least once');
    const outsideSpec = apiRoutes.filter(
      (route) => !checker.operationOf(route.api!, route.method, route.template),
    );
    assert.deepEqual(
      outsideSpec.map((route) => `${route.method} ${route.template}`),
      [],
      "every route is one of Dyte's operations",
    );
  });

  it('refuses a null where Dyte does not allow one, and a missing required field', async () => {
    const meeting = `m-null-${Date.now()}`;
    const checker = new Conformance();
    const v2Template = '/v2/recordings';
    const v1Template = '/v1/organizations/:organization_id/meetings/:meeting_id/recording';
    const problems = (api: 'v2' | 'v1', template: string, body: unknown, status = 200, method = 'POST') => {
      checker.violations.length = 0;
      checker.check({ api, method, template, status, body });
      return checker.violations.map((violation) => violation.problem);
    };

    // The answers to a start: the recording is INVOKED, nothing about its stop is known yet.
    const started = await v2(sim)('POST', '/recordings', { meeting_id: meeting });
    const invoked = started.body;
    assert.equal(invoked.data.status, 'INVOKED');
    assert.equal('stop_reason' in invoked.data, false, 'left out before the stop');
    assert.deepEqual(problems('v2', v2Template, invoked), []);
    assert.match(
      problems('v2', v2Template, { ...invoked, data: { ...invoked.data, stop_reason: null } }).join(),
      /\/data\/stop_reason must be object/,
    );
    assert.deepEqual(
      problems('v2', v2Template, { ...invoked, data: { ...invoked.data, file_size: null } }),
      [],
    );
    const { invoked_time: _, ...noInvokedTime } = invoked.data;
    assert.match(problems('v2', v2Template, { ...invoked, data: noInvokedTime }).join(), /invoked_time/);
    await v2(sim)('PUT', `/recordings/${started.body.data.id as string}`, { action: 'stop' });

    const v1Meeting = `${meeting}-v1`;
    const v1Started = await v1(sim)('POST', `/meetings/${v1Meeting}/recording`, {});
    const v1Id = v1Started.body.data.recording.id as string;
    const v1Invoked = v1Started.body;
    assert.equal(v1Invoked.data.recording.status, 'INVOKED');
    assert.deepEqual(problems('v1', v1Template, v1Invoked), []);
    for (const field of ['fileSize', 'stopReason', 'storageConfig', 'startedTime']) {
      const nulled = { ...v1Invoked, data: { recording: { ...v1Invoked.data.recording, [field]: null } } };
      assert.match(problems('v1', v1Template, nulled).join(), new RegExp(`/data/recording/${field} must be`));
    }
    await v1(sim)('PUT', `/meetings/${v1Meeting}/recordings/${v1Id}`, { recordingAction: 'stop' });

    const session = await v2(sim)('GET', `/meetings/${meeting}-nobody/active-session`);
    assert.equal(session.status, 404);
    const activeSession = '/v2/meetings/:meeting_id/active-session';
    assert.deepEqual(problems('v2', activeSession, session.body, 404, 'GET'), []);
    assert.match(
      problems('v2', activeSession, { success: false }, 404, 'GET').join(),
      /must have required property 'error'/,
    );
  });
});
