/** The events the elements fire: bubbling, composed, typed in GlobalEventHandlersEventMap. */
import type { Recording } from '../core/recording.ts';
import type { LiveError, Phase } from '../core/view.ts';
import type { DownloadKind } from './store.ts';

export interface RecordingEventDetail {
  recording: Recording;
}

export interface ChangeEventDetail {
  phase: Phase;
  recording: Recording | null;
}

export interface DownloadEventDetail {
  recording: Recording;
  kind: DownloadKind;
  url: string;
}

export interface DyteRecordingEvents {
  'dyte-recording-start': CustomEvent<RecordingEventDetail>;
  'dyte-recording-stop': CustomEvent<RecordingEventDetail>;
  'dyte-recording-error': CustomEvent<LiveError>;
  'dyte-recording-change': CustomEvent<ChangeEventDetail>;
  'dyte-recording-download': CustomEvent<DownloadEventDetail>;
  'dyte-recording-notice': CustomEvent<RecordingEventDetail>;
  'dyte-recording-acknowledge': CustomEvent<RecordingEventDetail>;
  'dyte-recording-leave': CustomEvent<RecordingEventDetail>;
}

/**
 * Fires `type` from `target`; returns false when a listener cancelled it. It bubbles (out of shadow
 * roots too) unless `bubbles` is false: the store's news reaches every element, but only one of them
 * passes it on to the page.
 */
export function emit<K extends keyof DyteRecordingEvents>(
  target: EventTarget,
  type: K,
  detail: DyteRecordingEvents[K]['detail'],
  bubbles = true,
): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles, composed: true, cancelable: true }));
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends DyteRecordingEvents {}
}
