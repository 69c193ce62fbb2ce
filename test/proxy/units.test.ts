/** The proxy's pure parts: tokens, configuration from the environment, the event bus's replay window. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '../../src/core/errors.ts';
import {
  ConfigError,
  createRecordingToken,
  MemoryEventBus,
  proxyOptionsFromEnv,
  verifyRecordingToken,
} from '../../src/server.ts';
import type { Recording } from '../../src/core/recording.ts';
import { secretsOf } from '../../src/proxy/config.ts';
import { batchedLines, createLog } from '../../src/proxy/logger.ts';
import { TokenVerifier } from '../../src/proxy/token.ts';
import { TOKEN_SECRET } from './helpers.ts';

describe('recording tokens', () => {
  it('carry meeting, role, subject, name and expiry through a round trip', async () => {
    const before = Date.now();
    const token = await createRecordingToken(
      { meetingId: 'm-1', role: 'host', sub: 'u-1', name: 'Ana', ttlSeconds: 60 },
      TOKEN_SECRET,
    );
    const claims = await verifyRecordingToken(token, TOKEN_SECRET);
    assert.equal(claims.meetingId, 'm-1');
    assert.equal(claims.role, 'host');
    assert.equal(claims.sub, 'u-1');
    assert.equal(claims.name, 'Ana');
    assert.ok(claims.expiresAt >= before + 59_000 && claims.expiresAt <= Date.now() + 61_000);
  });

  it('default to a short life and leave absent names null', async () => {
    const claims = await verifyRecordingToken(
      await createRecordingToken({ meetingId: 'm-1', role: 'viewer' }, TOKEN_SECRET),
      TOKEN_SECRET,
    );
    assert.equal(claims.sub, null);
    assert.equal(claims.name, null);
    assert.ok(claims.expiresAt - Date.now() <= 15 * 60_000);
  });

  it('refuse bad claims and short secrets when minted', async () => {
    await assert.rejects(
      createRecordingToken({ meetingId: 'bad id', role: 'host' }, TOKEN_SECRET),
      /meeting id/,
    );
    await assert.rejects(
      createRecordingToken({ meetingId: 'm-1', role: 'owner' as 'host' }, TOKEN_SECRET),
      /Role/,
    );
    await assert.rejects(
      createRecordingToken({ meetingId: 'm-1', role: 'host', ttlSeconds: 0 }, TOKEN_SECRET),
      /ttlSeconds/,
    );
    await assert.rejects(createRecordingToken({ meetingId: 'm-1', role: 'host' }, 'short'), /at least 32/);
  });

  it('fail verification with another secret as a 401 ApiError', async () => {
    const token = await createRecordingToken({ meetingId: 'm-1', role: 'host' }, TOKEN_SECRET);
    await assert.rejects(verifyRecordingToken(token, 'another-secret-of-enough-length-123'), (error) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 401);
      assert.equal(error.code, 'unauthorized');
      return true;
    });
  });
});

describe('the token verifier (synchronous HS256, verified tokens remembered)', () => {
  const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256' }) => {
    const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const signed = `${encode(header)}.${encode(payload)}`;
    return `${signed}.${createHmac('sha256', TOKEN_SECRET).update(signed).digest('base64url')}`;
  };
  const now = () => Math.floor(Date.now() / 1000);
  const claims = { meetingId: 'm-1', role: 'host', aud: 'dyte-recording-kit' };
  const codeOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 401);
      return error.code;
    }
    return 'accepted';
  };

  it('accepts what jose mints, and refuses what a JWT library refuses', async () => {
    const verifier = new TokenVerifier(TOKEN_SECRET);
    const minted = await createRecordingToken({ meetingId: 'm-1', role: 'viewer', sub: 'u-1' }, TOKEN_SECRET);
    assert.equal(verifier.verify(minted).sub, 'u-1');
    const [header, payload, signature] = minted.split('.') as [string, string, string];
    const cases: Record<string, [string, string]> = {
      'a valid hand-made token': [sign({ ...claims, exp: now() + 60 }), 'accepted'],
      'an audience list holding ours': [
        sign({ ...claims, aud: ['x', 'dyte-recording-kit'], exp: now() + 60 }),
        'accepted',
      ],
      'no exp': [sign(claims), 'unauthorized'],
      'a string exp': [sign({ ...claims, exp: String(now() + 60) }), 'unauthorized'],
      expired: [sign({ ...claims, exp: now() - 1 }), 'token_expired'],
      'not before a future time': [sign({ ...claims, exp: now() + 60, nbf: now() + 30 }), 'unauthorized'],
      'another audience': [sign({ ...claims, aud: 'else', exp: now() + 60 }), 'unauthorized'],
      'alg none': [sign({ ...claims, exp: now() + 60 }, { alg: 'none' }), 'unauthorized'],
      'a crit header': [sign({ ...claims, exp: now() + 60 }, { alg: 'HS256', crit: ['x'] }), 'unauthorized'],
      'a payload that is no object': [sign([1] as unknown as Record<string, unknown>), 'unauthorized'],
      'a tampered payload': [`${header}.${payload.slice(0, -2)}AA.${signature}`, 'unauthorized'],
      'a padded signature': [`${minted}=`, 'unauthorized'],
      'a truncated signature': [minted.slice(0, -1), 'unauthorized'],
      'four parts': [`${minted}.x`, 'unauthorized'],
      'a bad role': [sign({ ...claims, role: 'admin', exp: now() + 60 }), 'unauthorized'],
    };
    for (const [name, [token, code]] of Object.entries(cases)) {
      assert.equal(
        codeOf(() => verifier.verify(token)),
        code,
        name,
      );
    }
  });

  it('refuses any single changed character of a valid token', async () => {
    const verifier = new TokenVerifier(TOKEN_SECRET);
    const token = await createRecordingToken({ meetingId: 'm-1', role: 'host' }, TOKEN_SECRET);
    verifier.verify(token);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'AQgw_-.x0'), (at, char) => {
        fc.pre(token[at] !== char);
        const changed = `${token.slice(0, at)}${char}${token.slice(at + 1)}`;
        // Base64url's last character carries spare bits: a change there may decode to the same bytes.
        fc.pre(!(at === token.length - 1));
        assert.notEqual(
          codeOf(() => verifier.verify(changed)),
          'accepted',
        );
      }),
    );
  });

  it('answers token_expired for a remembered token once it expires', async () => {
    const verifier = new TokenVerifier(TOKEN_SECRET);
    const token = sign({ ...claims, exp: now() + 1 });
    assert.equal(
      codeOf(() => verifier.verify(token)),
      'accepted',
    );
    assert.equal(
      codeOf(() => verifier.verify(token)),
      'accepted',
      'remembered',
    );
    await new Promise((resolve) => setTimeout(resolve, 1100 + (1000 - (Date.now() % 1000))));
    assert.equal(
      codeOf(() => verifier.verify(token)),
      'token_expired',
    );
  });
});

describe('configuration from the environment', () => {
  const base = {
    DYTE_ORG_ID: 'org-1',
    DYTE_API_KEY: 'key-1',
    RECORDING_TOKEN_SECRET: TOKEN_SECRET,
  };

  it('reads a v2 configuration with its defaults', () => {
    const options = proxyOptionsFromEnv(base);
    assert.deepEqual(options.upstream, { kind: 'v2', apiBase: undefined, orgId: 'org-1', apiKey: 'key-1' });
    assert.equal(options.tokenSecret, TOKEN_SECRET);
    assert.equal(options.allowedOrigins, undefined);
    assert.equal(options.emptyRoomTimeoutSeconds, undefined, 'the proxy applies its default, 60 s');
  });

  it('reads origins, codecs, limits, storage and the webhook settings', () => {
    const options = proxyOptionsFromEnv({
      ...base,
      DYTE_API_VERSION: 'v1',
      DYTE_API_BASE: 'http://localhost:9999',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      RECORDING_CODECS: 'vp8,H264',
      RECORDING_MAX_SECONDS: '3600',
      RECORDING_FILE_NAME_PREFIX: 'standup',
      STORAGE_TYPE: 'aws',
      STORAGE_BUCKET: 'bucket',
      STORAGE_SECRET: 's3cr3t',
      PUBLIC_WEBHOOK_URL: 'https://proxy.example/webhooks',
      VIEWER_CAN_DOWNLOAD: 'false',
      EMPTY_ROOM_TIMEOUT_SECONDS: '120',
    });
    assert.equal(options.upstream.kind, 'v1');
    assert.deepEqual(options.allowedOrigins, ['https://a.example', 'https://b.example']);
    assert.deepEqual(options.recording?.codecs, ['VP8', 'H264']);
    assert.equal(options.recording?.maxSeconds, 3600);
    assert.equal(options.recording?.fileNamePrefix, 'standup');
    assert.equal(options.recording?.storage?.secret, 's3cr3t');
    assert.equal(options.publicWebhookUrl, 'https://proxy.example/webhooks');
    assert.equal(options.viewerCanDownload, false);
    assert.equal(options.emptyRoomTimeoutSeconds, 120);
  });

  it('keeps the state in memory unless REDIS_URL is set, and reads the Redis settings', () => {
    assert.equal(proxyOptionsFromEnv(base).redis, undefined);
    const options = proxyOptionsFromEnv({
      ...base,
      REDIS_URL: 'rediss://:p%40ss-word@redis.example:6380/2',
      REDIS_PREFIX: 'rec:',
      REDIS_RETENTION_DAYS: '7',
    });
    assert.deepEqual(options.redis, {
      url: 'rediss://:p%40ss-word@redis.example:6380/2',
      prefix: 'rec:',
      retentionDays: 7,
    });
    const lines: string[] = [];
    createLog((line) => lines.push(line), secretsOf(options)).log('auth p@ss-word / p%40ss-word');
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { msg: string }).msg),
      ['auth [redacted] / [redacted]'],
    );
    assert.throws(
      () => proxyOptionsFromEnv({ ...base, REDIS_URL: 'http://redis.example', REDIS_RETENTION_DAYS: '0' }),
      /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL; REDIS_RETENTION_DAYS must be a whole number/,
    );
  });

  it('reads a RealtimeKit configuration', () => {
    const options = proxyOptionsFromEnv({
      DYTE_API_VERSION: 'rtk',
      RTK_ACCOUNT_ID: 'acct',
      RTK_APP_ID: 'app',
      RTK_API_TOKEN: 'tok',
      RECORDING_TOKEN_SECRET: TOKEN_SECRET,
    });
    assert.deepEqual(options.upstream, {
      kind: 'rtk',
      apiBase: undefined,
      accountId: 'acct',
      appId: 'app',
      apiToken: 'tok',
    });
  });

  it('names every missing or malformed variable at once, and no value', () => {
    assert.throws(
      () =>
        proxyOptionsFromEnv({
          DYTE_API_KEY: 'leaky-key-value',
          RECORDING_MAX_SECONDS: '5',
          RECORDING_CODECS: 'AV1',
          EMPTY_ROOM_TIMEOUT_SECONDS: '1.5',
        }),
      (error) => {
        assert.ok(error instanceof ConfigError);
        for (const name of [
          'DYTE_ORG_ID',
          'RECORDING_TOKEN_SECRET',
          'RECORDING_MAX_SECONDS',
          'RECORDING_CODECS',
          'EMPTY_ROOM_TIMEOUT_SECONDS',
        ]) {
          assert.match(error.message, new RegExp(name));
        }
        assert.ok(!error.message.includes('leaky-key-value'));
        return true;
      },
    );
    assert.throws(() => proxyOptionsFromEnv({ ...base, DYTE_API_VERSION: 'v3' }), /DYTE_API_VERSION/);
    assert.throws(() => proxyOptionsFromEnv({ ...base, STORAGE_TYPE: 'ftp' }), /STORAGE_TYPE/);
  });
});

describe('the in-memory event bus', () => {
  const event = (id: string) => ({ type: 'recording', data: { id } as Recording }) as const;

  it("numbers each meeting's events in order and replays what a stream missed", async () => {
    const bus = new MemoryEventBus(3);
    const start = await bus.lastId('m');
    const seen: number[] = [];
    const unsubscribe = bus.subscribe('m', (e) => seen.push(e.id));
    for (const id of ['a', 'b', 'c', 'd']) await bus.publish('m', event(id));
    unsubscribe();
    await bus.publish('m', event('e'));
    assert.deepEqual(seen, [start + 1, start + 2, start + 3, start + 4]);
    assert.deepEqual(
      (await bus.since('m', start + 2))?.map((e) => e.id),
      [start + 3, start + 4, start + 5],
    );
    assert.deepEqual(await bus.since('m', start + 5), []);
    assert.equal(await bus.since('m', start + 1), null, 'older than the replay window');
    assert.equal(await bus.since('m', start + 99), null, 'from another life of the proxy');
    assert.equal(await bus.since('other', start), null);
  });

  it('starts ids from the clock, so ids from before a restart are older than any after it', async () => {
    const first = await new MemoryEventBus().lastId('m');
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = await new MemoryEventBus().lastId('m');
    assert.ok(second > first + 1000);
  });
});

describe('log lines', () => {
  it('writes request lines as JSON pino would, whatever the actor, with secrets scrubbed', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 200 })), fc.nat({ max: 599 }), (actor, status) => {
        const lines: string[] = [];
        const secret = 'api-key-that-must-not-show';
        const { requests } = createLog((line) => lines.push(line), [secret]);
        const sent = actor === null ? null : `${actor}${secret}`;
        requests.forRoute('/meetings/:meetingId/recordings')(`req-${secret}`, 'GET', status, 1.26, sent);
        const line = JSON.parse(lines[0]!) as Record<string, unknown>;
        assert.equal(line.level, 'info');
        assert.ok(!Number.isNaN(Date.parse(String(line.time))));
        assert.deepEqual(
          { ...line, time: undefined },
          {
            level: 'info',
            time: undefined,
            requestId: 'req-[redacted]',
            method: 'GET',
            route: '/meetings/:meetingId/recordings',
            status,
            durationMs: 1.3,
            actor: sent === null ? null : sent.split(secret).join('[redacted]'),
            msg: 'request',
          },
        );
      }),
    );
  });

  it('says when the info level is off (the guard then writes no request line)', () => {
    const { requests } = createLog(() => undefined, [], 'warn');
    assert.equal(requests.enabled, false);
    assert.equal(createLog(() => undefined, []).requests.enabled, true);
  });

  it('batches the lines of one turn into one write, in order, at most 500 a write', async () => {
    const writes: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push(chunk.toString());
        done();
      },
    });
    const write = batchedLines(sink);
    for (let i = 0; i < 3; i += 1) write(`line ${i}`);
    assert.equal(writes.length, 0, 'nothing before the turn ends');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(writes, ['line 0\nline 1\nline 2\n']);
    for (let i = 0; i < 501; i += 1) write(`line ${i}`);
    assert.equal(writes.length, 2, 'a full batch is written at once');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      writes.slice(1).map((text) => text.split('\n').length - 1),
      [500, 1],
    );
    assert.equal(writes.slice(1).join(''), Array.from({ length: 501 }, (_, i) => `line ${i}\n`).join(''));
  });

  it('writes what is pending when the process exits', () => {
    const logger = new URL('../../src/proxy/logger.ts', import.meta.url).href;
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { stderrLines } = await import(${JSON.stringify(logger)}); stderrLines()('last words'); process.exit(0);`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stderr, 'last words\n');
  });
});
