/**
 * `npm run soak [-- --minutes N]` (not in CI): N minutes (default 10) of a simulator on a fast clock
 * with random faults (500s, withheld answers, latency, failed starts), many meetings, hosts clicking
 * Record / Pause / Resume / Stop / Download at random and viewers watching every meeting's stream.
 * Checked all along and reported at the end: never two recordings from one intent, no status going
 * backwards on any stream, every recording ends in a terminal state every viewer sees, memory flat.
 * Exits 1 when an invariant broke.
 */
import { setMaxListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { createParser } from 'eventsource-parser';
import { isTerminal, statusRank } from '../src/core/status.ts';
import type { Recording, RecordingStatus } from '../src/core/recording.ts';
import { createRecordingToken, startProxy } from '../src/server.ts';
import { startSimulator } from '../src/simulator/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' } } });
const MINUTES = Number(values.minutes);
const MEETINGS = 12;
const VIEWERS_PER_MEETING = 4;
const SPEED = 20;
const SECRET = `soak-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const FAULTS = ['http_500', 'timeout', 'latency', 'error_next_start'] as const;

const violations: string[] = [];
const violate = (what: string) => {
  if (violations.length < 50) violations.push(what);
  console.error(`VIOLATION ${what}`);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

const sim = await startSimulator({ speed: SPEED, rateLimitPerMinute: 1_000_000, uploadMs: 2000 });
const port = await freePort();
const running = await startProxy({
  upstream: { kind: 'v2', apiBase: sim.url, orgId: sim.orgId, apiKey: sim.apiKey },
  tokenSecret: SECRET,
  port,
  publicWebhookUrl: `http://127.0.0.1:${port}/webhooks`,
  upstreamTimeoutMs: 3000,
  pollIntervals: { activeMs: 500, idleMs: 2000 },
  log: () => undefined,
  // Every simulated person has an address of their own (X-Forwarded-For), as on the internet.
  trustForwardedFor: true,
});
const addresses = new Map<string, string>();
const addressOf = (who: string) => {
  if (!addresses.has(who)) addresses.set(who, `10.${addresses.size >> 8}.${addresses.size & 255}.1`);
  return addresses.get(who)!;
};
const base = running.url;
const counts: Record<string, number> = {};
const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);

/** Start clicks that may have made a recording (not refused outright), per meeting. */
const intents = new Map<string, number>();
/** What each viewer last saw of each recording. */
const seen = new Map<string, Map<string, RecordingStatus>>();

function observe(viewer: string, recording: Recording): void {
  const mine = seen.get(viewer) ?? new Map<string, RecordingStatus>();
  seen.set(viewer, mine);
  const before = mine.get(recording.id);
  if (before) {
    const backwards =
      statusRank(recording.status) < statusRank(before) ||
      (isTerminal(before) && recording.status !== before);
    if (backwards) violate(`${viewer}: ${recording.id} went ${before} → ${recording.status}`);
  }
  mine.set(recording.id, recording.status);
}

async function watch(meeting: string, viewer: string, stop: AbortSignal): Promise<void> {
  while (!stop.aborted) {
    // One controller per connection: the long-lived `stop` signal would collect a listener per fetch.
    const connection = new AbortController();
    const abort = () => connection.abort();
    stop.addEventListener('abort', abort, { once: true });
    try {
      const token = await createRecordingToken({ meetingId: meeting, role: 'viewer', sub: viewer }, SECRET);
      const response = await fetch(`${base}/meetings/${meeting}/events`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': addressOf(viewer) },
        signal: connection.signal,
      });
      count(`stream ${response.status}`);
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        await sleep(1000);
        continue;
      }
      const parser = createParser({
        onEvent: (message) => {
          const data = JSON.parse(message.data) as { recordings?: Recording[] } & Recording;
          if (message.event === 'snapshot') for (const r of data.recordings ?? []) observe(viewer, r);
          if (message.event === 'recording') observe(viewer, data);
        },
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
    } catch {
      // Aborted at the end, or the connection broke: reconnect.
    } finally {
      stop.removeEventListener('abort', abort);
    }
    if (!stop.aborted) await sleep(500);
  }
}

