import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { DyteRecordingList, DyteRecordingNotice } from '../../src/index.ts';
import { liveRecording } from '../../src/client/store.ts';
import type { AcknowledgementList } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import { ENDPOINT, mintToken, newMeetingId, sleep, until } from '../client/backend.ts';
import { connect, expectNoLitWarnings, part, snapshotShown, textOf } from './support.ts';

/** A request to the test proxy as another participant would send it (their own page, their own token). */
async function call(path: string, token: string, method = 'GET'): Promise<Response> {
  return fetch(`${ENDPOINT}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: method === 'POST' ? '{}' : undefined,
  });
}

/** The host starts a recording from their own page; resolves to its id once it records. */
async function startRecording(meetingId: string): Promise<{ id: string; host: string }> {
  const host = await mintToken(meetingId, 'host', { name: 'Ana' });
  const { id } = (await (await call(`/meetings/${meetingId}/recordings`, host, 'POST')).json()) as Recording;
  await until(
    async () => ((await (await call(`/recordings/${id}`, host)).json()) as Recording).status === 'RECORDING',
    'the recording to run',
  );
  return { id, host };
}

async function acknowledgedBy(id: string, host: string): Promise<string[]> {
  const { acknowledgements } = (await (
    await call(`/recordings/${id}/acknowledgements`, host)
  ).json()) as AcknowledgementList;
  return acknowledgements.map((a) => a.name ?? a.id);
}

async function notice(meetingId: string, attributes: { mode?: string; leave?: boolean } = {}) {
  const element = await fixture<DyteRecordingNotice>(
    html`<dyte-recording-notice
      mode=${attributes.mode ?? 'dialog'}
      ?leave-action=${attributes.leave}
    ></dyte-recording-notice>`,
  );
  return connect(element, meetingId, await mintToken(meetingId, 'viewer', { name: 'Ben' }));
}

const dialogOf = (element: DyteRecordingNotice) => element.shadowRoot!.querySelector('dialog');
const focused = (element: Element) => element.shadowRoot!.activeElement?.getAttribute('part');

describe('<dyte-recording-notice>', () => {
  after(expectNoLitWarnings);

  it('tells a viewer once when recording starts, records "Got it", and does not ask again after a reload', async () => {
    const meetingId = newMeetingId();
    const element = await notice(meetingId);
    const shown: Recording[] = [];
    element.addEventListener('dyte-recording-notice', (event) => shown.push(event.detail.recording));
    await snapshotShown(element, meetingId);
    expect(part(element, 'notice')).to.equal(null);
    await expect(element).to.be.accessible();

    const { id, host } = await startRecording(meetingId);
    await until(() => dialogOf(element)?.open, 'the notice');
    expect(shown.map((r) => r.id)).to.deep.equal([id]);
    expect(textOf(part(element, 'title'))).to.equal('This meeting is being recorded');
    expect(textOf(part(element, 'detail'))).to.match(/^Started by Ana on /);
    expect(dialogOf(element)!.matches(':modal')).to.equal(true);
    await expect(element).to.be.accessible();

    const acknowledged = oneEvent(element, 'dyte-recording-acknowledge');
    part(element, 'got-it')!.click();
    expect((await acknowledged).detail.recording.id).to.equal(id);
    await element.updateComplete;
    expect(part(element, 'notice')).to.equal(null);
    await until(async () => (await acknowledgedBy(id, host)).length === 1, 'the acknowledgement');
    expect(await acknowledgedBy(id, host)).to.deep.equal(['Ben']);
    // The count's own recording event arrives and changes nothing here.
    const store = liveRecording(ENDPOINT, meetingId);
    await until(() => store.state.active?.acknowledgedBy?.count === 1, 'the new count');
    await element.updateComplete;
    expect(part(element, 'notice')).to.equal(null);
    await expect(element).to.be.accessible();

    // A reload: a new page state (no element, no store), the same tab.
    element.remove();
    await until(() => liveRecording(ENDPOINT, meetingId) !== store, 'the store to be dropped');
    const again = await notice(meetingId);
    again.addEventListener('dyte-recording-notice', (event) => shown.push(event.detail.recording));
    await snapshotShown(again, meetingId);
    await sleep(200);
    expect(part(again, 'notice')).to.equal(null);
    expect(shown).to.have.length(1);
  });

  it('tells a participant who joins while a recording runs, as a banner answered with Escape', async () => {
    const meetingId = newMeetingId();
    const { id, host } = await startRecording(meetingId);
    const element = await notice(meetingId, { mode: 'banner' });
    await until(() => part(element, 'notice'), 'the banner');
    expect(part(element, 'notice')!.localName).to.equal('section');
    expect(textOf(part(element, 'title'))).to.equal('This meeting is being recorded');
    await expect(element).to.be.accessible();
    part(element, 'got-it')!.focus();
    const acknowledged = oneEvent(element, 'dyte-recording-acknowledge');
    await sendKeys({ press: 'Escape' });
    await acknowledged;
    await element.updateComplete;
    expect(part(element, 'notice')).to.equal(null);
    await until(async () => (await acknowledgedBy(id, host)).length === 1, 'the acknowledgement');
  });

  it('lets the page cancel "Leave meeting", and leaves without acknowledging otherwise', async () => {
    const meetingId = newMeetingId();
    const { id, host } = await startRecording(meetingId);
    const element = await notice(meetingId, { leave: true });
    await until(() => dialogOf(element)?.open, 'the notice');
    await expect(element).to.be.accessible();
    const cancel = (event: Event) => event.preventDefault();
    element.addEventListener('dyte-recording-leave', cancel);
    const refused = oneEvent(element, 'dyte-recording-leave');
    part(element, 'leave')!.click();
    expect((await refused).defaultPrevented).to.equal(true);
    await element.updateComplete;
    expect(dialogOf(element)?.open).to.equal(true);

    element.removeEventListener('dyte-recording-leave', cancel);
    const left = oneEvent(element, 'dyte-recording-leave');
    part(element, 'leave')!.click();
    expect((await left).detail.recording.id).to.equal(id);
    await element.updateComplete;
    expect(part(element, 'notice')).to.equal(null);
    await sleep(200);
    expect(await acknowledgedBy(id, host)).to.deep.equal([]);
  });

  it('works by keyboard alone: focus starts on "Got it", stays in the dialog, Escape answers', async () => {
    const meetingId = newMeetingId();
    const opener = await fixture<HTMLButtonElement>(html`<button>Meeting controls</button>`);
    opener.focus();
    const { id, host } = await startRecording(meetingId);
    const element = await notice(meetingId, { leave: true });
    await until(() => dialogOf(element)?.open, 'the notice');
    expect(focused(element)).to.equal('got-it');
    await sendKeys({ press: 'Tab' });
    expect(focused(element)).to.equal('leave');
    await sendKeys({ press: 'Tab' });
    expect(focused(element)).to.equal('got-it');
    await sendKeys({ press: 'Shift+Tab' });
    expect(focused(element)).to.equal('leave');
    const acknowledged = oneEvent(element, 'dyte-recording-acknowledge');
    await sendKeys({ press: 'Escape' });
    await acknowledged;
    await element.updateComplete;
    expect(part(element, 'notice')).to.equal(null);
    expect(document.activeElement).to.equal(opener);
    await until(async () => (await acknowledgedBy(id, host)).length === 1, 'the acknowledgement');
  });

  it("shows the host's list the count rising with each viewer, and viewers no names", async () => {
    const meetingId = newMeetingId();
    const { id } = await startRecording(meetingId);
    const hostList = await fixture<DyteRecordingList>(html`<dyte-recording-list></dyte-recording-list>`);
    await connect(hostList, meetingId, await mintToken(meetingId, 'host', { name: 'Ana' }));
    // A viewer's page: its own store (another endpoint string for the same proxy).
    const viewerList = await fixture<DyteRecordingList>(html`<dyte-recording-list></dyte-recording-list>`);
    Object.assign(viewerList, {
      endpoint: `${ENDPOINT}/`,
      meetingId,
      token: await mintToken(meetingId, 'viewer', { name: 'Dee' }),
    });
    const count = (element: DyteRecordingList) => textOf(part(element, 'acknowledged'));
    await until(() => part(hostList, 'item') && part(viewerList, 'item'), 'both lists');
    for (const [n, name] of [
      [1, 'Ben'],
      [2, 'Cy'],
    ] as const) {
      const viewer = await mintToken(meetingId, 'viewer', { name });
      expect((await call(`/recordings/${id}/acknowledgements`, viewer, 'POST')).status).to.equal(201);
      await until(() => count(hostList).startsWith(`${n} acknowledged`), `${n} in the host's list`);
      await until(() => count(viewerList) === `${n} acknowledged`, `${n} in the viewer's list`);
    }
    expect(count(hostList)).to.equal('2 acknowledged: Ben, Cy');
    expect(textOf(viewerList)).not.to.match(/Ben|Cy/);
    expect(liveRecording(`${ENDPOINT}/`, meetingId).state.active?.acknowledgedBy).to.deep.equal({
      count: 2,
      names: null,
    });
    const viewer = await mintToken(meetingId, 'viewer', { name: 'Dee' });
    expect((await call(`/recordings/${id}/acknowledgements`, viewer)).status).to.equal(403);
    await expect(hostList).to.be.accessible();
  });
});
