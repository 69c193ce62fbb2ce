import type { ErrorCode } from './errors.ts';

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
  video: 'Download video',
  audio: 'Download audio',
  play: 'Play',
  closePlayer: 'Close player',
  expires: 'Links expire {date}',
  expired: 'Download expired',
  transcript: 'Transcript',
  summary: 'Summary',
  by: 'by {name}',
  noticeTitle: 'This meeting is being recorded',
  noticeBy: 'Started by {name} on {date}',
  noticeSince: 'Recording since {date}',
  gotIt: 'Got it',
  leaveMeeting: 'Leave meeting',
  acknowledged: '{count} acknowledged',
  INVOKED: 'Starting',
  RECORDING: 'Recording',
  PAUSED: 'Paused',
  UPLOADING: 'Saving…',
  UPLOADED: 'Saved',
  ERRORED: 'Failed',
  /** Why nothing loads: the proxy is unreachable or failing (a retry may help)… */
  unreachable: "Can't reach recording service",
  /** …the token was refused… */
  notAuthorized: 'Not authorized',
  /** …or the element lacks its `endpoint` or `meeting-id` (the console says which). */
  notConfigured: 'Recording is not set up',
  /** A request that reached no server (rather than the browser's own words, e.g. "Failed to fetch"). */
  network_error: "Can't reach recording service",
};

/**
 * The texts, by key; a translation may also give the text of a proxy error code (`not_ready`, …),
 * shown instead of the proxy's English message.
 */
export type Strings = typeof STRINGS & Partial<Record<ErrorCode | 'network_error', string>>;

const pageStrings: Partial<Strings> = {};
const translations: Record<string, Partial<Strings>> = {};

/**
 * Sets texts for every element of the page, before they render: with `lang`, a translation (e.g. a
 * shipped locale, `setStrings(de, 'de')`), used where the nearest `lang` attribute is that language;
 * without, overrides in whatever language. An element's own `strings` property wins over both.
 */
export function setStrings(strings: Partial<Strings>, lang?: string): void {
  Object.assign(lang ? (translations[lang.toLowerCase()] ??= {}) : pageStrings, strings);
}

/** The texts for `lang` (`pt-BR`: its own translation, else `pt`'s, else English), under the page's overrides. */
export function stringsFor(lang = ''): Strings {
  const tag = lang.toLowerCase();
  return { ...STRINGS, ...translations[tag.split('-')[0]!], ...translations[tag], ...pageStrings };
}

/** Replaces each `{key}` in `text` by `values[key]`. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (all, key: string) => values[key] ?? all);
}
