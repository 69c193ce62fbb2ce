// The clocks of the list and the status leave out the paused time the proxy learned.
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/index.ts';
import type { DyteRecordingList, DyteRecordingStatus } from '../../src/index.ts';
import { liveRecording } from '../../src/client/store.ts';
import type { Recording } from '../../src/core/recording.ts';
import { ENDPOINT, KEEPABLE_MS, newMeetingId, recording, sleep, until } from '../client/backend.ts';
import {
  connect,
  expectNoLitWarnings,
  fakeClock,
  part,
  scriptCurrent,
  snapshotShown,
  textOf,
} from './support.ts';

/** A list and a status element on `meetingId`, once its snapshot is shown. */
async function both(meetingId: string) {
  const wrapper = await fixture(
    html`<div>
      <dyte-recording-status></dyte-recording-status><dyte-recording-list></dyte-recording-list>
    </div>`,
  );
  const status = await connect(
    wrapper.querySelector<DyteRecordingStatus>('dyte-recording-status')!,
    meetingId,
  );
  const list = await connect(wrapper.querySelector<DyteRecordingList>('dyte-recording-list')!, meetingId);
  await snapshotShown(status, meetingId);
  await snapshotShown(list, meetingId);
  return { status, list };
}

/** What the two clocks show now: the status's timer and the list item's clock. */
async function clocks({ status, list }: Awaited<ReturnType<typeof both>>) {
  status.requestUpdate();
  list.requestUpdate();
  await Promise.all([status.updateComplete, list.updateComplete]);
  return [textOf(part(status, 'timer')), textOf(part(list, 'elapsed'))];
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('the clocks over pauses', () => {
  after(expectNoLitWarnings);

  it('count a resumed recording without its pauses, and tick on', async () => {
    const clock = fakeClock();
    try {
      const meetingId = newMeetingId();
      await scriptCurrent(
        meetingId,
        recording({ id: 'r', meetingId, status: 'RECORDING', startedAt: ago(95_000), pausedSeconds: 30.5 }),
      );
      const elements = await both(meetingId);
      expect(await clocks(elements)).to.deep.equal(['1:04', '1:04']);
      clock.tick(10_000);
      expect(await clocks(elements)).to.deep.equal(['1:14', '1:14']);
    } finally {
      clock.restore();
    }
  });

  it('stand at the pause while paused (the list shows it, the status says Paused)', async () => {
    const clock = fakeClock();
    try {
      const meetingId = newMeetingId();
      await scriptCurrent(
        meetingId,
        recording({
          id: 'p',
          meetingId,
          status: 'PAUSED',
          startedAt: ago(70_000),
          pausedSeconds: 20,
          pausedAt: ago(10_000),
        }),
      );
      const elements = await both(meetingId);
      expect(await clocks(elements)).to.deep.equal(['', '0:40']);
      expect(textOf(part(elements.status, 'label'))).to.equal('Paused');
      clock.tick(30_000);
      expect(await clocks(elements)).to.deep.equal(['', '0:40']);
    } finally {
      clock.restore();
    }
  });

  it('leave out a pause made through the real proxy', async () => {
    const meetingId = newMeetingId();
    const elements = await both(meetingId);
    const store = liveRecording(ENDPOINT, meetingId);
    const { id } = await store.start();
    const current = () => store.state.recordings.find((r) => r.id === id);
    await until(() => current()?.status === 'RECORDING', 'RECORDING');
    await sleep(KEEPABLE_MS);
    await store.control('pause');
    await until(() => current()?.pausedAt, 'the pause noted');
    await sleep(1200);
    await store.control('resume');
    const resumed: Recording = await until(
      () => (current()?.status === 'RECORDING' && current()!.pausedSeconds > 0 ? current() : null),
      'the paused total',
    );
    expect(resumed.pausedSeconds).to.be.within(1.2, 4);
    // The simulator's clock runs 10× fast, ahead of the proxy's: set the page at 60.5 s after the
    // start on the proxy's clock, as the elements see it.
    const { skewMs } = store.state;
    const clock = fakeClock(Date.parse(resumed.startedAt!) + 60_500 - Date.now() - skewMs);
    try {
      const shown = Math.floor(60.5 - resumed.pausedSeconds);
      const text = `0:${String(shown).padStart(2, '0')}`;
      expect(shown).to.be.below(60);
      expect(await clocks(elements)).to.deep.equal([text, text]);
    } finally {
      clock.restore();
      await store.control('stop');
    }
  });
});
