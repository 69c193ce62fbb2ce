/** Inputs that once got through wrongly: replayed webhooks, forged cursors, out-of-range times. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader, SignJWT } from 'jose';
import type { Recording } from '../../src/core/recording.ts';
import { createRecordingToken } from '../../src/server.ts';
import { keyId } from '../../src/proxy/token-policy.ts';
import { eventually, meetingId, openEvents, readRecording, sleep, startRig } from './helpers.ts';
import type { Rig } from './helpers.ts';

describe('hardening against old and forged input', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      proxy: {
        webhookPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        pollIntervals: { activeMs: 100, idleMs: 60_000 },
      },
    });
  });
  after(() => rig.close());

  const deliver = (payload: unknown, uuid = randomUUID()) => {
    const body = JSON.stringify(payload);
    return rig.call('/webhooks', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'dyte-uuid': uuid,
        'dyte-signature': sign('sha256', Buffer.from(body), privateKey).toString('base64'),
      },
    });
  };

  const control = (id: string, token: string, action: string) =>
    rig.call(`/recordings/${id}`, { method: 'PUT', token, json: { action } });

  it('never shows a replayed or late PAUSED over a resumed recording', async () => {
    const meeting = meetingId();
    const host = await rig.token('host', meeting);
    const started = await rig.call(`/meetings/${meeting}/recordings`, {
      method: 'POST',
      token: host,
      json: {},
    });
    const { id } = (await started.json()) as Recording;
    await eventually(
      () => readRecording(rig, host, id),
      (r) => r.status === 'RECORDING',
    );
    assert.equal((await control(id, host, 'pause')).status, 200);
    assert.equal((await control(id, host, 'resume')).status, 200);
    const stream = await openEvents(rig, meeting);
    try {
      await stream.next((m) => m.event === 'snapshot');
      const paused = {
        event: 'recording.statusUpdate',
        recording: { id, recordingId: id, meetingId: meeting, status: 'PAUSED' },
        meeting: { id: meeting },
      };
      // The late delivery, then the same signed body replayed under a new delivery id.
      assert.equal((await deliver(paused)).status, 204);
      assert.equal((await deliver(paused)).status, 204);
      await sleep(300);
      const statuses = stream.messages
        .filter((m) => m.event === 'recording')
        .map((m) => (m.data as Recording).status);
      assert.ok(!statuses.includes('PAUSED'), statuses.join(' '));
    } finally {
      await stream.close();
    }
  });

  it('answers 400 to a forged cursor the upstream would refuse', async () => {
    const meeting = meetingId();
    const viewer = await rig.token('viewer', meeting);
    for (const cursor of ['MTAwMDAwMDox', btoa('99999900:100').replace(/=+$/, '')]) {
      const response = await rig.call(`/meetings/${meeting}/recordings?cursor=${cursor}`, { token: viewer });
      assert.equal(response.status, 400, cursor);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'bad_request');
    }
  });

  it('answers 400 to a signed webhook whose times no Date can hold', async () => {
    const meeting = meetingId();
    const bodies = [
      { event: 'meeting.started', meeting: { id: meeting, startedAt: 1e20 } },
      {
        event: 'meeting.participantJoined',
        meeting: { id: meeting },
        participant: { peerId: 'p1', joinedAt: -1e20 },
      },
      {
        event: 'recording.statusUpdate',
        recording: { id: 'rec-x', meetingId: meeting, status: 'RECORDING', startedTime: 1e20 },
        meeting: { id: meeting },
      },
    ];
    for (const body of bodies) {
      const response = await deliver(body);
      assert.equal(response.status, 400, JSON.stringify(body));
    }
    assert.ok(!rig.logs.some((line) => /internal error|RangeError/.test(line)), rig.logs.join('\n'));
  });
});

describe('key rotation of webhook signatures', () => {
  it('accepts deliveries signed by any configured key, and no other', async () => {
    const pem = (key: ReturnType<typeof generateKeyPairSync>['publicKey']) =>
      key.export({ type: 'spki', format: 'pem' }).toString();
    const [oldKey, newKey, stranger] = [0, 1, 2].map(() =>
      generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ) as [
      ReturnType<typeof generateKeyPairSync>,
      ReturnType<typeof generateKeyPairSync>,
      ReturnType<typeof generateKeyPairSync>,
    ];
    // As DYTE_WEBHOOK_PUBLIC_KEY carries them: the PEM blocks one after the other.
    const rig = await startRig({
      proxy: { webhookPublicKey: `${pem(newKey.publicKey)}\n${pem(oldKey.publicKey)}` },
    });
    try {
      const deliver = (key: typeof oldKey) => {
        const body = JSON.stringify({ event: 'meeting.started', meeting: { id: meetingId() } });
        return rig.call('/webhooks', {
          method: 'POST',
          body,
          headers: { 'dyte-signature': sign('sha256', Buffer.from(body), key.privateKey).toString('base64') },
        });
      };
      assert.equal((await deliver(newKey)).status, 204);
      assert.equal((await deliver(oldKey)).status, 204);
      assert.equal((await deliver(stranger)).status, 401);
    } finally {
      await rig.close();
    }
  });
});

describe('tokens the verifier refuses, rotates and revokes', () => {
  const OLD_SECRET = `old-${'o'.repeat(40)}`;
  const NEW_SECRET = `new-${'n'.repeat(40)}`;
  let rig: Rig;
  before(async () => {
    rig = await startRig({ proxy: { tokenSecret: `${NEW_SECRET},${OLD_SECRET}` } });
  });
  after(() => rig.close());

  const now = () => Math.floor(Date.now() / 1000);
  const forge = (claims: Record<string, unknown>, secret = NEW_SECRET) =>
    new SignJWT({ aud: 'dyte-recording-kit', role: 'host', iat: now(), exp: now() + 600, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
  const list = (meeting: string, token: string) => rig.call(`/meetings/${meeting}/recordings`, { token });

  it('refuses a token living past the maximum, issued in the future, or with a name or sub over 200 characters', async () => {
    const meeting = meetingId();
    assert.equal((await list(meeting, await forge({ meetingId: meeting }))).status, 200);
    const refused = {
      'a 100-year token': await forge({ meetingId: meeting, exp: now() + 100 * 365 * 86_400 }),
      'an 8-day token without iat': await forge({
        meetingId: meeting,
        iat: undefined,
        exp: now() + 8 * 86_400,
      }),
      'an iat in the future': await forge({ meetingId: meeting, iat: now() + 3600 }),
      'a 10 KB name': await forge({ meetingId: meeting, name: 'x'.repeat(10_240) }),
      'a 201-character sub': await forge({ meetingId: meeting, sub: 'x'.repeat(201) }),
    };
    for (const [what, token] of Object.entries(refused)) {
      const response = await list(meeting, token);
      assert.equal(response.status, 401, what);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'unauthorized', what);
    }
  });

  it('takes tokens of every configured secret, picked by kid, and mints with the newest', async () => {
    const meeting = meetingId();
    const minted = await createRecordingToken(
      { meetingId: meeting, role: 'viewer' },
      `${NEW_SECRET},${OLD_SECRET}`,
    );
    assert.equal(decodeProtectedHeader(minted).kid, keyId(NEW_SECRET));
    assert.equal((await list(meeting, minted)).status, 200);
    const old = await createRecordingToken({ meetingId: meeting, role: 'viewer' }, OLD_SECRET);
    assert.equal((await list(meeting, old)).status, 200, 'a token of the older secret');
    assert.equal(
      (await list(meeting, await forge({ meetingId: meeting }, OLD_SECRET))).status,
      200,
      'no kid',
    );
    const stranger = await createRecordingToken(
      { meetingId: meeting, role: 'viewer' },
      `x-${'s'.repeat(40)}`,
    );
    assert.equal((await list(meeting, stranger)).status, 401, 'a secret the proxy does not hold');
    const wrongKid = await new SignJWT({
      aud: 'dyte-recording-kit',
      meetingId: meeting,
      role: 'host',
      exp: now() + 60,
    })
      .setProtectedHeader({ alg: 'HS256', kid: keyId(NEW_SECRET) })
      .sign(new TextEncoder().encode(OLD_SECRET));
    assert.equal(
      (await list(meeting, wrongKid)).status,
      401,
      'the kid names another secret than the one that signed',
    );
  });

  it('refuses a revoked token by its jti, and no other', async () => {
    const meeting = meetingId();
    const revoked = await createRecordingToken(
      { meetingId: meeting, role: 'host', jti: 'jti-revoked' },
      NEW_SECRET,
    );
    const kept = await createRecordingToken({ meetingId: meeting, role: 'host' }, NEW_SECRET);
    assert.equal((await list(meeting, revoked)).status, 200);
    await rig.proxy.revokeToken('jti-revoked');
    assert.equal((await list(meeting, revoked)).status, 401);
    assert.equal((await list(meeting, kept)).status, 200);
  });
});
