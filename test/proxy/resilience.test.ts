/** An upstream that fails, stalls, throttles or loses answers: clear errors, fast, and never two recordings. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordingList } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { conformance } from '../simulator/conformance.ts';
import { meetingId, SPEED, startRig } from './helpers.ts';
import type { Rig } from './helpers.ts';

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const began = Date.now();
  const value = await work();
  return { value, ms: Date.now() - began };
}

const listOf = async (rig: Rig, meeting: string, token: string) =>
  (await (await rig.call(`/meetings/${meeting}/recordings`, { token })).json()) as RecordingList;

/** The simulator's name of each API's start route, as its request counts show it. */
const START_ROUTE = {
  v2: 'POST /v2/recordings',
  v1: 'POST /v1/organizations/:organization_id/meetings/:meeting_id/recording',
} as const;

// The two APIs run side by side (each with its own simulator and proxy), their tests one at a time.
describe('an upstream in trouble', { concurrency: true }, () => {
  for (const kind of ['v2', 'v1'] as const) {
    describe(`Dyte ${kind}`, { concurrency: 1 }, () => {
      it('answers 502 upstream_unavailable quickly while the upstream is down, and recovers after', async () => {
        const rig = await startRig({ kind, proxy: { upstreamTimeoutMs: 500 } });
        const port = Number(new URL(rig.sim.url).port);
        const { orgId, apiKey } = rig.sim;
        let revived;
        try {
          const meeting = meetingId();
          const host = await rig.token('host', meeting);
          await rig.sim.close();
          const { value: down, ms } = await timed(() =>
            rig.call(`/meetings/${meeting}/recordings`, { token: host }),
          );
          assert.equal(down.status, 502);
          assert.equal((await errorOf(down)).code, 'upstream_unavailable');
          assert.ok(ms < 1500, `answered in ${ms} ms`);
          const start = await rig.call(`/meetings/${meeting}/recordings`, {
            method: 'POST',
            token: host,
            json: {},
          });
          assert.equal(start.status, 502);
          const health = await rig.call('/health');
          assert.equal(health.status, 503);
          assert.equal(((await health.json()) as { ok: boolean }).ok, false);

          revived = await startSimulator({ port, orgId, apiKey, speed: SPEED, observe: conformance().check });
          const back = await rig.call(`/meetings/${meeting}/recordings`, { token: host });
          assert.equal(back.status, 200);
          assert.equal((await rig.call('/health')).status, 200);
        } finally {
          await rig.close();
          await revived?.close();
        }
      });

      it('answers 504 when the upstream stalls, within its timeout budget', async () => {
        const rig = await startRig({ kind, proxy: { upstreamTimeoutMs: 300, upstreamRetries: 1 } });
        try {
          const meeting = meetingId();
          const host = await rig.token('host', meeting);
          await rig.control('/_sim/faults', {
            method: 'POST',
            json: { kind: 'timeout', count: 2, ms: 5000 },
          });
          const { value: stalled, ms } = await timed(() =>
            rig.call(`/meetings/${meeting}/recordings`, { token: host }),
          );
          assert.equal(stalled.status, 504);
          assert.equal((await errorOf(stalled)).code, 'upstream_unavailable');
          assert.ok(ms < 1200, `answered in ${ms} ms`);
          assert.equal((await rig.call(`/meetings/${meeting}/recordings`, { token: host })).status, 200);
        } finally {
          await rig.close();
        }
      });

      it('answers 429 rate_limited with Retry-After when the upstream throttles', async () => {
        const rig = await startRig({ kind, sim: { rateLimitPerMinute: 3, speed: 1 } });
        try {
          const meeting = meetingId();
          const host = await rig.token('host', meeting);
          let throttled: Response | undefined;
          for (let i = 0; i < 6 && !throttled; i += 1) {
            const response = await rig.call(`/recordings/rec-${i}`, { token: host });
            if (response.status === 429) throttled = response;
            else await response.body?.cancel();
          }
          assert.ok(throttled, 'the upstream limit was reached');
          assert.equal((await errorOf(throttled)).code, 'rate_limited');
          assert.match(throttled.headers.get('retry-after') ?? '', /^\d+$/);
          assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
        } finally {
          await rig.close();
        }
      });

      for (const [name, ms, webhooks] of [
        ['whose answer never comes', 5000, false],
        ['whose connection breaks before the answer', 50, false],
        ['whose answer never comes while its webhook does', 5000, true],
      ] as const) {
        it(`makes exactly one recording of a start ${name}`, async () => {
          const rig = await startRig({ kind, webhooks, proxy: { upstreamTimeoutMs: 400 } });
          try {
            const meeting = meetingId();
            const host = await rig.token('host', meeting, { sub: 'u-1', name: 'Ana' });
            await rig.control('/_sim/faults', { method: 'POST', json: { kind: 'timeout', count: 1, ms } });
            const response = await rig.call(`/meetings/${meeting}/recordings`, {
              method: 'POST',
              token: host,
              json: {},
            });
            assert.equal(response.status, 201, await response.clone().text());
            const recording = (await response.json()) as Recording;
            assert.deepEqual(recording.startedBy, { id: 'u-1', name: 'Ana' });
            const again = await rig.call(`/meetings/${meeting}/recordings`, {
              method: 'POST',
              token: host,
              json: {},
            });
            assert.equal(again.status, 409);
            const list = await listOf(rig, meeting, host);
            assert.deepEqual(
              list.recordings.map((r) => r.id),
              [recording.id],
            );
            const calls = await rig.upstreamCalls();
            assert.equal(calls.requests[START_ROUTE[kind]], 2, 'the lost start was not retried blindly');
          } finally {
            await rig.close();
          }
        });
      }
    });
  }
});

