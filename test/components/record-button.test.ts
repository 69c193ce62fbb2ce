import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/index.ts';
import { liveRecording } from '../../src/client/store.ts';
import type { DyteRecordButton } from '../../src/index.ts';
import type { Recording, RecordingStatus } from '../../src/core/recording.ts';
import {
  clearFaults,
  ENDPOINT,
  fault,
  HOST,
  KEEPABLE_MS,
  mintToken,
  newMeetingId,
  recording,
  sleep,
  until,
  VIEWER,
} from '../client/backend.ts';
import { connect, expectNoLitWarnings, part, scriptCurrent, snapshotShown, textOf } from './support.ts';

async function button(meetingId: string, token: string, attributes = '') {
  const element = await fixture<DyteRecordButton>(html`<dyte-record-button></dyte-record-button>`);
  for (const [name, value] of attributes
    .split(' ')
    .filter(Boolean)
    .map((a) => a.split('=')))
    element.setAttribute(name!, value ?? '');
  return connect(element, meetingId, token);
}

const label = (element: DyteRecordButton) => textOf(part(element, 'button'));

async function scripted(status: RecordingStatus | null, permissions = HOST, attributes = '') {
  const meetingId = newMeetingId();
  const current = status && recording({ id: 'r1', meetingId, status, startedAt: new Date().toISOString() });
  await scriptCurrent(meetingId, current, { permissions });
  const element = await button(meetingId, await mintToken(meetingId), attributes);
  await snapshotShown(element, meetingId);
  return element;
}

