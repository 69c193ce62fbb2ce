/** Limits under abuse: floods, rate limits, deadlines, slow senders, stream caps, logs and metrics. */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Recording } from '../../src/core/recording.ts';
import type { ProxyOptions } from '../../src/server.ts';
import { createRecordingToken, MemoryEventBus } from '../../src/server.ts';
import { eventually, meetingId, openEvents, sleep, startRig, TOKEN_SECRET } from './helpers.ts';
import type { EventStreamReader, Rig } from './helpers.ts';
import { startInstances, startRedis } from './redis.ts';
import type { RunningRedis } from './redis.ts';

/** The defaults, as a production proxy runs (the rig turns the limits off for other tests). */
const PRODUCTION: Partial<ProxyOptions> = { rateLimits: {}, readCacheMs: 1000, trustForwardedFor: true };

const from = (address: string) => ({ 'x-forwarded-for': address });

async function statusCounts(responses: Promise<Response>[]): Promise<Record<number, number>> {
  const counts: Record<number, number> = {};
  for (const response of await Promise.all(responses)) {
    counts[response.status] = (counts[response.status] ?? 0) + 1;
    await response.body?.cancel();
  }
  return counts;
}

describe('a flood of one meeting', () => {
  let rig: Rig;
  before(async () => {
    // An upstream quota small enough that an unguarded flood would use it up.
    rig = await startRig({
      sim: { rateLimitPerMinute: 600 },
      proxy: { ...PRODUCTION, rateLimits: { upstreamPerMinute: 500 } },
    });
  });
  after(() => rig.close());

  it('costs the upstream a handful of reads, and leaves another meeting able to list and start', async () => {
    const flooded = meetingId();
    const viewer = await rig.token('viewer', flooded);
    await rig.resetUpstreamCalls();
    const until = Date.now() + 5000;
    const statuses: Record<number, number> = {};
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (Date.now() < until) {
          const response = await rig.call(`/meetings/${flooded}/recordings`, {
            token: viewer,
            headers: from('10.0.0.1'),
          });
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          await response.body?.cancel();
        }
      }),
    );
    const calls = await rig.upstreamCalls();
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    assert.ok(total > 500, `a flood: ${JSON.stringify(statuses)}`);
    assert.ok(statuses[429]! > 0, `the flood is refused: ${JSON.stringify(statuses)}`);
    assert.ok(calls.total <= 10, `${calls.total} upstream calls for ${total} requests`);

    const other = meetingId();
    const host = await rig.token('host', other, { sub: 'host-b' });
    const list = await rig.call(`/meetings/${other}/recordings`, { token: host, headers: from('10.0.0.2') });
    assert.equal(list.status, 200);
    const start = await rig.call(`/meetings/${other}/recordings`, {
      method: 'POST',
      token: host,
      json: {},
      headers: from('10.0.0.2'),
    });
    assert.equal(start.status, 201);
  });
});

