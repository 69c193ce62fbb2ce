/** The plain HTML demo page: the elements are in index.html; this wires them to the demo's meeting. */
import 'dyte-recording-kit';
import type { DyteRecordingEvents, LiveElement } from 'dyte-recording-kit';
import {
  addParticipant,
  emptyTimeoutSeconds,
  hue,
  initials,
  limitsNote,
  loadDemoPage,
  outageActive,
  removeParticipant,
  roleHref,
  setOutage,
  watchParticipants,
} from './shared/demo.ts';
import type { Participant } from './shared/demo.ts';

const MAX_EVENTS = 5;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const page = await loadDemoPage();

for (const element of document.querySelectorAll<LiveElement>(
  'dyte-record-button, dyte-recording-status, dyte-recording-list',
)) {
  element.tokenProvider = page.tokenProvider;
  element.meetingId = page.meetingId;
}
document.querySelector('dyte-recording-status')!.emptyTimeout = emptyTimeoutSeconds(page.limits);

byId('who').textContent = `Meeting ${page.meetingId} · as ${page.role === 'host' ? 'host' : 'viewer'}`;
byId('limits').textContent = limitsNote(page.limits);
for (const role of ['host', 'viewer'] as const) {
  const link = byId<HTMLAnchorElement>(`as-${role}`);
  link.href = roleHref(role);
  if (role === page.role) link.setAttribute('aria-current', 'page');
}

// The typed events bubble to the page: log the latest few.
const log = byId('events');
const logEvent = (text: string) => {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} · ${text}`;
  log.prepend(item);
  while (log.children.length > MAX_EVENTS) log.lastElementChild!.remove();
};
const listen = <K extends keyof DyteRecordingEvents>(
  type: K,
  describe: (event: DyteRecordingEvents[K]) => string,
) => document.addEventListener(type, (event) => logEvent(describe(event)));
listen('dyte-recording-start', (event) => `started ${event.detail.recording.id}`);
listen('dyte-recording-stop', (event) => `stopped ${event.detail.recording.id}`);
listen('dyte-recording-error', (event) => `error ${event.detail.code}: ${event.detail.message}`);

const tiles = byId('tiles');
let people: Participant[] = [];
const room = watchParticipants(page.meetingId, (participants) => {
  people = participants;
  tiles.replaceChildren(...(participants.length ? participants.map(tile) : [emptyRoom()]));
  byId<HTMLButtonElement>('remove').disabled = participants.length === 0;
});

function tile(participant: Participant): HTMLElement {
  const element = document.createElement('div');
  element.className = 'tile';
  element.style.setProperty('--hue', String(hue(participant.name)));
  const avatar = document.createElement('span');
  avatar.className = 'avatar';
  avatar.textContent = initials(participant.name);
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = participant.name;
  element.append(avatar, name);
  return element;
}

function emptyRoom(): HTMLElement {
  const element = document.createElement('p');
  element.className = 'empty-room';
  element.textContent = `Everyone left. A running recording stops ${emptyTimeoutSeconds(page.limits)} s after the room empties.`;
  return element;
}

const act = (button: HTMLButtonElement, action: () => Promise<unknown>) =>
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await action();
      await room.refresh();
    } catch (error) {
      logEvent(`demo: ${(error as Error).message}`);
    } finally {
      button.disabled = button.id === 'remove' && people.length === 0;
    }
  });

act(byId('add'), () => addParticipant(page.meetingId));
act(byId('remove'), () => removeParticipant(page.meetingId, people));

const outage = byId<HTMLButtonElement>('outage');
const showOutage = (active: boolean) => {
  outage.setAttribute('aria-pressed', String(active));
  outage.textContent = active ? 'Restore upstream' : 'Inject upstream failure';
};
showOutage(await outageActive());
act(outage, async () => showOutage(await setOutage(outage.getAttribute('aria-pressed') !== 'true')));
