/** Small shared pieces of measurement: percentiles, rounding, waiting, credentials, meetings and tokens. */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRecordingToken } from '../../src/server.ts';
import type { SimulatorClient } from './upstream.ts';

export { sleep };

/** Nearest-rank percentile of already sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('no samples');
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Sleeps until `ms` after `start` (a performance.now() time): a schedule that does not drift. */
export function untilAfter(start: number, ms: number): Promise<void> {
  return sleep(Math.max(0, start + ms - performance.now()));
}

/** Polls `check` every few ms until it holds; fails after `timeoutMs` naming `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Everything a stack needs that the bench must also know: fresh credentials and secrets. */
export function stackSecrets() {
  return {
    orgId: randomUUID(),
    apiKey: randomBytes(24).toString('base64url'),
    tokenSecret: randomBytes(32).toString('base64url'),
  };
}

/** `count` viewer tokens for one meeting, each for its own person. */
export function viewerTokens(meeting: string, count: number, secret: string): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      createRecordingToken(
        { meetingId: meeting, role: 'viewer', sub: `viewer-${i}`, ttlSeconds: 3600 },
        secret,
      ),
    ),
  );
}

/** A meeting with one participant in it, so the simulator's empty-room auto-stop stays out of the way. */
export async function occupiedMeeting(simulator: SimulatorClient): Promise<string> {
  const id = `bench-${randomUUID()}`;
  await simulator.join(id, 'Ana');
  return id;
}
