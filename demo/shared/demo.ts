/**
 * What the three demo pages (plain HTML, React, Vue) share: the page's meeting and role, the
 * dev-only `/_demo` routes (tokens, participants, the upstream outage switch) and the limits note.
 * A real app gets its tokens from its own backend in the same way as `tokenProvider` here.
 */
import type { DyteRecordingEvents } from 'dyte-recording-kit';
import type { DemoConfig, DemoLimits, DemoToken, Participant } from '../../src/dev/demo-routes.ts';

export type { Participant };
export type Role = DemoToken['role'];

/** The proxy, as the elements' `endpoint` attribute names it. */
export const ENDPOINT = '/api';
/** How many of the elements' latest events the side panel shows. */
const EVENT_LOG_SIZE = 5;
/** How often the tile grid asks who is in the room (people join and leave from other tabs too). */
const PARTICIPANT_POLL_MS = 2000;

export interface DemoPage {
  meetingId: string;
  role: Role;
  limits: DemoLimits;
  /** Gives the elements a fresh token for this meeting and role. */
  tokenProvider: () => Promise<string>;
}

async function call<T>(path: string, method = 'GET'): Promise<T> {
  const response = await fetch(`/_demo${path}`, { method });
  const body: unknown = response.status === 204 ? null : await response.json();
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `The demo server answered ${response.status}.`);
  }
  return body as T;
}

/** The meeting and role from the page's query (`?meeting=…&role=viewer`), defaults from the server. */
export async function loadDemoPage(search = location.search): Promise<DemoPage> {
  const config = await call<DemoConfig>('/config');
  const query = new URLSearchParams(search);
  const meetingId = query.get('meeting') || config.defaultMeetingId;
  const role: Role = query.get('role') === 'viewer' ? 'viewer' : 'host';
  const tokenProvider = async () => {
    const params = new URLSearchParams({ meeting: meetingId, role });
    return (await call<DemoToken>(`/token?${params}`)).token;
  };
  return { meetingId, role, limits: config.limits, tokenProvider };
}

/** This page as `role` would see it (the switch reloads the page with a token of the other role). */
export function roleHref(role: Role, search = location.search): string {
  const query = new URLSearchParams(search);
  query.set('role', role);
  return `?${query}`;
}

const participantsPath = (meetingId: string) => `/meetings/${encodeURIComponent(meetingId)}/participants`;

export async function listParticipants(meetingId: string): Promise<Participant[]> {
  return (await call<{ participants: Participant[] }>(participantsPath(meetingId))).participants;
}

export function addParticipant(meetingId: string): Promise<Participant> {
  return call<Participant>(participantsPath(meetingId), 'POST');
}

/** Removes the participant who joined last. */
export async function removeParticipant(meetingId: string, participants: Participant[]): Promise<void> {
  const last = participants.at(-1);
  if (last) await call(`${participantsPath(meetingId)}/${encodeURIComponent(last.id)}`, 'DELETE');
}

/** Calls `changed` with the room's participants now and whenever they change; returns the stop. */
export function watchParticipants(
  meetingId: string,
  changed: (participants: Participant[]) => void,
): { refresh(): Promise<void>; stop(): void } {
  let last = '';
  const refresh = async () => {
    const participants = await listParticipants(meetingId);
    const key = participants.map((p) => p.id).join();
    if (key !== last) changed(participants);
    last = key;
  };
  // A missed poll is retried by the next one.
  const poll = () => void refresh().catch(() => {});
  poll();
  const timer = setInterval(poll, PARTICIPANT_POLL_MS);
  return { refresh, stop: () => clearInterval(timer) };
}

/** Whether the simulated upstream is failing every call (`setOutage(true)`), for the demo's switch. */
export async function outageActive(): Promise<boolean> {
  return (await call<{ active: boolean }>('/outage')).active;
}

export async function setOutage(active: boolean): Promise<boolean> {
  return (await call<{ active: boolean }>('/outage', active ? 'POST' : 'DELETE')).active;
}

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .map((word) => word[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
}

/** A stable hue per person, for their tile. */
export function hue(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The note saying which limits the demo's simulator shortens, and what Dyte's are. */
export function limitsNote(limits: DemoLimits): string {
  return (
    `Simulated Dyte with shortened limits: the recorder joins in ${seconds(limits.startLagMs)} ` +
    `(Dyte: up to 30 s), uploads take ${seconds(limits.uploadMs)} plus as much per recorded minute, ` +
    `and an empty room stops the recording after ${seconds(limits.emptyRoomTimeoutMs)} (Dyte: 60 s).`
  );
}

/** The simulator's empty-room limit in seconds, for the page's note (the proxy tells the elements itself). */
export function emptyTimeoutSeconds(limits: DemoLimits): number {
  return Math.round(limits.emptyRoomTimeoutMs / 1000);
}

/** The events the pages log (each page listens in its own framework's way). */
export type LoggedEvent =
  | 'dyte-recording-start'
  | 'dyte-recording-stop'
  | 'dyte-recording-error'
  | 'dyte-recording-acknowledge'
  | 'dyte-recording-leave';

/** A recording id short enough for the log. */
const shortId = (id: string) => `${id.slice(0, 8)}…`;

export const describeEvent: { [K in LoggedEvent]: (event: DyteRecordingEvents[K]) => string } = {
  'dyte-recording-start': (event) => `dyte-recording-start: ${shortId(event.detail.recording.id)}`,
  'dyte-recording-stop': (event) => `dyte-recording-stop: ${shortId(event.detail.recording.id)}`,
  'dyte-recording-error': (event) => `dyte-recording-error: ${event.detail.code}`,
  'dyte-recording-acknowledge': (event) =>
    `dyte-recording-acknowledge: ${shortId(event.detail.recording.id)}`,
  // A real meeting page would leave the call here; the demo only says so.
  'dyte-recording-leave': (event) =>
    `dyte-recording-leave: ${shortId(event.detail.recording.id)} (a real page would leave the meeting)`,
};

/** The event log with `text` added on top, timestamped, keeping the latest few. */
export function logged(lines: string[], text: string): string[] {
  return [`${new Date().toLocaleTimeString()} ${text}`, ...lines].slice(0, EVENT_LOG_SIZE);
}
