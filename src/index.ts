/** The browser entry: defines the four elements and exports their classes and types. */
export { DyteRecordButton } from './components/record-button/record-button.ts';
export { DyteRecordingStatus } from './components/recording-status/recording-status.ts';
export { DyteRecordingList } from './components/recording-list/recording-list.ts';
export { DyteRecordingNotice } from './components/recording-notice/recording-notice.ts';
export { LiveElement } from './components/live-element.ts';
export { LiveRecordingController } from './client/controller.ts';
export type { LiveHost } from './client/controller.ts';
export { liveRecording, LiveRecording } from './client/store.ts';
export type { DownloadKind, Subscriber, TokenHolder } from './client/store.ts';
export type {
  ChangeEventDetail,
  DownloadEventDetail,
  DyteRecordingEvents,
  RecordingEventDetail,
} from './client/events.ts';
export { setStrings, STRINGS } from './core/strings.ts';
export type { Strings } from './core/strings.ts';
export type { Connection, LiveError, LiveState, Pending, Phase } from './core/view.ts';
export type { Recording, RecordingStatus, Codec, StopReason, Actor } from './core/recording.ts';
export type {
  Permissions,
  RecordingList,
  MeetingState,
  DownloadLink,
  AcknowledgedBy,
  Acknowledgement,
} from './core/contract.ts';