async function call(who: string, path: string, token: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    ...init,
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-forwarded-for': addressOf(who),
    },
    signal: AbortSignal.timeout(15_000),
  });
}

async function host(meeting: string, until: number): Promise<void> {
  const token = await createRecordingToken(
    { meetingId: meeting, role: 'host', sub: `host-${meeting}` },
    SECRET,
  );
  while (Date.now() < until) {
    await sleep(500 + Math.random() * 2500);
    try {
      const list = await call(meeting, `/meetings/${meeting}/recordings`, token);
      count(`list ${list.status}`);
      const body =
        list.status === 200
          ? ((await list.json()) as { active: Recording | null; recordings: Recording[] })
          : null;
      if (!body) continue;
      const active = body.active;
      if (!active) {
        const answer = await call(meeting, `/meetings/${meeting}/recordings`, token, {
          method: 'POST',
          body: '{}',
        });
        count(`start ${answer.status}`);
        if (answer.status === 201 || answer.status >= 500)
          intents.set(meeting, (intents.get(meeting) ?? 0) + 1);
        await answer.body?.cancel();
      } else {
        const action =
          active.status === 'RECORDING'
            ? pick(['pause', 'stop', 'stop'])
            : active.status === 'PAUSED'
              ? pick(['resume', 'stop'])
              : null;
        if (!action) continue;
        const answer = await call(meeting, `/recordings/${active.id}`, token, {
          method: 'PUT',
          body: JSON.stringify({ action }),
        });
        count(`${action} ${answer.status}`);
        await answer.body?.cancel();
      }
      const uploaded = body.recordings.find((r) => r.status === 'UPLOADED');
      if (uploaded && Math.random() < 0.2) {
        const answer = await call(meeting, `/recordings/${uploaded.id}/download`, token);
        count(`download ${answer.status}`);
        await answer.body?.cancel();
      }
    } catch {
      count('client timeout');
    }
  }
}

async function faults(until: number): Promise<void> {
  while (Date.now() < until) {
    await sleep(2000 + Math.random() * 4000);
    const kind = pick(FAULTS);
    const spec =
      kind === 'latency'
        ? { kind, ms: Math.round(Math.random() * 1500) }
        : kind === 'timeout'
          ? { kind, ms: 4000 }
          : { kind, count: 1 + Math.floor(Math.random() * 3) };
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify(spec),
      headers: { 'content-type': 'application/json' },
    });
    count(`fault ${kind}`);
    if (kind === 'latency') {
      await sleep(3000);
      await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    }
  }
  await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
}

const memory: { minute: number; heapMb: number }[] = [];
async function sampleMemory(until: number): Promise<void> {
  const started = Date.now();
  while (Date.now() < until) {
    await sleep(10_000);
    gc();
    memory.push({
      minute: (Date.now() - started) / 60_000,
      heapMb: process.memoryUsage().heapUsed / 2 ** 20,
    });
  }
}

const meetings = Array.from({ length: MEETINGS }, (_, i) => `soak-${i}-${crypto.randomUUID().slice(0, 6)}`);
const stopStreams = new AbortController();
setMaxListeners(MEETINGS * VIEWERS_PER_MEETING, stopStreams.signal); // one listener per viewer stream
const started = Date.now();
const until = started + MINUTES * 60_000;
const streams = meetings.flatMap((meeting) =>
  Array.from({ length: VIEWERS_PER_MEETING }, (_, i) =>
    watch(meeting, `${meeting}/viewer-${i}`, stopStreams.signal),
  ),
);
console.log(
  `soak: ${MINUTES} min, ${MEETINGS} meetings × ${VIEWERS_PER_MEETING} viewers, simulator at ×${SPEED}`,
);
await Promise.all([...meetings.map((meeting) => host(meeting, until)), faults(until), sampleMemory(until)]);

