import { expect, fixture, html } from '@open-wc/testing';
import '../../src/index.ts';
import { ENDPOINT, mintToken, newMeetingId, streams, until } from '../client/backend.ts';
import { expectNoLitWarnings, part } from './support.ts';

describe('the elements on one page', () => {
  after(expectNoLitWarnings);

  it('share one event stream, opened by the first and closed by the last', async () => {
    const meetingId = newMeetingId();
    const token = await mintToken(meetingId);
    const page = await fixture(
      html`<div>
        <dyte-record-button endpoint=${ENDPOINT} meeting-id=${meetingId} token=${token}></dyte-record-button>
        <dyte-recording-status
          endpoint=${ENDPOINT}
          meeting-id=${meetingId}
          token=${token}
        ></dyte-recording-status>
        <dyte-recording-list
          endpoint=${ENDPOINT}
          meeting-id=${meetingId}
          token=${token}
        ></dyte-recording-list>
        <dyte-recording-notice
          endpoint=${ENDPOINT}
          meeting-id=${meetingId}
          token=${token}
        ></dyte-recording-notice>
      </div>`,
    );
    const list = page.querySelector('dyte-recording-list')!;
    await until(() => part(list, 'empty'), 'the empty list');
    expect(await streams(meetingId)).to.include({ opened: 1, open: 1 });

    page.querySelector('dyte-record-button')!.remove();
    page.querySelector('dyte-recording-status')!.remove();
    page.querySelector('dyte-recording-notice')!.remove();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await streams(meetingId)).to.include({ opened: 1, open: 1 });

    list.remove();
    await until(async () => (await streams(meetingId)).open === 0, 'the stream to close');
    expect((await streams(meetingId)).opened).to.equal(1);
  });

  it('keep the stream when an element moves in the page', async () => {
    const meetingId = newMeetingId();
    const token = await mintToken(meetingId);
    const page = await fixture(
      html`<div>
        <dyte-recording-status
          endpoint=${ENDPOINT}
          meeting-id=${meetingId}
          token=${token}
        ></dyte-recording-status>
        <section></section>
      </div>`,
    );
    const status = page.querySelector('dyte-recording-status')!;
    await until(() => part(status, 'label')?.textContent === 'Not recording', 'loaded');
    page.querySelector('section')!.append(status);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await streams(meetingId)).to.include({ opened: 1, open: 1 });
  });

  it('follow another meeting when meeting-id changes', async () => {
    const first = newMeetingId();
    const second = newMeetingId();
    const status = await fixture(
      html`<dyte-recording-status
        endpoint=${ENDPOINT}
        meeting-id=${first}
        .tokenProvider=${async () => mintToken(status.getAttribute('meeting-id')!)}
      ></dyte-recording-status>`,
    );
    await until(async () => (await streams(first)).open === 1, 'the first stream');
    status.setAttribute('meeting-id', second);
    await until(async () => (await streams(second)).open === 1, 'the second stream');
    await until(async () => (await streams(first)).open === 0, 'the first stream to close');
  });
});
