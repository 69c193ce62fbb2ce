/**
 * The bad-input corpus: ten thousand generated requests across every route (methods, ids, headers,
 * bodies, cursors, limits, token claims) and fifteen hundred generated signed webhook bodies, against
 * the real proxy and simulator. No answer is a proxy-made 5xx, none outlives the deadline, no body or
 * log line carries a stack trace or a secret, and the proxy's memory returns to its baseline.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { RECORDING_STATUSES } from '../../src/core/recording.ts';
import { meetingId, startRig, TOKEN_SECRET } from './helpers.ts';
import type { Rig } from './helpers.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const REQUESTS = 10_000;
const WEBHOOKS = 1_500;
const CONCURRENCY = 16;
const DEADLINE_MS = 10_000;
const METRICS_TOKEN = 'corpus-metrics-token-0123456789';
/** A stack frame as Node prints one. */
const STACK = /\bat \S+ \(?[^\s()]+:\d+:\d+\)?|\n\s+at /;

interface Spec {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('the bad-input corpus', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let rig: Rig;
  let secrets: string[];
  const meeting = meetingId();

  before(async () => {
    rig = await startRig({
      sim: { rateLimitPerMinute: 1_000_000 },
      proxy: {
        webhookPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        metricsToken: METRICS_TOKEN,
        requestDeadlineMs: DEADLINE_MS,
        readCacheMs: 1000,
      },
    });
    secrets = [
      rig.sim.apiKey,
      btoa(`${rig.sim.orgId}:${rig.sim.apiKey}`),
      TOKEN_SECRET,
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().split('\n')[1]!,
    ];
  });
  after(() => rig.close());

  /** Tokens a caller might send: valid ones, other meetings', expired, forged, and odd claims. */
  async function tokenPool(): Promise<string[]> {
    const key = new TextEncoder().encode(TOKEN_SECRET);
    const signed = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256' }) =>
      new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
    const now = Math.floor(Date.now() / 1000);
    const base = { aud: 'dyte-recording-kit', exp: now + 600, iat: now };
    const odd = fc.sample(
      fc.record({
        meetingId: fc.oneof(fc.constant(meeting), fc.string(), fc.integer(), fc.constant(null)),
        role: fc.oneof(fc.constantFrom('host', 'viewer', 'admin', ''), fc.string()),
        sub: fc.oneof(fc.string(), fc.string({ minLength: 150, maxLength: 400 }), fc.integer()),
        name: fc.oneof(fc.string(), fc.string({ minLength: 150, maxLength: 2000 }), fc.constant({})),
        // Finite doubles only: JSON has no NaN or Infinity, and the signer refuses them.
        exp: fc.oneof(
          fc.constant(now + 600),
          fc.integer(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.constant(now - 10),
        ),
        iat: fc.oneof(fc.constant(now), fc.integer({ min: now, max: now + 10 ** 9 }), fc.string()),
      }),
      40,
    );
    return [
      await rig.token('host', meeting),
      await rig.token('viewer', meeting),
      await rig.token('host', meetingId()),
      await signed({ ...base, meetingId: meeting, role: 'host', exp: now - 5 }),
      await signed({ ...base, meetingId: meeting, role: 'host', exp: now + 100 * 365 * 86_400 }),
      await new SignJWT({ ...base, meetingId: meeting, role: 'host' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('another-secret-another-secret-another')),
      `${btoa(JSON.stringify({ alg: 'none' }))}.${btoa(JSON.stringify({ ...base, meetingId: meeting, role: 'host' }))}.`,
      ...(await Promise.all(odd.map((claims) => signed({ aud: 'dyte-recording-kit', ...claims })))),
    ];
  }

  function requestSpecs(tokens: string[]): Spec[] {
    const id = fc.oneof(
      { weight: 4, arbitrary: fc.constant(meeting) },
      { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) },
      fc.string().map(encodeURIComponent),
      fc.string({ minLength: 200, maxLength: 600 }).map(encodeURIComponent),
      fc.constantFrom('..', '%2e%2e', '%00', '%ZZ', 'rec-1', ''),
    );
    const query = fc.record(
      {
        cursor: fc.oneof(
          fc.base64String(),
          fc.string(),
          fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => btoa(`${a}:${b}`)),
          fc.constantFrom('MTAwMDAwMDox', 'LTE6MjA', 'MDow'),
        ),
        limit: fc.oneof(fc.integer().map(String), fc.string(), fc.constantFrom('0', '101', '1e3', '20')),
        kind: fc.oneof(fc.constantFrom('video', 'audio', 'transcript', 'summary', 'VIDEO', ''), fc.string()),
      },
      { requiredKeys: [] },
    );
    const path = fc.oneof(
      id.map((m) => `/meetings/${m}/recordings`),
      id.map((m) => `/meetings/${m}/events`),
      id.map((r) => `/recordings/${r}`),
      id.map((r) => `/recordings/${r}/download`),
      id.map((r) => `/recordings/${r}/acknowledgements`),
      id.map((r) => `/recordings/${r}/summary`),
      fc.constantFrom('/webhooks', '/health', '/metrics', '/', '/meetings', '/recordings/'),
      fc.webPath(),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record({ action: fc.oneof(fc.constantFrom('stop', 'pause', 'resume'), fc.jsonValue()) })
        .map((v) => JSON.stringify(v)),
      fc
        .record({ codec: fc.oneof(fc.constantFrom('H264', 'VP8', 'AV1'), fc.jsonValue()) })
        .map((v) => JSON.stringify(v)),
      fc.string(),
      fc.string({ minLength: 17 * 1024, maxLength: 20 * 1024 }),
    );
    const headers = fc.record(
      {
        authorization: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...tokens).map((token) => `Bearer ${token}`) },
          fc.string(),
          fc.string().map((text) => `Bearer ${text}`),
          fc.constantFrom('Basic YTpi', 'Bearer', 'bearer  x.y.z'),
        ),
        'content-type': fc.oneof(
          fc.constantFrom('application/json', 'text/plain', 'application/x+json'),
          fc.string(),
        ),
        'last-event-id': fc.oneof(fc.nat().map(String), fc.string()),
        accept: fc.constantFrom('application/json', 'text/event-stream', '*/*'),
        'dyte-signature': fc.base64String(),
        'dyte-uuid': fc.uuid(),
      },
      { requiredKeys: [] },
    );
    const spec = fc.record({
      method: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT') },
        fc.constantFrom('DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
      ),
      path,
      query,
      headers,
      body,
    });
    return fc.sample(spec, { numRuns: REQUESTS, seed: 11 }).map((s) => {
      const search = new URLSearchParams(s.query as Record<string, string>).toString();
      const printable = Object.fromEntries(
        Object.entries(s.headers).filter(([, value]) => /^[\t\x20-\x7e]*$/.test(value as string)),
      ) as Record<string, string>;
      return {
        method: s.method,
        path: `${s.path}${search ? `?${search}` : ''}`,
        headers: printable,
        body: s.method === 'GET' || s.method === 'HEAD' ? undefined : s.body,
      };
    });
  }

  function webhookBodies(): string[] {
    const time = fc.oneof(
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      fc.constantFrom('2023-04-14 04:46:08.306221Z', '9999-99-99', ''),
      fc.double(),
      fc.constantFrom(1e20, -1e20, 8.64e15 + 1, Number.MAX_SAFE_INTEGER),
      fc.string(),
      fc.constant(null),
    );
    const recording = fc.record(
      {
        id: fc.oneof(fc.constantFrom('rec-a', 'rec-b'), fc.string()),
        recordingId: fc.string(),
        meetingId: fc.oneof(fc.constant(meeting), fc.string()),
        status: fc.oneof(fc.constantFrom(...RECORDING_STATUSES), fc.string(), fc.integer()),
        invokedTime: time,
        startedTime: time,
        stoppedTime: time,
        downloadUrlExpiry: time,
        fileSize: fc.oneof(fc.double(), fc.string(), fc.integer()),
        recordingDuration: fc.oneof(fc.double(), fc.string()),
        stopReason: fc.oneof(
          fc.string(),
          fc.constant("{'reason': 'API_CALL', 'caller': None}"),
          fc.jsonValue(),
        ),
        errMessage: fc.string(),
        downloadUrl: fc.webUrl(),
      },
      { requiredKeys: [] },
    );
    const meetingPart = fc.record(
      {
        id: fc.oneof(fc.constant(meeting), fc.string(), fc.integer()),
        startedAt: time,
        sessionId: fc.string(),
      },
      { requiredKeys: [] },
    );
    const participant = fc.record(
      { peerId: fc.string(), id: fc.string(), joinedAt: time, leftAt: time },
      { requiredKeys: [] },
    );
    const payload = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record(
          {
            event: fc.oneof(
              fc.constantFrom(
                'recording.statusUpdate',
                'meeting.started',
                'meeting.ended',
                'meeting.participantJoined',
                'meeting.participantLeft',
              ),
              fc.string(),
            ),
            recording: fc.oneof(recording, fc.jsonValue()),
            meeting: fc.oneof(meetingPart, fc.jsonValue()),
            participant: fc.oneof(participant, fc.jsonValue()),
          },
          { requiredKeys: ['event'] },
        ),
      },
      fc.jsonValue(),
    );
    return [
      ...fc.sample(payload, { numRuns: WEBHOOKS - 100, seed: 12 }).map((value) => JSON.stringify(value)),
      ...fc.sample(fc.string(), { numRuns: 100, seed: 13 }),
    ];
  }

  const failures: string[] = [];
  const check = (what: string, condition: boolean) => {
    if (!condition && failures.length < 20) failures.push(what);
  };

  async function send(spec: Spec): Promise<void> {
    const started = Date.now();
    let response: Response;
    try {
      response = await fetch(`${rig.url}${spec.path}`, {
        method: spec.method,
        headers: spec.headers,
        body: spec.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(DEADLINE_MS + 3000),
      });
    } catch (error) {
      check(
        `${spec.method} ${spec.path}: no answer (${(error as Error).name}) after ${Date.now() - started} ms`,
        false,
      );
      return;
    }
    const streaming = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
    const text = streaming ? '' : await response.text();
    if (streaming) await response.body?.cancel();
    const label = `${spec.method} ${spec.path} → ${response.status} ${text.slice(0, 200)}`;
    if (response.status >= 500) {
      const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
      check(`proxy-made 5xx: ${label}`, code.startsWith('upstream_') || code === 'store_unavailable');
    }
    check(`stack trace in body: ${label}`, !STACK.test(text));
    for (const secret of secrets) check(`secret in body: ${label}`, !text.includes(secret));
    if (response.status >= 400 && spec.method !== 'HEAD') {
      let shaped = false;
      try {
        const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
        shaped = typeof body.error?.code === 'string' && typeof body.error.message === 'string';
      } catch {
        // Not JSON: not shaped.
      }
      check(`error not {"error":{code,message}}: ${label}`, shaped);
    }
  }

  async function run<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < items.length) await work(items[next++]!);
      }),
    );
  }

  it('answers 10,000 generated requests and 1,500 signed webhook bodies without a 5xx, a hang or a leak', async () => {
    const specs = requestSpecs(await tokenPool());
    const webhooks = webhookBodies();
    // Warm up (lazy imports, JIT, the key), then the baseline.
    await run(specs.slice(0, 300), send);
    const baseline = heapMb();
    await run(specs, send);
    await run(webhooks, async (body) => {
      const response = await fetch(`${rig.url}/webhooks`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'dyte-signature': sign('sha256', Buffer.from(body), privateKey).toString('base64'),
          'dyte-uuid': crypto.randomUUID(),
        },
        signal: AbortSignal.timeout(DEADLINE_MS + 3000),
      }).catch((error: Error) => error);
      if (response instanceof Error)
        return check(`webhook: no answer (${response.name}) ${body.slice(0, 120)}`, false);
      const text = await response.text();
      check(
        `webhook ${response.status} ${text.slice(0, 160)} for ${body.slice(0, 160)}`,
        response.status === 204 || response.status === 400,
      );
      check(`stack trace in webhook answer ${text}`, !STACK.test(text));
    });
    const metrics = await (await rig.call('/metrics', { token: METRICS_TOKEN })).text();
    check(
      `streams left open: ${/drk_open_streams \d+/.exec(metrics)?.[0]}`,
      /drk_open_streams 0\b/.test(metrics),
    );
    for (const line of rig.logs) {
      check(`stack trace in a log line: ${line.slice(0, 300)}`, !STACK.test(line));
      for (const secret of secrets)
        check(`secret in a log line: ${line.slice(0, 300)}`, !line.includes(secret));
      check(`internal error logged: ${line.slice(0, 300)}`, !line.includes('internal error'));
    }
    rig.logs.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // read caches lapse, streams settle
    const grown = heapMb() - baseline;
    check(`heap grew ${grown.toFixed(1)} MB over its baseline of ${baseline.toFixed(1)} MB`, grown < 40);
    assert.deepEqual(failures, []);
  });
});
