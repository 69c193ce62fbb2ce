// The live list's clocks and its inline player, against the real proxy and the simulator's media.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { DyteRecordingList } from '../../src/index.ts';
import type { DownloadLink } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import {
  clearFaults,
  ENDPOINT,
  fault,
  KEEPABLE_MS,
  mintToken,
  newMeetingId,
  recording,
  scriptStream,
  sleep,
  until,
} from '../client/backend.ts';
import { connect, expectNoLitWarnings, fakeClock, part, parts, textOf } from './support.ts';

async function call(path: string, token: string, init: { method?: string; json?: unknown } = {}) {
  const response = await fetch(`${ENDPOINT}${path}`, {
    method: init.method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<unknown>;
}

/** A real recording of `meetingId`, recorded, stopped and saved by the simulator (VP8: WebM plays anywhere). */
async function savedRecording(meetingId: string, host: string): Promise<Recording> {
  const { id } = (await call(`/meetings/${meetingId}/recordings`, host, {
    method: 'POST',
    json: { codec: 'VP8' },
  })) as Recording;
  const read = () => call(`/recordings/${id}`, host) as Promise<Recording>;
  await until(async () => (await read()).status === 'RECORDING', 'recording');
  await sleep(KEEPABLE_MS);
  await call(`/recordings/${id}`, host, { method: 'PUT', json: { action: 'stop' } });
  await until(async () => (await read()).status === 'UPLOADED', 'saved', 8000);
  return read();
}

async function hostList(meetingId: string): Promise<DyteRecordingList> {
  const element = await fixture<DyteRecordingList>(html`<dyte-recording-list></dyte-recording-list>`);
  await connect(element, meetingId);
  await until(() => part(element, 'item'), 'the list');
  return element;
}

const mediaOf = (element: DyteRecordingList) =>
  element.shadowRoot!.querySelector<HTMLVideoElement>('[part=player] video, [part=player] audio');
const focused = (element: Element) => element.shadowRoot!.activeElement;

describe('<dyte-recording-list> live and inline playback', () => {
  afterEach(clearFaults);
  after(expectNoLitWarnings);

  it('names each download for what it does', async () => {
    const meetingId = newMeetingId();
    await scriptStream(meetingId, {
      recordings: [
        recording({ id: 'a', meetingId, status: 'UPLOADED', downloadable: true, audioDownloadable: true }),
      ],
    });
    const element = await hostList(meetingId);
    expect(parts(element, 'download').map((b) => textOf(b))).to.deep.equal([
      'Download video',
      'Download audio',
    ]);
    expect(textOf(part(element, 'play'))).to.equal('Play');
  });

  it('ticks the running time on the server clock, and the time since the stop while saving', async () => {
    const meetingId = newMeetingId();
    const clock = fakeClock(-90_000); // the page's clock is 90 s behind the server's
    try {
      const serverNow = Date.now() + 90_000;
      await scriptStream(meetingId, {
        serverTime: new Date(serverNow).toISOString(),
        recordings: [
          recording({
            id: 'live',
            meetingId,
            status: 'RECORDING',
            startedAt: new Date(serverNow - 65_000).toISOString(),
          }),
          recording({
            id: 'paused',
            meetingId,
            status: 'PAUSED',
            startedAt: new Date(serverNow - 5_000).toISOString(),
          }),
          recording({
            id: 'saving',
            meetingId,
            status: 'UPLOADING',
            stoppedAt: new Date(serverNow - 3_000).toISOString(),
          }),
        ],
      });
      const element = await hostList(meetingId);
      const shown = () => parts(element, 'item').map((item) => textOf(item.querySelector('[part=elapsed]')));
      expect(shown()).to.deep.equal(['1:05', '', '0:03']);
      expect(textOf(parts(element, 'status')[2]!)).to.equal('Saving…');
      clock.tick(2000);
      await element.updateComplete;
      expect(shown()).to.deep.equal(['1:07', '', '0:05']);
      await expect(element).to.be.accessible();
    } finally {
      clock.restore();
    }
  });

  it('plays a saved recording inline: it loads, time advances, a seek lands, Escape closes it', async () => {
    const meetingId = newMeetingId();
    const saved = await savedRecording(meetingId, await mintToken(meetingId));
    const element = await hostList(meetingId);
    const play = part(element, 'play')!;
    play.click();
    const media = await until(() => mediaOf(element), 'the player');
    expect(media.localName).to.equal('video');
    expect(media.controls).to.equal(true);
    expect(play.getAttribute('aria-expanded')).to.equal('true');
    expect(media.src).to.match(new RegExp(`/_downloads/${saved.id}/`));
    await until(() => media.readyState >= 2, 'enough data to play');
    media.muted = true;
    await media.play();
    const started = media.currentTime;
    await until(() => media.currentTime > started, 'time to advance');
    media.pause();
    const seeked = oneEvent(media, 'seeked');
    media.currentTime = 0.5;
    await seeked;
    expect(media.currentTime).to.be.closeTo(0.5, 0.11);
    await expect(element).to.be.accessible();

    media.focus();
    await sendKeys({ press: 'Escape' });
    await element.updateComplete;
    expect(part(element, 'player')).to.equal(null);
    expect(focused(element)).to.equal(play);
  });

  it('plays one recording at a time, each on a fresh link, and closes with its Close button', async () => {
    const meetingId = newMeetingId();
    const host = await mintToken(meetingId);
    await savedRecording(meetingId, host);
    await savedRecording(meetingId, host);
    const element = await hostList(meetingId);
    await until(() => parts(element, 'play').length === 2, 'two Play buttons');
    const [first, second] = parts(element, 'play');
    first!.click();
    await until(() => mediaOf(element), 'the first player');
    second!.click();
    await until(() => parts(element, 'item')[1]!.querySelector('[part=player]'), 'the second player');
    expect(parts(element, 'player')).to.have.length(1);
    expect(first!.getAttribute('aria-expanded')).to.equal('false');
    part(element, 'close')!.click();
    await element.updateComplete;
    expect(part(element, 'player')).to.equal(null);
    expect(focused(element)).to.equal(second);
  });

  it('renews a link that expires mid-play and resumes where it was', async () => {
    const meetingId = newMeetingId();
    const host = await mintToken(meetingId);
    const saved = await savedRecording(meetingId, host);
    const real = (await call(`/recordings/${saved.id}/download?kind=video`, host)) as DownloadLink;
    // The first link lives 1.5 s (then the storage would refuse it); the renewal gets the proxy's own.
    const shortLived = `${real.url}&first=1`;
    await fault({
      match: `/recordings/${saved.id}/download?kind=video`,
      status: 200,
      body: { url: shortLived, expiresAt: new Date(Date.now() + 1500).toISOString() },
    });
    const element = await hostList(meetingId);
    part(element, 'play')!.click();
    const media = await until(() => mediaOf(element), 'the player');
    expect(media.src).to.equal(shortLived);
    await until(() => media.readyState >= 1, 'the metadata');
    media.muted = true;
    media.pause();
    media.currentTime = 0.6;
    await oneEvent(media, 'seeked');
    await until(() => mediaOf(element)?.src.startsWith(`${real.url}#t=`), 'the renewed link', 4000);
    const renewed = mediaOf(element)!;
    await until(() => renewed.readyState >= 1 && Math.abs(renewed.currentTime - 0.6) < 0.11, 'the same time');
    expect(renewed.paused).to.equal(true);
  });

  it('works by keyboard alone: Tab to Play, Enter opens the player with the focus in it, Escape comes back', async () => {
    const meetingId = newMeetingId();
    await savedRecording(meetingId, await mintToken(meetingId));
    const before = await fixture<HTMLButtonElement>(html`<button>Before</button>`);
    const element = await hostList(meetingId);
    before.focus();
    await sendKeys({ press: 'Tab' });
    expect(focused(element)?.getAttribute('part')).to.equal('play');
    const play = focused(element);
    await sendKeys({ press: 'Enter' });
    await until(() => mediaOf(element) && focused(element) === mediaOf(element), 'the focus in the player');
    // Through the video's own controls (play, timeline, volume, …) to Close.
    for (let press = 0; press < 12 && focused(element)?.getAttribute('part') !== 'close'; press += 1)
      await sendKeys({ press: 'Tab' });
    expect(focused(element)?.getAttribute('part')).to.equal('close');
    await sendKeys({ press: 'Escape' });
    await element.updateComplete;
    expect(part(element, 'player')).to.equal(null);
    expect(focused(element)).to.equal(play);
  });
});
