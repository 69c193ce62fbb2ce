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

/** The labels of the list's download buttons for the session's files. */
const sessionButtons = (element: HTMLElement) =>
  parts(element, 'download').filter((button) => ['Transcript', 'Summary'].includes(textOf(button)));

describe('<dyte-recording-list> transcripts and summaries', () => {
  afterEach(clearFaults);
  after(expectNoLitWarnings);

  it("offers the transcript and the summary, and shows the summary's first lines, the rest on demand", async () => {
    await fault({
      match: '/recordings/saved/summary',
      status: 200,
      body: { text: SUMMARY, truncated: false },
    });
    const element = await listWith({ transcript: true, summary: true });
    expect(sessionButtons(element).map(textOf)).to.deep.equal(['Transcript', 'Summary']);
    await until(() => part(element, 'summary'), 'the summary');
    const summary = part(element, 'summary') as HTMLDetailsElement;
    expect(textOf(summary.querySelector('summary'))).to.equal(
      'The team met. They agreed to ship on Tuesday.',
    );
    expect(summary.open).to.equal(false);
    await expect(element).to.be.accessible();
    summary.querySelector('summary')!.click();
    await until(() => summary.open, 'the whole summary');
    expect(textOf(summary.querySelector('p'))).to.equal('Notes are due Monday. Nothing else.');
    await expect(element).to.be.accessible();
  });

  it('downloads the transcript through the proxy', async () => {
    await fault({
      match: '/recordings/saved/download?kind=transcript',
      status: 200,
      body: { url: 'https://storage.example/t.csv?sig=1', expiresAt: null },
    });
    const element = await listWith({ transcript: true });
    expect(sessionButtons(element).map(textOf)).to.deep.equal(['Transcript']);
    expect(part(element, 'summary')).to.equal(null);
    element.addEventListener('dyte-recording-download', (event) => event.preventDefault());
    const downloaded = oneEvent(element, 'dyte-recording-download');
    sessionButtons(element)[0]!.click();
    const { detail } = await downloaded;
    expect(detail.kind).to.equal('transcript');
    expect(detail.url).to.equal('https://storage.example/t.csv?sig=1');
  });

  it('offers neither to a token that may not download', async () => {
    const element = await listWith(
      { transcript: true, summary: true },
      { permissions: { ...VIEWER, download: false } },
    );
    expect(sessionButtons(element)).to.deep.equal([]);
    expect(part(element, 'summary')).to.equal(null);
  });

  it('offers nothing where the upstream made none (Dyte v1)', async () => {
    const element = await listWith({});
    expect(part(element, 'item')).not.to.equal(null);
    expect(part(element, 'download')).not.to.equal(null);
    expect(sessionButtons(element)).to.deep.equal([]);
  });
});