// The end: faults off, every active recording stopped, then every viewer must see every recording end.
await fetch(`${sim.url}/_sim/faults`, { method: 'DELETE' });
const finals = new Map<string, Recording[]>();
for (const meeting of meetings) {
  const token = await createRecordingToken(
    { meetingId: meeting, role: 'host', sub: `host-${meeting}` },
    SECRET,
  );
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const list = (await (await call(meeting, `/meetings/${meeting}/recordings?limit=100`, token)).json()) as {
      active: Recording | null;
      recordings: Recording[];
    };
    if (!list.active && list.recordings.every((r) => isTerminal(r.status))) {
      finals.set(meeting, list.recordings);
      break;
    }
    if (list.active && list.active.status !== 'INVOKED') {
      await (
        await call(meeting, `/recordings/${list.active.id}`, token, {
          method: 'PUT',
          body: '{"action":"stop"}',
        })
      ).body?.cancel();
    }
    await sleep(3000);
  }
  if (!finals.has(meeting)) violate(`${meeting}: recordings still not terminal at the end`);
}
await sleep(5000);
for (const meeting of meetings) {
  const recordings = finals.get(meeting) ?? [];
  const made = recordings.length;
  const intended = intents.get(meeting) ?? 0;
  if (made > intended)
    violate(`${meeting}: ${made} recordings from ${intended} start clicks that could make one`);
  for (let i = 0; i < VIEWERS_PER_MEETING; i += 1) {
    const viewer = `${meeting}/viewer-${i}`;
    for (const recording of recordings) {
      const shown = seen.get(viewer)?.get(recording.id);
      if (shown !== recording.status)
        violate(`${viewer}: shows ${recording.id} as ${shown ?? 'nothing'}, it is ${recording.status}`);
    }
  }
}
stopStreams.abort();
await Promise.allSettled(streams);
await running.close();
await sim.close();

const firstMinute = memory.filter((m) => m.minute <= 2).map((m) => m.heapMb);
const lastMinute = memory.filter((m) => m.minute >= MINUTES - 2).map((m) => m.heapMb);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const growth = mean(lastMinute) - mean(firstMinute);
if (memory.length > 2 && growth > 30)
  violate(`heap grew ${growth.toFixed(1)} MB from the first minutes to the last`);
const recordings = [...finals.values()].reduce((sum, list) => sum + list.length, 0);
const uploaded = [...finals.values()].flat().filter((r) => r.status === 'UPLOADED').length;
const report = [
  `Soak report: ${MINUTES} min at a ×${SPEED} simulator clock, ${MEETINGS} meetings, ${MEETINGS} hosts, ${MEETINGS * VIEWERS_PER_MEETING} viewer streams`,
  `requests: ${Object.entries(counts)
    .filter(([key]) => !key.startsWith('fault'))
    .sort()
    .map(([key, n]) => `${key}: ${n}`)
    .join(', ')}`,
  `faults injected: ${Object.entries(counts)
    .filter(([key]) => key.startsWith('fault'))
    .map(([key, n]) => `${key.slice(6)} ${n}`)
    .join(', ')}`,
  `recordings: ${recordings} (${uploaded} UPLOADED, ${recordings - uploaded} ERRORED), from ${[...intents.values()].reduce((a, b) => a + b, 0)} start clicks that could make one`,
  `heap after GC: ${mean(firstMinute).toFixed(1)} MB in the first two minutes, ${mean(lastMinute).toFixed(1)} MB in the last two (${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB)`,
  `invariants: ${violations.length === 0 ? 'all held (one recording per intent, no status backwards on any stream, every recording terminal on every viewer, memory flat)' : `${violations.length} broken:\n  ${violations.join('\n  ')}`}`,
].join('\n');
console.log(`\n${report}`);
process.exit(violations.length === 0 ? 0 : 1);

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}