describe('rate limits', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      proxy: {
        ...PRODUCTION,
        rateLimits: {
          subjectPerMinute: 6,
          subjectWritesPerMinute: 2,
          addressPerMinute: 20,
          addressWritesPerMinute: 10,
          upstreamPerMinute: 0,
        },
      },
    });
  });
  after(() => rig.close());

  const refusal = async (response: Response) => {
    assert.equal(response.status, 429);
    const retryAfter = Number(response.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'rate_limited');
  };

  it('refuses a subject past its budget with 429 rate_limited and Retry-After, and not another', async () => {
    const meeting = meetingId();
    const ana = await rig.token('viewer', meeting, { sub: 'ana' });
    const list = (token: string, address = '10.1.0.1') =>
      rig.call(`/meetings/${meeting}/recordings`, { token, headers: from(address) });
    for (let i = 0; i < 6; i += 1) assert.equal((await list(ana)).status, 200);
    await refusal(await list(ana, '10.1.0.2'));
    const ben = await rig.token('viewer', meeting, { sub: 'ben' });
    assert.equal((await list(ben)).status, 200);
  });

  it('gives writes (start, stop, download links) a tighter budget', async () => {
    const meeting = meetingId();
    const host = await rig.token('host', meeting, { sub: 'cy' });
    const stop = () =>
      rig.call('/recordings/rec-none', {
        method: 'PUT',
        token: host,
        json: { action: 'stop' },
        headers: from('10.2.0.1'),
      });
    assert.equal((await stop()).status, 404);
    assert.equal((await stop()).status, 404);
    await refusal(await stop());
    const download = await rig.call('/recordings/rec-none/download', {
      token: host,
      headers: from('10.2.0.1'),
    });
    await refusal(download);
    assert.equal(
      (await rig.call(`/meetings/${meeting}/recordings`, { token: host, headers: from('10.2.0.1') })).status,
      200,
      'reads still pass',
    );
  });

  it('refuses an address past its budget, before any token is looked at', async () => {
    const counts = await statusCounts(
      Array.from({ length: 25 }, () => rig.call('/meetings/m-1/recordings', { headers: from('10.3.0.1') })),
    );
    assert.equal(counts[401], 20, JSON.stringify(counts));
    assert.equal(counts[429], 5, JSON.stringify(counts));
    assert.equal((await rig.call('/meetings/m-1/recordings', { headers: from('10.3.0.2') })).status, 401);
  });

  it('keeps its own upstream calls under the configured quota', async () => {
    const guarded = await startRig({ proxy: { ...PRODUCTION, rateLimits: { upstreamPerMinute: 3 } } });
    try {
      const answers: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const meeting = meetingId();
        const viewer = await guarded.token('viewer', meeting);
        const response = await guarded.call(`/meetings/${meeting}/recordings`, { token: viewer });
        answers.push(response.status);
        if (response.status === 429) assert.ok(Number(response.headers.get('retry-after')) >= 1);
      }
      assert.deepEqual(answers, [200, 200, 200, 429, 429]);
      assert.ok((await guarded.upstreamCalls()).total <= 3);
    } finally {
      await guarded.close();
    }
  });
});

describe('rate limits shared through Redis', () => {
  let redis: RunningRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis.close());

  it('counts a subject on every instance together', async () => {
    const instances = await startInstances(redis, 2, {
      proxy: { ...PRODUCTION, rateLimits: { subjectPerMinute: 4, upstreamPerMinute: 0 } },
    });
    try {
      const [a, b] = instances.rigs as [Rig, Rig];
      const meeting = meetingId();
      const viewer = await a.token('viewer', meeting, { sub: 'dee' });
      const list = (rig: Rig) => rig.call(`/meetings/${meeting}/recordings`, { token: viewer });
      const answers = [];
      for (const rig of [a, b, a, b, a, b]) answers.push((await list(rig)).status);
      assert.deepEqual(answers, [200, 200, 200, 200, 429, 429]);
    } finally {
      await instances.close();
    }
  });

  it('refuses a token revoked on one instance on every other', async () => {
    const instances = await startInstances(redis, 2);
    try {
      const [a, b] = instances.rigs as [Rig, Rig];
      const meeting = meetingId();
      const token = await createRecordingToken(
        { meetingId: meeting, role: 'viewer', jti: 'jti-shared' },
        TOKEN_SECRET,
      );
      assert.equal((await b.call(`/meetings/${meeting}/recordings`, { token })).status, 200);
      await a.proxy.revokeToken('jti-shared');
      assert.equal((await b.call(`/meetings/${meeting}/recordings`, { token })).status, 401);
    } finally {
      await instances.close();
    }
  });
});

describe('deadlines', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ proxy: { requestDeadlineMs: 1000, upstreamTimeoutMs: 10_000 } });
  });
  after(() => rig.close());

  it('answers within the deadline when the upstream is slow, and lets repeated clicks join the first', async () => {
    const meeting = meetingId();
    const host = await rig.token('host', meeting);
    await rig.resetUpstreamCalls();
    await rig.control('/_sim/faults', { method: 'POST', json: { kind: 'latency', ms: 2500 } });
    try {
      const clicked = Date.now();
      const clicks = await Promise.all(
        Array.from({ length: 3 }, async (_, i) => {
          await sleep(i * 100);
          const response = await rig.call(`/meetings/${meeting}/recordings`, {
            method: 'POST',
            token: host,
            json: {},
          });
          return { status: response.status, at: Date.now() - clicked, body: await response.json() };
        }),
      );
      for (const click of clicks) {
        assert.equal(click.status, 504, JSON.stringify(click));
        assert.ok(click.at < 1900, `answered after ${click.at} ms`);
        assert.equal((click.body as { error: { code: string } }).error.code, 'upstream_unavailable');
      }
    } finally {
      await rig.control('/_sim/faults', { method: 'DELETE' });
    }
    // The start went on: it made one recording, with one upstream start for the three clicks.
    const viewer = await rig.token('viewer', meeting);
    const listed = await eventually(
      async () =>
        (await (await rig.call(`/meetings/${meeting}/recordings`, { token: viewer })).json()) as {
          recordings: Recording[];
        },
      (list) => list.recordings.length > 0,
    );
    assert.equal(listed.recordings.length, 1);
    const calls = await rig.upstreamCalls();
    const starts = Object.entries(calls.requests)
      .filter(([route]) => route.startsWith('POST') && route.includes('recordings'))
      .reduce((sum, [, count]) => sum + count, 0);
    assert.equal(starts, 1, JSON.stringify(calls.requests));
  });
});

