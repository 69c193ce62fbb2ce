import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { DyteRecordButton, DyteRecordingStatus } from '../../src/index.ts';
import {
  clearFaults,
  ENDPOINT,
  KEEPABLE_MS,
  mintToken,
  newMeetingId,
  recording,
  sleep,
  until,
} from '../client/backend.ts';
import { expectNoLitWarnings, part, scriptCurrent, snapshotShown, textOf } from './support.ts';

/** A status element over a scripted RECORDING stream. */
async function recordingStatus(style = '') {
  const meetingId = newMeetingId();
  const current = recording({
    id: 'r1',
    meetingId,
    status: 'RECORDING',
    startedAt: new Date().toISOString(),
  });
  await scriptCurrent(meetingId, current);
  const element = await fixture<DyteRecordingStatus>(
    html`<dyte-recording-status
      style=${style}
      endpoint=${ENDPOINT}
      meeting-id=${meetingId}
      token=${await mintToken(meetingId)}
    ></dyte-recording-status>`,
  );
  await snapshotShown(element, meetingId);
  return element;
}

describe('theming, motion, colour scheme and keyboard', () => {
  afterEach(async () => {
    await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    await clearFaults();
  });
  after(expectNoLitWarnings);

  it('takes its colours from --dyte-recording-* custom properties', async () => {
    const element = await recordingStatus('--dyte-recording-accent: rgb(1, 2, 3)');
    expect(getComputedStyle(part(element, 'label')!).color).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(part(element, 'indicator')!).backgroundColor).to.equal('rgb(1, 2, 3)');
  });

  it('lets the page style its parts', async () => {
    const style = document.createElement('style');
    style.textContent =
      'dyte-recording-status::part(label) { text-transform: uppercase; letter-spacing: 3px; }';
    document.head.append(style);
    try {
      const element = await recordingStatus();
      expect(getComputedStyle(part(element, 'label')!).letterSpacing).to.equal('3px');
    } finally {
      style.remove();
    }
  });

  it('pulses while recording, unless motion is reduced', async () => {
    const element = await recordingStatus();
    expect(getComputedStyle(part(element, 'indicator')!).animationName).to.equal('pulse');
    await emulateMedia({ reducedMotion: 'reduce' });
    expect(getComputedStyle(part(element, 'indicator')!).animationName).to.equal('none');
  });

  it("follows the OS's dark scheme on a page that allows it, and stays accessible in it", async () => {
    document.documentElement.style.colorScheme = 'light dark';
    const element = await recordingStatus();
    const light = getComputedStyle(element).color;
    await emulateMedia({ colorScheme: 'dark' });
    const dark = getComputedStyle(element).color;
    expect(dark).not.to.equal(light);
    expect(dark).to.equal('rgb(242, 244, 247)');
    document.body.style.background = '#101828';
    try {
      await expect(element).to.be.accessible();
    } finally {
      document.body.style.background = '';
      document.documentElement.style.colorScheme = '';
    }
  });

  it('records and stops from the keyboard alone', async () => {
    const meetingId = newMeetingId();
    const element = await fixture<DyteRecordButton>(
      html`<dyte-record-button
        endpoint=${ENDPOINT}
        meeting-id=${meetingId}
        token=${await mintToken(meetingId)}
      ></dyte-record-button>`,
    );
    await until(() => part(element, 'button')?.getAttribute('aria-disabled') === 'false', 'ready');
    part(element, 'button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => textOf(part(element, 'button')) === 'Stop', 'Stop');
    await sleep(KEEPABLE_MS);
    await sendKeys({ press: 'Space' });
    await until(() => part(element, 'confirm'), 'the confirmation');
    expect(element.shadowRoot!.activeElement).to.equal(part(element, 'confirm-keep'));
    await sendKeys({ press: 'Shift+Tab' });
    expect(element.shadowRoot!.activeElement).to.equal(part(element, 'confirm-stop'));
    await sendKeys({ press: 'Enter' });
    await until(() => textOf(part(element, 'button')) === 'Record', 'Record again');
  });
});
