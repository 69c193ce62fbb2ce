/** The recording notice's acknowledgements, against the real simulator over HTTP. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Acknowledgement, AcknowledgementList, RecordingList } from '../../src/core/contract.ts';
import type { Recording } from '../../src/core/recording.ts';
import {
  EventStreamReader,
  meetingId,
  openEvents,
  startRig,
  startWatched,
  uploadedRecording,
} from './helpers.ts';
import type { Rig } from './helpers.ts';

describe('acknowledgements of the recording notice', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(() => rig.close());

  const acknowledge = (id: string, token: string, init: { json?: unknown; body?: string } = {}) =>
    rig.call(`/recordings/${id}/acknowledgements`, { method: 'POST', token, ...init });
  const acknowledgements = (id: string, token: string) =>
    rig.call(`/recordings/${id}/acknowledgements`, { token });

  /** A meeting with a running recording, watched by a viewer's stream. */
  async function running() {
    const meeting = meetingId();
    const host = await rig.token('host', meeting, { sub: 'host-1', name: 'Ana' });
    const stream = await openEvents(rig, meeting);
    const id = await startWatched(rig, meeting, host, stream);
    return { meeting, host, stream, id };
  }

  async function codeOf(response: Response): Promise<string> {
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(typeof body.error.message, 'string');
    return body.error.code;
  }

  it('records a viewer once per subject: 201, then 200 with the same time', async () => {
    const { meeting, id, stream } = await running();
    const ben = await rig.token('viewer', meeting, { sub: 'u-ben', name: 'Ben' });
    const first = await acknowledge(id, ben);
    assert.equal(first.status, 201);
    const made = (await first.json()) as Acknowledgement;
    assert.equal(made.id, 'u-ben');
    assert.equal(made.name, 'Ben');
    assert.ok(Math.abs(Date.parse(made.at) - Date.now()) < 5000);
    // A second token of the same subject (a reload) changes nothing.
    const again = await acknowledge(id, await rig.token('viewer', meeting, { sub: 'u-ben', name: 'Ben' }));
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), made);
    await stream.close();
  });

  it('shows hosts the names and times, in order, and refuses viewers the list', async () => {
    const { meeting, host, id, stream } = await running();
    for (const [sub, name] of [
      ['u-ben', 'Ben'],
      ['u-cy', 'Cy'],
    ]) {
      assert.equal((await acknowledge(id, await rig.token('viewer', meeting, { sub, name }))).status, 201);
    }
    const response = await acknowledgements(id, host);
    assert.equal(response.status, 200);
    const { acknowledgements: list } = (await response.json()) as AcknowledgementList;
    assert.deepEqual(
      list.map((a) => [a.id, a.name]),
      [
        ['u-ben', 'Ben'],
        ['u-cy', 'Cy'],
      ],
    );
    assert.ok(Date.parse(list[0]!.at) <= Date.parse(list[1]!.at));
    const viewer = await acknowledgements(id, await rig.token('viewer', meeting));
    assert.equal(viewer.status, 403);
    assert.equal(await codeOf(viewer), 'forbidden');
    await stream.close();
  });

  it('gives everybody the count on the list, and the names to hosts only', async () => {
    const { meeting, host, id, stream } = await running();
    await acknowledge(id, await rig.token('viewer', meeting, { sub: 'u-ben', name: 'Ben' }));
    await acknowledge(id, host);
    const item = async (token: string) => {
      const list = (await (
        await rig.call(`/meetings/${meeting}/recordings`, { token })
      ).json()) as RecordingList;
      assert.deepEqual(list.active?.acknowledgedBy, list.recordings[0]?.acknowledgedBy);
      return list.active?.acknowledgedBy;
    };
    assert.deepEqual(await item(host), { count: 2, names: ['Ben', 'Ana'] });
    assert.deepEqual(await item(await rig.token('viewer', meeting)), { count: 2, names: null });
    const read = async (token: string) =>
      ((await (await rig.call(`/recordings/${id}`, { token })).json()) as Recording).acknowledgedBy;
    assert.deepEqual(await read(host), { count: 2, names: ['Ben', 'Ana'] });
    assert.deepEqual(await read(await rig.token('viewer', meeting)), { count: 2, names: null });
    await stream.close();
  });

  it('streams each acknowledgement as a recording event: the count to viewers, names to hosts', async () => {
    const { meeting, host, id, stream: viewerStream } = await running();
    const hostStream = await openEvents(rig, meeting, host);
    await hostStream.next((m) => m.event === 'snapshot');
    await acknowledge(id, await rig.token('viewer', meeting, { sub: 'u-ben', name: 'Ben' }));
    const counted = (m: { event: string; data: unknown }) =>
      m.event === 'recording' && (m.data as Recording).acknowledgedBy?.count === 1;
    const toHost = await hostStream.next(counted);
    const toViewer = await viewerStream.next(counted);
    assert.deepEqual((toHost.data as Recording).acknowledgedBy, { count: 1, names: ['Ben'] });
    assert.deepEqual((toViewer.data as Recording).acknowledgedBy, { count: 1, names: null });
    assert.equal(toHost.id, toViewer.id);
    // A resumed viewer stream replays the event without names too.
    const resumed = await EventStreamReader.open(
      `${rig.url}/meetings/${meeting}/events`,
      await rig.token('viewer', meeting),
      { 'last-event-id': String(Number(toViewer.id) - 1) },
    );
    const replayed = await resumed.next(counted);
    assert.equal(replayed.id, toViewer.id);
    assert.deepEqual((replayed.data as Recording).acknowledgedBy, { count: 1, names: null });
    assert.ok(!JSON.stringify([...viewerStream.messages, ...resumed.messages]).includes('Ben'));
    await Promise.all([hostStream.close(), viewerStream.close(), resumed.close()]);
  });

  it('refuses with 409 once the recording is not running', async () => {
    const meeting = meetingId();
    const host = await rig.token('host', meeting);
    const recording = await uploadedRecording(rig, meeting, host);
    const response = await acknowledge(recording.id, await rig.token('viewer', meeting));
    assert.equal(response.status, 409);
    assert.equal(await codeOf(response), 'invalid_state');
    // The finished recording's acknowledgements stay readable for hosts.
    assert.equal((await acknowledgements(recording.id, host)).status, 200);
  });

  it("refuses another meeting's recording with 404, and tokens without a subject", async () => {
    const { meeting, id, stream } = await running();
    const stranger = await rig.token('viewer', meetingId(), { sub: 'u-eve' });
    for (const response of [
      await acknowledge(id, stranger),
      await acknowledgements(id, await rig.token('host', meetingId())),
    ]) {
      assert.equal(response.status, 404);
      assert.equal(await codeOf(response), 'not_found');
    }
    const noSubject = await acknowledge(id, await rig.token('viewer', meeting, { sub: '' }));
    assert.equal(noSubject.status, 400);
    assert.equal(await codeOf(noSubject), 'bad_request');
    await stream.close();
  });

  it('answers bad input with clear errors', async () => {
    const { meeting, id, stream } = await running();
    const viewer = await rig.token('viewer', meeting);
    const cases: [Promise<Response>, number, string][] = [
      [acknowledge(id, ''), 401, 'unauthorized'],
      [acknowledge(id, viewer, { json: { name: 'Mallory' } }), 400, 'bad_request'],
      [acknowledge(id, viewer, { json: [1] }), 400, 'bad_request'],
      [
        rig.call(`/recordings/${id}/acknowledgements`, {
          method: 'POST',
          token: viewer,
          body: '{',
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'invalid_json',
      ],
      [acknowledge('bad id!', viewer), 400, 'invalid_id'],
      [acknowledge('rec-does-not-exist', viewer), 404, 'not_found'],
      [
        rig.call(`/recordings/${id}/acknowledgements`, { method: 'PUT', token: viewer }),
        405,
        'method_not_allowed',
      ],
    ];
    for (const [pending, status, code] of cases) {
      const response = await pending;
      assert.equal(response.status, status, code);
      assert.equal(await codeOf(response), code);
    }
    await stream.close();
  });
});
