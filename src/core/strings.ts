/**
 * Every text the elements show, in English. Elements take overrides through their `strings` property;
 * `{name}`-style placeholders are filled by `fill`.
 */
export const STRINGS = {
  record: 'Record',
  starting: 'Starting…',
  stop: 'Stop',
  stopping: 'Stopping…',
  pause: 'Pause',
  resume: 'Resume',
  confirm: 'Stop the recording?',
  confirmStop: 'Stop recording',
  confirmKeep: 'Keep recording',
  forbidden: 'You do not have permission to record.',
  loading: 'Loading…',
  idle: 'Not recording',
  startingHint: 'The recorder can take up to 30 seconds to join.',
  recording: 'REC',
  paused: 'Paused',
  uploading: 'Saving the recording…',
  saved: 'Recording saved',
  failed: 'Recording failed: {reason}',
  /** The `{reason}` of a failure the server gave no reason for. */
  noReason: 'no reason given',
  stoppedBy: 'Stopped by {name}',
  stoppedEmpty: 'Stopped: everyone left',
  stoppedError: 'Stopped by an error',
  limitSoon: 'Stops at the 24-hour limit in {time}',
  emptyRoom: 'The room is empty: stops in {time}',
  offline: 'Connection lost, reconnecting…',
  online: 'Connection restored',
  listLabel: 'Recordings',
  empty: 'No recordings yet.',
  listError: 'Could not load the recordings: {message}',
  retry: 'Retry',
  loadMore: 'Load more',
  video: 'Video',
  audio: 'Audio',
  expires: 'Links expire {date}',
  expired: 'Download expired',
  transcript: 'Transcript',
  summary: 'Summary',
  by: 'by {name}',
  INVOKED: 'Starting',
  RECORDING: 'Recording',
  PAUSED: 'Paused',
  UPLOADING: 'Saving',
  UPLOADED: 'Saved',
  ERRORED: 'Failed',
};

export type Strings = typeof STRINGS;

/** Replaces each `{key}` in `text` by `values[key]`. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (all, key: string) => values[key] ?? all);
}
