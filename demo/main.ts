/** The plain HTML demo page: the elements are in index.html; this wires them to the demo's meeting. */
import 'dyte-recording-kit';
import type { LiveElement } from 'dyte-recording-kit';
import {
  addParticipant,
  describeEvent,
  emptyTimeoutSeconds,
  hue,
  initials,
  limitsNote,
  loadDemoPage,
  logged,
  outageActive,
  removeParticipant,
  roleHref,
  setOutage,
  watchParticipants,
} from './shared/demo.ts';
import type { LoggedEvent, Participant } from './shared/demo.ts';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const page = await loadDemoPage();

for (const element of document.querySelectorAll<LiveElement>(
  'dyte-record-button, dyte-recording-status, dyte-recording-list, dyte-recording-notice',
)) {
  element.tokenProvider = page.tokenProvider;
  element.meetingId = page.meetingId;
}

if (page.role === 'host') document.querySelector('dyte-recording-notice')?.remove();

byId('who').textContent = `Meeting ${page.meetingId} · as ${page.role === 'host' ? 'host' : 'viewer'}`;
byId('limits').textContent = limitsNote(page.limits);
for (const role of ['host', 'viewer'] as const) {
  const link = byId<HTMLAnchorElement>(`as-${role}`);
  link.href = roleHref(role);
  if (role === page.role) link.setAttribute('aria-current', 'page');
}

// The elements' typed events bubble up to the document: show the latest few.
const log = byId('events');
let lines: string[] = [];
const logEvent = (text: string) => {
  lines = logged(lines, text);
  log.replaceChildren(
    ...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })),
  );
};
const listen = <K extends LoggedEvent>(type: K) =>
  document.addEventListener(type, (event) => logEvent(describeEvent[type](event)));
listen('dyte-recording-start');
listen('dyte-recording-stop');
listen('dyte-recording-error');
listen('dyte-recording-acknowledge');
listen('dyte-recording-leave');

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