describe('an upstream in trouble (Dyte v2)', () => {
  it('retries a read through a passing 500, and answers 502 when the failures persist', async () => {
    const rig = await startRig();
    try {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      await rig.control('/_sim/faults', { method: 'POST', json: { kind: 'http_500', count: 1 } });
      assert.equal((await rig.call(`/meetings/${meeting}/recordings`, { token: host })).status, 200);

      await rig.control('/_sim/faults', { method: 'POST', json: { kind: 'http_500', count: 50 } });
      const { value: failed, ms } = await timed(() =>
        rig.call(`/meetings/${meeting}/recordings`, { token: host }),
      );
      assert.equal(failed.status, 502);
      assert.equal((await errorOf(failed)).code, 'upstream_unavailable');
      assert.ok(ms < 1500, `answered in ${ms} ms`);
      await rig.control('/_sim/faults', { method: 'DELETE' });
      assert.equal((await rig.call(`/meetings/${meeting}/recordings`, { token: host })).status, 200);
    } finally {
      await rig.close();
    }
  });

  it('reports a start the upstream refused outright (500 before acting) without making one', async () => {
    const rig = await startRig();
    try {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      await rig.control('/_sim/faults', { method: 'POST', json: { kind: 'http_500', count: 1 } });
      const failed = await rig.call(`/meetings/${meeting}/recordings`, {
        method: 'POST',
        token: host,
        json: {},
      });
      assert.equal(failed.status, 502);
      assert.equal((await errorOf(failed)).code, 'upstream_unavailable');
      assert.deepEqual((await listOf(rig, meeting, host)).recordings, []);
      const retried = await rig.call(`/meetings/${meeting}/recordings`, {
        method: 'POST',
        token: host,
        json: {},
      });
      assert.equal(retried.status, 201);
    } finally {
      await rig.close();
    }
  });

  it('answers 502 upstream_error when the upstream refuses the server credentials', async () => {
    const rig = await startRig();
    const wrong = await startRig({
      proxy: {
        upstream: { kind: 'v2', apiBase: rig.sim.url, orgId: rig.sim.orgId, apiKey: 'wrong-key-123' },
      },
    });
    try {
      const meeting = meetingId();
      const response = await wrong.call(`/meetings/${meeting}/recordings`, {
        token: await wrong.token('host', meeting),
      });
      assert.equal(response.status, 502);
      assert.equal((await errorOf(response)).code, 'upstream_error');
      assert.ok(wrong.logs.some((line) => line.includes('credentials')));
    } finally {
      await wrong.close();
      await rig.close();
    }
  });
});
