/**
 * `dyte-recording-kit/core`: the texts, types and pure helpers, without defining any element (safe to
 * import from server code, e.g. a React Server Component).
 */
export { fill, setStrings, STRINGS, stringsFor } from './strings.ts';
export type { Strings } from './strings.ts';
export {
  buttonView,
  currentRecording,
  errorText,
  failureKey,
  phaseOf,
  recordedSeconds,
  statusView,
} from './view.ts';
export type { Connection, LiveError, LiveState, Pending, Phase } from './view.ts';
export type { Recording, RecordingStatus, Codec, StopReason, Actor } from './recording.ts';
export type { Permissions, RecordingList, MeetingState, DownloadLink } from './contract.ts';
export type { ErrorCode } from './errors.ts';
export { formatBytes, formatClock, formatDate, formatDuration } from './format.ts';
