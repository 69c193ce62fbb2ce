/**
 * The recording life cycle as pure functions over a plain record: no timers, no I/O. Every function
 * takes the simulated time at which the change happens and returns a new record; the world (world.ts)
 * owns the timers and decides when to call them.
 *
 *   INVOKED ─start lag→ RECORDING ⇄ PAUSED ─stop / max_seconds / empty room→ UPLOADING ─upload→ UPLOADED
 *   INVOKED ─injected failure→ ERRORED;  stopped before it started, or shorter than 5 s → ERRORED.
 */
import type { RecordingStatus, StopReason } from '../core/recording.ts';
import type { RecordingAction, StartConfig } from './validate.ts';

export interface Caller {
  type: 'ORGANIZATION' | 'USER';
  user_Id?: string;
  name?: string;
}

export interface Reason<R extends string> {
  reason: R;
  caller: Caller;
}

export const ORGANIZATION: Caller = { type: 'ORGANIZATION' };

export interface SimRecording {
  id: string;
  meetingId: string;
  sessionId: string;
  config: StartConfig;
  status: RecordingStatus;
  outputFileName: string;
  /** Simulated epoch milliseconds from here on. */
  invokedAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
  /** When the recording reached UPLOADED or ERRORED. */
  endedAt: number | null;
  pausedAt: number | null;
  /** Time spent PAUSED before `pausedAt` (not part of the duration). */
  pausedMs: number;
  startReason: Reason<'API_CALL'>;
  stopReason: Reason<StopReason> | null;
  errMessage: string | null;
  downloadExpiresAt: number | null;
  /** An injected fault: the recorder never joins, the recording ends ERRORED after the start lag. */
  failsToStart: boolean;
}

/** Recordings shorter than this end ERRORED instead of UPLOADED, as Dyte's may. */
export const MIN_RECORDED_SECONDS = 5;
/** Dyte's bucket: about 300 MB per hour of video. */
const BYTES_PER_SECOND = Math.round((300 * 1024 * 1024) / 3600);

export class InvalidStateError extends Error {
  override name = 'InvalidStateError';
}

export interface NewRecording {
  id: string;
  sessionId: string;
  config: StartConfig;
  at: number;
  caller?: Caller;
  failsToStart?: boolean;
}

export function createRecording({
  id,
  sessionId,
  config,
  at,
  caller,
  failsToStart,
}: NewRecording): SimRecording {
  return {
    id,
    meetingId: config.meetingId,
    sessionId,
    config,
    status: 'INVOKED',
    outputFileName: outputFileName(config, at),
    invokedAt: at,
    startedAt: null,
    stoppedAt: null,
    endedAt: null,
    pausedAt: null,
    pausedMs: 0,
    startReason: { reason: 'API_CALL', caller: caller ?? ORGANIZATION },
    stopReason: null,
    errMessage: null,
    downloadExpiresAt: null,
    failsToStart: failsToStart ?? false,
  };
}

/** Dyte's default name: `<meetingId>_<epochMillis>.mp4`, with `<prefix>_` before it when given. */
export function outputFileName(config: StartConfig, at: number): string {
  const extension = config.codec === 'H264' ? 'mp4' : 'webm';
  const prefix = config.fileNamePrefix ? `${config.fileNamePrefix}_` : '';
  return `${prefix}${config.meetingId}_${at}.${extension}`;
}

/** The recorder joined (end of the start lag), or failed to. */
export function recorderJoined(recording: SimRecording, at: number): SimRecording {
  if (recording.status !== 'INVOKED') return recording;
  if (recording.failsToStart) {
    return fail(recording, at, 'The recorder could not join the meeting.');
  }
  return { ...recording, status: 'RECORDING', startedAt: at };
}

