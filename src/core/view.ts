/** What the elements show, derived from the live state by pure functions (no DOM). */
import type { MeetingState, Permissions } from './contract.ts';
import type { Recording } from './recording.ts';
import { fill } from './strings.ts';
import type { Strings } from './strings.ts';
import type { ErrorCode } from './errors.ts';
import { formatClock } from './format.ts';
import { emptyRoomStopAt } from './status.ts';

/** A local action sent to the proxy and not answered yet. */
export type Pending = 'start' | 'stop' | 'pause' | 'resume' | null;

/** The health of the live connection. */
export type Connection = 'connecting' | 'live' | 'polling' | 'reconnecting' | 'paused' | 'closed';

export interface LiveError {
  code: string;
  message: string;
}

/** Everything an element knows about one meeting's recordings. */
export interface LiveState {
  /** A first snapshot has arrived. */
  loaded: boolean;
  /** Newest first. */
  recordings: Recording[];
  active: Recording | null;
  nextCursor: string | null;
  permissions: Permissions;
  /** The proxy's clock minus the page's clock, in ms. */
  skewMs: number;
  meeting: MeetingState | null;
  pending: Pending;
  connection: Connection;
  /** The last failure of the connection, cleared by the next success. */
  error: LiveError | null;
}

export const INITIAL_STATE: LiveState = {
  loaded: false,
  recordings: [],
  active: null,
  nextCursor: null,
  permissions: { start: false, stop: false, pause: false, download: false },
  skewMs: 0,
  meeting: null,
  pending: null,
  connection: 'connecting',
  error: null,
};

export type Phase =
  'loading' | 'idle' | 'starting' | 'recording' | 'paused' | 'stopping' | 'uploading' | 'saved' | 'failed';

const PHASE_OF_STATUS = {
  INVOKED: 'starting',
  RECORDING: 'recording',
  PAUSED: 'paused',
  UPLOADING: 'uploading',
  UPLOADED: 'saved',
  ERRORED: 'failed',
} as const;

/** The recording the meeting is about now: the active one, else the newest. */
export function currentRecording(state: LiveState): Recording | null {
  return state.active ?? state.recordings[0] ?? null;
}

/** Where the meeting's recording is in its life, with local start/stop requests taking precedence. */
export function phaseOf(state: LiveState): Phase {
  if (state.pending === 'start') return 'starting';
  if (state.pending === 'stop') return 'stopping';
  if (!state.loaded) return 'loading';
  const recording = currentRecording(state);
  return recording ? PHASE_OF_STATUS[recording.status] : 'idle';
}

export interface ButtonView {
  /** What a click on the main button does. */
  action: 'start' | 'stop' | null;
  label: keyof Strings;
  busy: boolean;
  /** The token may do `action` (false: hide or explain, per the element's attribute). */
  allowed: boolean;
  /** The secondary pause / resume button, shown while live when the server allows pausing. */
  toggle: 'pause' | 'resume' | null;
  /** Why the button cannot be used: the token may not (`forbidden`), or nothing loads (see `failureKey`). */
  why: 'forbidden' | ReturnType<typeof failureKey> | null;
}

/** Why nothing loads, as the key of its text; a retry can help only when the proxy was unreachable. */
export function failureKey({ code }: LiveError): 'notConfigured' | 'notAuthorized' | 'unreachable' {
  if (code === 'not_configured') return 'notConfigured';
  return /^(unauthorized|token_expired|forbidden)$/.test(code) ? 'notAuthorized' : 'unreachable';
}

/** A failed request in the page's words: its code's text when the strings have one, else the proxy's message. */
export function errorText(error: LiveError, strings: Strings): string {
  return strings[error.code as ErrorCode] ?? error.message;
}

export function buttonView(state: LiveState): ButtonView {
  const phase = phaseOf(state);
  const { start, stop, pause } = state.permissions;
  const busy = phase === 'starting' || phase === 'stopping';
  const live = phase === 'recording' || phase === 'paused';
  const allowed = live || phase === 'stopping' ? stop : start;
  const failed = !state.loaded && state.error;
  return {
    action: busy || phase === 'loading' ? null : live ? 'stop' : 'start',
    label: busy ? phase : live ? 'stop' : 'record',
    busy,
    allowed,
    toggle: live && pause ? (phase === 'paused' ? 'resume' : 'pause') : null,
    why: failed ? failureKey(failed) : state.loaded && !allowed ? 'forbidden' : null,
  };
}

/** The whole seconds since `from` (ISO 8601), on the proxy's clock. */
export function elapsedSeconds(from: string, nowMs: number, skewMs: number): number {
  return Math.max(0, Math.floor((nowMs + skewMs - Date.parse(from)) / 1000));
}

