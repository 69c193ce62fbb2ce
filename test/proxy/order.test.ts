/** Reports that cross on the wire: a read sent before a change the proxy already knows of cannot undo it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordingList } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import { eventually, meetingId, openEvents, startRig, startWatched } from './helpers.ts';

const isPoll = (method: string, path: string) => method === 'GET' && path === '/v2/recordings';

describe('reports that cross a change', () => {
  it('keeps a pause when a poll that read the recording before it answers after it', async () => {
    const rig = await startRig({
      relay: true,
      proxy: { pollIntervals: { activeMs: 50, idleMs: 50 }, heartbeatMs: 50 },
    });
    const relay = rig.relay!;
    try {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      await rig.control(`/_sim/meetings/${meeting}/participants`, { method: 'POST', json: {} });
      const stream = await openEvents(rig, meeting, host);
      try {
        await stream.next((m) => m.event === 'snapshot');
        const id = await startWatched(rig, meeting, host, stream);

        // A poll reads RECORDING upstream; its answer is slow to come back.
        const stale = relay.holdNext(isPoll);
        await stale.held;
        const paused = await rig.call(`/recordings/${id}`, {
          method: 'PUT',
          token: host,
          json: { action: 'pause' },
        });
        assert.equal(paused.status, 200);
        assert.equal(((await paused.json()) as Recording).status, 'PAUSED');
        const answered = relay.answered(isPoll);
        await stale.release();
        // Polls follow one another: once the next one is answered, the stale one was applied long since.
        await eventually(
          async () => relay.answered(isPoll),
          (count) => count >= answered + 2,
        );
        // A heartbeat written after that comes after every event written before it.
        const heartbeats = stream.comments.length;
        await eventually(
          async () => stream.comments.length,
          (count) => count > heartbeats,
        );

        const statuses = stream.messages
          .filter((m) => m.event === 'recording')
          .map((m) => (m.data as Recording).status);
        const sincePause = statuses.slice(statuses.indexOf('PAUSED'));
        assert.ok(sincePause.length > 0, `no PAUSED event in ${statuses.join(' ')}`);
        assert.ok(
          sincePause.every((status) => status === 'PAUSED'),
          `the stale poll moved the recording: ${statuses.join(' ')}`,
        );
        const list = (await (
          await rig.call(`/meetings/${meeting}/recordings`, { token: host })
        ).json()) as RecordingList;
        assert.equal(list.active?.status, 'PAUSED');
      } finally {
        await stream.close();
      }
    } finally {
      await rig.close();
    }
  });
});
