/** What the framework typings say of each tag: its attributes as written in markup, its properties, its events. */
import type { DyteRecordingEvents } from '../client/events.ts';
import type { DyteRecordButton } from '../components/record-button/record-button.ts';
import type { DyteRecordingList } from '../components/recording-list/recording-list.ts';
import type { DyteRecordingNotice } from '../components/recording-notice/recording-notice.ts';
import type { DyteRecordingStatus } from '../components/recording-status/recording-status.ts';

/** The attributes every element takes, as markup writes them. */
export interface LiveAttributes {
  'meeting-id'?: string;
  endpoint?: string;
  token?: string;
  theme?: 'light' | 'dark' | 'auto';
}

/** Each tag: its class, its own attributes, the properties a framework may set, the events it fires. */
export interface KitElements {
  'dyte-record-button': {
    element: DyteRecordButton;
    attributes: LiveAttributes & {
      'no-confirm'?: boolean;
      'when-forbidden'?: DyteRecordButton['whenForbidden'];
      codec?: string;
    };
    properties: 'noConfirm' | 'whenForbidden' | 'codec' | LiveProperty;
    events: Pick<
      DyteRecordingEvents,
      'dyte-recording-start' | 'dyte-recording-stop' | 'dyte-recording-error' | 'dyte-recording-change'
    >;
  };
  'dyte-recording-status': {
    element: DyteRecordingStatus;
    attributes: LiveAttributes & { 'limit-warning'?: number | `${number}` };
    properties: 'limitWarning' | LiveProperty;
    events: Pick<DyteRecordingEvents, 'dyte-recording-error' | 'dyte-recording-change'>;
  };
  'dyte-recording-list': {
    element: DyteRecordingList;
    attributes: LiveAttributes;
    properties: LiveProperty;
    events: Pick<
      DyteRecordingEvents,
      'dyte-recording-download' | 'dyte-recording-error' | 'dyte-recording-change'
    >;
  };
  'dyte-recording-notice': {
    element: DyteRecordingNotice;
    attributes: LiveAttributes & { mode?: DyteRecordingNotice['mode']; 'leave-action'?: boolean };
    properties: 'mode' | 'leaveAction' | LiveProperty;
    events: Pick<
      DyteRecordingEvents,
      | 'dyte-recording-notice'
      | 'dyte-recording-acknowledge'
      | 'dyte-recording-leave'
      | 'dyte-recording-error'
      | 'dyte-recording-change'
    >;
  };
}

type LiveProperty = 'meetingId' | 'endpoint' | 'token' | 'tokenProvider' | 'strings' | 'theme';