/**
 * The whole seconds a recording has recorded, on the proxy's clock: since its start less the time it
 * spent paused (`pausedSeconds`), frozen at `pausedAt` while PAUSED; null before it started, and while
 * paused since a moment nobody knows.
 */
export function recordedSeconds(recording: Recording, nowMs: number, skewMs: number): number | null {
  const { startedAt, pausedAt } = recording;
  const endMs = recording.status !== 'PAUSED' ? nowMs + skewMs : pausedAt ? Date.parse(pausedAt) : null;
  if (!startedAt || endMs === null) return null;
  // From a proxy that knows no pauses: none.
  const pausedMs = Math.round((recording.pausedSeconds ?? 0) * 1000);
  return Math.max(0, Math.floor((endMs - Date.parse(startedAt) - pausedMs) / 1000));
}

export const MAX_RECORDING_SECONDS = 24 * 3600;

export interface StatusView {
  phase: Phase;
  /** The main text. */
  label: string;
  /** Elapsed seconds while recording, else null. */
  elapsed: number | null;
  /** A hint or the stop reason. */
  detail: string | null;
  /** The 24 h limit or the empty room is about to stop the recording. */
  warning: string | null;
  /** Nothing loads, and a retry may help. */
  retry: boolean;
}

export interface StatusOptions {
  strings: Strings;
  nowMs: number;
  /** Warn this many seconds before the 24 h limit. */
  limitWarning: number;
}

export function statusView(state: LiveState, options: StatusOptions): StatusView {
  const { strings, nowMs } = options;
  const phase = phaseOf(state);
  const recording = currentRecording(state);
  const live = phase === 'recording' || phase === 'paused';
  const elapsed = phase === 'recording' && recording ? recordedSeconds(recording, nowMs, state.skewMs) : null;
  const failure = phase === 'loading' && state.error && failureKey(state.error);
  const label = failure
    ? strings[failure]
    : fill(strings[phase], { reason: recording?.error || strings.noReason });
  let detail: string | null = phase === 'starting' ? strings.startingHint : null;
  if (!live && recording && phase !== 'starting') detail = stopReasonText(recording, strings);
  let warning: string | null = null;
  // The server's deadline, counted from the later of the room emptying and the recording's start.
  const stopAt = live && emptyRoomStopAt(state.meeting, state.active);
  if (stopAt) {
    const left = Math.ceil((Date.parse(stopAt) - nowMs - state.skewMs) / 1000);
    warning = fill(strings.emptyRoom, { time: formatClock(left) });
  } else if (live && recording?.startedAt) {
    // The limit counts the time since the start, pauses included (and runs on while paused).
    const left = MAX_RECORDING_SECONDS - elapsedSeconds(recording.startedAt, nowMs, state.skewMs);
    if (left <= options.limitWarning) warning = fill(strings.limitSoon, { time: formatClock(left) });
  }
  return { phase, label, elapsed, detail, warning, retry: failure === 'unreachable' };
}

/** Why and by whom a recording stopped, or null when nobody knows. */
export function stopReasonText(recording: Recording, strings: Strings): string | null {
  const name = recording.stoppedBy?.name;
  if (recording.stopReason === 'ALL_PEERS_LEFT') return strings.stoppedEmpty;
  if (recording.stopReason === 'INTERNAL_ERROR') return strings.stoppedError;
  return name ? fill(strings.stoppedBy, { name }) : null;
}

/** The recording a participant must be told of: the active one, once the recorder is really recording. */
export function noticeRecording(state: LiveState): Recording | null {
  const { active } = state;
  return active && active.status !== 'INVOKED' ? active : null;
}

/**
 * What a list item's clock shows, in seconds on the proxy's clock: the recorded time of a recording
 * that records (or stands paused), the time since the stop of one being saved; null otherwise.
 */
export function itemElapsed(recording: Recording, nowMs: number, skewMs: number): number | null {
  if (recording.status === 'RECORDING' || recording.status === 'PAUSED') {
    return recordedSeconds(recording, nowMs, skewMs);
  }
  return recording.status === 'UPLOADING' && recording.stoppedAt
    ? elapsedSeconds(recording.stoppedAt, nowMs, skewMs)
    : null;
}

/** Whether a list item's clock moves with time (a paused one stands). */
export function itemTicks(recording: Recording): boolean {
  return recording.status === 'RECORDING'
    ? recording.startedAt !== null
    : recording.status === 'UPLOADING' && recording.stoppedAt !== null;
}
