// The browser side of the test backend (web-test-runner.config.js): tokens, simulator, streams, faults.
import { executeServerCommand } from '@web/test-runner-commands';
import type { RecordingList } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import { recordingFixture } from '../core/fixtures.ts';

export const ENDPOINT = '/api';

let counter = 0;
/** A meeting no other test uses. */
export function newMeetingId(): string {
  counter += 1;
  return `t${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export function mintToken(
  meetingId: string,
  role: 'host' | 'viewer' = 'host',
  options: { name?: string; ttlSeconds?: number } = {},
): Promise<string> {
  return executeServerCommand('dyte-token', { meetingId, role, name: options.name ?? 'Ana', ...options });
}

export async function sim(path: string, body?: unknown, method = 'POST'): Promise<unknown> {
  const answer = await executeServerCommand<{ status: number; body: unknown }, unknown>('dyte-sim', {
    method,
    path,
    body,
  });
  if (!answer || answer.status >= 400) throw new Error(`simulator ${path}: ${JSON.stringify(answer)}`);
  return answer.body;
}

/** Someone joins the meeting; returns the participant id. */
export async function join(meetingId: string): Promise<string> {
  const body = (await sim(`/_sim/meetings/${meetingId}/participants`, { name: 'Guest' })) as {
    participantId: string;
  };
  return body.participantId;
}

export function leave(meetingId: string, participantId: string): Promise<unknown> {
  return sim(`/_sim/meetings/${meetingId}/participants/${participantId}`, undefined, 'DELETE');
}

export async function streams(
  meetingId: string,
): Promise<{ opened: number; open: number; resumedFrom: (string | null)[] }> {
  return (await executeServerCommand('dyte-streams', { meetingId }))!;
}

export async function dropStreams(meetingId: string): Promise<number> {
  return (await executeServerCommand('dyte-drop-streams', { meetingId }))!;
}

export interface Fault {
  /** Part of the URL (path and query) to answer. */
  match: string;
  status: number;
  body: unknown;
  contentType?: string;
  count?: number;
  /** Keep the response open (a scripted event stream). */
  hold?: boolean;
}

export async function fault(spec: Fault): Promise<void> {
  await executeServerCommand('dyte-fault', spec);
}

export async function clearFaults(): Promise<void> {
  await executeServerCommand('dyte-clear-faults');
}

/** A Recording with everything unknown but what is given. */
export function recording(fields: Partial<Recording> & Pick<Recording, 'id' | 'status'>): Recording {
  return recordingFixture({ meetingId: 'm', ...fields });
}

/** What the proxy grants a host and a viewer over Dyte v2 (which can pause). */
export const HOST = { start: true, stop: true, pause: true, download: true };
export const VIEWER = { start: false, stop: false, pause: false, download: true };

/**
 * Serves a scripted event stream for `meetingId` (a small server speaking the contract): a snapshot
 * with `list`, then `events`, held open. Lets a test show any state exactly.
 */
export async function scriptStream(
  meetingId: string,
  list: Partial<RecordingList>,
  events: { event: string; data: unknown }[] = [],
): Promise<void> {
  const snapshot: RecordingList = {
    recordings: [],
    active: null,
    nextCursor: null,
    permissions: HOST,
    serverTime: new Date().toISOString(),
    ...list,
  };
  const body = [{ event: 'snapshot', data: snapshot }, ...events]
    .map(({ event, data }, i) => `id: ${i + 1}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    .join('');
  await fault({
    match: `/meetings/${meetingId}/events`,
    status: 200,
    body,
    contentType: 'text/event-stream',
    count: 50,
    hold: true,
  });
}

const realSetTimeout = window.setTimeout.bind(window);

/** Waits `ms` of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/** Long enough for the simulator (10× speed) to keep a recording rather than fail it as too short. */
export const KEEPABLE_MS = 700;

/** Waits until `check` gives something truthy (polled every 20 ms of real time). */
export async function until<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 5000,
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(20);
  }
}