/** An API action (stop, pause, resume) by `caller`. Throws InvalidStateError when not allowed now. */
export function applyAction(
  recording: SimRecording,
  action: RecordingAction,
  at: number,
  caller: Caller = ORGANIZATION,
): SimRecording {
  switch (action) {
    case 'pause':
      if (recording.status !== 'RECORDING') refuse(recording, 'paused');
      return { ...recording, status: 'PAUSED', pausedAt: at };
    case 'resume':
      if (recording.status !== 'PAUSED') refuse(recording, 'resumed');
      return { ...recording, status: 'RECORDING', pausedAt: null, pausedMs: pausedMs(recording, at) };
    case 'stop':
      if (!['INVOKED', 'RECORDING', 'PAUSED'].includes(recording.status)) refuse(recording, 'stopped');
      return stop(recording, at, 'API_CALL', caller);
  }
}

/**
 * Stops an active recording. One that never started has nothing to upload and ends ERRORED at once;
 * otherwise it goes UPLOADING.
 */
export function stop(recording: SimRecording, at: number, reason: StopReason, caller: Caller): SimRecording {
  const stopReason = { reason, caller };
  if (recording.status === 'INVOKED') {
    return { ...fail(recording, at, 'The recording was stopped before it started.'), stopReason };
  }
  return {
    ...recording,
    status: 'UPLOADING',
    stoppedAt: at,
    pausedAt: null,
    pausedMs: pausedMs(recording, at),
    stopReason,
  };
}

/** The upload finished: UPLOADED, or ERRORED when the recording was too short to keep. */
export function uploadFinished(recording: SimRecording, at: number, downloadTtlMs: number): SimRecording {
  if (recording.status !== 'UPLOADING') return recording;
  if (recordedSeconds(recording, at) < MIN_RECORDED_SECONDS) {
    return fail(recording, at, `The recording was shorter than ${MIN_RECORDED_SECONDS} seconds.`);
  }
  return {
    ...recording,
    status: 'UPLOADED',
    endedAt: at,
    downloadExpiresAt: recording.config.ownBucket ? at + downloadTtlMs : null,
  };
}

/** Ends the recording ERRORED (an internal error unless a stop reason is already set). */
export function fail(recording: SimRecording, at: number, message: string): SimRecording {
  return {
    ...recording,
    status: 'ERRORED',
    stoppedAt: recording.stoppedAt ?? at,
    endedAt: at,
    pausedAt: null,
    pausedMs: pausedMs(recording, at),
    stopReason: recording.stopReason ?? { reason: 'INTERNAL_ERROR', caller: ORGANIZATION },
    errMessage: message,
  };
}

/** Seconds actually recorded by `at` (pauses excluded), whole seconds. */
export function recordedSeconds(recording: SimRecording, at: number): number {
  if (recording.startedAt === null) return 0;
  const end = recording.stoppedAt ?? at;
  return Math.max(0, Math.floor((end - recording.startedAt - pausedMs(recording, end)) / 1000));
}

/**
 * Simulated milliseconds the upload of a recording this long takes: `uploadMs` for an empty file plus
 * as much again per minute recorded (with the default 3 s, an hour uploads in about three minutes).
 */
export function uploadTimeMs(durationSeconds: number, uploadMs: number): number {
  return Math.round(uploadMs * (1 + durationSeconds / 60));
}

export function fileSizeBytes(recording: SimRecording, at: number): number | null {
  return recording.status === 'UPLOADED' ? recordedSeconds(recording, at) * BYTES_PER_SECOND : null;
}

/** Whether a recording holds its meeting (one active recording per meeting). */
export function isRunning(recording: SimRecording): boolean {
  return recording.status === 'INVOKED' || recording.status === 'RECORDING' || recording.status === 'PAUSED';
}

function pausedMs(recording: SimRecording, at: number): number {
  return recording.pausedMs + (recording.pausedAt === null ? 0 : Math.max(0, at - recording.pausedAt));
}

function refuse(recording: SimRecording, verb: string): never {
  throw new InvalidStateError(`Recording ${recording.id} is ${recording.status} and cannot be ${verb}.`);
}
