/** The browser contract, route by route, against the real simulator over HTTP, for Dyte v2 and v1. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RecordingList } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import { eventually, meetingId, readRecording, startRig, uploadedRecording } from './helpers.ts';
import type { Rig } from './helpers.ts';

async function errorOf(
  response: Response,
): Promise<{ code: string; message: string; recording?: Recording }> {
  const body = (await response.json()) as { error: { code: string; message: string; recording?: Recording } };
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

for (const kind of ['v2', 'v1'] as const) {
  describe(`the browser contract against Dyte ${kind}`, () => {
    let rig: Rig;
    before(async () => {
      rig = await startRig({ kind });
    });
    after(() => rig.close());

    const start = (meeting: string, token: string, json: unknown = {}) =>
      rig.call(`/meetings/${meeting}/recordings`, { method: 'POST', token, json });
    /** Starts a recording and waits until it records; resolves to its id. */
    const startRecording = async (meeting: string, token: string) => {
      const { id } = (await (await start(meeting, token)).json()) as Recording;
      await eventually(
        () => readRecording(rig, token, id),
        (r) => r.status === 'RECORDING',
      );
      return id;
    };
    const control = (id: string, token: string, action: string) =>
      rig.call(`/recordings/${id}`, { method: 'PUT', token, json: { action } });

    it('lists a meeting without recordings, with the permissions of each role (pause only where the upstream pauses)', async () => {
      const meeting = meetingId();
      for (const [role, permissions] of [
        ['host', { start: true, stop: true, pause: kind === 'v2', download: true }],
        ['viewer', { start: false, stop: false, pause: false, download: true }],
      ] as const) {
        const response = await rig.call(`/meetings/${meeting}/recordings`, {
          token: await rig.token(role, meeting),
        });
        assert.equal(response.status, 200);
        const list = (await response.json()) as RecordingList;
        assert.deepEqual(list.recordings, []);
        assert.equal(list.active, null);
        assert.equal(list.nextCursor, null);
        assert.deepEqual(list.permissions, permissions);
        assert.ok(Math.abs(Date.parse(list.serverTime) - Date.now()) < 5000);
      }
    });

    it('starts a recording for a host: 201, INVOKED, started by the token holder', async () => {
      const meeting = meetingId();
      const response = await start(meeting, await rig.token('host', meeting, { sub: 'u-7', name: 'Ana' }));
      assert.equal(response.status, 201);
      const recording = (await response.json()) as Recording;
      assert.equal(recording.status, 'INVOKED');
      assert.equal(recording.meetingId, meeting);
      assert.equal(recording.codec, 'H264');
      assert.deepEqual(recording.startedBy, { id: 'u-7', name: 'Ana' });
      assert.equal(recording.stoppedBy, null);
      assert.equal(recording.downloadable, false);
      assert.ok(!('downloadUrl' in recording), 'no download URL outside /download');
    });

    it('answers a second start with 409 recording_active carrying the active recording', async () => {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const first = (await (await start(meeting, host)).json()) as Recording;
      const second = await start(meeting, host);
      assert.equal(second.status, 409);
      const error = await errorOf(second);
      assert.equal(error.code, 'recording_active');
      assert.equal(error.recording?.id, first.id);
    });

    it('makes one recording out of a burst of concurrent starts, each click joining the first or meeting it', async () => {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const responses = await Promise.all(Array.from({ length: 5 }, () => start(meeting, host)));
      // A click while the first is in flight joins it (201, the same recording); a later one meets it.
      assert.ok(
        responses.every((r) => r.status === 201 || r.status === 409),
        responses.map((r) => r.status).join(' '),
      );
      const bodies = await Promise.all(
        responses.map(async (r) => {
          const body = (await r.json()) as Recording & { error?: { recording: Recording } };
          return body.error?.recording.id ?? body.id;
        }),
      );
      assert.equal(new Set(bodies).size, 1);
      const other = await rig.token('host', meeting, { sub: 'host-2', name: 'Cy' });
      const second = await start(meeting, other);
      assert.equal(second.status, 409, 'another host meets the recording');
      const list = (await (
        await rig.call(`/meetings/${meeting}/recordings`, { token: host })
      ).json()) as RecordingList;
      assert.equal(list.recordings.length, 1);
      assert.equal(list.active?.id, list.recordings[0]?.id);
    });

    it('lets a chosen codec through the allow-list and refuses others', async () => {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const refused = await start(meeting, host, { codec: 'AV1' });
      assert.equal(refused.status, 400);
      assert.equal((await errorOf(refused)).code, 'invalid_codec');
      const wrongType = await start(meeting, host, { codec: 264 });
      assert.equal((await errorOf(wrongType)).code, 'invalid_codec');
      const response = await start(meeting, host, { codec: 'vp8' });
      assert.equal(response.status, 201);
      assert.equal(((await response.json()) as Recording).codec, 'VP8');
    });

    it('refuses recording options the browser may not choose', async () => {
      const meeting = meetingId();
      const response = await start(meeting, await rig.token('host', meeting), {
        codec: 'H264',
        max_seconds: 60,
      });
      assert.equal(response.status, 400);
      assert.match((await errorOf(response)).message, /max_seconds/);
    });

    it('does not let a viewer start, stop or control a recording', async () => {
      const meeting = meetingId();
      const viewer = await rig.token('viewer', meeting);
      const refused = await start(meeting, viewer);
      assert.equal(refused.status, 403);
      assert.equal((await errorOf(refused)).code, 'forbidden');
      const recording = (await (await start(meeting, await rig.token('host', meeting))).json()) as Recording;
      const stop = await control(recording.id, viewer, 'stop');
      assert.equal(stop.status, 403);
      // …but a viewer may read it.
      assert.equal((await readRecording(rig, viewer, recording.id)).id, recording.id);
    });

    it("refuses a token for another meeting: 403 on the meeting's routes, 404 on its recordings", async () => {
      const meeting = meetingId();
      const other = meetingId();
      const recording = (await (await start(meeting, await rig.token('host', meeting))).json()) as Recording;
      const outsider = await rig.token('host', other);
      for (const [path, init] of [
        [`/meetings/${meeting}/recordings`, {}],
        [`/meetings/${meeting}/recordings`, { method: 'POST', json: {} }],
        [`/meetings/${meeting}/events`, {}],
      ] as const) {
        const response = await rig.call(path, { ...init, token: outsider });
        assert.equal(response.status, 403, path);
        assert.equal((await errorOf(response)).code, 'forbidden');
      }
      for (const [path, init] of [
        [`/recordings/${recording.id}`, {}],
        [`/recordings/${recording.id}`, { method: 'PUT', json: { action: 'stop' } }],
        [`/recordings/${recording.id}/download`, {}],
      ] as const) {
        const response = await rig.call(path, { ...init, token: outsider });
        assert.equal(response.status, 404, path);
        assert.equal((await errorOf(response)).code, 'not_found');
      }
      const untouched = await readRecording(rig, await rig.token('host', meeting), recording.id);
      assert.ok(['INVOKED', 'RECORDING'].includes(untouched.status), "the outsider's stop did nothing");
    });

    it('answers 404 for a recording id nobody knows', async () => {
      const meeting = meetingId();
      const response = await rig.call('/recordings/00000000-0000-4000-8000-000000000000', {
        token: await rig.token('host', meeting),
      });
      assert.equal(response.status, 404);
      assert.equal((await errorOf(response)).code, 'not_found');
    });

    it('stops a recording: UPLOADING, stopped by the token holder, and a second stop is 409 invalid_state', async () => {
      const meeting = meetingId();
      const host = await rig.token('host', meeting, { sub: 'u-9', name: 'Cleo' });
      const id = await startRecording(meeting, host);
      const stop = await control(id, host, 'stop');
      assert.equal(stop.status, 200);
      const stopped = (await stop.json()) as Recording;
      assert.ok(['UPLOADING', 'UPLOADED', 'ERRORED'].includes(stopped.status), stopped.status);
      assert.deepEqual(stopped.stoppedBy, { id: 'u-9', name: 'Cleo' });
      assert.equal(stopped.stopReason, 'API_CALL');
      const again = await control(id, host, 'stop');
      assert.equal(again.status, 409);
      const error = await errorOf(again);
      assert.equal(error.code, 'invalid_state');
      assert.equal(error.recording?.id, id);
    });

    if (kind === 'v2') {
      it('pauses and resumes, refusing a resume while recording', async () => {
        const meeting = meetingId();
        const host = await rig.token('host', meeting);
        const id = await startRecording(meeting, host);
        const early = await control(id, host, 'resume');
        assert.equal(early.status, 409);
        assert.equal((await errorOf(early)).code, 'invalid_state');
        const paused = await control(id, host, 'pause');
        assert.equal(paused.status, 200);
        assert.equal(((await paused.json()) as Recording).status, 'PAUSED');
        const resumed = await control(id, host, 'resume');
        assert.equal(resumed.status, 200);
        assert.equal(((await resumed.json()) as Recording).status, 'RECORDING');
      });
    } else {
      it('answers pause with 422 not_supported (v1 only stops)', async () => {
        const meeting = meetingId();
        const host = await rig.token('host', meeting);
        const id = await startRecording(meeting, host);
        const response = await control(id, host, 'pause');
        assert.equal(response.status, 422);
        assert.equal((await errorOf(response)).code, 'not_supported');
      });
    }

    it('hands out downloads only once uploaded: 409 not_ready, then 302 to a fresh link, or JSON', async () => {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const { id } = (await (await start(meeting, host)).json()) as Recording;
      const early = await rig.call(`/recordings/${id}/download`, { token: host });
      assert.equal(early.status, 409);
      assert.equal((await errorOf(early)).code, 'not_ready');
      await control(id, host, 'stop');

      const meeting2 = meetingId();
      const host2 = await rig.token('host', meeting2);
      const uploaded = await uploadedRecording(rig, meeting2, host2);
      assert.equal(uploaded.downloadable, true);
      assert.ok(uploaded.downloadExpiresAt);
      const redirect = await rig.call(`/recordings/${uploaded.id}/download`, {
        token: await rig.token('viewer', meeting2),
      });
      assert.equal(redirect.status, 302);
      const location = redirect.headers.get('location')!;
      assert.ok(location.startsWith(rig.sim.url), location);
      const file = await fetch(location);
      assert.equal(file.status, 200);
      assert.ok((await file.arrayBuffer()).byteLength > 0);

      const json = await rig.call(`/recordings/${uploaded.id}/download?kind=video`, {
        token: host2,
        headers: { accept: 'application/json' },
      });
      assert.equal(json.status, 200);
      const link = (await json.json()) as { url: string; expiresAt: string };
      assert.ok(link.url.startsWith(rig.sim.url));
      assert.equal(link.expiresAt, uploaded.downloadExpiresAt);

      const audio = await rig.call(`/recordings/${uploaded.id}/download?kind=audio`, { token: host2 });
      assert.equal(audio.status, 404, 'no audio track was configured');
      const badKind = await rig.call(`/recordings/${uploaded.id}/download?kind=poster`, { token: host2 });
      assert.equal(badKind.status, 400);
    });

    it('refuses downloads to viewers when the server says so', async () => {
      const strict = await startRig({ kind, proxy: { viewerCanDownload: false } });
      try {
        const meeting = meetingId();
        const viewer = await strict.token('viewer', meeting);
        const list = (await (
          await strict.call(`/meetings/${meeting}/recordings`, { token: viewer })
        ).json()) as RecordingList;
        assert.equal(list.permissions.download, false);
        const recording = await uploadedRecording(strict, meeting, await strict.token('host', meeting));
        const response = await strict.call(`/recordings/${recording.id}/download`, { token: viewer });
        assert.equal(response.status, 403);
      } finally {
        await strict.close();
      }
    });

    it('lists newest first and pages with an opaque cursor', async () => {
      const meeting = meetingId();
      const host = await rig.token('host', meeting);
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const id = await startRecording(meeting, host);
        ids.push(id);
        await control(id, host, 'stop');
        await new Promise((resolve) => setTimeout(resolve, 30)); // distinct invoke times
      }
      const first = (await (
        await rig.call(`/meetings/${meeting}/recordings?limit=2`, { token: host })
      ).json()) as RecordingList;
      assert.deepEqual(
        first.recordings.map((r) => r.id),
        [ids[2], ids[1]],
      );
      assert.equal(first.active, null);
      assert.ok(first.nextCursor);
      const second = (await (
        await rig.call(`/meetings/${meeting}/recordings?cursor=${first.nextCursor}`, { token: host })
      ).json()) as RecordingList;
      assert.deepEqual(
        second.recordings.map((r) => r.id),
        [ids[0]],
      );
      assert.equal(second.nextCursor, null);
      const forged = await rig.call(`/meetings/${meeting}/recordings?cursor=not-ours`, { token: host });
      assert.equal(forged.status, 400);
      const badLimit = await rig.call(`/meetings/${meeting}/recordings?limit=1000`, { token: host });
      assert.equal(badLimit.status, 400);
    });

    it('answers /health with the upstream state', async () => {
      const response = await rig.call('/health');
      assert.equal(response.status, 200);
      const body = (await response.json()) as { ok: boolean; upstream: { kind: string; reachable: boolean } };
      assert.equal(body.ok, true);
      assert.equal(body.upstream.kind, kind);
      assert.equal(body.upstream.reachable, true);
    });
  });
}
