/** Transcripts and summaries of a recording's session: learnt by webhook or by poll, handed out like downloads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DownloadLink, SummaryText } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import type { Kind, Rig } from './helpers.ts';
import { meetingId, openEvents, recordedSession, sleep, startRig, withFile } from './helpers.ts';

async function link(rig: Rig, token: string, id: string, kind: string): Promise<Response> {
  return rig.call(`/recordings/${id}/download?kind=${kind}`, {
    token,
    headers: { accept: 'application/json' },
  });
}

async function transcribingRig(kind: Kind, webhooks: boolean, viewerCanDownload = true): Promise<Rig> {
  return startRig({
    kind,
    webhooks,
    sim: { transcribe: true, emptyRoomTimeoutMs: 36_000_000 },
    proxy: {
      viewerCanDownload,
      pollIntervals: webhooks ? { activeMs: 60_000, idleMs: 60_000 } : { activeMs: 100, idleMs: 100 },
    },
  });
}

for (const kind of ['v2', 'rtk'] as const) {
  describe(`transcripts and summaries (${kind})`, () => {
    it('appear on the recording once the meeting ends (webhooks), and download through the proxy with fresh links', async () => {
      const rig = await transcribingRig(kind, true);
      const meeting = meetingId();
      const stream = await openEvents(rig, meeting, await rig.token('host', meeting));
      try {
        const viewer = await rig.token('viewer', meeting);
        const recording = await recordedSession(rig, meeting, stream, async (uploaded) => {
          assert.equal(uploaded.transcript, undefined, 'no transcript while the session goes on');
          const early = await link(rig, viewer, uploaded.id, 'transcript');
          assert.equal(early.status, 404);
          assert.equal(((await early.json()) as { error: { code: string } }).error.code, 'not_ready');
        });

        await stream.next(withFile(recording.id, 'transcript'));
        const first = (await (await link(rig, viewer, recording.id, 'transcript')).json()) as DownloadLink;
        await sleep(20);
        const second = (await (await link(rig, viewer, recording.id, 'transcript')).json()) as DownloadLink;
        assert.notEqual(first.url, second.url, 'every download gets a fresh link');
        const csv = await (await fetch(second.url)).text();
        assert.match(csv.split('\r\n')[0]!, /^Timestamp,Participant ID,.*,Transcript$/);
        assert.match(csv, /,Ana,/);

        const redirect = await rig.call(`/recordings/${recording.id}/download?kind=transcript`, {
          token: viewer,
        });
        assert.equal(redirect.status, 302);

        // The proxy asks for the summary itself once the transcript is there.
        await stream.next(withFile(recording.id, 'summary'));
        const summary = (await (
          await rig.call(`/recordings/${recording.id}/summary`, { token: viewer })
        ).json()) as SummaryText;
        assert.match(summary.text, /Ana/);
        assert.equal(summary.truncated, false);
        assert.equal((await link(rig, viewer, recording.id, 'summary')).status, 200);
      } finally {
        await stream.close();
        await rig.close();
      }
    });

    it('appear through the poll when no webhook comes', async () => {
      const rig = await transcribingRig(kind, false);
      const meeting = meetingId();
      const stream = await openEvents(rig, meeting, await rig.token('host', meeting));
      try {
        const recording = await recordedSession(rig, meeting, stream);
        await stream.next(withFile(recording.id, 'transcript'));
        await stream.next(withFile(recording.id, 'summary'));
      } finally {
        await stream.close();
        await rig.close();
      }
    });

    it('are refused to a viewer when viewers may not download', async () => {
      const rig = await transcribingRig(kind, true, false);
      const meeting = meetingId();
      const stream = await openEvents(rig, meeting, await rig.token('host', meeting));
      try {
        const recording = await recordedSession(rig, meeting, stream);
        await stream.next(withFile(recording.id, 'summary'));
        const viewer = await rig.token('viewer', meeting);
        for (const kind of ['transcript', 'summary']) {
          const refused = await link(rig, viewer, recording.id, kind);
          assert.equal(refused.status, 403);
          assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'forbidden');
        }
        assert.equal((await rig.call(`/recordings/${recording.id}/summary`, { token: viewer })).status, 403);
        const host = await rig.token('host', meeting);
        assert.equal((await link(rig, host, recording.id, 'transcript')).status, 200);
      } finally {
        await stream.close();
        await rig.close();
      }
    });
  });
}

describe('transcripts on v1', () => {
  it('do not exist: nothing is offered, nothing can be downloaded', async () => {
    const rig = await transcribingRig('v1', true);
    const meeting = meetingId();
    const stream = await openEvents(rig, meeting, await rig.token('host', meeting));
    try {
      const recording = await recordedSession(rig, meeting, stream);
      await sleep(300); // well past when v2 would have its transcript
      const latest = stream.messages.filter((m) => m.event === 'recording').at(-1)!.data as Recording;
      assert.equal(latest.transcript, undefined);
      assert.equal(latest.summary, undefined);
      const host = await rig.token('host', meeting);
      assert.equal((await link(rig, host, recording.id, 'transcript')).status, 404);
      const calls = await rig.upstreamCalls();
      assert.ok(
        Object.keys(calls.requests).every((route) => !route.includes('/sessions/')),
        JSON.stringify(calls),
      );
    } finally {
      await stream.close();
      await rig.close();
    }
  });

  it('rejects an unknown kind', async () => {
    const rig = await startRig();
    try {
      const meeting = meetingId();
      const response = await link(rig, await rig.token('host', meeting), 'rec-1', 'slides');
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'bad_request');
    } finally {
      await rig.close();
    }
  });
});