describe('slow and too many connections', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({
      proxy: {
        server: {
          headersTimeoutSeconds: 1,
          requestTimeoutSeconds: 2,
          idleTimeoutSeconds: 1,
          maxConnections: 20,
        },
      },
    });
  });
  after(() => rig.close());

  const open = async (): Promise<{ socket: Socket; closed: Promise<number> }> => {
    const { hostname, port } = new URL(rig.url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const opened = Date.now();
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    return { socket, closed };
  };

  const within = async (closed: Promise<number>, ms: number) => {
    const outcome = await Promise.race([closed, sleep(ms).then(() => 'still open' as const)]);
    assert.notEqual(outcome, 'still open', `not dropped within ${ms} ms`);
  };

  it('drops a body that never arrives in full (Content-Length past what is sent)', async () => {
    const host = await rig.token('host', 'm-1');
    const { socket, closed } = await open();
    socket.write(
      `PUT /recordings/rec-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${host}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a',
    );
    await within(closed, 4500);
  });

  it('drops headers sent slowly (slowloris)', async () => {
    const { socket, closed } = await open();
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.write('X-A: b\r\n'), 200);
    try {
      await within(closed, 4500);
    } finally {
      clearInterval(trickle);
    }
  });

  it('drops a webhook sender that holds its body', async () => {
    const { socket, closed } = await open();
    socket.write(
      'POST /webhooks HTTP/1.1\r\nHost: x\r\ndyte-signature: c2ln\r\nContent-Length: 200000\r\n\r\n{',
    );
    await within(closed, 4500);
  });

  it('refuses connections past the cap', async () => {
    const sockets = await Promise.all(Array.from({ length: 20 }, () => open()));
    try {
      const extra = await open();
      await within(extra.closed, 1000);
    } finally {
      for (const { socket } of sockets) socket.destroy();
    }
  });
});

describe('stream caps', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ proxy: { streamCaps: { perToken: 2, perMeeting: 3, perInstance: 4 } } });
  });
  after(() => rig.close());

  const refusedStream = async (meeting: string, token: string, status: number) => {
    const response = await fetch(`${rig.url}/meetings/${meeting}/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, status);
    assert.ok(Number(response.headers.get('retry-after')) >= 1);
    await response.body?.cancel();
  };

  it('caps streams per token, per meeting and per instance, with 429/503 and Retry-After', async () => {
    const meeting = meetingId();
    const ana = await rig.token('viewer', meeting, { sub: 'ana' });
    const streams: EventStreamReader[] = [];
    try {
      streams.push(await openEvents(rig, meeting, ana), await openEvents(rig, meeting, ana));
      await refusedStream(meeting, ana, 429);
      streams.push(await openEvents(rig, meeting, await rig.token('viewer', meeting, { sub: 'ben' })));
      await refusedStream(meeting, await rig.token('viewer', meeting, { sub: 'cy' }), 429);
      const other = meetingId();
      streams.push(await openEvents(rig, other, await rig.token('viewer', other, { sub: 'dee' })));
      await refusedStream(other, await rig.token('viewer', other, { sub: 'eve' }), 503);
      // A closed stream frees its slot.
      await streams.shift()!.close();
      await sleep(100);
      streams.push(await openEvents(rig, meeting, ana));
    } finally {
      await Promise.all(streams.map((stream) => stream.close()));
    }
  });
});

