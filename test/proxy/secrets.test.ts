/** No secret (API key, token secret, storage credentials) in any response, header, event or log line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Recording } from '../../src/core/recording.ts';
import {
  eventually,
  meetingId,
  openEvents,
  readRecording,
  sleep,
  SPEED,
  startRig,
  TOKEN_SECRET,
} from './helpers.ts';

const STORAGE = {
  type: 'aws',
  accessKey: 'AKIA-storage-access-key-7f3a',
  secret: 'storage-secret-value-91bc',
  bucket: 'recordings-bucket',
  region: 'us-east-1',
} as const;

for (const kind of ['v2', 'v1'] as const) {
  describe(`secrets stay on the server (${kind})`, () => {
    it('appear in no response, header, event or log line across a whole session', async () => {
      const rig = await startRig({ kind, webhooks: true, proxy: { recording: { storage: STORAGE } } });
      const seen: string[] = [];
      const record = async (response: Response) => {
        seen.push(
          `${response.status} ${JSON.stringify([...response.headers])} ${await response.clone().text()}`,
        );
        return response;
      };
      try {
        const meeting = meetingId();
        const host = await rig.token('host', meeting);
        const viewer = await rig.token('viewer', meeting);
        const stream = await openEvents(rig, meeting, viewer);
        seen.push(JSON.stringify([...stream.response.headers]));

        const started = await record(
          await rig.call(`/meetings/${meeting}/recordings`, { method: 'POST', token: host, json: {} }),
        );
        assert.equal(started.status, 201);
        const { id } = (await started.json()) as Recording;
        await record(
          await rig.call(`/meetings/${meeting}/recordings`, { method: 'POST', token: host, json: {} }),
        );
        await eventually(
          () => readRecording(rig, host, id),
          (r) => r.status === 'RECORDING',
        );
        // The storage configuration did reach the upstream (so its secrets were in play).
        const upstream = await fetch(`${rig.sim.url}/v2/recordings/${id}`, {
          headers: { authorization: `Basic ${btoa(`${rig.sim.orgId}:${rig.sim.apiKey}`)}` },
        });
        const stored = ((await upstream.json()) as { data: { storage_config: { bucket?: string } } }).data;
        assert.equal(stored.storage_config.bucket, STORAGE.bucket);
        await record(await rig.call(`/recordings/${id}/download`, { token: host }));
        await sleep((8000 / SPEED) * 1.5);
        await record(
          await rig.call(`/recordings/${id}`, { method: 'PUT', token: host, json: { action: 'stop' } }),
        );
        await eventually(
          () => readRecording(rig, host, id),
          (r) => r.status === 'UPLOADED',
        );
        await record(await rig.call(`/recordings/${id}`, { token: viewer }));
        await record(await rig.call(`/recordings/${id}/download`, { token: viewer }));
        await record(
          await rig.call(`/recordings/${id}/download`, {
            token: viewer,
            headers: { accept: 'application/json' },
          }),
        );
        await record(await rig.call(`/meetings/${meeting}/recordings`, { token: viewer }));
        await record(await rig.call(`/meetings/${meeting}/recordings`, { token: 'forged.token.value' }));
        await record(
          await rig.call(`/meetings/${meeting}/recordings`, {
            method: 'POST',
            token: viewer,
            json: { storage_config: STORAGE },
          }),
        );
        await record(
          await rig.call('/webhooks', { method: 'POST', body: '{}', headers: { 'dyte-signature': 'AAAA' } }),
        );
        await record(await rig.call('/health'));
        await rig.control('/_sim/faults', { method: 'POST', json: { kind: 'http_500', count: 10 } });
        await record(await rig.call(`/meetings/${meeting}/recordings?limit=3`, { token: host }));
        await rig.control('/_sim/faults', { method: 'DELETE' });

        await stream.next((m) => m.event === 'recording' && (m.data as Recording).status === 'UPLOADED');
        await stream.close();
        seen.push(JSON.stringify(stream.messages));

        const secrets = {
          'API key': rig.sim.apiKey,
          'Basic credentials': btoa(`${rig.sim.orgId}:${rig.sim.apiKey}`),
          'token secret': TOKEN_SECRET,
          'storage secret': STORAGE.secret,
          'storage access key': STORAGE.accessKey,
        };
        assert.ok(rig.logs.length > 5, `the session was logged: ${rig.logs.length} lines`);
        for (const [name, secret] of Object.entries(secrets)) {
          for (const text of seen)
            assert.ok(!text.includes(secret), `${name} in a response: ${text.slice(0, 200)}`);
          for (const line of rig.logs) assert.ok(!line.includes(secret), `${name} in a log line: ${line}`);
        }
      } finally {
        await rig.close();
      }
    });
  });
}

describe('the log scrubber', () => {
  it('redacts a secret even if a log line were to carry one', async () => {
    const rig = await startRig({ proxy: { recording: { storage: STORAGE } } });
    try {
      // An id is echoed in log lines; an id made of the storage secret's characters must come out redacted.
      const meeting = 'storage-secret-value-91bc';
      const host = await rig.token('host', meeting);
      await rig.call(`/meetings/${meeting}/recordings`, { method: 'POST', token: host, json: {} });
      assert.ok(rig.logs.some((line) => line.includes('[redacted]')));
      assert.ok(rig.logs.every((line) => !line.includes(STORAGE.secret)));
    } finally {
      await rig.close();
    }
  });
});
