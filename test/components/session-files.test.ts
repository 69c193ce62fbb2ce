import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/index.ts';
import type { RecordingList } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import {
  clearFaults,
  fault,
  newMeetingId,
  recording,
  scriptStream,
  until,
  VIEWER,
} from '../client/backend.ts';
import { connect, expectNoLitWarnings, part, parts, textOf } from './support.ts';

const DAY = 86_400_000;
const SUMMARY = 'The team met.\nThey agreed to ship on Tuesday.\nNotes are due Monday.\nNothing else.';

/** A saved recording whose session has the given files (as on v2 / RealtimeKit), in a scripted list. */
async function listWith(
  files: Partial<Pick<Recording, 'transcript' | 'summary'>>,
  list: Partial<RecordingList> = {},
) {
  const meetingId = newMeetingId();
  const saved = recording({
    id: 'saved',
    meetingId,
    status: 'UPLOADED',
    invokedAt: '2026-03-05T14:30:00.000Z',
    downloadable: true,
    downloadExpiresAt: new Date(Date.now() + 7 * DAY).toISOString(),
    sessionId: 'session-1',
    ...files,
  });
  await scriptStream(meetingId, { recordings: [saved], ...list });
  const wrapper = await fixture(html`<div lang="en-US"><dyte-recording-list></dyte-recording-list></div>`);
  const element = await connect(wrapper.querySelector('dyte-recording-list')!, meetingId);
  await until(() => part(element, 'list'), 'the list');
  return element;
}

describe('<dyte-recording-list> transcripts and summaries', () => {
  afterEach(clearFaults);
  after(expectNoLitWarnings);

  it("offers the transcript and the summary, and shows the summary's first lines until expanded", async () => {
    await fault({
      match: '/recordings/saved/summary',
      status: 200,
      body: { text: SUMMARY, truncated: false },
    });
    const element = await listWith({ transcript: true, summary: true });
    expect(parts(element, 'session-file').map(textOf)).to.deep.equal(['Transcript', 'Summary']);
    await until(() => part(element, 'summary'), 'the summary');
    const summary = part(element, 'summary')!;
    expect([...summary.querySelectorAll('p')].map(textOf)).to.deep.equal([
      'The team met.',
      'They agreed to ship on Tuesday.',
    ]);
    await expect(element).to.be.accessible();
    const toggle = part(element, 'summary-toggle')!;
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    toggle.click();
    await element.updateComplete;
    expect(part(element, 'summary')!.querySelectorAll('p').length).to.equal(4);
    expect(part(element, 'summary-toggle')!.getAttribute('aria-expanded')).to.equal('true');
    expect(textOf(part(element, 'summary-toggle'))).to.equal('Show less');
    await expect(element).to.be.accessible();
  });

  it('downloads the transcript through the proxy', async () => {
    await fault({
      match: '/recordings/saved/download?kind=transcript',
      status: 200,
      body: { url: 'https://storage.example/t.csv?sig=1', expiresAt: null },
    });
    const element = await listWith({ transcript: true });
    expect(part(element, 'summary')).to.equal(null);
    element.addEventListener('dyte-recording-download', (event) => event.preventDefault());
    const downloaded = oneEvent(element, 'dyte-recording-download');
    part(element, 'session-file')!.click();
    const { detail } = await downloaded;
    expect(detail.kind).to.equal('transcript');
    expect(detail.url).to.equal('https://storage.example/t.csv?sig=1');
  });

  it('offers neither to a token that may not download', async () => {
    const element = await listWith(
      { transcript: true, summary: true },
      { permissions: { ...VIEWER, download: false } },
    );
    expect(part(element, 'session-files')).to.equal(null);
    expect(part(element, 'summary')).to.equal(null);
  });

  it('offers nothing where the upstream made none (Dyte v1)', async () => {
    const element = await listWith({});
    expect(part(element, 'item')).not.to.equal(null);
    expect(part(element, 'session-files')).to.equal(null);
  });
});