describe('a reader that does not read', () => {
  it('is dropped, socket and all, once a megabyte waits for it', async () => {
    const bus = new MemoryEventBus();
    const rig = await startRig({ proxy: { bus } });
    try {
      const meeting = meetingId();
      const viewer = await rig.token('viewer', meeting);
      const { hostname, port } = new URL(rig.url);
      const socket = connect(Number(port), hostname);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write(
        `GET /meetings/${meeting}/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${viewer}\r\n\r\n`,
      );
      socket.pause(); // reads nothing from here on
      await sleep(300);
      const big = {
        participants: 1,
        emptySince: null,
        emptyTimeoutSeconds: 60,
        padding: 'x'.repeat(64 * 1024),
      };
      for (let i = 0; i < 400; i += 1) {
        await bus.publish(meeting, { type: 'meeting', data: big as never });
      }
      // Reading again, the reader finds the connection gone, most of what was published never sent.
      let received = 0;
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      socket.resume();
      const outcome = await Promise.race([
        closed.then(() => 'dropped'),
        sleep(5000).then(() => 'still open'),
      ]);
      assert.equal(outcome, 'dropped');
      assert.ok(received < 400 * 64 * 1024 * 0.5, `${received} bytes were still sent`);
      socket.destroy();
    } finally {
      await rig.close();
    }
  });
});

