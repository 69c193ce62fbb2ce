import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/index.ts';
import type { DyteRecordButton, DyteRecordingList } from '../../src/index.ts';
import { liveRecording } from '../../src/client/store.ts';
import { STREAM_OPTIONS } from '../../src/client/stream.ts';
import type { RecordingList } from '../../src/core/contract.ts';
import {
  clearFaults,
  ENDPOINT,
  fault,
  HOST,
  KEEPABLE_MS,
  mintToken,
  newMeetingId,
  recording,
  scriptStream,
  sleep,
  until,
  VIEWER,
} from '../client/backend.ts';
import { connect, expectNoLitWarnings, part, parts, textOf } from './support.ts';

async function list(meetingId: string, lang = 'en-US') {
  const wrapper = await fixture(html`<div lang=${lang}><dyte-recording-list></dyte-recording-list></div>`);
  const element = wrapper.querySelector('dyte-recording-list')!;
  return connect(element, meetingId);
}

async function scriptedList(body: Partial<RecordingList>, lang?: string) {
  const meetingId = newMeetingId();
  await scriptStream(meetingId, body);
  const element = await list(meetingId, lang);
  await until(() => part(element, 'list') || part(element, 'empty'), 'the list');
  return { element, meetingId };
}

const DAY = 86_400_000;
const saved = (meetingId: string, fields = {}) =>
  recording({
    id: 'saved',
    meetingId,
    status: 'UPLOADED',
    codec: 'H264',
    invokedAt: '2026-03-05T14:30:00.000Z',
    durationSeconds: 3725,
    fileSizeBytes: 12_500_000,
    downloadable: true,
    audioDownloadable: true,
    downloadExpiresAt: new Date(Date.now() + 7 * DAY).toISOString(),
    startedBy: { id: 'u1', name: 'Ana' },
    ...fields,
  });