describe('<dyte-record-button>', () => {
  afterEach(clearFaults);
  after(expectNoLitWarnings);

  const LABELS: [RecordingStatus | null, string][] = [
    [null, 'Record'],
    ['INVOKED', 'Starting…'],
    ['RECORDING', 'Stop'],
    ['PAUSED', 'Stop'],
    ['UPLOADING', 'Record'],
    ['UPLOADED', 'Record'],
    ['ERRORED', 'Record'],
  ];
  for (const [status, expected] of LABELS) {
    it(`reads "${expected}" and is accessible when the recording is ${status ?? 'absent'}`, async () => {
      const element = await scripted(status, HOST);
      await until(() => label(element) === expected, `"${expected}"`);
      expect(part(element, 'button')!.getAttribute('aria-busy')).to.equal(String(status === 'INVOKED'));
      expect(Boolean(part(element, 'toggle'))).to.equal(status === 'RECORDING' || status === 'PAUSED');
      await expect(element).to.be.accessible();
    });
  }

  it('starts and stops a recording through the proxy, asking before stopping', async () => {
    const meetingId = newMeetingId();
    const element = await button(meetingId, await mintToken(meetingId));
    await until(
      () => label(element) === 'Record' && part(element, 'button')!.getAttribute('aria-disabled') === 'false',
      'Record',
    );
    const started = oneEvent(element, 'dyte-recording-start');
    part(element, 'button')!.click();
    await element.updateComplete;
    expect(label(element)).to.equal('Starting…');
    expect((await started).detail.recording.status).to.equal('INVOKED');
    await until(() => label(element) === 'Stop', 'Stop');
    await sleep(KEEPABLE_MS);

    part(element, 'button')!.click();
    await element.updateComplete;
    const confirm = part(element, 'confirm')!;
    expect(textOf(confirm)).to.equal('Stop the recording? Stop recording Keep recording');
    expect(confirm.previousElementSibling).to.equal(part(element, 'button'));
    expect(element.shadowRoot!.activeElement).to.equal(part(element, 'confirm-keep'));
    await expect(element).to.be.accessible();

    part(element, 'confirm-keep')!.click();
    await element.updateComplete;
    expect(part(element, 'confirm')).to.equal(null);
    expect(label(element)).to.equal('Stop');
    expect(element.shadowRoot!.activeElement).to.equal(part(element, 'button'));

    part(element, 'button')!.click();
    await element.updateComplete;
    const stopped = oneEvent(element, 'dyte-recording-stop');
    part(element, 'confirm-stop')!.click();
    await element.updateComplete;
    expect(label(element)).to.equal('Stopping…');
    const { recording: stoppedRecording } = (await stopped).detail as { recording: Recording };
    expect(stoppedRecording.status).to.be.oneOf(['UPLOADING', 'UPLOADED']);
    await until(() => label(element) === 'Record', 'Record again');
  });

  it('closes the confirmation on Escape and keeps recording', async () => {
    const element = await scripted('RECORDING');
    part(element, 'button')!.click();
    await element.updateComplete;
    part(element, 'confirm')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await element.updateComplete;
    expect(part(element, 'confirm')).to.equal(null);
    expect(label(element)).to.equal('Stop');
  });

  it('stops at once with no-confirm', async () => {
    const meetingId = newMeetingId();
    const element = await button(meetingId, await mintToken(meetingId), 'no-confirm');
    await until(() => part(element, 'button')?.getAttribute('aria-disabled') === 'false', 'ready');
    part(element, 'button')!.click();
    await until(() => label(element) === 'Stop', 'Stop');
    await sleep(KEEPABLE_MS);
    const stopped = oneEvent(element, 'dyte-recording-stop');
    part(element, 'button')!.click();
    await element.updateComplete;
    expect(part(element, 'confirm')).to.equal(null);
    await stopped;
  });

  it('pauses and resumes where the proxy allows it (a host on Dyte v2), without being asked to', async () => {
    const meetingId = newMeetingId();
    const element = await button(meetingId, await mintToken(meetingId));
    await until(() => part(element, 'button')?.getAttribute('aria-disabled') === 'false', 'ready');
    part(element, 'button')!.click();
    // The toggle takes a click once it is not busy (the pause's own answer may come after the stream's).
    const ready = (name: string) =>
      textOf(part(element, 'toggle')) === name &&
      part(element, 'toggle')?.getAttribute('aria-busy') === 'false';
    await until(() => ready('Pause'), 'Pause');
    part(element, 'toggle')!.click();
    await until(() => ready('Resume'), 'Resume');
    part(element, 'toggle')!.click();
    await until(() => ready('Pause'), 'Pause again');
    await sleep(KEEPABLE_MS);
    await element.stop();
  });

  it('offers no Pause / Resume where the proxy does not allow pausing (e.g. Dyte v1)', async () => {
    for (const status of ['RECORDING', 'PAUSED'] as const) {
      const element = await scripted(status, { ...HOST, pause: false });
      await until(() => label(element) === 'Stop', 'Stop');
      expect(part(element, 'toggle')).to.equal(null);
    }
  });

  it('is not shown to a viewer', async () => {
    const meetingId = newMeetingId();
    const element = await button(meetingId, await mintToken(meetingId, 'viewer'));
    await snapshotShown(element, meetingId);
    expect(part(element, 'button')).to.equal(null);
    await expect(element).to.be.accessible();
  });

  it('explains why it is disabled with when-forbidden="disabled"', async () => {
    const element = await scripted(null, VIEWER, 'when-forbidden=disabled');
    await until(() => part(element, 'explanation'), 'the explanation');
    const main = part(element, 'button')!;
    expect(main.getAttribute('aria-disabled')).to.equal('true');
    expect(main.getAttribute('aria-describedby')).to.equal(part(element, 'explanation')!.id);
    expect(textOf(part(element, 'explanation'))).to.equal('You do not have permission to record.');
    // The token is a host's (the proxy would accept a start): only the button's gating holds it back.
    const { meetingId, token } = element;
    const store = liveRecording(ENDPOINT, meetingId);
    const sent: string[] = [];
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      sent.push(`${init?.method ?? 'GET'} ${String(input)}`);
      return realFetch(input, init);
    };
    let started = false;
    element.addEventListener('dyte-recording-start', () => (started = true));
    try {
      main.click();
      // A start would have shown as pending at once (the store marks it before sending).
      expect(store.state.pending).to.equal(null);
      await element.updateComplete;
      // A round trip through the real proxy, sent after the click: any start would have left before it.
      const answer = await realFetch(`${ENDPOINT}/meetings/${meetingId}/recordings`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await answer.json()) as { recordings: unknown[] }).recordings).to.deep.equal([]);
    } finally {
      window.fetch = realFetch;
    }
    expect(sent).to.deep.equal([]);
    expect(started).to.equal(false);
    await expect(element).to.be.accessible();
  });

  it('reports a refused start as dyte-recording-error and shows it', async () => {
    const meetingId = newMeetingId();
    await fault({
      match: `/meetings/${meetingId}/recordings`,
      status: 503,
      body: { error: { code: 'upstream_unavailable', message: 'Dyte is not answering.' } },
    });
    const element = await button(meetingId, await mintToken(meetingId));
    await until(() => part(element, 'button')?.getAttribute('aria-disabled') === 'false', 'ready');
    const failed = oneEvent(element, 'dyte-recording-error');
    part(element, 'button')!.click();
    expect((await failed).detail).to.deep.equal({
      code: 'upstream_unavailable',
      message: 'Dyte is not answering.',
    });
    await element.updateComplete;
    expect(textOf(part(element, 'error'))).to.equal('Dyte is not answering.');
    expect(part(element, 'error')!.getAttribute('role')).to.equal('alert');
    expect(label(element)).to.equal('Record');
    await expect(element).to.be.accessible();
  });

  it('takes its texts from the strings property', async () => {
    const element = await scripted(null);
    element.strings = { record: 'Aufnehmen' };
    await element.updateComplete;
    expect(label(element)).to.equal('Aufnehmen');
  });
});
