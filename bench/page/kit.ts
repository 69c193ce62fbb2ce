/** The kit's bench page: `count` elements for one meeting, the three kinds in turn, as a host app would put them. */
import { liveRecording } from '../../src/index.ts';
import { ENDPOINT, exposeStatuses, pageParams } from './status.ts';

const TAGS = ['dyte-recording-status', 'dyte-record-button', 'dyte-recording-list'] as const;
const { meetingId, token, count } = pageParams();

for (let i = 0; i < count; i += 1) {
  const element = document.createElement(TAGS[i % TAGS.length]!);
  element.setAttribute('endpoint', ENDPOINT);
  element.setAttribute('meeting-id', meetingId);
  element.setAttribute('token', token);
  document.body.append(element);
}

// Every element shares this one store: what it holds is what each of them shows.
exposeStatuses(() => [liveRecording(ENDPOINT, meetingId).state.recordings[0]?.status ?? null]);
