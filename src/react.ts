/**
 * `dyte-recording-kit/react`: the four elements as React components (made with `@lit/react`), with
 * typed props and typed event callbacks. Props that are not attributes (`tokenProvider`, `strings`)
 * are set as properties.
 *
 * ```tsx
 * <RecordButton meetingId={id} endpoint="/api" tokenProvider={getToken} onRecordingStart={(e) => …} />
 * ```
 */
import * as React from 'react';
import { createComponent } from '@lit/react';
import type { EventName } from '@lit/react';
import { DyteRecordButton, DyteRecordingList, DyteRecordingNotice, DyteRecordingStatus } from './index.ts';
import type { DyteRecordingEvents } from './index.ts';

/** The typed event name of a kit event, for `createComponent`'s `events`. */
const event = <K extends keyof DyteRecordingEvents>(name: K) => name as EventName<DyteRecordingEvents[K]>;

const changeEvents = { onRecordingChange: event('dyte-recording-change') };

/** `<dyte-record-button>`: `onRecordingStart`, `onRecordingStop`, `onRecordingError`, `onRecordingChange`. */
export const RecordButton = createComponent({
  react: React,
  tagName: 'dyte-record-button',
  elementClass: DyteRecordButton,
  displayName: 'RecordButton',
  events: {
    onRecordingStart: event('dyte-recording-start'),
    onRecordingStop: event('dyte-recording-stop'),
    onRecordingError: event('dyte-recording-error'),
    ...changeEvents,
  },
});

/** `<dyte-recording-status>`: `onRecordingChange`. */
export const RecordingStatus = createComponent({
  react: React,
  tagName: 'dyte-recording-status',
  elementClass: DyteRecordingStatus,
  displayName: 'RecordingStatus',
  events: changeEvents,
});

/** `<dyte-recording-list>`: `onRecordingDownload` (cancel it to handle the link yourself), `onRecordingError`, `onRecordingChange`. */
export const RecordingList = createComponent({
  react: React,
  tagName: 'dyte-recording-list',
  elementClass: DyteRecordingList,
  displayName: 'RecordingList',
  events: {
    onRecordingDownload: event('dyte-recording-download'),
    onRecordingError: event('dyte-recording-error'),
    ...changeEvents,
  },
});

/** `<dyte-recording-notice>`: `onRecordingNotice`, `onRecordingAcknowledge`, `onRecordingLeave` (cancel it to keep the notice open), `onRecordingError`, `onRecordingChange`. */
export const RecordingNotice = createComponent({
  react: React,
  tagName: 'dyte-recording-notice',
  elementClass: DyteRecordingNotice,
  displayName: 'RecordingNotice',
  events: {
    onRecordingNotice: event('dyte-recording-notice'),
    onRecordingAcknowledge: event('dyte-recording-acknowledge'),
    onRecordingLeave: event('dyte-recording-leave'),
    onRecordingError: event('dyte-recording-error'),
    ...changeEvents,
  },
});
