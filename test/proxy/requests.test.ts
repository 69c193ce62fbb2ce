/** Who may call and what they may send: tokens, the replaceable authorization, bad input, CORS, mounting. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { ApiError } from '../../src/core/errors.ts';
import { createProxy } from '../../src/server.ts';
import type { Caller } from '../../src/server.ts';
import { meetingId, startRig, TOKEN_SECRET } from './helpers.ts';
import type { Rig } from './helpers.ts';

async function codeOf(response: Response): Promise<string> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  assert.equal(typeof body.error.message, 'string');
  return body.error.code;
}

function sign(payload: Record<string, unknown>, secret = TOKEN_SECRET, expiresIn = '5m') {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('dyte-recording-kit')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe('requests the proxy refuses', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ proxy: { allowedOrigins: ['https://app.example'] } });
  });
  after(() => rig.close());

  it('answers 401 without a token, with a malformed header, or with a forged one', async () => {
    const meeting = meetingId();
    const path = `/meetings/${meeting}/recordings`;
    assert.equal((await rig.call(path)).status, 401);
    const basic = await rig.call(path, { headers: { authorization: 'Basic abc' } });
    assert.equal(basic.status, 401);
    assert.equal(await codeOf(basic), 'unauthorized');

    const good = await rig.token('host', meeting);
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const forgedCases = {
      'another secret': await sign({ meetingId: meeting, role: 'host' }, 'x'.repeat(40)),
      'a tampered payload': `${header}.${Buffer.from(JSON.stringify({ meetingId: meeting, role: 'host', aud: 'dyte-recording-kit', exp: 9e9 })).toString('base64url')}.${signature}`,
      'alg none': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
      'another audience': await new SignJWT({ meetingId: meeting, role: 'host' })
        .setProtectedHeader({ alg: 'HS256' })
        .setAudience('someone-else')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(TOKEN_SECRET)),
      'no role': await sign({ meetingId: meeting }),
      'an unknown role': await sign({ meetingId: meeting, role: 'admin' }),
      garbage: 'not.a.token',
    };
    for (const [name, token] of Object.entries(forgedCases)) {
      const response = await rig.call(path, { token });
      assert.equal(response.status, 401, name);
      assert.equal(await codeOf(response), 'unauthorized', name);
    }
  });

  it('answers 401 token_expired for an expired token', async () => {
    const meeting = meetingId();
    const expired = await sign({ meetingId: meeting, role: 'host' }, TOKEN_SECRET, '-10s');
    const response = await rig.call(`/meetings/${meeting}/recordings`, { token: expired });
    assert.equal(response.status, 401);
    assert.equal(await codeOf(response), 'token_expired');
  });

  it('refuses bad ids with 400 invalid_id', async () => {
    const meeting = meetingId();
    const token = await rig.token('host', meeting);
    for (const path of [
      `/meetings/${'a'.repeat(65)}/recordings`,
      '/meetings/bad%20id/recordings',
      '/meetings/..%2F..%2Fetc/recordings',
      `/recordings/${'b'.repeat(65)}`,
      '/recordings/-leading-dash',
      '/recordings/semi%3Bcolon/download',
    ]) {
      const response = await rig.call(path, { token });
      assert.equal(response.status, 400, path);
      assert.equal(await codeOf(response), 'invalid_id', path);
    }
  });

  it('refuses malformed bodies: invalid JSON, non-objects, wrong types, wrong media type', async () => {
    const meeting = meetingId();
    const token = await rig.token('host', meeting);
    const post = (body: string, type = 'application/json') =>
      rig.call(`/meetings/${meeting}/recordings`, {
        method: 'POST',
        token,
        body,
        headers: { 'content-type': type },
      });
    const broken = await post('{"codec": ');
    assert.equal(broken.status, 400);
    assert.equal(await codeOf(broken), 'invalid_json');
    const array = await post('["H264"]');
    assert.equal(array.status, 400);
    assert.equal(await codeOf(array), 'bad_request');
    const text = await post('codec=H264', 'application/x-www-form-urlencoded');
    assert.equal(text.status, 415);
    assert.equal(await codeOf(text), 'unsupported_media_type');

    const put = (json: unknown) => rig.call('/recordings/r-1', { method: 'PUT', token, json });
    for (const body of [{}, { action: 'rewind' }, { action: 1 }, { action: 'stop', extra: true }]) {
      const response = await put(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(await codeOf(response), 'bad_request');
    }
  });

  it('answers 413 to bodies over 16 KiB, declared or streamed', async () => {
    const meeting = meetingId();
    const token = await rig.token('host', meeting);
    const big = JSON.stringify({ codec: 'H264', padding: 'x'.repeat(17 * 1024) });
    const declared = await rig.call(`/meetings/${meeting}/recordings`, {
      method: 'POST',
      token,
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(declared.status, 413);
    assert.equal(await codeOf(declared), 'payload_too_large');
    const streamed = await rig.call(`/meetings/${meeting}/recordings`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 20; i += 1) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 413);
    const unsigned = await rig.call('/webhooks', { method: 'POST', body: 'x'.repeat(300 * 1024) });
    assert.equal(unsigned.status, 401, 'an unsigned webhook is refused before its body is read');
    const webhook = await rig.call('/webhooks', {
      method: 'POST',
      body: 'x'.repeat(300 * 1024),
      headers: { 'dyte-signature': 'c2lnbmVk' },
    });
    assert.equal(webhook.status, 413);
  });

  it('answers 405 with Allow to a wrong method, and 404 JSON to an unknown route', async () => {
    const deleted = await rig.call('/meetings/m-1/recordings', { method: 'DELETE' });
    assert.equal(deleted.status, 405);
    assert.equal(await codeOf(deleted), 'method_not_allowed');
    assert.match(deleted.headers.get('allow') ?? '', /GET.*POST/);
    const webhookGet = await rig.call('/webhooks');
    assert.equal(webhookGet.status, 405);
    const unknown = await rig.call('/nothing/here');
    assert.equal(unknown.status, 404);
    assert.equal(await codeOf(unknown), 'not_found');
  });

  it('allows CORS only for the configured origins', async () => {
    const allowed = await rig.call('/health', { headers: { origin: 'https://app.example' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
    await allowed.body?.cancel();
    const other = await rig.call('/health', { headers: { origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    await other.body?.cancel();
    const preflight = await rig.call('/meetings/m-1/recordings', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
    assert.equal(preflight.headers.get('access-control-max-age'), '600');
  });

  it('gives every answer, errors included, its CORS and security headers', async () => {
    const origin = { origin: 'https://app.example' };
    const answers = {
      health: await rig.call('/health', { headers: origin }),
      '401': await rig.call('/meetings/m-1/recordings', { headers: origin }),
      '404': await rig.call('/nothing/here', { headers: origin }),
      '405': await rig.call('/webhooks', { headers: origin }),
    };
    for (const [name, response] of Object.entries(answers)) {
      assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.example', name);
      assert.equal(
        response.headers.get('access-control-expose-headers'),
        'Retry-After,Location,X-Request-Id',
        name,
      );
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', name);
      assert.equal(response.headers.get('cache-control'), 'no-store', name);
      assert.equal(response.headers.get('vary'), 'Origin', name);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/, name);
      await response.body?.cancel();
    }
  });
  it('answers a request without Origin (same origin, or no browser) without CORS headers', async () => {
    for (const path of ['/health', '/meetings/m-1/recordings', '/nothing/here']) {
      const response = await rig.call(path);
      for (const name of ['access-control-allow-origin', 'access-control-expose-headers', 'vary']) {
        assert.equal(response.headers.get(name), null, `${path}: ${name}`);
      }
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('cache-control'), 'no-store', path);
      await response.body?.cancel();
    }
  });
});

describe('the proxy as a fetch handler', () => {
  const upstream = {
    kind: 'v2',
    apiBase: 'http://127.0.0.1:9',
    orgId: 'org',
    apiKey: 'key-not-used',
  } as const;

  it('mounts the contract under a base path', async () => {
    const proxy = createProxy({
      upstream,
      tokenSecret: TOKEN_SECRET,
      basePath: '/api',
      log: () => undefined,
    });
    try {
      const mounted = await proxy.fetch(new Request('http://proxy.test/api/meetings/m-1/recordings'));
      assert.equal(mounted.status, 401);
      const root = await proxy.fetch(new Request('http://proxy.test/meetings/m-1/recordings'));
      assert.equal(root.status, 404);
    } finally {
      await proxy.close();
    }
  });

  for (const answers of ['at once', 'as a promise'] as const) {
    it(`lets the host app replace the authorization step (its answer ${answers})`, async () => {
      const check = (request: Request, meetingId: string | null): Caller => {
        const session = request.headers.get('x-session');
        if (session !== 'valid-session') throw new ApiError(401, 'unauthorized', 'No session.');
        return {
          meetingId: meetingId ?? 'm-session',
          role: 'viewer',
          sub: 'user-1',
          name: 'Dee',
          expiresAt: null,
        };
      };
      const rig = await startRig({
        proxy: {
          authorize:
            answers === 'at once'
              ? (request, { meetingId }) => check(request, meetingId)
              : async (request, { meetingId }) => check(request, meetingId),
        },
      });
      try {
        const meeting = meetingId();
        const path = `/meetings/${meeting}/recordings`;
        const refused = await rig.call(path, { token: await rig.token('host', meeting) });
        assert.equal(refused.status, 401);
        assert.equal(((await refused.json()) as { error: { message: string } }).error.message, 'No session.');
        const ok = await rig.call(path, { headers: { 'x-session': 'valid-session' } });
        assert.equal(ok.status, 200);
        const list = (await ok.json()) as { permissions: { start: boolean } };
        assert.equal(list.permissions.start, false);
        const start = await rig.call(path, {
          method: 'POST',
          json: {},
          headers: { 'x-session': 'valid-session' },
        });
        assert.equal(start.status, 403);
      } finally {
        await rig.close();
      }
    });
  }

  it('refuses a configuration that cannot work', () => {
    assert.throws(() => createProxy({ upstream, tokenSecret: 'short' }), /at least 32/);
    assert.throws(
      () => createProxy({ upstream, tokenSecret: TOKEN_SECRET, recording: { codecs: ['VP9'] } }),
      /codecs/,
    );
    assert.throws(
      () => createProxy({ upstream, tokenSecret: TOKEN_SECRET, recording: { maxSeconds: 10 } }),
      /maxSeconds/,
    );
    assert.throws(
      () =>
        createProxy({
          upstream: { ...upstream, kind: 'v1' },
          tokenSecret: TOKEN_SECRET,
          recording: { storage: { type: 'gcs', bucket: 'b', secret: 's' } },
        }),
      /uploads to aws, azure, digitalocean/,
    );
  });
});

describe('Cloudflare RealtimeKit upstream', () => {
  it('speaks RealtimeKit through the same contract (smoke)', async () => {
    const rig = await startRig({ kind: 'rtk' });
    try {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const started = await rig.call(`/meetings/${meeting}/recordings`, {
        method: 'POST',
        token: host,
        json: {},
      });
      assert.equal(started.status, 201);
      const calls = await rig.upstreamCalls();
      assert.ok(
        Object.keys(calls.requests).some((route) => route.startsWith('POST /client/v4/accounts/')),
        JSON.stringify(calls.requests),
      );
      const list = await rig.call(`/meetings/${meeting}/recordings`, { token: host });
      assert.equal(((await list.json()) as { recordings: unknown[] }).recordings.length, 1);
    } finally {
      await rig.close();
    }
  });
});