describe('logs and metrics', () => {
  const METRICS_TOKEN = 'metrics-token-0123456789';
  let rig: Rig;
  before(async () => {
    rig = await startRig({ proxy: { metricsToken: METRICS_TOKEN } });
  });
  after(() => rig.close());

  const parsed = () => rig.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes JSON lines with time, level, request id, route, status, duration and actor', async () => {
    const meeting = meetingId();
    const host = await rig.token('host', meeting, { sub: 'ana-42' });
    // The caller's request id is kept (a reverse proxy's, say); one is made up otherwise.
    const requestId = 'req-1234';
    await rig.call(`/meetings/${meeting}/recordings`, {
      token: host,
      headers: { 'x-request-id': requestId },
    });
    await rig.call(`/meetings/${meeting}/recordings`, { token: host });
    const made = parsed()
      .filter((entry) => entry.route === '/meetings/:meetingId/recordings')
      .at(-1);
    assert.match(String(made?.requestId), /^[0-9a-f-]{36}$/);
    const line = parsed().find((entry) => entry.requestId === requestId);
    assert.ok(line, 'a line for the request');
    assert.equal(line.level, 'info');
    assert.ok(typeof line.time === 'string' && !Number.isNaN(Date.parse(line.time)));
    assert.equal(line.route, '/meetings/:meetingId/recordings');
    assert.equal(line.status, 200);
    assert.equal(typeof line.durationMs, 'number');
    assert.equal(line.actor, 'ana-42');
    // An error answer names its line.
    const refused = await rig.call(`/meetings/${meeting}/recordings`, { token: 'not-a-token' });
    assert.equal(refused.status, 401);
    const named = refused.headers.get('x-request-id');
    assert.match(named ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(parsed().find((entry) => entry.requestId === named)?.status, 401);
  });

  it('writes an audit line for every start and stop: who, which meeting, which recording', async () => {
    const meeting = meetingId();
    const host = await rig.token('host', meeting, { sub: 'ana-43', name: 'Ana' });
    const started = await rig.call(`/meetings/${meeting}/recordings`, {
      method: 'POST',
      token: host,
      json: {},
    });
    const { id } = (await started.json()) as Recording;
    await eventually(
      async () => (await rig.call(`/recordings/${id}`, { token: host }).then((r) => r.json())) as Recording,
      (r) => r.status === 'RECORDING',
    );
    await rig.call(`/recordings/${id}`, { method: 'PUT', token: host, json: { action: 'stop' } });
    const audits = parsed().filter((entry) => entry.recordingId === id && entry.audit);
    assert.deepEqual(
      audits.map((entry) => entry.audit),
      ['start', 'stop'],
    );
    for (const entry of audits) {
      assert.deepEqual(entry.actor, { id: 'ana-43', name: 'Ana' });
      assert.equal(entry.meetingId, meeting);
    }
  });

  it('sums a burst of bad webhooks up instead of a line each', async () => {
    const before = rig.logs.length;
    await statusCounts(
      Array.from({ length: 200 }, () =>
        rig.call('/webhooks', { method: 'POST', body: '{}', headers: { 'dyte-signature': 'AAAA' } }),
      ),
    );
    const lines = rig.logs.slice(before).filter((line) => /webhook/i.test(line));
    assert.ok(lines.length <= 2, `${lines.length} lines for 200 bad webhooks`);
  });

  it('logs client aborts as such, once per burst, never as internal errors', async () => {
    const before = rig.logs.length;
    const host = await rig.token('host', 'm-abort');
    const { hostname, port } = new URL(rig.url);
    for (let i = 0; i < 5; i += 1) {
      const socket = connect(Number(port), hostname);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.on('error', () => undefined);
      socket.write(
        `POST /meetings/m-abort/recordings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${host}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a',
      );
      await sleep(100);
      socket.destroy();
    }
    await sleep(300);
    const lines = rig.logs.slice(before);
    assert.ok(!lines.some((line) => line.includes('internal error')), lines.join('\n'));
    assert.equal(lines.filter((line) => line.includes('client aborted')).length, 1, lines.join('\n'));
  });

  it('counts /health answers below 400 without a log line each (load balancers poll it)', async () => {
    const before = rig.logs.length;
    for (let i = 0; i < 3; i += 1) assert.equal((await rig.call('/health')).status, 200);
    const lines = parsed().slice(before);
    assert.deepEqual(
      lines.filter((entry) => entry.route === '/health'),
      [],
    );
    const text = await (await rig.call('/metrics', { token: METRICS_TOKEN })).text();
    const counted = /drk_http_requests_total\{route="\/health",method="GET",status="200"\} (\d+)/.exec(text);
    assert.ok(counted && Number(counted[1]) >= 3, text);
  });

  it('answers the hot reads synchronously while the caller and the page are in memory', async () => {
    // A ready answer needs no promise: @hono/node-server then writes it on its fast path.
    const meeting = meetingId();
    const viewer = await rig.token('viewer', meeting);
    const stream = await openEvents(rig, meeting, viewer);
    try {
      const health = rig.proxy.fetch(new Request(`${rig.url}/health`));
      assert.ok(!(health instanceof Promise), '/health answered at once');
      assert.equal(health.status, 200);
      const list = rig.proxy.fetch(
        new Request(`${rig.url}/meetings/${meeting}/recordings`, {
          headers: { authorization: `Bearer ${viewer}` },
        }),
      );
      assert.ok(!(list instanceof Promise), 'the watched first page answered at once');
      assert.equal(list.status, 200);
      const body = (await list.json()) as { recordings: unknown[]; serverTime: string };
      assert.deepEqual(body.recordings, []);
      assert.ok(!Number.isNaN(Date.parse(body.serverTime)));
      const unwatched = rig.proxy.fetch(
        new Request(`${rig.url}/meetings/${meetingId()}/recordings`, {
          headers: { authorization: `Bearer ${viewer}` },
        }),
      );
      assert.equal((await unwatched).status, 403, 'another meeting: refused, whichever way it answers');
    } finally {
      await stream.close();
    }
  });

  it('serves Prometheus metrics to the metrics token only', async () => {
    assert.equal((await rig.call('/metrics')).status, 401);
    assert.equal((await rig.call('/metrics', { token: 'wrong-token-wrong-token' })).status, 401);
    const meeting = meetingId();
    const stream = await openEvents(rig, meeting);
    try {
      const response = await rig.call('/metrics', { token: METRICS_TOKEN });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
      const text = await response.text();
      assert.match(
        text,
        /drk_http_requests_total\{route="\/meetings\/:meetingId\/recordings",method="GET",status="200"\} \d+/,
      );
      assert.match(text, /drk_open_streams 1/);
      assert.match(text, /drk_webhook_deliveries_total\{outcome="rejected"\} \d+/);
      assert.match(text, /drk_upstream_requests_total\{method="GET",outcome="ok"\} \d+/);
      assert.match(text, /drk_fanout_seconds_bucket/);
      assert.match(text, /drk_rate_limited_total/);
    } finally {
      await stream.close();
    }
    const off = await startRig();
    try {
      assert.equal((await off.call('/metrics')).status, 404, 'off unless a token is configured');
    } finally {
      await off.close();
    }
  });
});