describe('<dyte-recording-list>', () => {
  afterEach(clearFaults);
  after(expectNoLitWarnings);

  it('shows loading, then that there is no recording yet', async () => {
    const meetingId = newMeetingId();
    const element = await list(meetingId);
    expect(textOf(part(element, 'loading'))).to.equal('Loading…');
    await expect(element).to.be.accessible();
    await until(() => part(element, 'empty'), 'the empty state');
    expect(textOf(part(element, 'empty'))).to.equal('No recordings yet.');
    await expect(element).to.be.accessible();
  });

  it('lists time, status, duration, size, codec and who, with downloads and their expiry', async () => {
    const meetingId = newMeetingId();
    const { element } = await scriptedList({
      recordings: [
        recording({ id: 'live', meetingId, status: 'RECORDING', invokedAt: '2026-03-05T15:00:00.000Z' }),
        saved(meetingId),
        recording({ id: 'failed', meetingId, status: 'ERRORED', invokedAt: '2026-03-04T09:00:00.000Z' }),
      ],
    });
    const items = parts(element, 'item');
    expect(items.map((item) => item.querySelector('[part=status]')!.textContent)).to.deep.equal([
      'Recording',
      'Saved',
      'Failed',
    ]);
    const item = items[1]!;
    expect(item.querySelector('time')!.getAttribute('datetime')).to.equal('2026-03-05T14:30:00.000Z');
    expect(textOf(item.querySelector('[part=time]'))).to.match(/Mar 5, 2026/);
    expect(textOf(item.querySelector('[part=meta]'))).to.equal('1 hr 2 min · 12.5 MB · H264 · by Ana');
    expect([...item.querySelectorAll('[part=download]')].map((b) => b.textContent!.trim())).to.deep.equal([
      'Download video',
      'Download audio',
    ]);
    expect(textOf(item.querySelector('[part=expiry]'))).to.match(/^Links expire /);
    expect(items[0]!.querySelector('[part=download]')).to.equal(null);
    await expect(element).to.be.accessible();
  });

  it('shows no stored duration for a recording still running (it would be a stale 0 sec)', async () => {
    const meetingId = newMeetingId();
    const running = (status: 'INVOKED' | 'RECORDING' | 'PAUSED', id: string) =>
      recording({
        id,
        meetingId,
        status,
        durationSeconds: 0,
        codec: 'VP8',
        invokedAt: '2026-03-05T15:00:00.000Z',
      });
    const { element } = await scriptedList({
      recordings: [
        running('RECORDING', 'a'),
        running('PAUSED', 'b'),
        running('INVOKED', 'c'),
        saved(meetingId),
      ],
    });
    const metas = parts(element, 'item').map((item) => textOf(item.querySelector('[part=meta]')));
    expect(metas).to.deep.equal(['VP8', 'VP8', 'VP8', '1 hr 2 min · 12.5 MB · H264 · by Ana']);
  });

  it("formats in the page's locale", async () => {
    const meetingId = newMeetingId();
    const { element } = await scriptedList({ recordings: [saved(meetingId)] }, 'de-DE');
    const item = part(element, 'item')!;
    expect(textOf(item.querySelector('[part=meta]'))).to.equal('1 Std. 2 Min. · 12,5 MB · H264 · by Ana');
    expect(textOf(item.querySelector('[part=time]'))).to.match(/05\.03\.2026/);
  });

  it('says when the download links expired and offers none', async () => {
    const meetingId = newMeetingId();
    const { element } = await scriptedList({
      recordings: [saved(meetingId, { downloadExpiresAt: new Date(Date.now() - DAY).toISOString() })],
    });
    expect(part(element, 'download')).to.equal(null);
    expect(textOf(part(element, 'expiry'))).to.equal('Download expired');
    await expect(element).to.be.accessible();
  });

  it('offers no download to a token that may not download', async () => {
    const meetingId = newMeetingId();
    const { element } = await scriptedList({
      recordings: [saved(meetingId)],
      permissions: { ...VIEWER, download: false },
    });
    expect(part(element, 'item')).not.to.equal(null);
    expect(part(element, 'download')).to.equal(null);
  });

  it('loads more by cursor', async () => {
    const meetingId = newMeetingId();
    await fault({
      match: `/meetings/${meetingId}/recordings?cursor=c2`,
      status: 200,
      body: { recordings: [recording({ id: 'older', meetingId, status: 'ERRORED' })], nextCursor: null },
    });
    await scriptStream(meetingId, { recordings: [saved(meetingId)], nextCursor: 'c2', permissions: HOST });
    const element = await list(meetingId);
    await until(() => part(element, 'more'), 'Load more');
    await expect(element).to.be.accessible();
    part(element, 'more')!.click();
    await until(() => parts(element, 'item').length === 2, 'the second page');
    expect(part(element, 'more')).to.equal(null);
  });

  it('shows the error and recovers on Retry', async () => {
    const meetingId = newMeetingId();
    const patient = { ...STREAM_OPTIONS };
    Object.assign(STREAM_OPTIONS, { baseDelayMs: 60_000, maxDelayMs: 60_000 });
    try {
      await fault({
        match: `/meetings/${meetingId}/events`,
        status: 503,
        body: { error: { code: 'upstream_unavailable', message: 'Dyte is not answering.' } },
      });
      const element = await list(meetingId);
      await until(() => part(element, 'error'), 'the error');
      expect(textOf(part(element, 'error'))).to.equal(
        'Could not load the recordings: Dyte is not answering.',
      );
      expect(part(element, 'error')!.getAttribute('role')).to.equal('alert');
      await expect(element).to.be.accessible();
      part(element, 'retry')!.click();
      await until(() => part(element, 'empty'), 'the empty list after Retry');
    } finally {
      Object.assign(STREAM_OPTIONS, patient);
    }
  });

  it('updates live and downloads through the proxy with a fresh link per click', async () => {
    const meetingId = newMeetingId();
    const token = await mintToken(meetingId);
    const wrapper = await fixture(
      html`<div>
        <dyte-record-button
          endpoint=${ENDPOINT}
          meeting-id=${meetingId}
          token=${token}
          no-confirm
        ></dyte-record-button>
        <dyte-recording-list
          endpoint=${ENDPOINT}
          meeting-id=${meetingId}
          token=${token}
        ></dyte-recording-list>
      </div>`,
    );
    const button = wrapper.querySelector<DyteRecordButton>('dyte-record-button')!;
    const element = wrapper.querySelector<DyteRecordingList>('dyte-recording-list')!;
    await until(() => part(element, 'empty'), 'the empty list');
    await button.start();
    await until(() => textOf(part(element, 'status')) === 'Recording', 'Recording in the list');
    await sleep(KEEPABLE_MS);
    await button.stop();
    await until(() => part(element, 'download'), 'a download button');
    expect(textOf(part(element, 'status'))).to.equal('Saved');

    const urls: string[] = [];
    element.addEventListener('dyte-recording-download', (event) => {
      event.preventDefault(); // keep the test page where it is
      urls.push(event.detail.url);
    });
    for (let click = 0; click < 2; click += 1) {
      const downloaded = oneEvent(element, 'dyte-recording-download');
      part(element, 'download')!.click();
      expect((await downloaded).detail.kind).to.equal('video');
    }
    expect(urls).to.have.length(2);
    for (const url of urls) expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/_downloads\//);
    expect(liveRecording(ENDPOINT, meetingId).state.recordings[0]!.downloadable).to.equal(true);
  });

  it('opens a fresh link in a new tab for each click', async () => {
    const meetingId = newMeetingId();
    await fault({
      match: '/recordings/saved/download?kind=audio',
      status: 200,
      body: { url: 'https://storage.example/a.mp3?sig=1', expiresAt: null },
      count: 2,
    });
    const { element } = await scriptedList({ recordings: [saved(meetingId)] });
    const opened: unknown[][] = [];
    const realOpen = window.open;
    window.open = (...args: unknown[]) => {
      opened.push(args);
      return null;
    };
    try {
      const [, audio] = parts(element, 'download');
      audio!.click();
      await until(() => opened.length === 1, 'the first tab');
      audio!.click();
      await until(() => opened.length === 2, 'the second tab');
    } finally {
      window.open = realOpen;
    }
    expect(opened[0]).to.deep.equal(['https://storage.example/a.mp3?sig=1', '_blank', 'noopener']);
  });

  it('reports a refused download', async () => {
    const meetingId = newMeetingId();
    await fault({
      match: '/download?kind=video',
      status: 409,
      body: { error: { code: 'download_expired', message: 'The link expired.' } },
    });
    const { element } = await scriptedList({ recordings: [saved(meetingId, { meetingId })] });
    const failed = oneEvent(element, 'dyte-recording-error');
    part(element, 'download')!.click();
    expect((await failed).detail.code).to.equal('download_expired');
    await element.updateComplete;
    expect(textOf(part(element, 'error'))).to.equal('The link expired.');
  });
});
