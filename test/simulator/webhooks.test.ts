import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { normalizeWebhookRecording } from '../../src/core/normalize.ts';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { eventually, receiver, recordFor, request, rtk, simulator, v1, v2 } from './helpers.ts';
import type { Delivery, Receiver } from './helpers.ts';

async function publicKey(sim: RunningSimulator) {
  const answer = await request(`${sim.url}/.well-known/webhooks.json`, 'GET');
  assert.equal(answer.status, 200);
  assert.equal(answer.body.success, true);
  assert.match(answer.body.data.publicKey, /^-----BEGIN PUBLIC KEY-----\n/);
  return createPublicKey(answer.body.data.publicKey);
}

function signedBy(key: ReturnType<typeof createPublicKey>, body: string, signature: string): boolean {
  return verify('sha256', Buffer.from(body), key, Buffer.from(signature, 'base64'));
}

const statuses = (deliveries: Delivery[], id: string) =>
  deliveries
    .filter((d) => d.body.event === 'recording.statusUpdate' && d.body.recording.id === id)
    .map((d) => d.body.recording.status);

describe('webhooks', () => {
  let sim: RunningSimulator;
  let hook: Receiver;
  beforeEach(async () => {
    hook = await receiver();
  });
  afterEach(async () => {
    await sim?.close();
    await hook.close();
  });

  it('sends a signed recording.statusUpdate for every transition, verifiable with the published key', async () => {
    sim = await simulator({ speed: 1000 });
    const call = v2(sim);
    const registered = await call('POST', '/webhooks', {
      name: 'rec',
      url: hook.url,
      events: ['recording.statusUpdate'],
    });
    const { id } = (await call('POST', '/recordings', { meeting_id: 'wh-life' })).body.data;
    await recordFor(call, id, 6);
    await call('PUT', `/recordings/${id}`, { action: 'stop' });
    await eventually(() => statuses(hook.deliveries, id).length === 4, 5000, 'four webhooks');
    // Each delivery travels on its own, so (as with Dyte) they may arrive out of order.
    assert.deepEqual(statuses(hook.deliveries, id).sort(), ['INVOKED', 'RECORDING', 'UPLOADED', 'UPLOADING']);
    const key = await publicKey(sim);
    const uuids = new Set<string>();
    for (const delivery of hook.deliveries) {
      assert.equal(delivery.headers['content-type'], 'application/json');
      assert.equal(delivery.headers['dyte-webhook-id'], registered.body.data.id);
      assert.ok(signedBy(key, delivery.raw, String(delivery.headers['dyte-signature'])));
      // Compact JSON: the exact bytes are what is signed.
      assert.equal(delivery.raw, JSON.stringify(JSON.parse(delivery.raw)));
      uuids.add(String(delivery.headers['dyte-uuid']));
      // A changed body no longer verifies.
      const tampered = delivery.raw.replace('"status":"', '"status":"X');
      assert.equal(signedBy(key, tampered, String(delivery.headers['dyte-signature'])), false);
    }
    assert.equal(uuids.size, hook.deliveries.length, 'dyte-uuid is unique per delivery');
    const last = hook.deliveries.find((d) => d.body.recording.status === 'UPLOADED')!.body;
    assert.equal(last.meeting.id, 'wh-life');
    assert.equal(last.recording.organizationId, sim.orgId);
    const normalized = normalizeWebhookRecording(last);
    assert.equal(normalized.status, 'UPLOADED');
    assert.equal(normalized.downloadable, true);
    assert.ok(normalized.fileSizeBytes! > 0);
    assert.equal(normalized.stopReason, 'API_CALL');
  });

  it('carries the documented quirks by default, and plain values without them', async () => {
    sim = await simulator({ speed: 1000, startLagMs: 0, uploadMs: 0 });
    const call = v2(sim);
    await call('POST', '/webhooks', { name: 'rec', url: hook.url, events: ['recording.statusUpdate'] });
    const { id } = (await call('POST', '/recordings', { meeting_id: 'wh-quirks' })).body.data;
    await recordFor(call, id, 6);
    await call('PUT', `/recordings/${id}`, { action: 'stop' });
    await eventually(() => statuses(hook.deliveries, id).length === 4);
    const bodies = hook.deliveries.map((d) => d.body.recording);
    for (const body of bodies) assert.match(body.invokedTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(
      bodies.some((body) => typeof body.stopReason === 'string' && body.stopReason.startsWith("{'reason'")),
    );
    assert.ok(bodies.some((body) => typeof body.fileSize === 'string' && /^\d+$/.test(body.fileSize)));
    // Whatever the quirk, the core normalizer reads the same recording.
    const uploaded = hook.deliveries.find((d) => d.body.recording.status === 'UPLOADED')!;
    assert.equal(normalizeWebhookRecording(uploaded.body).stopReason, 'API_CALL');

    await sim.close();
    hook.deliveries.length = 0;
    sim = await simulator({ speed: 1000, startLagMs: 0, uploadMs: 0, webhookQuirks: false });
    const plain = v2(sim);
    await plain('POST', '/webhooks', { name: 'rec', url: hook.url, events: ['recording.statusUpdate'] });
    const second = (await plain('POST', '/recordings', { meeting_id: 'wh-plain' })).body.data.id;
    await recordFor(plain, second, 6);
    await plain('PUT', `/recordings/${second}`, { action: 'stop' });
    await eventually(() => statuses(hook.deliveries, second).includes('UPLOADED'));
    for (const { body } of hook.deliveries) {
      assert.match(body.recording.invokedTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.notEqual(typeof body.recording.stopReason, 'string');
      assert.notEqual(typeof body.recording.fileSize, 'string');
    }
  });

  it('retries a delivery answered 5xx with backoff, keeping its uuid, and does not retry a 4xx', async () => {
    sim = await simulator({ speed: 1000 });
    const call = v2(sim);
    await call('POST', '/webhooks', { name: 'p', url: hook.url, events: ['meeting.participantJoined'] });
    hook.script.push(503, 500);
    await request(`${sim.url}/_sim/meetings/wh-retry/participants`, 'POST', { name: 'Ana' });
    await eventually(() => hook.deliveries.length === 3, 5000, 'two retries');
    const uuids = hook.deliveries.map((d) => d.headers['dyte-uuid']);
    assert.equal(new Set(uuids).size, 1, 'a retry is the same delivery');
    assert.equal(hook.deliveries[0]!.body.participant.userDisplayName, 'Ana');

    hook.script.push(400);
    await request(`${sim.url}/_sim/meetings/wh-retry/participants`, 'POST', { name: 'Ben' });
    await eventually(() => hook.deliveries.length === 4);
    await new Promise((resolve) => setTimeout(resolve, 100)); // 100 s simulated: any retry would be here
    assert.equal(hook.deliveries.length, 4);
  });

  it('retries a delivery that times out, and gives up after the last attempt', async () => {
    sim = await simulator({ speed: 1000, webhookTimeoutMs: 100, webhookAttempts: 3 });
    const call = v2(sim);
    await call('POST', '/webhooks', { name: 'p', url: hook.url, events: ['meeting.participantJoined'] });
    hook.script.push('hang', 'hang', 'hang');
    await request(`${sim.url}/_sim/meetings/wh-timeout/participants`, 'POST', {});
    await eventually(() => hook.deliveries.length === 3, 5000, 'three attempts');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(hook.deliveries.length, 3);
  });

  it('sends participant and meeting events only to webhooks subscribed to them', async () => {
    sim = await simulator({ speed: 1000 });
    const call = v2(sim);
    await call('POST', '/webhooks', {
      name: 'meeting',
      url: hook.url,
      events: ['meeting.started', 'meeting.participantJoined', 'meeting.participantLeft', 'meeting.ended'],
    });
    const joined = await request(`${sim.url}/_sim/meetings/wh-people/participants`, 'POST', { name: 'Ana' });
    await request(`${sim.url}/_sim/meetings/wh-people/participants/${joined.body.participantId}`, 'DELETE');
    await call('POST', '/recordings', { meeting_id: 'wh-people' }); // not subscribed: no delivery
    await eventually(() => hook.deliveries.length === 4);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const events = hook.deliveries.map((d) => d.body.event).sort();
    assert.deepEqual(events, [
      'meeting.ended',
      'meeting.participantJoined',
      'meeting.participantLeft',
      'meeting.started',
    ]);
    const left = hook.deliveries.find((d) => d.body.event === 'meeting.participantLeft')!.body;
    assert.equal(left.participant.peerId, joined.body.participantId);
    assert.ok(left.participant.leftAt);
    assert.equal(
      hook.deliveries.find((d) => d.body.event === 'meeting.ended')!.body.reason,
      'ALL_PARTICIPANTS_LEFT',
    );
  });

  it('signs with rtk-* headers for webhooks registered through RealtimeKit, dyte-* through v1', async () => {
    sim = await simulator({ speed: 1000 });
    const other = await receiver();
    after(() => other.close());
    await rtk(sim)('POST', '/webhooks', {
      name: 'rtk',
      url: hook.url,
      events: ['meeting.participantJoined'],
    });
    await v1(sim)('POST', '/webhook', { name: 'v1', url: other.url, events: ['meeting.participantJoined'] });
    await request(`${sim.url}/_sim/meetings/wh-rtk/participants`, 'POST', {});
    await eventually(() => hook.deliveries.length === 1 && other.deliveries.length === 1);
    const key = await publicKey(sim);
    const [viaRtk] = hook.deliveries;
    assert.ok(signedBy(key, viaRtk!.raw, String(viaRtk!.headers['rtk-signature'])));
    assert.ok(viaRtk!.headers['rtk-uuid']);
    assert.ok(viaRtk!.headers['rtk-webhook-id']);
    assert.equal(viaRtk!.headers['dyte-signature'], undefined);
    const [viaV1] = other.deliveries;
    assert.ok(signedBy(key, viaV1!.raw, String(viaV1!.headers['dyte-signature'])));
  });
});
