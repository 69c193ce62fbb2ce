import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLooseObject, parseTime } from '../../src/core/parse.ts';
import { readFault } from '../../src/simulator/faults.ts';
import { parseRange, Router } from '../../src/simulator/http.ts';
import { RateLimiter } from '../../src/simulator/rate-limit.ts';
import { createRecording } from '../../src/simulator/lifecycle.ts';
import { recordingWebhook } from '../../src/simulator/render.ts';
import { createUrlSigner } from '../../src/simulator/signing.ts';
import { ValidationError } from '../../src/simulator/validate.ts';

describe('URL signing', () => {
  const signer = createUrlSigner();
  const now = Date.UTC(2025, 0, 1);
  const query = (path: string, expiresAt: number) => new URLSearchParams(signer.sign(path, expiresAt));

  it('verifies its own URL until the expiry, then reports it expired', () => {
    const signed = query('/_downloads/r/f.mp4', now + 60_000);
    assert.equal(signer.verify('/_downloads/r/f.mp4', signed, now), 'ok');
    assert.equal(signer.verify('/_downloads/r/f.mp4', signed, now + 60_000), 'expired');
  });

  it('rejects another path, another expiry, another key and garbage', () => {
    const signed = query('/_downloads/r/f.mp4', now + 60_000);
    assert.equal(signer.verify('/_downloads/r/g.mp4', signed, now), 'invalid');
    const later = new URLSearchParams(signed);
    later.set('expires', String(Number(later.get('expires')) + 1));
    assert.equal(signer.verify('/_downloads/r/f.mp4', later, now), 'invalid');
    assert.equal(createUrlSigner().verify('/_downloads/r/f.mp4', signed, now), 'invalid');
    assert.equal(
      signer.verify('/_downloads/r/f.mp4', new URLSearchParams('expires=x&signature=y'), now),
      'invalid',
    );
  });
});

describe('byte ranges', () => {
  it('reads first-last, open-ended and suffix ranges, clamped to the file', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-5', 100), { start: 95, end: 99 });
    assert.deepEqual(parseRange('bytes=50-500', 100), { start: 50, end: 99 });
    assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 99 });
  });

  it('serves the whole file for no or unreadable ranges, and refuses unsatisfiable ones', () => {
    assert.equal(parseRange(undefined, 100), null);
    assert.equal(parseRange('items=0-1', 100), null);
    assert.equal(parseRange('bytes=0-1,5-6', 100), null);
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=9-3', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
  });
});

describe('router', () => {
  const route = (method: string, template: string) => ({
    method,
    template,
    api: null,
    handle: () => ({ status: 200 }),
  });
  const router = new Router([
    route('GET', '/v2/recordings/active-recording/:meeting_id'),
    route('GET', '/v2/recordings/:recording_id'),
    route('PUT', '/v2/recordings/:recording_id'),
  ]);

  it('matches templates with decoded params and lists the methods a path takes', () => {
    const found = router.match('GET', '/v2/recordings/active-recording/a%20b');
    assert.ok(found.route);
    assert.deepEqual(found.params, { meeting_id: 'a b' });
    assert.deepEqual(
      router.match('GET', '/v2/recordings/r-1/').route?.template,
      '/v2/recordings/:recording_id',
    );
    assert.deepEqual(router.match('DELETE', '/v2/recordings/r-1'), { route: null, allowed: ['GET', 'PUT'] });
    assert.deepEqual(router.match('GET', '/v2/nothing'), { route: null, allowed: [] });
  });
});

describe('rate limiter', () => {
  it('allows `limit` requests per sliding minute per client and says when the next one may come', () => {
    const limiter = new RateLimiter(2);
    assert.equal(limiter.take('a', 0), null);
    assert.equal(limiter.take('a', 10_000), null);
    assert.equal(limiter.take('a', 20_000), 40_000);
    assert.equal(limiter.take('b', 20_000), null, 'another client has its own budget');
    assert.equal(limiter.take('a', 60_001), null, 'the first request left the window');
  });
});

describe('faults', () => {
  it('defaults count to 1 and the timeout to 30 s, and rejects bad specs', () => {
    assert.deepEqual(readFault({ kind: 'timeout' }), { kind: 'timeout', count: 1, ms: 30_000 });
    assert.deepEqual(readFault({ kind: 'latency', ms: 5 }), { kind: 'latency', count: 1, ms: 5 });
    for (const bad of [
      null,
      [],
      { kind: 'x' },
      { kind: 'http_500', count: 1.5 },
      { kind: 'timeout', ms: -1 },
    ]) {
      assert.throws(() => readFault(bad), ValidationError, JSON.stringify(bad));
    }
  });
});

describe('webhook quirks', () => {
  it('write times with a space and microseconds, and stop reasons as Python dicts that still parse', () => {
    const config = {
      meetingId: 'm',
      maxSeconds: 60,
      fileNamePrefix: null,
      codec: 'H264' as const,
      width: 1,
      height: 1,
      audioCodec: null,
      storage: null,
      ownBucket: true,
      allowMultiple: false,
    };
    const at = Date.UTC(2023, 3, 14, 4, 46, 8, 306);
    const recording = {
      ...createRecording({ id: 'r', sessionId: 's', config, at }),
      status: 'ERRORED' as const,
      stopReason: { reason: 'API_CALL' as const, caller: { type: 'USER' as const, name: "O'Brien" } },
    };
    const meeting = { id: 'm', sessionId: 's', title: 'm', live: true, createdAt: at, startedAt: at };
    const links = { video: null, audio: null, expiresAt: null };
    const body = recordingWebhook(recording, at, links, meeting, 'org', { on: true, sequence: 1 }) as {
      recording: Record<string, unknown>;
    };
    assert.match(String(body.recording.invokedTime), /^2023-04-14 04:46:08\.306\d{3}Z$/);
    assert.equal(parseTime(body.recording.invokedTime), '2023-04-14T04:46:08.306Z');
    assert.equal(typeof body.recording.stopReason, 'string');
    assert.deepEqual(parseLooseObject(body.recording.stopReason), recording.stopReason);
  });
});
